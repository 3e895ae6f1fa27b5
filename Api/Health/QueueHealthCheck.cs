using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace GpuDev.Api.Health;

/// <summary>Healthy when the PGMQ queue exists; reports its depth.</summary>
public sealed class QueueHealthCheck(NpgsqlDataSource dataSource, string queue) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var command = dataSource.CreateCommand("SELECT queue_length FROM pgmq.metrics($1)");
            command.Parameters.Add(new() { Value = queue });
            var length = await command.ExecuteScalarAsync(cancellationToken);
            return HealthCheckResult.Healthy($"Queue '{queue}' exists.", new Dictionary<string, object> { ["queue_length"] = length ?? 0L });
        }
        catch (PostgresException ex)
        {
            return HealthCheckResult.Unhealthy($"Queue '{queue}' is not usable: {ex.MessageText}");
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
        {
            return HealthCheckResult.Unhealthy($"PostgreSQL does not answer: {ex.Message}");
        }
    }
}
