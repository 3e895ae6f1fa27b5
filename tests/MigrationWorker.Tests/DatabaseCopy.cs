namespace GpuDev.MigrationWorker.Tests;

/// <summary>A scratch copy of the repository's database/ directory that a test may change freely.</summary>
public sealed class DatabaseCopy : IDisposable
{
    private DatabaseCopy(string root) => Path = root;

    /// <summary>The directory holding schema/ and fixtures/.</summary>
    public string Path { get; }

    public string Schema => System.IO.Path.Combine(Path, "schema");

    public string Fixtures => System.IO.Path.Combine(Path, "fixtures");

    public static DatabaseCopy OfRepository()
    {
        var root = System.IO.Path.Combine(TestDirectories.Create("migrations"), "database");
        foreach (var group in new[] { "schema", "fixtures" })
        {
            Directory.CreateDirectory(System.IO.Path.Combine(root, group));
            foreach (var file in Directory.GetFiles(System.IO.Path.Combine(RepositoryFiles.DatabaseDirectory, group), "*.sql"))
            {
                File.Copy(file, System.IO.Path.Combine(root, group, System.IO.Path.GetFileName(file)));
            }
        }

        return new DatabaseCopy(root);
    }

    public string WriteSchema(string name, string sql) => Write(Schema, name, sql);

    public void Dispose() => TestDirectories.Delete(System.IO.Path.GetDirectoryName(Path)!);

    private static string Write(string directory, string name, string sql)
    {
        var path = System.IO.Path.Combine(directory, name);
        File.WriteAllText(path, sql);
        return path;
    }
}
