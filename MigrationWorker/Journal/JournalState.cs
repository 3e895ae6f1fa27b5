using GpuDev.MigrationWorker.Planning;

namespace GpuDev.MigrationWorker.Journal;

/// <summary>The journal's latest record of one file.</summary>
public sealed record AppliedFile(string Checksum, DateTime AppliedAt);

/// <summary>A run that started but never finished (its worker was killed); found and closed by the next run.</summary>
public sealed record AbandonedRun(long RunId, string Worker, DateTime StartedAt);

/// <summary>What the journal knows: per file, the checksum it was last applied with.</summary>
public sealed class JournalState
{
    public static readonly JournalState Empty = new(exists: false, new Dictionary<(MigrationKind, string), AppliedFile>(), null);

    public JournalState(bool exists, IReadOnlyDictionary<(MigrationKind Kind, string Name), AppliedFile> latest, string? lastCompletedHash)
    {
        Exists = exists;
        Latest = latest;
        LastCompletedHash = lastCompletedHash;
    }

    /// <summary>False before the first run created the journal.</summary>
    public bool Exists { get; }

    public IReadOnlyDictionary<(MigrationKind Kind, string Name), AppliedFile> Latest { get; }

    public string? LastCompletedHash { get; }

    public AppliedFile? Find(MigrationFile file) => Latest.GetValueOrDefault((file.Kind, file.Name));
}
