namespace GpuDev.Publishing.Tests;

/// <summary>A temporary directory that is removed when the test is done.</summary>
public sealed class Scratch : IDisposable
{
    public Scratch(string purpose) => Path = TestDirectories.Create(purpose);

    public string Path { get; }

    public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    /// <summary>A copy of the repository's database/ directory, safe to edit.</summary>
    public string CopyOfDatabase()
    {
        var target = Combine("database");
        foreach (var file in Directory.GetFiles(RepositoryFiles.DatabaseDirectory, "*", SearchOption.AllDirectories))
        {
            var destination = System.IO.Path.Combine(target, System.IO.Path.GetRelativePath(RepositoryFiles.DatabaseDirectory, file));
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(destination)!);
            File.Copy(file, destination);
        }

        return target;
    }

    public void Dispose() => TestDirectories.Delete(Path);
}
