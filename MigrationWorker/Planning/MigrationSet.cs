using GpuDev.Database.Migrations;

namespace GpuDev.MigrationWorker.Planning;

/// <summary>Every file of a database directory in application order (schema, then fixtures), and their migration hash.</summary>
public sealed class MigrationSet
{
    public MigrationSet(string directory, IReadOnlyList<MigrationFile> files)
    {
        Directory = directory;
        Files = files;
        Hash = MigrationHash.ComputeFromContents(files.Select(f => (f.RelativeName, f.Content)));
    }

    public string Directory { get; }

    public IReadOnlyList<MigrationFile> Files { get; }

    public string Hash { get; }

    public IEnumerable<MigrationFile> SchemaFiles => Files.Where(f => f.Kind == MigrationKind.Schema);

    public IEnumerable<MigrationFile> FixtureFiles => Files.Where(f => f.Kind == MigrationKind.Fixture);
}
