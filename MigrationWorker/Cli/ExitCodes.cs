namespace GpuDev.MigrationWorker.Cli;

/// <summary>The worker's exit codes (documented in database/README.md; scripts and Jobs rely on them).</summary>
public static class ExitCodes
{
    public const int Success = 0;

    /// <summary>A file failed; nothing of it persisted and later files did not run.</summary>
    public const int MigrationFailed = 1;

    /// <summary>Bad command line or bad input files (found before touching the database).</summary>
    public const int InvalidInput = 2;

    /// <summary>The database could not be reached after every connection attempt.</summary>
    public const int DatabaseUnreachable = 3;

    /// <summary>Another worker held the migration lock for longer than the lock timeout.</summary>
    public const int LockTimeout = 4;

    /// <summary><c>--strict</c> and an applied schema file changed since.</summary>
    public const int DriftRefused = 5;

    /// <summary><c>--wait-for-hash</c> saw no completed run with that hash before its timeout.</summary>
    public const int WaitTimedOut = 6;

    /// <summary><c>--verify</c>: a required table is missing.</summary>
    public const int VerifyTablesMissing = 10;

    /// <summary><c>--verify</c>: a required queue is missing.</summary>
    public const int VerifyQueuesMissing = 11;

    /// <summary><c>--verify</c>: the journal does not match the files (pending or changed files).</summary>
    public const int VerifyJournalMismatch = 12;
}
