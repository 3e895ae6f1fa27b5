namespace GpuDev.MigrationWorker;

/// <summary>The worker's <c>Migrations</c> configuration section (command-line options map onto it).</summary>
public sealed class MigrationOptions
{
    public const string SectionName = "Migrations";

    /// <summary>The connection string name: <c>ConnectionStrings:gpudev</c>, as the AppHost provides it.</summary>
    public const string ConnectionName = GpuDev.Database.DatabaseNames.Database;

    /// <summary>The directory holding <c>schema/</c> and <c>fixtures/</c>; default: the copy beside the worker.</summary>
    public string Path { get; set; } = System.IO.Path.Combine(AppContext.BaseDirectory, "database");

    /// <summary>Refuse to run when an applied schema file has changed (drift) instead of re-applying it.</summary>
    public bool Strict { get; set; }

    /// <summary>Re-apply every file, as production's psql loop does.</summary>
    public bool ReapplyAll { get; set; }

    /// <summary>Connection attempts before giving up; 4 matches production's Job (backoffLimit 3).</summary>
    public int ConnectAttempts { get; set; } = 4;

    /// <summary>Delay before the second attempt; it doubles for every further attempt.</summary>
    public TimeSpan ConnectRetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long to wait for the migration lock another worker holds.</summary>
    public TimeSpan LockTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How often <c>--wait-for-hash</c> looks at the journal.</summary>
    public TimeSpan WaitPollInterval { get; set; } = TimeSpan.FromSeconds(2);
}
