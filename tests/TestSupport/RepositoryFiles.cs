namespace GpuDev.Tests.Support;

/// <summary>Paths inside the checkout the tests run from (the directory holding GpuDev.Aspire.sln).</summary>
public static class RepositoryFiles
{
    private static readonly string[] MigrationKinds = ["schema", "fixtures"];

    public static string Root { get; } = FindRoot();

    public static string DatabaseDirectory => Path.Combine(Root, "database");

    /// <summary>shared/reference beside the checkout, where the production catalog lives.</summary>
    public static string SharedReference => Path.Combine(Path.GetDirectoryName(Root)!, "shared", "reference");

    /// <summary>Every SQL file the migration covers, relative to database/ (e.g. <c>schema/001_users_and_keys.sql</c>).</summary>
    public static IEnumerable<string> SqlFiles() =>
        MigrationKinds
            .SelectMany(kind => Directory.GetFiles(Path.Combine(DatabaseDirectory, kind), "*.sql")
                .Select(path => $"{kind}/{Path.GetFileName(path)}"))
            .Order(StringComparer.Ordinal);

    /// <summary>The repository's own text files (source, docs, config), not build output or local data.</summary>
    public static IEnumerable<string> TextFiles()
    {
        string[] skipped = ["bin", "obj", ".git", ".localdata", "TestResults", "node_modules"];
        var pending = new Stack<string>([Root]);
        while (pending.Count > 0)
        {
            var directory = pending.Pop();
            foreach (var child in Directory.GetDirectories(directory).Where(d => !skipped.Contains(Path.GetFileName(d))))
            {
                pending.Push(child);
            }

            foreach (var file in Directory.GetFiles(directory).Where(f => new FileInfo(f).Length < 2_000_000))
            {
                yield return file;
            }
        }
    }

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
