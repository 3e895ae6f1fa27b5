using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace GpuDev.Hosting.PostgreSQL;

/// <summary>
/// Healthy when the server (or one database on it) accepts an authenticated connection. A rejected
/// password is reported as such, because retrying will never fix it.
/// </summary>
internal sealed class LocalPostgresHealthCheck(
    Func<CancellationToken, ValueTask<string?>> connectionString,
    string? database,
    Action? onPasswordRejected = null) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var value = await connectionString(cancellationToken);
        if (value is null)
        {
            return HealthCheckResult.Unhealthy("The server's endpoint is not allocated yet.");
        }

        var builder = new NpgsqlConnectionStringBuilder(value) { Timeout = 5, Pooling = false };
        if (database is not null)
        {
            builder.Database = database;
        }

        try
        {
            await using var connection = new NpgsqlConnection(builder.ConnectionString);
            await connection.OpenAsync(cancellationToken);
            await using var command = new NpgsqlCommand("SELECT 1", connection);
            await command.ExecuteScalarAsync(cancellationToken);
            return HealthCheckResult.Healthy();
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.InvalidPassword)
        {
            onPasswordRejected?.Invoke();
            return HealthCheckResult.Unhealthy(
                "PostgreSQL rejected the password: the data directory was initialised with a different value of " +
                "Parameters:postgres-password. Set that parameter to the original password, or reset local data (see README).", ex);
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.InvalidCatalogName)
        {
            return HealthCheckResult.Unhealthy($"Database '{builder.Database}' does not exist yet.", ex);
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
        {
            return HealthCheckResult.Unhealthy($"Not accepting connections yet: {ex.Message}", ex);
        }
    }
}
