using System.Diagnostics;
using GpuDev.MigrationWorker.Cli;
using GpuDev.MigrationWorker.Journal;
using GpuDev.MigrationWorker.Planning;
using Npgsql;
using NpgsqlTypes;

namespace GpuDev.MigrationWorker.Execution;

/// <summary>
/// Applies one file. A normal file goes to the server as ONE batch: BEGIN, its statements, its
/// journal row, COMMIT; one round trip, and the file with its journal row commits entirely or not at
/// all. A <c>-- migrate:no-transaction</c> file runs statement by statement in autocommit.
/// </summary>
public static class MigrationFileExecutor
{
    public static async Task<TimeSpan> ApplyAsync(NpgsqlConnection connection, MigrationFile file, long runId, string migrationHash, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        if (file.NoTransaction)
        {
            await ApplyWithoutTransactionAsync(connection, file, runId, migrationHash, cancellationToken);
        }
        else
        {
            await ApplyInTransactionAsync(connection, file, runId, migrationHash, cancellationToken);
        }

        return stopwatch.Elapsed;
    }

    private static async Task ApplyInTransactionAsync(NpgsqlConnection connection, MigrationFile file, long runId, string migrationHash, CancellationToken cancellationToken)
    {
        // Statements are sent raw (SQL rewriting is off, see the project file), so PostgreSQL's error
        // position counts from the start of the statement text exactly as it stands in the file.
        await using var batch = new NpgsqlBatch(connection);
        batch.BatchCommands.Add(new NpgsqlBatchCommand("BEGIN"));
        foreach (var statement in file.Script.Statements)
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand(statement.Text));
        }

        batch.BatchCommands.Add(JournalRow(file, runId, migrationHash, duration: null));
        batch.BatchCommands.Add(new NpgsqlBatchCommand("COMMIT"));
        try
        {
            await batch.ExecuteNonQueryAsync(cancellationToken);
        }
        catch (PostgresException ex)
        {
            await RollBackAsync(connection);
            // The data source sets IncludeFailedBatchedCommand, so the exception names the failing command.
            var index = ex.BatchCommand is NpgsqlBatchCommand failing ? batch.BatchCommands.IndexOf(failing) - 1 : -1; // -1: the batch starts with BEGIN
            throw Failure(file, ex, index, "Nothing of this file was applied (its transaction was rolled back); later files did not run.");
        }
        catch (NpgsqlException ex)
        {
            throw ConnectionLost(file, ex);
        }
    }

    private static async Task ApplyWithoutTransactionAsync(NpgsqlConnection connection, MigrationFile file, long runId, string migrationHash, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        var statements = file.Script.Statements;
        for (var index = 0; index < statements.Count; index++)
        {
            try
            {
                await using var command = new NpgsqlCommand(statements[index].Text, connection);
                await command.ExecuteNonQueryAsync(cancellationToken);
            }
            catch (PostgresException ex)
            {
                throw Failure(file, ex, index,
                    $"This file runs without a transaction ({MigrationFile.NoTransactionMarker}): the {index} statement(s) before the failing one stay applied " +
                    "and the file is not recorded, so the next run applies it again from the top (keep such files idempotent). Later files did not run.");
            }
            catch (NpgsqlException ex)
            {
                throw ConnectionLost(file, ex);
            }
        }

        await using var record = new NpgsqlBatch(connection) { BatchCommands = { JournalRow(file, runId, migrationHash, stopwatch.Elapsed) } };
        await record.ExecuteNonQueryAsync(cancellationToken);
    }

    private static NpgsqlBatchCommand JournalRow(MigrationFile file, long runId, string migrationHash, TimeSpan? duration) =>
        new(MigrationJournal.RecordFileSql)
        {
            Parameters =
            {
                new() { Value = runId },
                new() { Value = file.Name },
                new() { Value = file.KindName },
                new() { Value = file.Checksum },
                new() { Value = migrationHash },
                new() { Value = duration is { } d ? d : DBNull.Value, NpgsqlDbType = NpgsqlDbType.Interval },
            },
        };

    private static async Task RollBackAsync(NpgsqlConnection connection)
    {
        // After a failed statement the session sits in an aborted transaction (or none, when COMMIT
        // itself failed; then ROLLBACK only warns). Not cancellable: the session must be left clean.
        await using var rollback = new NpgsqlCommand("ROLLBACK", connection);
        await rollback.ExecuteNonQueryAsync(CancellationToken.None);
    }

    private static MigrationException Failure(MigrationFile file, PostgresException ex, int statementIndex, string consequence) =>
        new(ExitCodes.MigrationFailed, MigrationFailureMessage.Format(file, ex, statementIndex, consequence), ex);

    private static MigrationException ConnectionLost(MigrationFile file, NpgsqlException ex) =>
        new(ExitCodes.MigrationFailed,
            $"Lost the connection to PostgreSQL while applying {file.RelativeName}: {ex.Message}. " +
            "The server rolls the file's transaction back; run the worker again once the server is reachable.",
            ex);
}
