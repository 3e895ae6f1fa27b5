using System.Globalization;
using Microsoft.Extensions.Logging;

namespace GpuDev.Hosting.PostgreSQL;

/// <summary>
/// A PostgreSQL data directory (PGDATA) managed for the local server: created with <c>initdb</c> on
/// first use, reused afterwards, and recovered when an earlier AppHost died without stopping its server.
/// </summary>
public sealed class PostgresDataDirectory(string path, PostgresInstallation installation, ServerOsUser osUser)
{
    /// <summary>The superuser that <c>initdb</c> creates; the same name the container image uses.</summary>
    public const string SuperUser = "postgres";

    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(120);

    public string Path { get; } = System.IO.Path.GetFullPath(path);

    /// <summary>The binaries that initialise, run and stop the server on this directory.</summary>
    public PostgresInstallation Installation { get; } = installation;

    /// <summary>The OS user the server runs as.</summary>
    public ServerOsUser OsUser { get; } = osUser;

    public bool IsInitialized => File.Exists(System.IO.Path.Combine(Path, "PG_VERSION"));

    private string PidFile => System.IO.Path.Combine(Path, "postmaster.pid");

    /// <summary>
    /// Makes the directory ready for a server start: initialises it when new, checks that an existing
    /// one belongs to this PostgreSQL version, and stops or clears a server left behind by a killed AppHost.
    /// Existing data is never removed here.
    /// </summary>
    public async Task PrepareAsync(string password, ILogger logger, CancellationToken cancellationToken)
    {
        if (IsInitialized)
        {
            await CheckVersionAsync(cancellationToken);
            await RecoverFromEarlierRunAsync(logger, cancellationToken);
            logger.LogInformation("Reusing PostgreSQL data directory {DataDirectory}", Path);
            return;
        }

        if (Directory.Exists(Path) && Directory.EnumerateFileSystemEntries(Path).Any())
        {
            throw new LocalPostgresException(
                $"'{Path}' is not empty but holds no PostgreSQL data directory (no PG_VERSION file). " +
                "Point Postgres:DataDirectory at an empty or missing directory, or move the files away. Nothing was deleted.");
        }

        await InitializeAsync(password, logger, cancellationToken);
    }

    /// <summary>Stops a server running on this directory (fast shutdown: sessions end, data is kept).</summary>
    public async Task StopServerAsync(CancellationToken cancellationToken)
    {
        if (!File.Exists(PidFile))
        {
            return;
        }

        var result = await OsUser.RunAsync(Installation.Tool("pg_ctl"), ["stop", "-D", Path, "-m", "fast", "-w", "-t", "60"], CommandTimeout, cancellationToken);
        if (!result.Succeeded && File.Exists(PidFile) && ReadServerPid() is int pid && IsPostgresProcess(pid))
        {
            throw new LocalPostgresException($"Could not stop the PostgreSQL server (pid {pid}) on '{Path}': {result.Output}");
        }
    }

    /// <summary>Deletes all local data: used only when the user asks for a reset.</summary>
    public async Task ResetAsync(ILogger logger, CancellationToken cancellationToken)
    {
        await StopServerAsync(cancellationToken);
        if (Directory.Exists(Path))
        {
            logger.LogWarning("Deleting local PostgreSQL data in {DataDirectory} (reset requested)", Path);
            Directory.Delete(Path, recursive: true);
        }
    }

    private async Task InitializeAsync(string password, ILogger logger, CancellationToken cancellationToken)
    {
        logger.LogInformation("Initialising a new PostgreSQL {Version} data directory in {DataDirectory}", Installation.Version, Path);

        var parent = System.IO.Path.GetDirectoryName(Path)!;
        Directory.CreateDirectory(parent);
        Directory.CreateDirectory(Path);
        await OsUser.TakeOwnershipAsync(Path, cancellationToken);
        if (!await OsUser.CanWriteAsync(Path, cancellationToken))
        {
            throw new LocalPostgresException(
                $"The '{OsUser}' OS user cannot reach '{Path}' (a parent directory is closed to other users, e.g. /root). " +
                "Set Postgres:DataDirectory to a directory under a path that user can traverse, such as /var/tmp/gpudev.");
        }

        // initdb reads the superuser password from a file so it never appears on a command line.
        var passwordFile = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"gpudev-pw-{Guid.NewGuid():N}");
        try
        {
            await SecretFile.WriteNewAsync(passwordFile, password, cancellationToken);
            await OsUser.TakeOwnershipAsync(passwordFile, cancellationToken);
            var result = await OsUser.RunAsync(
                Installation.Tool("initdb"),
                ["-D", Path, "-U", SuperUser, "--auth=scram-sha-256", $"--pwfile={passwordFile}", "--encoding=UTF8", "--no-locale", "--no-instructions"],
                CommandTimeout,
                cancellationToken);
            if (!result.Succeeded)
            {
                throw new LocalPostgresException($"initdb failed for '{Path}': {result.Output}");
            }
        }
        finally
        {
            File.Delete(passwordFile);
        }
    }

    private async Task CheckVersionAsync(CancellationToken cancellationToken)
    {
        var text = (await File.ReadAllTextAsync(System.IO.Path.Combine(Path, "PG_VERSION"), cancellationToken)).Trim();
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var major) || major != Installation.MajorVersion)
        {
            throw new LocalPostgresException(
                $"The data directory '{Path}' was created by PostgreSQL {text}, but the binaries in '{Installation.BinDirectory}' are " +
                $"PostgreSQL {Installation.MajorVersion}. Set Postgres:BinDirectory to PostgreSQL {text}'s bin directory, " +
                "or reset local data (see README) to start over with an empty database.");
        }
    }

    private async Task RecoverFromEarlierRunAsync(ILogger logger, CancellationToken cancellationToken)
    {
        if (ReadServerPid() is not int pid)
        {
            return;
        }

        if (IsPostgresProcess(pid))
        {
            logger.LogWarning(
                "A PostgreSQL server from an earlier run (pid {Pid}) still uses {DataDirectory}; stopping it with a fast shutdown (no data is lost)",
                pid, Path);
            await StopServerAsync(cancellationToken);
            return;
        }

        // The server died without cleaning up (for example the machine or the AppHost was killed).
        logger.LogWarning("Removing stale postmaster.pid (pid {Pid} is not running) from {DataDirectory}", pid, Path);
        File.Delete(PidFile);
    }

    private int? ReadServerPid()
    {
        try
        {
            var firstLine = File.ReadLines(PidFile).FirstOrDefault();
            return int.TryParse(firstLine, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static bool IsPostgresProcess(int pid)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return !process.HasExited && process.ProcessName.StartsWith("postgres", StringComparison.Ordinal);
        }
        catch (ArgumentException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }
}
