using GpuDev.MigrationWorker.Planning;
using Npgsql;
using NpgsqlTypes;

namespace GpuDev.MigrationWorker.Journal;

/// <summary>
/// The journal: schema <c>gpudev_migrations</c> (kept out of <c>public</c>, so it never mixes with the
/// application's tables), one row per run and one row per file applied. Every call is one round trip.
/// </summary>
public static class MigrationJournal
{
    public const string Schema = GpuDev.Database.DatabaseRoles.MigrationJournalSchema;

    /// <summary>
    /// The row that records a file, sent in the same batch as the file inside its transaction, so a
    /// file and its journal row commit together or not at all. Parameters: run, name, kind, checksum,
    /// migration hash, duration (null: the transaction's own duration so far).
    /// </summary>
    public const string RecordFileSql =
        $"INSERT INTO {Schema}.applied_files (run_id, file_name, kind, checksum_sha256, migration_hash, duration) " +
        "VALUES ($1, $2, $3, $4, $5, coalesce($6, clock_timestamp() - now()))";

    private static readonly string[] CreateSql =
    [
        $"CREATE SCHEMA IF NOT EXISTS {Schema}",
        $"""
        CREATE TABLE IF NOT EXISTS {Schema}.runs (
            run_id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            migration_hash  text NOT NULL,
            mode            text NOT NULL,
            status          text NOT NULL CHECK (status IN ('running', 'completed', 'failed', 'abandoned')),
            worker          text NOT NULL,
            started_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
            finished_at     timestamptz,
            files_applied   integer,
            files_skipped   integer,
            error           text
        )
        """,
        $"""
        CREATE TABLE IF NOT EXISTS {Schema}.applied_files (
            id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            run_id          bigint NOT NULL REFERENCES {Schema}.runs (run_id),
            file_name       text NOT NULL,
            kind            text NOT NULL CHECK (kind IN ('schema', 'fixture')),
            checksum_sha256 text NOT NULL,
            migration_hash  text NOT NULL,
            applied_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
            duration        interval NOT NULL
        )
        """,
        $"CREATE INDEX IF NOT EXISTS applied_files_latest ON {Schema}.applied_files (kind, file_name, id DESC)",
        $"CREATE INDEX IF NOT EXISTS runs_completed_hash ON {Schema}.runs (migration_hash) WHERE status = 'completed'",
    ];

    private const string LatestSql =
        $"SELECT DISTINCT ON (kind, file_name) kind, file_name, checksum_sha256, applied_at FROM {Schema}.applied_files ORDER BY kind, file_name, id DESC";

    private const string LastCompletedHashSql =
        $"SELECT migration_hash FROM {Schema}.runs WHERE status = 'completed' ORDER BY run_id DESC LIMIT 1";

