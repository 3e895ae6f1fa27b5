using GpuDev.Database;
using GpuDev.Database.Queues;
using GpuDev.MigrationWorker.Cli;
using GpuDev.MigrationWorker.Execution;
using GpuDev.MigrationWorker.Journal;
using GpuDev.MigrationWorker.Planning;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace GpuDev.MigrationWorker.Commands;

/// <summary>
/// <c>--verify</c>: the tables the API requires, the queues it uses, and a journal that matches the
/// files. Every problem is listed; the exit code names the first kind found (tables, queues, journal).
/// </summary>
public sealed class VerifyCommand(DatabaseConnector connector, IOptions<MigrationOptions> options, ILogger<VerifyCommand> logger)
{
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var set = InputFiles.LoadOrThrow(options.Value.Path, logger);
        await using var connection = await connector.OpenAsync(cancellationToken);

        var missingTables = await MissingAsync(connection, RequiredSchema.Tables.Select(t => $"public.{t}"), cancellationToken);
        // PGMQ keeps each queue in a table pgmq.q_<name>.
        var missingQueues = await MissingAsync(connection, QueueNames.All.Select(q => $"pgmq.q_{q}"), cancellationToken);
        var journal = await MigrationJournal.ReadAsync(connection, cancellationToken);
        var journalProblems = JournalProblems(set, journal);

        var exitCode = ExitCodes.Success;
        if (missingTables.Count > 0)
        {
            logger.LogError("Missing tables: {Tables}. Run the migration worker (without --verify).", string.Join(", ", missingTables.Select(t => t["public.".Length..])));
            exitCode = ExitCodes.VerifyTablesMissing;
        }

        if (missingQueues.Count > 0)
        {
            logger.LogError(
                "Missing queues: {Queues}. The database bootstrap creates them (the AppHost when PostgreSQL is ready; in Kubernetes the migration Job's bootstrap init container); run it as the server's superuser.",
                string.Join(", ", missingQueues.Select(q => q["pgmq.q_".Length..])));
            exitCode = exitCode == ExitCodes.Success ? ExitCodes.VerifyQueuesMissing : exitCode;
        }

        if (journalProblems.Count > 0)
        {
            logger.LogError("The journal does not match the files:\n  {Problems}\n  Run the migration worker to apply them.", string.Join("\n  ", journalProblems));
            exitCode = exitCode == ExitCodes.Success ? ExitCodes.VerifyJournalMismatch : exitCode;
        }

        if (exitCode == ExitCodes.Success)
        {
            logger.LogInformation(
                "Verified {Endpoint}: tables {Tables}, queues {Queues}, and the journal matches all {Count} files (migration hash {MigrationHash}).",
                connector.Endpoint, string.Join(", ", RequiredSchema.Tables), string.Join(", ", QueueNames.All), set.Files.Count, set.Hash);
        }

        return exitCode;
    }

    private static List<string> JournalProblems(MigrationSet set, JournalState journal)
    {
        if (!journal.Exists)
        {
            return [$"there is no journal ({MigrationJournal.Schema}): the worker never ran against this database"];
        }

        var problems = new List<string>();
        foreach (var file in set.Files)
        {
            var applied = journal.Find(file);
            if (applied is null)
            {
                problems.Add($"{file.RelativeName} was never applied");
            }
            else if (applied.Checksum != file.Checksum)
            {
                problems.Add($"{file.RelativeName} changed since it was applied on {applied.AppliedAt:u} (journal sha256 {applied.Checksum}, file sha256 {file.Checksum})");
            }
        }

        return problems;
    }

    private static async Task<List<string>> MissingAsync(NpgsqlConnection connection, IEnumerable<string> relations, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT name FROM unnest($1::text[]) AS name WHERE to_regclass(name) IS NULL ORDER BY name", connection)
        {
            Parameters = { new() { Value = relations.ToArray() } },
        };
        var missing = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            missing.Add(reader.GetString(0));
        }

        return missing;
    }
}
