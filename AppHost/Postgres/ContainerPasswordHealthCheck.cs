using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace GpuDev.AppHost.Postgres;

/// <summary>
/// Aspire's own check of the container keeps reporting "unhealthy" when the data volume was created with
/// another password, so nothing but a health status would say why nothing after PostgreSQL starts. This
/// check tells that case apart (SQLSTATE 28P01) and has it reported once.
/// </summary>
internal sealed class ContainerPasswordHealthCheck(Func<CancellationToken, ValueTask<string?>> connectionString, Action onPasswordRejected) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (await connectionString(cancellationToken) is not { } value)
        {
            return HealthCheckResult.Unhealthy("The container's endpoint is not allocated yet.");
        }

        var builder = new NpgsqlConnectionStringBuilder(value) { Database = "postgres", Timeout = 5, Pooling = false };
        try
        {
            await using var connection = new NpgsqlConnection(builder.ConnectionString);
            await connection.OpenAsync(cancellationToken);
            return HealthCheckResult.Healthy();
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.InvalidPassword)
        {
            onPasswordRejected();
            return HealthCheckResult.Unhealthy("PostgreSQL rejected the password: the data volume was initialised with another postgres-password (see the resource's log).", ex);
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
        {
            return HealthCheckResult.Unhealthy($"Not accepting connections yet: {ex.Message}", ex);
        }
    }
}
