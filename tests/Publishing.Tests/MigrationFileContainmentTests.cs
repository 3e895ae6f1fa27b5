namespace GpuDev.Publishing.Tests;

/// <summary>Publishing copies into the ConfigMaps only regular files inside database/ (the worker applies the same rule).</summary>
public sealed class MigrationFileContainmentTests : IDisposable
{
    private readonly Scratch _scratch = new("publishing");

    [Fact]
    public void Symlinked_migration_file_resolving_outside_database_is_refused_by_publishing_naming_it()
    {
        var database = _scratch.CopyOfDatabase();
        var outside = _scratch.Combine("secrets.sql");
        File.WriteAllText(outside, "-- a file from elsewhere on the machine");
        File.CreateSymbolicLink(Path.Combine(database, "schema", "900_linked.sql"), outside);

        var error = Assert.Throws<InvalidOperationException>(() => PublishedOutput.Publish(_scratch, databaseDirectory: database));

        Assert.Contains("schema/900_linked.sql is a symbolic link", error.Message, StringComparison.Ordinal);
        Assert.Contains("replace the link with the file itself", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Symlinked_schema_directory_is_refused_by_publishing()
    {
        var database = _scratch.CopyOfDatabase();
        var elsewhere = _scratch.Combine("elsewhere");
        Directory.Move(Path.Combine(database, "schema"), elsewhere);
        Directory.CreateSymbolicLink(Path.Combine(database, "schema"), elsewhere);

        var error = Assert.Throws<InvalidOperationException>(() => PublishedOutput.Publish(_scratch, databaseDirectory: database));

        Assert.Contains("schema is a symbolic link", error.Message, StringComparison.Ordinal);
    }

    public void Dispose() => _scratch.Dispose();
}
