using System.Diagnostics;
using GpuDev.MigrationWorker.Cli;
using GpuDev.MigrationWorker.Execution;
using GpuDev.MigrationWorker.Journal;
using GpuDev.MigrationWorker.Planning;
using GpuDev.MigrationWorker.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GpuDev.MigrationWorker.Commands;

/// <summary>
/// The migration run: pre-flight, connect (with retries), take the lock, read the journal, plan,
/// apply each file in order, record the run. Logs in the layout of production's migration job.
/// </summary>
public sealed class MigrateCommand(
    DatabaseConnector connector, MigrationTelemetry telemetry, IOptions<MigrationOptions> options, ILogger<MigrateCommand> logger)
{
    private const string Rule = "==========================================";

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var started = Stopwatch.StartNew();
        logger.LogInformation("{Rule}\nDatabase Schema Migration\n{Rule}", Rule, Rule);
        var set = InputFiles.LoadOrThrow(settings.Path, logger);
        logger.LogInformation(
            "Migration hash: {MigrationHash} ({SchemaCount} schema, {FixtureCount} fixture files in {Path})",
            set.Hash, set.SchemaFiles.Count(), set.FixtureFiles.Count(), set.Directory);

        // The run's span opens before the first connection, so every database command of the run (connect,
        // lock, journal, files) is inside the worker's one `migrate` trace in the dashboard.
        var mode = settings.ReapplyAll ? "reapply-all" : "incremental";
        using var runActivity = MigrationTelemetry.StartRun(set.Hash, mode);
        await using var connection = await connector.OpenAsync(cancellationToken);
        await using var migrationLock = await MigrationLock.AcquireAsync(
            connection, settings.LockTimeout, holder => logger.LogInformation("Waiting for the migration lock ({Holder}).", holder), cancellationToken);
        var (journal, abandoned, completedWhileWaiting) = await MigrationJournal.PrepareAsync(connection, set.Hash, migrationLock.WaitedSince, cancellationToken);
        foreach (var run in abandoned)
        {
            logger.LogWarning(
                "Journal run {RunId} (worker {Worker}, started {StartedAt:u}) never finished: its worker was stopped mid-run. Its open file was rolled back; this run picks up from there.",
                run.RunId, run.Worker, run.StartedAt);
        }

        if (completedWhileWaiting)
        {
            logger.LogInformation("Another worker completed migration {MigrationHash} while this one waited for the lock: nothing left to do.", set.Hash);
            return ExitCodes.Success;
        }

        var plan = MigrationPlan.Create(set, journal, settings.ReapplyAll);
        CheckDrift(plan, settings.Strict);

        var runId = await MigrationJournal.StartRunAsync(connection, set.Hash, mode, cancellationToken);
        // Each file still commits atomically with its journal row; only the wait for the disk flush is
        // deferred to the run's final commit. A server crash before that loses whole files together
        // with their journal rows, which the next run simply applies again.
        await connection.ExecuteAsync("SET synchronous_commit = off", cancellationToken);
        var (applied, skipped) = (0, 0);
        try
        {
            foreach (var group in plan.Files.GroupBy(f => f.File.Kind))
            {
                logger.LogInformation("\n{Heading}", group.Key == MigrationKind.Schema ? "Applying schema files..." : "Applying fixture data...");
                foreach (var planned in group)
                {
                    if (!planned.WillApply)
                    {
                        skipped++;
                        logger.LogInformation("  = {File} (unchanged since {AppliedAt:u}, skipped)", planned.File.Name, planned.Previous!.AppliedAt);
                        continue;
                    }

                    using var fileActivity = MigrationTelemetry.StartFile(planned.File, planned.ActionName);
                    var duration = await MigrationFileExecutor.ApplyAsync(connection, planned.File, runId, set.Hash, cancellationToken);
                    applied++;
                    telemetry.RecordApplied(planned.File, duration);
                    logger.LogInformation(
                        "  → {File} ({Action}, {DurationMs:0} ms)", planned.File.Name, planned.ActionName, duration.TotalMilliseconds);
                }
            }
        }
        catch (MigrationException ex)
        {
            runActivity?.SetStatus(ActivityStatusCode.Error, ex.Message);
            await RecordFailureAsync(connection, runId, applied, skipped, ex.Message);
            throw;
        }

        await MigrationJournal.FinishRunAsync(connection, runId, succeeded: true, applied, skipped, error: null, cancellationToken);
        logger.LogInformation("\n{Rule}\nMigration completed successfully!\n{Rule}", Rule, Rule);
        logger.LogInformation(
            "Applied {Applied} file(s), skipped {Skipped} unchanged, in {ElapsedMs:0} ms (migration hash {MigrationHash}, journal run {RunId}).",
            applied, skipped, started.Elapsed.TotalMilliseconds, set.Hash, runId);
        return ExitCodes.Success;
    }

    private void CheckDrift(MigrationPlan plan, bool strict)
    {
        var drift = plan.Drift.ToList();
        if (drift.Count == 0)
        {
            return;
        }

        var lines = drift.Select(d => $"{d.File.RelativeName} changed after it was applied on {d.Previous!.AppliedAt:u} (journal sha256 {d.Previous.Checksum}, file sha256 {d.File.Checksum})").ToList();
        if (strict)
        {
            throw new MigrationException(
                ExitCodes.DriftRefused,
                "Refusing to migrate (--strict): schema files are append-only, but\n  " + string.Join("\n  ", lines) +
                "\n  Restore the applied content and put the change in a new numbered file, or run without --strict to re-apply the edited file.");
        }

        foreach (var line in lines)
        {
            logger.LogWarning("Drift: {Drift}. Schema files are append-only; re-applying it. Put changes in a new numbered file (--strict refuses this).", line);
        }
    }

    private async Task RecordFailureAsync(Npgsql.NpgsqlConnection connection, long runId, int applied, int skipped, string error)
    {
        try
        {
            await MigrationJournal.FinishRunAsync(connection, runId, succeeded: false, applied, skipped, error, CancellationToken.None);
        }
        catch (Npgsql.NpgsqlException ex)
        {
            // The file's failure is what matters; the next run marks this run abandoned anyway.
            logger.LogWarning("Could not record the failed run in the journal: {Error}", ex.Message);
        }
    }
}
