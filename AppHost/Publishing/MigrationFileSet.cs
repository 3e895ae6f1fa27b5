using GpuDev.MigrationWorker.Planning;

namespace GpuDev.AppHost.Publishing;

/// <summary>
/// The SQL files the migration Job applies, read from a <c>database/</c> directory, and their
/// migration hash, computed by the worker's own <see cref="MigrationHash"/> (compiled in from
/// MigrationWorker/Planning), so the Job name and the journal entry the API waits for always agree.
/// </summary>
public sealed class MigrationFileSet
{
    private MigrationFileSet(string hash, IReadOnlyList<MigrationFileContent> schema, IReadOnlyList<MigrationFileContent> fixtures)
    {
        Hash = hash;
        Schema = schema;
        Fixtures = fixtures;
    }

    /// <summary>First 8 hex characters of md5 over the per-file md5s: schema files, then fixtures.</summary>
    public string Hash { get; }

    public IReadOnlyList<MigrationFileContent> Schema { get; }

    public IReadOnlyList<MigrationFileContent> Fixtures { get; }

    public static MigrationFileSet Load(string databaseDirectory)
    {
        var schemaDirectory = Path.Combine(databaseDirectory, MigrationHash.SchemaDirectoryName);
        if (!Directory.Exists(schemaDirectory))
        {
            throw new DirectoryNotFoundException(
                $"No schema directory at '{schemaDirectory}'. Point --Kubernetes:DatabaseDirectory at the folder holding schema/ and fixtures/.");
        }

        var schema = ReadAll(schemaDirectory);
        if (schema.Count == 0)
        {
            throw new InvalidOperationException($"'{schemaDirectory}' holds no {MigrationHash.FilePattern} files; there is nothing to migrate.");
        }

        var fixtures = ReadAll(Path.Combine(databaseDirectory, MigrationHash.FixturesDirectoryName));
        // The hash of the very bytes the ConfigMaps will hold: no second read that could see an edited file.
        var hash = MigrationHash.ComputeFromContents(
            schema.Select(f => (MigrationHash.SchemaDirectoryName + "/" + f.Name, f.Content))
                .Concat(fixtures.Select(f => (MigrationHash.FixturesDirectoryName + "/" + f.Name, f.Content))));
        return new MigrationFileSet(hash, schema, fixtures);
    }

    // The same selection as MigrationHash: *.sql, ordinal by file name.
    private static List<MigrationFileContent> ReadAll(string directory) =>
        !Directory.Exists(directory)
            ? []
            : Directory.GetFiles(directory, MigrationHash.FilePattern)
                .Select(path => new MigrationFileContent(Path.GetFileName(path), File.ReadAllBytes(path)))
                .OrderBy(file => file.Name, StringComparer.Ordinal)
                .ToList();
}

/// <summary>One SQL file: its name (the ConfigMap key) and its exact bytes.</summary>
public sealed record MigrationFileContent(string Name, byte[] Content);
