using System.Diagnostics;
using System.Text.Json;

namespace GpuDev.ReservationProcessor.Telemetry;

/// <summary>
/// The W3C trace context the API puts in a message's PGMQ <c>headers</c> (<c>traceparent</c>, <c>tracestate</c>),
/// read with the process's standard propagator so processing continues the request's trace.
/// </summary>
public static class TraceContext
{
    public static ActivityContext Extract(string? headersJson)
    {
        if (string.IsNullOrWhiteSpace(headersJson))
        {
            return default;
        }

        Dictionary<string, string> headers;
        try
        {
            using var document = JsonDocument.Parse(headersJson);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return default;
            }

            headers = document.RootElement.EnumerateObject()
                .Where(p => p.Value.ValueKind == JsonValueKind.String)
                .ToDictionary(p => p.Name, p => p.Value.GetString()!, StringComparer.OrdinalIgnoreCase);
        }
        catch (JsonException)
        {
            // Headers are advisory: a message without a readable context starts its own trace.
            return default;
        }

        DistributedContextPropagator.Current.ExtractTraceIdAndState(headers,
            static (carrier, name, out value, out values) =>
            {
                values = null;
                value = carrier is Dictionary<string, string> map && map.TryGetValue(name, out var found) ? found : null;
            },
            out var traceParent, out var traceState);
        return ActivityContext.TryParse(traceParent, traceState, isRemote: true, out var context) ? context : default;
    }
}