    /// <summary>
    /// Under the migration lock: creates the journal if needed, closes runs whose worker died, and
    /// reads the state. <paramref name="completedSince"/>: also answer whether a run with
    /// <paramref name="migrationHash"/> completed since then (while this worker waited for the lock).
    /// </summary>
    public static async Task<(JournalState State, IReadOnlyList<AbandonedRun> Abandoned, bool CompletedWhileWaiting)> PrepareAsync(
        NpgsqlConnection connection, string migrationHash, DateTime? completedSince, CancellationToken cancellationToken)
    {
        await using var batch = new NpgsqlBatch(connection);
        foreach (var sql in CreateSql)
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand(sql));
        }

        batch.BatchCommands.Add(new NpgsqlBatchCommand(
            $"UPDATE {Schema}.runs SET status = 'abandoned', finished_at = clock_timestamp(), error = 'the worker stopped before finishing (killed or lost its connection)' " +
            "WHERE status = 'running' RETURNING run_id, worker, started_at"));
        batch.BatchCommands.Add(new NpgsqlBatchCommand(LatestSql));
        batch.BatchCommands.Add(new NpgsqlBatchCommand(LastCompletedHashSql));
        batch.BatchCommands.Add(new NpgsqlBatchCommand(
            $"SELECT EXISTS (SELECT 1 FROM {Schema}.runs WHERE status = 'completed' AND migration_hash = $1 AND finished_at >= $2)")
        {
            Parameters = { new() { Value = migrationHash }, new() { Value = (object?)completedSince ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz } },
        });

        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        var abandoned = new List<AbandonedRun>();
        while (await reader.ReadAsync(cancellationToken))
        {
            abandoned.Add(new AbandonedRun(reader.GetInt64(0), reader.GetString(1), reader.GetDateTime(2)));
        }

        await reader.NextResultAsync(cancellationToken);
        var latest = await ReadLatestAsync(reader, cancellationToken);
        await reader.NextResultAsync(cancellationToken);
        var lastHash = await reader.ReadAsync(cancellationToken) ? reader.GetString(0) : null;
        await reader.NextResultAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        var completedWhileWaiting = completedSince is not null && reader.GetBoolean(0);
        return (new JournalState(true, latest, lastHash), abandoned, completedWhileWaiting);
    }

    /// <summary>Reads the state without creating or changing anything (for --plan and --verify).</summary>
    public static async Task<JournalState> ReadAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using (var exists = new NpgsqlCommand($"SELECT to_regclass('{Schema}.applied_files') IS NOT NULL AND to_regclass('{Schema}.runs') IS NOT NULL", connection))
        {
            if (await exists.ExecuteScalarAsync(cancellationToken) is not true)
            {
                return JournalState.Empty;
            }
        }

        await using var batch = new NpgsqlBatch(connection) { BatchCommands = { new(LatestSql), new(LastCompletedHashSql) } };
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        var latest = await ReadLatestAsync(reader, cancellationToken);
        await reader.NextResultAsync(cancellationToken);
        var lastHash = await reader.ReadAsync(cancellationToken) ? reader.GetString(0) : null;
        return new JournalState(true, latest, lastHash);
    }

    public static async Task<long> StartRunAsync(NpgsqlConnection connection, string migrationHash, string mode, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand($"INSERT INTO {Schema}.runs (migration_hash, mode, status, worker) VALUES ($1, $2, 'running', $3) RETURNING run_id", connection)
        {
            Parameters = { new() { Value = migrationHash }, new() { Value = mode }, new() { Value = $"{Environment.MachineName}/{Environment.ProcessId}" } },
        };
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    public static async Task FinishRunAsync(
        NpgsqlConnection connection, long runId, bool succeeded, int applied, int skipped, string? error, CancellationToken cancellationToken)
    {
        // Files commit with synchronous_commit off (see MigrateCommand); this commit waits for the WAL
        // flush, and WAL is flushed in order, so once the run is recorded every file of it is durable.
        await using var batch = new NpgsqlBatch(connection)
        {
            BatchCommands =
            {
                new("BEGIN"),
                new("SET LOCAL synchronous_commit = on"),
                new($"UPDATE {Schema}.runs SET status = $2, finished_at = clock_timestamp(), files_applied = $3, files_skipped = $4, error = $5 WHERE run_id = $1")
                {
                    Parameters =
                    {
                        new() { Value = runId }, new() { Value = succeeded ? "completed" : "failed" }, new() { Value = applied }, new() { Value = skipped },
                        new() { Value = (object?)error ?? DBNull.Value },
                    },
                },
                new("COMMIT"),
            },
        };
        await batch.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>True once a completed run with <paramref name="migrationHash"/> is recorded; false while the journal does not exist yet.</summary>
    public static async Task<bool> HasCompletedRunAsync(NpgsqlConnection connection, string migrationHash, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            $"SELECT to_regclass('{Schema}.runs') IS NOT NULL", connection);
        if (await command.ExecuteScalarAsync(cancellationToken) is not true)
        {
            return false;
        }

        await using var query = new NpgsqlCommand($"SELECT EXISTS (SELECT 1 FROM {Schema}.runs WHERE status = 'completed' AND migration_hash = $1)", connection)
        {
            Parameters = { new() { Value = migrationHash } },
        };
        return await query.ExecuteScalarAsync(cancellationToken) is true;
    }

    private static async Task<Dictionary<(MigrationKind, string), AppliedFile>> ReadLatestAsync(NpgsqlDataReader reader, CancellationToken cancellationToken)
    {
        var latest = new Dictionary<(MigrationKind, string), AppliedFile>();
        while (await reader.ReadAsync(cancellationToken))
        {
            var kind = reader.GetString(0) == "schema" ? MigrationKind.Schema : MigrationKind.Fixture;
            latest[(kind, reader.GetString(1))] = new AppliedFile(reader.GetString(2), reader.GetDateTime(3));
        }

        return latest;
    }
}
