using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace GpuDev.Hosting.PostgreSQL;

/// <summary>
/// Healthy when the server (or one database on it) accepts an authenticated connection. A rejected
/// password is reported as such, because retrying will never fix it.
/// </summary>
/// <remarks>
/// The check is first run the moment the server's process has started, a few hundred milliseconds before
/// PostgreSQL accepts connections, and Aspire runs a check that failed again only a second later (then two,
/// three…). So a check that finds the server still starting (connection refused, or "the database system is
/// starting up") tries again every <see cref="StartingRetryDelay"/> for up to <see cref="StartingGrace"/>
/// before it reports the server unhealthy: everything waiting on the server starts as soon as it accepts
/// connections instead of up to a second later.
/// </remarks>
internal sealed class LocalPostgresHealthCheck(
    Func<CancellationToken, ValueTask<string?>> connectionString,
    string? database,
    Action? onPasswordRejected = null,
    TimeSpan? startingGrace = null) : IHealthCheck
{
    internal static readonly TimeSpan StartingGrace = TimeSpan.FromSeconds(1);
    internal static readonly TimeSpan StartingRetryDelay = TimeSpan.FromMilliseconds(25);

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

        var started = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            try
            {
                return await CheckOnceAsync(builder.ConnectionString, cancellationToken);
            }
            catch (Exception ex) when (IsStarting(ex) && started.Elapsed + StartingRetryDelay < (startingGrace ?? StartingGrace))
            {
                await Task.Delay(StartingRetryDelay, cancellationToken);
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
            {
                return Unhealthy(ex, builder.Database);
            }
        }
    }

    private static async Task<HealthCheckResult> CheckOnceAsync(string connectionString, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand("SELECT 1", connection);
        await command.ExecuteScalarAsync(cancellationToken);
        return HealthCheckResult.Healthy();
    }

    // Nothing listens on the port yet, or PostgreSQL is still recovering and refuses sessions (57P03).
    private static bool IsStarting(Exception ex) =>
        ex is PostgresException { SqlState: PostgresErrorCodes.CannotConnectNow }
        || (ex is NpgsqlException && ex.InnerException is System.Net.Sockets.SocketException { SocketErrorCode: System.Net.Sockets.SocketError.ConnectionRefused });

    private HealthCheckResult Unhealthy(Exception exception, string? databaseName)
    {
        switch (exception)
        {
            case PostgresException { SqlState: PostgresErrorCodes.InvalidPassword }:
                onPasswordRejected?.Invoke();
                return HealthCheckResult.Unhealthy(
                    "PostgreSQL rejected the password: the data directory was initialised with a different value of " +
                    "Parameters:postgres-password. Set that parameter to the original password, or reset local data (see README).", exception);
            case PostgresException { SqlState: PostgresErrorCodes.InvalidCatalogName }:
                return HealthCheckResult.Unhealthy($"Database '{databaseName}' does not exist yet.", exception);
            default:
                return HealthCheckResult.Unhealthy($"Not accepting connections yet: {exception.Message}", exception);
        }
    }
}
