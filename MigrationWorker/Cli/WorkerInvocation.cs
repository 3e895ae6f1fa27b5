namespace GpuDev.MigrationWorker.Cli;

/// <summary>What the worker was asked to do.</summary>
public enum WorkerMode
{
    /// <summary>Apply pending schema files and every fixture (the default, and what the AppHost runs).</summary>
    Migrate,

    /// <summary>Show what a migration would do, changing nothing.</summary>
    Plan,

    /// <summary>Check tables, queues and journal against the files; the exit code says what is wrong.</summary>
    Verify,

    /// <summary>Wait until the journal records a completed run with a given migration hash (init containers).</summary>
    WaitForHash,
}

/// <summary>A parsed command line: the mode, its arguments, and the configuration values the options set.</summary>
public sealed record WorkerInvocation(
    WorkerMode Mode,
    IReadOnlyDictionary<string, string?> ConfigurationOverrides,
    string? WaitHash = null,
    TimeSpan? WaitTimeout = null);
