using System.Text.Json;
using GpuDev.Api.Models;
using GpuDev.Database.Json;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace GpuDev.Api.Health;

/// <summary>
/// Writes <c>/health</c> with production's body (status, database, queue, timestamp) and nothing else, so no
/// internal text reaches a caller. The status code stays ASP.NET's (503 when unhealthy), which is what
/// Aspire's and Kubernetes' probes read; production answers 200 either way.
/// </summary>
public static class HealthReportWriter
{
    public const string DatabaseCheck = "database";
    public const string QueueCheck = "queue";
    public const string MissingQueues = "missing_queues";

    public static Task WriteAsync(HttpContext context, HealthReport report)
    {
        var database = Status(report, DatabaseCheck) == HealthStatus.Healthy ? "healthy" : "unhealthy";
        var queue = report.Entries.TryGetValue(QueueCheck, out var entry) switch
        {
            true when entry.Status == HealthStatus.Healthy => "healthy",
            true when entry.Data.ContainsKey(MissingQueues) => "missing",
            _ => "unknown",
        };
        var body = new Dictionary<string, string>
        {
            ["status"] = report.Status == HealthStatus.Healthy ? "healthy" : "unhealthy",
            ["database"] = database,
            ["queue"] = queue,
            ["timestamp"] = PythonTimestamp.Pydantic(DateTimeOffset.UtcNow),
        };

        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(JsonSerializer.Serialize(body, ApiJsonContext.Default.DictionaryStringString));
    }

    private static HealthStatus? Status(HealthReport report, string check) =>
        report.Entries.TryGetValue(check, out var entry) ? entry.Status : null;
}
