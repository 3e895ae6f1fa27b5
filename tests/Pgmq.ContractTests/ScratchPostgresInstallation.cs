using System.Diagnostics;
using GpuDev.Hosting.PostgreSQL;

namespace GpuDev.Pgmq.ContractTests;

/// <summary>
/// A copy of this machine's PostgreSQL installation in a scratch directory, with bin, share and lib at the
/// same places relative to each other as in the original. PostgreSQL locates its share directory (and so
/// its extensions) relative to the running binary, so a server started from the copy sees extensions
/// added to the copy, and the machine's installation is never touched.
/// </summary>
public sealed class ScratchPostgresInstallation : IDisposable
{
    private readonly string _root;

    private ScratchPostgresInstallation(string root, string binDirectory, string extensionDirectory)
    {
        _root = root;
        BinDirectory = binDirectory;
        ExtensionDirectory = extensionDirectory;
    }

    public string BinDirectory { get; }

    public string ExtensionDirectory { get; }

    /// <summary>Copies the installation the tests use, leaving out any pgmq extension it has.</summary>
    public static async Task<ScratchPostgresInstallation> CreateAsync()
    {
        var (installation, searched) = await PostgresInstallation.FindAsync(Environment.GetEnvironmentVariable("Postgres__BinDirectory"));
        if (installation is null)
        {
            throw new InvalidOperationException(PostgresInstallation.NotFoundMessage(searched));
        }

        var binDirectory = await PgConfigAsync(installation, "--bindir");
        var shareDirectory = await PgConfigAsync(installation, "--sharedir");
        var libDirectory = await PgConfigAsync(installation, "--pkglibdir");
        var prefix = CommonDirectory(binDirectory, shareDirectory, libDirectory);

        var root = TestDirectories.Create("pg-install");
        string Relocated(string directory) => Path.Combine(root, Path.GetRelativePath(prefix, directory));

        CopyDirectory(binDirectory, Relocated(binDirectory));
        CopyDirectory(shareDirectory, Relocated(shareDirectory));
        // Libraries are found relative to the binary too, but are only read: a link will do.
        Directory.CreateDirectory(Path.GetDirectoryName(Relocated(libDirectory))!);
        Directory.CreateSymbolicLink(Relocated(libDirectory), libDirectory);

        var extensionDirectory = Path.Combine(Relocated(shareDirectory), "extension");
        foreach (var file in Directory.EnumerateFiles(extensionDirectory, "pgmq*"))
        {
            File.Delete(file);
        }

        return new ScratchPostgresInstallation(root, Relocated(binDirectory), extensionDirectory);
    }

    /// <summary>Makes <c>CREATE EXTENSION name</c> available: a control file and one install script.</summary>
    public void AddExtension(string name, string version, string schema, string script)
    {
        File.WriteAllText(Path.Combine(ExtensionDirectory, $"{name}.control"), $"""
            comment = 'test extension'
            default_version = '{version}'
            schema = '{schema}'
            relocatable = false
            """);
        File.WriteAllText(Path.Combine(ExtensionDirectory, $"{name}--{version}.sql"), script);
    }

    public void Dispose() => TestDirectories.Delete(_root);

    private static async Task<string> PgConfigAsync(PostgresInstallation installation, string option)
    {
        var startInfo = new ProcessStartInfo(installation.Tool("pg_config"), option) { RedirectStandardOutput = true, UseShellExecute = false };
        using var process = Process.Start(startInfo) ?? throw new InvalidOperationException("Could not start pg_config.");
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        return process.ExitCode == 0
            ? Path.TrimEndingDirectorySeparator(output.Trim())
            : throw new InvalidOperationException($"pg_config {option} exited with code {process.ExitCode}.");
    }

    private static string CommonDirectory(params string[] directories)
    {
        var parts = directories.Select(d => d.Split(Path.DirectorySeparatorChar)).ToList();
        var common = parts[0].TakeWhile((part, i) => parts.All(p => p.Length > i && p[i] == part)).ToArray();
        return string.Join(Path.DirectorySeparatorChar, common) is { Length: > 0 } path ? path : Path.GetPathRoot(directories[0])!;
    }

    private static void CopyDirectory(string source, string destination)
    {
        Directory.CreateDirectory(destination);
        foreach (var file in Directory.EnumerateFiles(source))
        {
            // File.Copy keeps the mode bits, so the binaries stay executable.
            File.Copy(file, Path.Combine(destination, Path.GetFileName(file)));
        }

        foreach (var directory in Directory.EnumerateDirectories(source))
        {
            CopyDirectory(directory, Path.Combine(destination, Path.GetFileName(directory)));
        }
    }
}
