using GpuDev.Database.Queues;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace GpuDev.Api.Health;

/// <summary>
/// Healthy when every queue the API sends to exists. Reads PGMQ's queue list (one row per queue), never the
/// queues themselves, so a probe costs the same however many messages wait.
/// </summary>
public sealed class QueueHealthCheck(NpgsqlDataSource dataSource) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var command = dataSource.CreateCommand(
                "SELECT array(SELECT q FROM unnest($1::text[]) q EXCEPT SELECT queue_name FROM pgmq.list_queues())");
            command.Parameters.Add(new() { Value = QueueNames.All.ToArray() });
            var missing = (string[])(await command.ExecuteScalarAsync(cancellationToken))!;
            return missing.Length == 0
                ? HealthCheckResult.Healthy("Every queue exists.")
                : HealthCheckResult.Unhealthy($"Missing queues: {string.Join(", ", missing)}.", data: new Dictionary<string, object> { [HealthReportWriter.MissingQueues] = true });
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
        {
            return HealthCheckResult.Unhealthy("PostgreSQL does not answer.", ex);
        }
    }
}
