using System.Reflection;

namespace GpuDev.Tests.Support;

/// <summary>Paths inside the checkout the tests run from (the directory holding GpuDev.Aspire.sln).</summary>
public static class RepositoryFiles
{
    private static readonly string[] MigrationKinds = ["schema", "fixtures"];

    public static string Root { get; } = FindRoot();

    public static string DatabaseDirectory => Path.Combine(Root, "database");

    /// <summary>database/reference: production's catalog (provenance in its README.md).</summary>
    public static string CatalogDirectory => Path.Combine(DatabaseDirectory, "reference");

    /// <summary>
    /// The built migration worker (<c>MigrationWorker/bin/&lt;configuration&gt;/net10.0</c>), which tests run as a
    /// child process exactly as the AppHost or a Kubernetes Job does. A test project that runs it references the worker's project.
    /// </summary>
    public static string MigrationWorkerDll { get; } = Path.Combine(
        Root, "MigrationWorker", "bin",
        typeof(RepositoryFiles).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug",
        "net10.0", "GpuDev.MigrationWorker.dll");

    /// <summary>Every SQL file the migration covers, relative to database/ (e.g. <c>schema/001_users_and_keys.sql</c>).</summary>
    public static IEnumerable<string> SqlFiles() =>
        MigrationKinds
            .SelectMany(kind => Directory.GetFiles(Path.Combine(DatabaseDirectory, kind), "*.sql")
                .Select(path => $"{kind}/{Path.GetFileName(path)}"))
            .Order(StringComparer.Ordinal);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "GpuDev.Aspire.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Could not find GpuDev.Aspire.sln above " + AppContext.BaseDirectory);
    }
}
