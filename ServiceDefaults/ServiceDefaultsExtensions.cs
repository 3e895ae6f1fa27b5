using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// What every GPU Dev service gets: OpenTelemetry (logs, traces, metrics exported over OTLP to the
/// Aspire dashboard or any collector) and default health checks. No service calls another over HTTP (they
/// share the database), so the Aspire template's service discovery and HTTP resilience handlers are left out:
/// they only loaded Polly at start, and wrapped the OTLP exporter's own client in retries.
/// </summary>
public static class ServiceDefaultsExtensions
{
    /// <summary>Tag on health checks that only say the process is up (served at <c>/alive</c>).</summary>
    public const string LiveTag = "live";

    /// <summary>The database clients' activity sources (Npgsql's, which Aspire.Npgsql adds to tracing).</summary>
    private static readonly string[] DatabaseActivitySources = ["Npgsql"];

    private const string HealthPath = "/health";
    private const string AlivePath = "/alive";

    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        builder.ConfigureOpenTelemetry();
        builder.AddDefaultHealthChecks();

        return builder;
    }

    /// <summary>
    /// Additional activity sources and meters a service wants exported (for example the migration
    /// worker's per-file spans). Call before <see cref="AddServiceDefaults{TBuilder}"/> or after: both work.
    /// </summary>
    public static TBuilder AddTelemetrySources<TBuilder>(this TBuilder builder, params string[] names)
        where TBuilder : IHostApplicationBuilder
    {
        builder.Services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddSource(names));
        builder.Services.ConfigureOpenTelemetryMeterProvider(metrics => metrics.AddMeter(names));
        return builder;
    }

    public static TBuilder ConfigureOpenTelemetry<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });

        builder.Services.AddOpenTelemetry()
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation())
            .WithTracing(tracing => tracing
                .AddSource(builder.Environment.ApplicationName)
                .AddAspNetCoreInstrumentation(options =>
                    // Probes would drown the requests people care about in the dashboard.
                    options.Filter = context =>
                        !context.Request.Path.StartsWithSegments(HealthPath)
                        && !context.Request.Path.StartsWithSegments(AlivePath))
                .AddHttpClientInstrumentation()
                // Health probes and connection opens outside a request, message or migration run are no traces of their own.
                .AddProcessor(new UntracedDatabaseWorkFilter(DatabaseActivitySources)));

        // The Aspire AppHost (and any collector in a cluster) sets this; without it nothing is exported.
        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            builder.Services.AddOpenTelemetry().UseOtlpExporter();
        }

        return builder;
    }

    public static TBuilder AddDefaultHealthChecks<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddHealthChecks()
            .AddCheck("self", () => HealthCheckResult.Healthy(), [LiveTag]);
        return builder;
    }

    /// <summary>
    /// Maps <c>/alive</c> (liveness: only the checks tagged <see cref="LiveTag"/>). Services map their
    /// own <c>/health</c> report because its shape is part of their contract.
    /// </summary>
    public static WebApplication MapLivenessEndpoint(this WebApplication app)
    {
        app.MapHealthChecks(AlivePath, new HealthCheckOptions
        {
            Predicate = registration => registration.Tags.Contains(LiveTag),
        });
        return app;
    }
}
