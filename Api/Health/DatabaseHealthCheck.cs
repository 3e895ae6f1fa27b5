using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace GpuDev.Api.Health;

/// <summary>Healthy when PostgreSQL answers a query through the API's own data source.</summary>
public sealed class DatabaseHealthCheck(NpgsqlDataSource dataSource) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var command = dataSource.CreateCommand("SELECT 1");
            await command.ExecuteScalarAsync(cancellationToken);
            return HealthCheckResult.Healthy("PostgreSQL answers.");
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
        {
            // The exception goes to the health-check log, never into the response.
            return HealthCheckResult.Unhealthy("PostgreSQL does not answer.", ex);
        }
    }
}
