using System.Text;
using GpuDev.Database;
using GpuDev.Database.Migrations;
using GpuDev.MigrationWorker.Planning;

namespace GpuDev.MigrationWorker.Validation;

/// <summary>What the pre-flight check found: the files to migrate (when no error), and every problem.</summary>
public sealed record LoadResult(MigrationSet? Set, IReadOnlyList<string> Errors, IReadOnlyList<string> Warnings);

/// <summary>
/// Reads and checks the whole database directory before anything touches the database, so a bad
/// input never leaves a half-migrated database behind. Each file is read exactly once.
/// </summary>
public static class MigrationFileLoader
{
    /// <summary>Statements that would end the worker's per-file transaction and with it the file's atomicity.</summary>
    private static readonly HashSet<string> TransactionControl = new(StringComparer.Ordinal)
    {
        "BEGIN", "START", "COMMIT", "END", "ROLLBACK", "ABORT",
    };

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static LoadResult Load(string databaseDirectory)
    {
        var errors = new List<string>();
        var warnings = new List<string>();
        if (!Directory.Exists(databaseDirectory))
        {
            errors.Add($"The migration directory '{databaseDirectory}' does not exist. Pass --path (or set {SettingNames.MigrationsPath}) to the folder that holds schema/ and fixtures/.");
            return new LoadResult(null, errors, warnings);
        }

        var schemaDirectory = Path.Combine(databaseDirectory, MigrationFileSet.SchemaDirectoryName);
        if (!Directory.Exists(schemaDirectory))
        {
            errors.Add($"The schema directory '{schemaDirectory}' does not exist. --path must point at the folder that holds schema/ and fixtures/, not at schema/ itself.");
            return new LoadResult(null, errors, warnings);
        }

        var files = new List<MigrationFile>();
        files.AddRange(LoadGroup(databaseDirectory, schemaDirectory, MigrationKind.Schema, errors, warnings));
        if (files.Count == 0 && errors.Count == 0)
        {
            errors.Add($"The schema directory '{schemaDirectory}' holds no .sql files. Add numbered files such as 001_create_tables.sql, or fix --path.");
        }

        var fixturesDirectory = Path.Combine(databaseDirectory, MigrationFileSet.FixturesDirectoryName);
        if (Directory.Exists(fixturesDirectory))
        {
            files.AddRange(LoadGroup(databaseDirectory, fixturesDirectory, MigrationKind.Fixture, errors, warnings));
        }

        return new LoadResult(errors.Count == 0 ? new MigrationSet(databaseDirectory, files) : null, errors, warnings);
    }

    private static List<MigrationFile> LoadGroup(string databaseDirectory, string directory, MigrationKind kind, List<string> errors, List<string> warnings)
    {
        var group = Path.GetFileName(directory);
        var entries = MigrationFileSet.ListDirectory(directory);
        foreach (var other in entries.Where(e => !MigrationFileSet.IsMigrationFile(Path.GetFileName(e))))
        {
            warnings.Add($"{group}/{Path.GetFileName(other)} is ignored: only *.sql files are applied.");
        }

        var sqlFiles = entries.Where(e => MigrationFileSet.IsMigrationFile(Path.GetFileName(e))).ToList();
        foreach (var duplicate in sqlFiles.GroupBy(f => NumberPrefix(Path.GetFileName(f))).Where(g => g.Key.Length > 0 && g.Count() > 1))
        {
            warnings.Add($"{group}/: {string.Join(" and ", duplicate.Select(Path.GetFileName))} share the number prefix {duplicate.Key}; " +
                         "they run in file-name order, which is easy to get wrong. Give each file its own number.");
        }

        var loaded = new List<MigrationFile>();
        foreach (var path in sqlFiles)
        {
            if (MigrationFileSet.ContainmentProblem(databaseDirectory, path) is { } problem)
            {
                // A linked group directory is one problem, however many files it holds.
                if (!errors.Contains(problem))
                {
                    errors.Add(problem);
                }

                continue;
            }

            var file = LoadFile(path, kind, $"{group}/{Path.GetFileName(path)}", errors);
            if (file is not null)
            {
                loaded.Add(file);
            }
        }

        return loaded;
    }

    private static MigrationFile? LoadFile(string path, MigrationKind kind, string name, List<string> errors)
    {
        byte[] content;
        string text;
        try
        {
            content = File.ReadAllBytes(path);
            text = StrictUtf8.GetString(content).TrimStart('\uFEFF');
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            errors.Add($"{name} cannot be read: {ex.Message} Fix the file (or its permissions, or a broken link) and run again.");
            return null;
        }
        catch (DecoderFallbackException)
        {
            errors.Add($"{name} is not valid UTF-8. Save it as UTF-8; PostgreSQL databases here use UTF8.");
            return null;
        }

        var script = SqlScript.Parse(text);
        var file = new MigrationFile(kind, path, content, script);
        var errorCount = errors.Count;
        if (script.SyntaxError is not null)
        {
            errors.Add($"{name}: {script.SyntaxError}. Close it; everything after it would be swallowed.");
        }

        foreach (var meta in script.MetaCommands)
        {
            errors.Add($"{name}:{meta.Line}: psql meta-command {meta.Command} is not SQL. Only psql understands backslash commands " +
                       "and the worker sends files to the server itself: inline what it does (or split the work into numbered files).");
        }

        if (!file.NoTransaction)
        {
            foreach (var statement in script.Statements.Where(s => TransactionControl.Contains(s.FirstKeyword)))
            {
                errors.Add($"{name}:{script.LineOf(statement.ContentOffset)}: {statement.FirstKeyword} controls the transaction, " +
                           $"but the worker already runs each file in one transaction. Remove it, or make '{MigrationFile.NoTransactionMarker}' the file's first line.");
            }
        }

        return errors.Count == errorCount ? file : null;
    }

    private static string NumberPrefix(string fileName) => new([.. fileName.TakeWhile(char.IsAsciiDigit)]);
}
