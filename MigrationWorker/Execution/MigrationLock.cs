using GpuDev.MigrationWorker.Cli;
using Npgsql;

namespace GpuDev.MigrationWorker.Execution;

/// <summary>
/// The session-level advisory lock that makes migration single-file: a second worker waits (at most
/// the lock timeout) and then finds the work done. PostgreSQL releases it when the session ends, so a
/// killed worker never leaves it behind.
/// </summary>
public sealed class MigrationLock : IAsyncDisposable
{
    /// <summary>The lock key: "gpudevmg" in ASCII, unlikely to collide with an application's own advisory locks.</summary>
    public const long Key = 0x6770_7564_6576_6d67;

    private readonly NpgsqlConnection _connection;

    private MigrationLock(NpgsqlConnection connection, DateTime? waitedSince)
    {
        _connection = connection;
        WaitedSince = waitedSince;
    }

    /// <summary>Server time when this worker started waiting for another holder; null when the lock was free.</summary>
    public DateTime? WaitedSince { get; }

    public static async Task<MigrationLock> AcquireAsync(NpgsqlConnection connection, TimeSpan timeout, Action<string> reportWaiting, CancellationToken cancellationToken)
    {
        DateTime waitedSince;
        await using (var tryLock = new NpgsqlCommand("SELECT pg_try_advisory_lock($1), clock_timestamp()", connection) { Parameters = { new() { Value = Key } } })
        await using (var reader = await tryLock.ExecuteReaderAsync(cancellationToken))
        {
            await reader.ReadAsync(cancellationToken);
            if (reader.GetBoolean(0))
            {
                return new MigrationLock(connection, null);
            }

            waitedSince = reader.GetDateTime(1);
        }

        reportWaiting(await DescribeHolderAsync(connection, cancellationToken));
        try
        {
            await using var wait = new NpgsqlBatch(connection)
            {
                BatchCommands =
                {
                    new($"SET lock_timeout = {Math.Max(1, (long)timeout.TotalMilliseconds)}"),
                    new("SELECT pg_advisory_lock($1)") { Parameters = { new() { Value = Key } } },
                    new("RESET lock_timeout"),
                },
            };
            await wait.ExecuteNonQueryAsync(cancellationToken);
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.LockNotAvailable)
        {
            await using var reset = new NpgsqlCommand("RESET lock_timeout", connection);
            await reset.ExecuteNonQueryAsync(cancellationToken);
            throw new MigrationException(
                ExitCodes.LockTimeout,
                $"Another migration worker held the migration lock for longer than {timeout.TotalSeconds:0.#} s ({await DescribeHolderAsync(connection, cancellationToken)}). " +
                "Wait for it to finish, or raise --lock-timeout (Migrations__LockTimeout); a worker that was killed releases the lock within seconds.",
                ex);
        }

        return new MigrationLock(connection, waitedSince);
    }

    public async ValueTask DisposeAsync()
    {
        if (_connection.FullState != System.Data.ConnectionState.Open)
        {
            return;
        }

        // Released explicitly: a pooled connection would otherwise keep it until its next reset.
        await using var unlock = new NpgsqlCommand("SELECT pg_advisory_unlock($1)", _connection) { Parameters = { new() { Value = Key } } };
        await unlock.ExecuteNonQueryAsync();
    }

    private static async Task<string> DescribeHolderAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var holder = new NpgsqlCommand(
            """
            SELECT format('held by backend pid %s, application %L, since %s', a.pid, a.application_name, a.backend_start)
            FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
            WHERE l.locktype = 'advisory' AND l.granted AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
              AND ((l.classid::bigint << 32) | l.objid::bigint) = $1
            LIMIT 1
            """,
            connection)
        { Parameters = { new() { Value = Key } } };
        return await holder.ExecuteScalarAsync(cancellationToken) as string ?? "the holder has just released it";
    }
}
