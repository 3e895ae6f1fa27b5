using System.Diagnostics;
using System.Text.Json;
using GpuDev.Database.Queues;

namespace GpuDev.ReservationProcessor.Telemetry;

/// <summary>
/// The trace context the API puts in a message's PGMQ <c>headers</c> (see <see cref="TraceContextHeaders"/>),
/// read from the column's JSON so processing continues the request's trace.
/// </summary>
public static class TraceContext
{
    public static ActivityContext Extract(string? headersJson)
    {
        if (string.IsNullOrWhiteSpace(headersJson))
        {
            return default;
        }

        try
        {
            using var document = JsonDocument.Parse(headersJson);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return default;
            }

            var headers = document.RootElement.EnumerateObject()
                .Where(p => p.Value.ValueKind == JsonValueKind.String)
                .ToDictionary(p => p.Name, p => p.Value.GetString()!, StringComparer.OrdinalIgnoreCase);
            return TraceContextHeaders.Extract(headers);
        }
        catch (JsonException)
        {
            // Headers are advisory: a message without a readable context starts its own trace.
            return default;
        }
    }
}
