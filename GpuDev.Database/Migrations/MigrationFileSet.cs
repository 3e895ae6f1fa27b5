namespace GpuDev.Database.Migrations;

/// <summary>
/// Which files make up a migration, and their hash: the <c>*.sql</c> files of <c>schema/</c>, then
/// those of <c>fixtures/</c> (optional), each group in ordinal file-name order. The worker applies
/// exactly these, the Kubernetes publisher puts exactly these into the Job's ConfigMaps, and both name
/// the run by <see cref="Hash"/>.
/// </summary>
public sealed class MigrationFileSet
{
    public const string SchemaDirectoryName = "schema";
    public const string FixturesDirectoryName = "fixtures";
    public const string FileExtension = ".sql";

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

    /// <summary>True for a file the migration applies (<c>*.sql</c>, case-sensitive as on Linux).</summary>
    public static bool IsMigrationFile(string fileName) => fileName.EndsWith(FileExtension, StringComparison.Ordinal);

    /// <summary>Every file of a group directory, in the order the migration applies them (ordinal by name).</summary>
    public static IReadOnlyList<string> ListDirectory(string directory) =>
        !Directory.Exists(directory)
            ? []
            : Directory.GetFiles(directory).Order(StringComparer.Ordinal).ToList();

    /// <summary>
    /// Why <paramref name="path"/>, an entry under <paramref name="databaseDirectory"/>, may not be migrated; null
    /// when it may. A symbolic link (the file itself, or <c>schema/</c> or <c>fixtures/</c>) is refused
    /// wherever it points, and so is a path that leaves the directory: the worker would otherwise apply,
    /// and the publisher copy into a ConfigMap, a file from anywhere on the machine.
    /// </summary>
    public static string? ContainmentProblem(string databaseDirectory, string path)
    {
        var root = Path.GetFullPath(databaseDirectory);
        var full = Path.GetFullPath(path);
        var relative = Path.GetRelativePath(root, full).Replace('\\', '/');
        if (relative == "." || relative.StartsWith("../", StringComparison.Ordinal) || relative == ".." || Path.IsPathRooted(relative))
        {
            return $"'{full}' is outside the migration directory '{root}'. Only files inside it are applied.";
        }

        var current = root;
        foreach (var part in relative.Split('/'))
        {
            current = Path.Combine(current, part);
            if (new FileInfo(current).LinkTarget is { } target)
            {
                var name = Path.GetRelativePath(root, current).Replace('\\', '/');
                return $"{name} is a symbolic link (to '{target}'). Migration files must be regular files inside the migration directory, " +
                       "so that what is applied and published is what the repository holds: replace the link with the file itself.";
            }
        }

        return null;
    }

    /// <summary>Reads the set from a <c>database/</c> directory (the folder holding <c>schema/</c> and <c>fixtures/</c>).</summary>
    public static MigrationFileSet Load(string databaseDirectory)
    {
        var schemaDirectory = Path.Combine(databaseDirectory, SchemaDirectoryName);
        if (!Directory.Exists(schemaDirectory))
        {
            throw new DirectoryNotFoundException(
                $"No schema directory at '{schemaDirectory}'. Point the database directory setting at the folder holding schema/ and fixtures/.");
        }

        var schema = ReadAll(databaseDirectory, schemaDirectory);
        if (schema.Count == 0)
        {
            throw new InvalidOperationException($"'{schemaDirectory}' holds no *{FileExtension} files; there is nothing to migrate.");
        }

        var fixtures = ReadAll(databaseDirectory, Path.Combine(databaseDirectory, FixturesDirectoryName));
        // The hash of the very bytes read here: no second read that could see an edited file.
        var hash = MigrationHash.ComputeFromContents(
            schema.Select(f => (SchemaDirectoryName + "/" + f.Name, f.Content))
                .Concat(fixtures.Select(f => (FixturesDirectoryName + "/" + f.Name, f.Content))));
        return new MigrationFileSet(hash, schema, fixtures);
    }

    private static List<MigrationFileContent> ReadAll(string databaseDirectory, string directory) =>
        ListDirectory(directory)
            .Where(path => IsMigrationFile(Path.GetFileName(path)))
            .Select(path => ContainmentProblem(databaseDirectory, path) is { } problem
                ? throw new InvalidOperationException(problem)
                : new MigrationFileContent(Path.GetFileName(path), File.ReadAllBytes(path)))
            .ToList();
}

/// <summary>One SQL file: its name (the ConfigMap key) and its exact bytes.</summary>
public sealed record MigrationFileContent(string Name, byte[] Content);
