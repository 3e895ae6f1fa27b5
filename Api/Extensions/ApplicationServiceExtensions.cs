using GpuDev.Api.Health;
using GpuDev.Api.Infrastructure;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Npgsql;

namespace Microsoft.Extensions.Hosting;

public static class ApplicationServiceExtensions
{
    /// <summary>The connection-string name both the AppHost and production use.</summary>
    public const string DatabaseName = "gpudev";

    public static IHostApplicationBuilder AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddNpgsqlDataSource(DatabaseName, settings => settings.DisableHealthChecks = true);
        builder.Services.AddSingleton<DatabaseStartupCheck>();

        var health = builder.Services.AddHealthChecks()
            .AddTypeActivatedCheck<DatabaseHealthCheck>(HealthReportWriter.DatabaseCheck);
        foreach (var queue in QueueNames.All)
        {
            health.Add(new Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckRegistration(
                HealthReportWriter.QueueCheckPrefix + queue,
                services => new QueueHealthCheck(services.GetRequiredService<NpgsqlDataSource>(), queue),
                failureStatus: null,
                tags: null));
        }

        builder.Services.AddProblemDetails();
        return builder;
    }

    /// <summary>
    /// Runs the start-up check; on failure logs one critical message and returns false (the caller exits
    /// non-zero), so an orchestrator sees a failed start rather than an API that serves errors.
    /// </summary>
    public static async Task<bool> VerifyDatabaseAsync(this WebApplication app)
    {
        var failure = await app.Services.GetRequiredService<DatabaseStartupCheck>().RunAsync(app.Lifetime.ApplicationStopping);
        if (failure is null)
        {
            return true;
        }

        app.Logger.LogCritical("API cannot start: {Reason}", failure);
        return false;
    }

    public static WebApplication MapHealthEndpoints(this WebApplication app)
    {
        app.MapHealthChecks("/health", new HealthCheckOptions { ResponseWriter = HealthReportWriter.WriteAsync });
        app.MapLivenessEndpoint();
        return app;
    }
}
