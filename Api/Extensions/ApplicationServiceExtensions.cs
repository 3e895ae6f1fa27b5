using System.Text.Json;
using GpuDev.Api.Apis;
using GpuDev.Api.Authentication;
using GpuDev.Api.Health;
using GpuDev.Api.Infrastructure;
using GpuDev.Api.InputHygiene;
using GpuDev.Api.Models;
using GpuDev.Api.RateLimiting;
using GpuDev.Database;
using GpuDev.Database.Json;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Microsoft.Extensions.Hosting;

public static class ApplicationServiceExtensions
{
    /// <summary>The connection-string name both the AppHost and production use.</summary>
    public const string DatabaseName = DatabaseNames.Database;

    public static IHostApplicationBuilder AddApplicationServices(this IHostApplicationBuilder builder)
    {
        // Read here for the data source, and checked with the other settings before the first connection (SettingsAreValid).
        var database = builder.Configuration.GetSection(DatabaseClientOptions.SectionName).Get<DatabaseClientOptions>() ?? new DatabaseClientOptions();
        builder.Services.AddOptions<DatabaseClientOptions>().BindConfiguration(DatabaseClientOptions.SectionName).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<DatabaseClientOptions>, DatabaseClientOptionsValidator>();
        builder.AddNpgsqlDataSource(DatabaseName, settings => settings.DisableHealthChecks = true, dataSource =>
        {
            dataSource.ConnectionStringBuilder.MaxAutoPrepare = database.MaxAutoPrepare;
            dataSource.ConnectionStringBuilder.Multiplexing = database.Multiplexing;
        });
        builder.Services.AddSingleton<DatabaseStartupCheck>();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<ApiKeyStore>();
        builder.Services.AddSingleton<ApiKeyUsageRecorder>();
        builder.Services.AddHostedService(services => services.GetRequiredService<ApiKeyUsageRecorder>());
        builder.Services.AddSingleton<JobActionSender>();
        builder.Services.AddMemoryCache();
        builder.Services.AddSingleton<GpuTypeCatalog>();

        builder.Services.AddOptions<JobQueueOptions>().BindConfiguration(JobQueueOptions.SectionName).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<JobQueueOptions>, JobQueueOptionsValidator>();
        builder.Services.AddOptions<GpuTypeCatalogOptions>().BindConfiguration(GpuTypeCatalogOptions.SectionName).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<GpuTypeCatalogOptions>, GpuTypeCatalogOptionsValidator>();
        builder.Services.AddOptions<RequestLimitsOptions>().BindConfiguration(RequestLimitsOptions.SectionName).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<RequestLimitsOptions>, RequestLimitsOptionsValidator>();

        // Two cheap queries per probe (SELECT 1, and the queue list from pgmq.meta): no per-message work.
        builder.Services.AddHealthChecks()
            .AddTypeActivatedCheck<DatabaseHealthCheck>(HealthReportWriter.DatabaseCheck)
            .AddTypeActivatedCheck<QueueHealthCheck>(HealthReportWriter.QueueCheck);

        builder.AddWireFormat();
        builder.AddGpuDevAuthentication();
        builder.AddGpuDevRateLimiting();
        // Only Development serves the document (MapOpenApiDocument); elsewhere its services would only load
        // MVC's API explorer at start.
        if (builder.Environment.IsDevelopment())
        {
            builder.Services.AddOpenApiDocument();
        }

        return builder;
    }

    /// <summary>
    /// Production's JSON (snake_case fields), RFC 9457 problem details for every error, minimal-API
    /// validation from DataAnnotations, and bounded request bodies.
    /// </summary>
    private static void AddWireFormat(this IHostApplicationBuilder builder)
    {
        builder.Services.ConfigureHttpJsonOptions(options =>
        {
            // Contracts generated at compile time, and only those: the published API is Native AOT (ApiJsonContext).
            options.SerializerOptions.TypeInfoResolver = ApiJsonContext.Default;
            options.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
            // A number sent as a string is a wrong type, not something to guess at.
            options.SerializerOptions.NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.Strict;
            // Timestamps as production's Python writes them (isoformat, +00:00); the fields production
            // declares as pydantic datetimes say so on their property.
            options.SerializerOptions.Converters.Add(new IsoFormatDateTimeConverter());
            options.SerializerOptions.Converters.Add(new IsoFormatTimestampConverter());
            // Every string of a body, object keys included, is refused before SQL when PostgreSQL cannot store it.
            options.SerializerOptions.Converters.Add(new StorableTextConverter());
        });
        builder.Services.AddProblemDetails(options => options.CustomizeProblemDetails = ValidationErrorNames.UseWireNames);
        builder.Services.AddExceptionHandler<GpuDevExceptionHandler>();
        builder.Services.AddValidation();

        // Binding failures (invalid JSON, wrong types, unparsable query values) throw so the exception
        // handler can answer with a problem that names the cause, in every environment.
        builder.Services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);

