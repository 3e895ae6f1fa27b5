namespace GpuDev.MigrationWorker.Tests;

/// <summary>Files of this repository (the directory holding GpuDev.Aspire.sln), found from the test's output directory.</summary>
public static class RepositoryFiles
{
    public static string Root { get; } = FindRoot();

    public static string DatabaseDirectory => Path.Combine(Root, "database");

    /// <summary>shared/reference beside the checkout, where the production catalog lives.</summary>
    public static string SharedReference => Path.Combine(Path.GetDirectoryName(Root)!, "shared", "reference");

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
