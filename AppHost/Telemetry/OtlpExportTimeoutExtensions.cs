using Aspire.Hosting.ApplicationModel;

namespace Aspire.Hosting;

public static class OtlpExportTimeoutExtensions
{
    /// <summary>The variable OpenTelemetry's OTLP exporter reads its per-export deadline from (milliseconds).</summary>
    public const string TimeoutVariable = "OTEL_EXPORTER_OTLP_TIMEOUT";

    /// <summary>
    /// Gives every service that exports telemetry to the dashboard a short OTLP export deadline, unless
    /// the environment already sets one. A service's last flush happens as it stops, and when the whole
    /// stack stops the dashboard is going away at the same moment: the export then waited out the
    /// exporter's default deadline (10 s), so each service lingered that long after the AppHost exited.
    /// The dashboard is on loopback, where an export that needs more than a second has failed anyway.
    /// </summary>
    public static IDistributedApplicationBuilder WithShortOtlpExportTimeout(this IDistributedApplicationBuilder builder, TimeSpan timeout)
    {
        if (!builder.ExecutionContext.IsRunMode)
        {
            return builder;
        }

        var milliseconds = ((long)timeout.TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
        builder.Eventing.Subscribe<BeforeStartEvent>((@event, _) =>
        {
            // Added at start, after Aspire's own OTLP callback, so the endpoint it sets is visible here.
            foreach (var resource in @event.Model.Resources.OfType<IResourceWithEnvironment>().Where(r => r.Annotations.OfType<OtlpExporterAnnotation>().Any()))
            {
                resource.Annotations.Add(new EnvironmentCallbackAnnotation(context =>
                {
                    if (context.EnvironmentVariables.ContainsKey("OTEL_EXPORTER_OTLP_ENDPOINT")
                        && Environment.GetEnvironmentVariable(TimeoutVariable) is null)
                    {
                        context.EnvironmentVariables.TryAdd(TimeoutVariable, milliseconds);
                    }
                }));
            }

            return Task.CompletedTask;
        });
        return builder;
    }
}