        builder.Services.AddOptions<KestrelServerOptions>()
            .Configure<IOptions<RequestLimitsOptions>>((kestrel, limits) =>
            {
                // Build() creates Kestrel before the settings check can name a bad limit in one line (SettingsAreValid):
                // an invalid limit leaves Kestrel's default here, and that check then stops the API.
                try
                {
                    kestrel.Limits.MaxRequestBodySize = limits.Value.MaxBodyBytes;
                }
                catch (OptionsValidationException)
                {
                }
            });
    }

    private static void AddGpuDevAuthentication(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<ApiKeyOptions>().BindConfiguration(ApiKeyOptions.SectionName).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<ApiKeyOptions>, ApiKeyOptionsValidator>();
        builder.Services.AddOptions<AdminOptions>().BindConfiguration(AdminOptions.SectionName).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<AdminOptions>, AdminOptionsValidator>();
        builder.Services.AddSingleton(new LocalDevSignIn(builder.Configuration[LocalDevSignIn.ConfigurationKey]));
        // Authentication's core without AddAuthentication()'s Data Protection: API keys and the admin token are
        // compared, never encrypted or signed, and Data Protection reads (or first writes) its key ring at start.
        builder.Services.AddAuthenticationCore();
        builder.Services.AddWebEncoders();
        new AuthenticationBuilder(builder.Services)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null)
            .AddScheme<AuthenticationSchemeOptions, AdminTokenAuthenticationHandler>(AdminTokenAuthenticationHandler.SchemeName, null);
        builder.Services.AddAuthorizationBuilder().AddGpuDevPolicies();
    }

    /// <summary>
    /// Runs the start-up check; on failure logs one critical message and returns false (the caller exits
    /// non-zero), so an orchestrator sees a failed start rather than an API that serves errors.
    /// </summary>
    public static async Task<bool> VerifyDatabaseAsync(this WebApplication app)
    {
        if (!app.SettingsAreValid())
        {
            return false;
        }

        if (app.Services.GetRequiredService<LocalDevSignIn>().Problem(app.Environment) is { } signInProblem)
        {
            app.Logger.LogCritical("API cannot start: {Reason}", signInProblem);
            return false;
        }

        var failure = await app.Services.GetRequiredService<DatabaseStartupCheck>().RunAsync(app.Lifetime.ApplicationStopping);
        if (failure is null)
        {
            return true;
        }

        app.Logger.LogCritical("API cannot start: {Reason}", failure);
        return false;
    }

    /// <summary>The request pipeline: errors as problem details, bounded bodies, then authentication.</summary>
    public static WebApplication UseGpuDevPipeline(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseMiddleware<RequestBodyLimitMiddleware>();
        app.UseGpuDevRateLimiting();
        app.UseMiddleware<StorableTextMiddleware>();
        app.UseAuthentication();
        app.UseAuthorization();
        return app;
    }

    public static WebApplication MapHealthEndpoints(this WebApplication app)
    {
        app.MapHealthChecks("/health", new HealthCheckOptions { ResponseWriter = HealthReportWriter.WriteAsync });
        app.MapLivenessEndpoint();
        return app;
    }

    public static WebApplication MapGpuDevApis(this WebApplication app)
    {
        app.MapRootApi();
        app.MapAuthApi();
        app.MapGpuTypesApi();
        app.MapClusterApi();
        app.MapKeysApi();
        app.MapJobsApi();
        app.MapDisksApi();
        app.MapAdminApi();
        app.MapOpenApiDocument();
        return app;
    }
}
