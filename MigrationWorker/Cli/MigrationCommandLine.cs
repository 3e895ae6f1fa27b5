using System.CommandLine;
using System.Globalization;

namespace GpuDev.MigrationWorker.Cli;

/// <summary>
/// The worker's command line (System.CommandLine). Options become configuration values, so the
/// command line, environment variables (<c>ConnectionStrings__gpudev</c>, <c>Migrations__Path</c>, …)
/// and appsettings.json all feed the same <see cref="MigrationOptions"/>.
/// </summary>
public static class MigrationCommandLine
{
    public static readonly TimeSpan DefaultWaitTimeout = TimeSpan.FromMinutes(10);

    private static readonly Option<string> Connection = new("--connection")
    {
        Description = "Npgsql connection string of the gpudev database. Default: ConnectionStrings__gpudev.",
        HelpName = "connection-string",
    };

    private static readonly Option<string> DatabasePath = new("--path")
    {
        Description = "Directory holding schema/ and fixtures/. Default: Migrations__Path, else the copy beside the worker.",
        HelpName = "directory",
    };

    private static readonly Option<bool> Plan = new("--plan") { Description = "Print what would be applied or skipped; change nothing." };

    private static readonly Option<bool> Verify = new("--verify")
    {
        Description = "Check that the required tables and queues exist and the journal matches the files. Exit 0 ok, 10 tables missing, 11 queues missing, 12 journal out of date.",
    };

    private static readonly Option<bool> Strict = new("--strict") { Description = "Refuse to run (exit 5) when an applied schema file has changed instead of re-applying it." };

    private static readonly Option<bool> ReapplyAll = new("--reapply-all") { Description = "Re-apply every schema file, not only new and changed ones (production's behaviour)." };

    private static readonly Option<int?> ConnectAttempts = new("--connect-attempts")
    {
        Description = "Connection attempts, with exponential backoff, before giving up (exit 3). Default 4.",
        HelpName = "count",
    };

    private static readonly Option<double?> LockTimeout = new("--lock-timeout")
    {
        Description = "Seconds to wait for another worker's migration lock (exit 4 after). Default 300.",
        HelpName = "seconds",
    };

    private static readonly Option<string> WaitForHash = new("--wait-for-hash")
    {
        Description = "Wait until the journal records a completed run with this migration hash, then exit 0 (exit 6 on timeout).",
        HelpName = "hash",
    };

    private static readonly Option<double?> Timeout = new("--timeout")
    {
        Description = "Seconds --wait-for-hash waits, also while the database is unreachable. Default 600.",
        HelpName = "seconds",
    };

    /// <summary>Parses <paramref name="args"/> and runs <paramref name="run"/> with the result; returns the exit code.</summary>
    public static async Task<int> InvokeAsync(string[] args, Func<WorkerInvocation, CancellationToken, Task<int>> run)
    {
        var root = new RootCommand(
            "Applies database/schema then database/fixtures to the gpudev PostgreSQL database: new and changed schema files, " +
            "every fixture, each file in its own transaction, recorded in the gpudev_migrations journal.")
        {
            Connection, DatabasePath, Plan, Verify, Strict, ReapplyAll, ConnectAttempts, LockTimeout, WaitForHash, Timeout,
        };
        root.Validators.Add(result =>
        {
            var modes = new[] { result.GetValue(Plan), result.GetValue(Verify), result.GetValue(WaitForHash) is not null }.Count(m => m);
            if (modes > 1)
            {
                result.AddError("--plan, --verify and --wait-for-hash are different modes; pass at most one.");
            }

            if (result.GetValue(Timeout) is not null && result.GetValue(WaitForHash) is null)
            {
                result.AddError("--timeout only applies to --wait-for-hash.");
            }

            if (result.GetValue(WaitForHash) is { } hash && !IsMigrationHash(hash))
            {
                result.AddError($"--wait-for-hash expects the 8 lowercase hex characters the worker prints as 'Migration hash', not '{hash}'.");
            }

            if (result.GetValue(ConnectAttempts) is < 1)
            {
                result.AddError("--connect-attempts must be at least 1.");
            }

            if (result.GetValue(LockTimeout) is < 0 || result.GetValue(Timeout) is < 0)
            {
                result.AddError("--lock-timeout and --timeout take a number of seconds, 0 or more.");
            }
        });
        root.SetAction((parseResult, cancellationToken) => run(ToInvocation(parseResult), cancellationToken));

        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var error in parsed.Errors)
            {
                await Console.Error.WriteLineAsync(error.Message);
            }

            await Console.Error.WriteLineAsync("Run with --help for the usage.");
            return ExitCodes.InvalidInput;
        }

        return await parsed.InvokeAsync();
    }

    private static WorkerInvocation ToInvocation(ParseResult result)
    {
        var overrides = new Dictionary<string, string?>();
        if (result.GetValue(Connection) is { } connection)
        {
            overrides[$"ConnectionStrings:{MigrationOptions.ConnectionName}"] = connection;
        }

        if (result.GetValue(DatabasePath) is { } path)
        {
            overrides[Key(nameof(MigrationOptions.Path))] = Path.GetFullPath(path);
        }

        if (result.GetValue(Strict))
        {
            overrides[Key(nameof(MigrationOptions.Strict))] = "true";
        }

        if (result.GetValue(ReapplyAll))
        {
            overrides[Key(nameof(MigrationOptions.ReapplyAll))] = "true";
        }

        if (result.GetValue(ConnectAttempts) is { } attempts)
        {
            overrides[Key(nameof(MigrationOptions.ConnectAttempts))] = attempts.ToString(CultureInfo.InvariantCulture);
        }

        if (result.GetValue(LockTimeout) is { } lockSeconds)
        {
            overrides[Key(nameof(MigrationOptions.LockTimeout))] = TimeSpan.FromSeconds(lockSeconds).ToString("c", CultureInfo.InvariantCulture);
        }

        var mode = result.GetValue(Plan) ? WorkerMode.Plan
            : result.GetValue(Verify) ? WorkerMode.Verify
            : result.GetValue(WaitForHash) is not null ? WorkerMode.WaitForHash
            : WorkerMode.Migrate;
        var timeout = result.GetValue(Timeout) is { } seconds ? TimeSpan.FromSeconds(seconds) : DefaultWaitTimeout;
        return new WorkerInvocation(mode, overrides, result.GetValue(WaitForHash), timeout);
    }

    private static string Key(string property) => $"{MigrationOptions.SectionName}:{property}";

    private static bool IsMigrationHash(string value) => value.Length == 8 && value.All(char.IsAsciiHexDigitLower);
}
