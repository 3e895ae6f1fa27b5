using System.Text.Json;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace GpuDev.Api.Health;

/// <summary>
/// Writes <c>/health</c> in production's shape (status, database, queue, timestamp) plus every check,
/// so the production CLI and a human both read it.
/// </summary>
public static class HealthReportWriter
{
    public const string DatabaseCheck = "database";
    public const string QueueCheckPrefix = "queue:";

    public static Task WriteAsync(HttpContext context, HealthReport report)
    {
        var queues = report.Entries.Where(e => e.Key.StartsWith(QueueCheckPrefix, StringComparison.Ordinal)).ToList();
        var queueStatus = queues.Count > 0 && queues.All(e => e.Value.Status == HealthStatus.Healthy) ? "healthy" : "unhealthy";
        var body = new
        {
            status = report.Status == HealthStatus.Healthy ? "healthy" : "unhealthy",
            database = report.Entries.TryGetValue(DatabaseCheck, out var db) && db.Status == HealthStatus.Healthy ? "healthy" : "unhealthy",
            queue = queueStatus,
            timestamp = DateTimeOffset.UtcNow,
            checks = report.Entries.ToDictionary(
                e => e.Key,
                e => new
                {
                    status = e.Value.Status.ToString().ToLowerInvariant(),
                    description = e.Value.Description,
                    data = e.Value.Data.Count > 0 ? e.Value.Data : null,
                }),
        };

        context.Response.ContentType = "application/json; charset=utf-8";
        return context.Response.WriteAsync(JsonSerializer.Serialize(body, JsonOptions));
    }

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };
}
