using System.Diagnostics;
using System.Text.Json;

namespace GpuDev.Database.Queues;

/// <summary>
/// W3C trace context (<c>traceparent</c>, <c>tracestate</c>) carried in a PGMQ message's <c>headers</c>, so the
/// consumer's work continues the trace of the request that sent the message. Uses .NET's configured
/// propagator (<see cref="DistributedContextPropagator.Current"/>), which OpenTelemetry also follows.
/// </summary>
public static class TraceContextHeaders
{
    /// <summary>The current activity's context as a headers object; <c>{}</c> when nothing is being traced.</summary>
    public static Dictionary<string, string> FromCurrentActivity()
    {
        var headers = new Dictionary<string, string>(StringComparer.Ordinal);
        DistributedContextPropagator.Current.Inject(Activity.Current, headers, static (carrier, name, value) =>
        {
            if (carrier is Dictionary<string, string> map && value is not null)
            {
                map[name] = value;
            }
        });
        return headers;
    }

    public static string ToJson(IReadOnlyDictionary<string, string> headers) =>
        JsonSerializer.Serialize(headers, QueueMessageJsonContext.Default.IReadOnlyDictionaryStringString);

    /// <summary>
    /// The parent context from a message's <c>headers</c> column as PGMQ returns it (JSON text, or null).
    /// Headers are advisory: anything unreadable yields default, and the consumer starts its own trace.
    /// </summary>
    public static ActivityContext Extract(string? headersJson)
    {
        if (string.IsNullOrWhiteSpace(headersJson))
        {
            return default;
        }

        try
        {
            using var document = JsonDocument.Parse(headersJson);
            return document.RootElement.ValueKind == JsonValueKind.Object
                ? Extract(document.RootElement.EnumerateObject()
                    .Where(p => p.Value.ValueKind == JsonValueKind.String)
                    .ToDictionary(p => p.Name, p => p.Value.GetString()!, StringComparer.OrdinalIgnoreCase))
                : default;
        }
        catch (JsonException)
        {
            return default;
        }
    }

    /// <summary>The parent context a consumer starts its activity under; default when the headers carry none.</summary>
    public static ActivityContext Extract(IReadOnlyDictionary<string, string>? headers)
    {
        if (headers is null)
        {
            return default;
        }

        DistributedContextPropagator.Current.ExtractTraceIdAndState(headers, static (carrier, name, out value, out values) =>
        {
            values = null;
            value = carrier is IReadOnlyDictionary<string, string> map && map.TryGetValue(name, out var found) ? found : null;
        }, out var traceParent, out var traceState);
        return ActivityContext.TryParse(traceParent, traceState, isRemote: true, out var context) ? context : default;
    }
}
