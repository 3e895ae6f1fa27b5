using GpuDev.MigrationWorker.Cli;
using GpuDev.MigrationWorker.Execution;
using GpuDev.MigrationWorker.Journal;
using GpuDev.MigrationWorker.Planning;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GpuDev.MigrationWorker.Commands;

/// <summary><c>--plan</c>: what a run would apply or skip, read from the journal without the lock and without writing.</summary>
public sealed class PlanCommand(DatabaseConnector connector, IOptions<MigrationOptions> options, ILogger<PlanCommand> logger)
{
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var set = InputFiles.LoadOrThrow(settings.Path, logger);
        await using var connection = await connector.OpenAsync(cancellationToken);
        var journal = await MigrationJournal.ReadAsync(connection, cancellationToken);
        var plan = MigrationPlan.Create(set, journal, settings.ReapplyAll);

        logger.LogInformation(
            "Migration plan for {Endpoint} (nothing is applied)\nMigration hash: {MigrationHash}; last completed run: {LastHash}",
            connector.Endpoint, set.Hash, journal.LastCompletedHash ?? "none");
        foreach (var planned in plan.Files)
        {
            logger.LogInformation(
                "  {Verb} {File} ({Action})", planned.WillApply ? "apply" : "skip ", planned.File.RelativeName, planned.ActionName);
        }

        var drift = plan.Drift.ToList();
        foreach (var changed in drift)
        {
            logger.LogWarning(
                "Drift: {File} changed after it was applied (journal sha256 {Journal}, file sha256 {File2}).",
                changed.File.RelativeName, changed.Previous!.Checksum, changed.File.Checksum);
        }

        logger.LogInformation(
            "{Apply} file(s) to apply, {Skip} unchanged.", plan.Files.Count(f => f.WillApply), plan.Files.Count(f => !f.WillApply));
        if (drift.Count > 0 && settings.Strict)
        {
            logger.LogError("A run with --strict would refuse these changed schema files.");
            return ExitCodes.DriftRefused;
        }

        return ExitCodes.Success;
    }
}
