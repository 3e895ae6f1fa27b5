using GpuDev.MigrationWorker.Journal;

namespace GpuDev.MigrationWorker.Planning;

/// <summary>What a run does with one file, and why.</summary>
public enum PlannedAction
{
    /// <summary>A schema file the journal has never seen.</summary>
    ApplyNew,

    /// <summary>A schema file applied before with other content: drift (warned, or refused with --strict).</summary>
    ReapplyChanged,

    /// <summary>A schema file re-applied although unchanged, because of --reapply-all.</summary>
    ReapplyForced,

    /// <summary>A fixture: applied on every run (fixtures are upserts).</summary>
    ApplyFixture,

    /// <summary>A schema file applied before with the same content.</summary>
    SkipUnchanged,
}

public sealed record PlannedFile(MigrationFile File, PlannedAction Action, AppliedFile? Previous)
{
    public bool WillApply => Action != PlannedAction.SkipUnchanged;

    /// <summary>Short word for logs, spans and the plan output.</summary>
    public string ActionName => Action switch
    {
        PlannedAction.ApplyNew => "new",
        PlannedAction.ReapplyChanged => "changed",
        PlannedAction.ReapplyForced => "reapply-all",
        PlannedAction.ApplyFixture => "fixture",
        _ => "unchanged",
    };
}

/// <summary>The decision for every file of a <see cref="MigrationSet"/>, in application order.</summary>
public sealed class MigrationPlan
{
    private MigrationPlan(MigrationSet set, IReadOnlyList<PlannedFile> files)
    {
        Set = set;
        Files = files;
    }

    public MigrationSet Set { get; }

    public IReadOnlyList<PlannedFile> Files { get; }

    /// <summary>Applied schema files whose content changed since: they break the append-only rule.</summary>
    public IEnumerable<PlannedFile> Drift => Files.Where(f => f.Action == PlannedAction.ReapplyChanged);

    public static MigrationPlan Create(MigrationSet set, JournalState journal, bool reapplyAll)
    {
        var files = set.Files.Select(file =>
        {
            var previous = journal.Find(file);
            var action = file.Kind == MigrationKind.Fixture ? PlannedAction.ApplyFixture
                : previous is null ? PlannedAction.ApplyNew
                : previous.Checksum != file.Checksum ? PlannedAction.ReapplyChanged
                : reapplyAll ? PlannedAction.ReapplyForced
                : PlannedAction.SkipUnchanged;
            return new PlannedFile(file, action, previous);
        }).ToList();
        return new MigrationPlan(set, files);
    }
}
