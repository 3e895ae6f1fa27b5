using System.Diagnostics;
using GpuDev.Database.Migrations;
using Npgsql;

namespace GpuDev.MigrationWorker.Tests;

public sealed class MigrationRunTests(PostgresServerFixture fixture) : MigrationTestBase(fixture)
{
    private static readonly string[] SchemaFiles = ["001_users_and_keys.sql", "002_reservations.sql", "003_disks.sql", "004_gpu_types.sql"];

    [Fact]
    public async Task Fresh_database_gets_every_file_a_complete_journal_and_the_migration_hash()
    {
        var result = await RunWorkerAsync();

        Assert.True(result.ExitCode == 0, result.ToString());
        var hash = MigrationHash.Compute(RepositoryFiles.DatabaseDirectory);
        Assert.Contains($"Migration hash: {hash}", result.Output);
        Assert.Contains("Applying schema files...", result.Output);
        Assert.Contains("  → 001_users_and_keys.sql (new, ", result.Output);
        Assert.Contains("Applying fixture data...", result.Output);
        Assert.Contains("Migration completed successfully!", result.Output);

        var journal = await Database.JournalAsync(ConnectionString);
        Assert.Equal([.. SchemaFiles.Select(f => (f, "schema")), ("001_initial_gpu_types.sql", "fixture")], journal);
        Assert.Equal(5L, await Database.ScalarAsync<long>(ConnectionString,
            "SELECT count(*) FROM gpudev_migrations.applied_files WHERE migration_hash = $1 AND length(checksum_sha256) = 64 AND duration >= interval '0'", hash));
        Assert.Equal("completed", await Database.ScalarAsync<string>(ConnectionString,
            "SELECT status FROM gpudev_migrations.runs WHERE migration_hash = $1", hash));
        Assert.Equal(10L, await Database.ScalarAsync<long>(ConnectionString, "SELECT count(*) FROM gpu_types"));
    }

    [Fact]
    public async Task Applied_database_matches_the_production_catalog_with_the_journal_outside_public()
    {
        var result = await RunWorkerAsync();
        Assert.True(result.ExitCode == 0, result.ToString());

        var catalog = await PsqlAsync("-X", "-At", "-f", Path.Combine(RepositoryFiles.CatalogDirectory, "catalog.sql"));
        var expected = await File.ReadAllTextAsync(Path.Combine(RepositoryFiles.CatalogDirectory, "expected-catalog.txt"));
        Assert.Equal(expected.TrimEnd(), catalog.TrimEnd());
    }

    [Fact]
    public async Task Second_run_skips_schema_files_reapplies_fixtures_and_leaves_the_schema_identical()
    {
        Assert.Equal(0, (await RunWorkerAsync()).ExitCode);
        var before = await DumpSchemaAsync();
        Assert.Contains("column public.gpu_types.", before, StringComparison.Ordinal);

        var second = await RunWorkerAsync();

        Assert.True(second.ExitCode == 0, second.ToString());
        foreach (var file in SchemaFiles)
        {
            Assert.Contains($"  = {file} (unchanged since ", second.Output);
        }

        Assert.Contains("  → 001_initial_gpu_types.sql (fixture, ", second.Output);
        Assert.Contains("Applied 1 file(s), skipped 4 unchanged", second.Output);
        var journal = await Database.JournalAsync(ConnectionString);
        Assert.All(SchemaFiles, f => Assert.Single(journal, row => row.Name == f));
        Assert.Equal(2, journal.Count(row => row.Kind == "fixture"));
        Assert.Equal(before, await DumpSchemaAsync());
    }

    [Fact]
    public async Task Edited_fixture_shows_up_after_the_next_run()
    {
        using var files = DatabaseCopy.OfRepository();
        Assert.Equal(0, (await RunWorkerAsync(files.Path)).ExitCode);
        var fixture = Path.Combine(files.Fixtures, "001_initial_gpu_types.sql");
        var text = await File.ReadAllTextAsync(fixture);
        await File.WriteAllTextAsync(fixture, text.Replace("'NVIDIA T4, small instance for testing'", "'T4 for smoke tests'", StringComparison.Ordinal));

        var result = await RunWorkerAsync(files.Path);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("T4 for smoke tests", await Database.ScalarAsync<string>(ConnectionString, "SELECT description FROM gpu_types WHERE gpu_type = 't4-small'"));
        Assert.Contains($"Migration hash: {MigrationHash.Compute(files.Path)}", result.Output);
        Assert.NotEqual(MigrationHash.Compute(RepositoryFiles.DatabaseDirectory), MigrationHash.Compute(files.Path));
    }

    [Fact]
    public async Task Reapply_all_applies_unchanged_schema_files_again()
    {
        Assert.Equal(0, (await RunWorkerAsync()).ExitCode);

        var result = await RunWorkerAsync(null, "--reapply-all");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("  → 002_reservations.sql (reapply-all, ", result.Output);
        var journal = await Database.JournalAsync(ConnectionString);
        Assert.All(SchemaFiles, f => Assert.Equal(2, journal.Count(row => row.Name == f)));
    }

    [Fact]
    public async Task Plan_lists_the_work_and_changes_nothing()
    {
        var fresh = await RunWorkerAsync(null, "--plan");

        Assert.True(fresh.ExitCode == 0, fresh.ToString());
        Assert.Contains("apply schema/001_users_and_keys.sql (new)", fresh.Output);
        Assert.Contains("5 file(s) to apply, 0 unchanged.", fresh.Output);
        Assert.False(await Database.JournalExistsAsync(ConnectionString));
        Assert.False(await Database.TableExistsAsync(ConnectionString, "public.api_users"));

        Assert.Equal(0, (await RunWorkerAsync()).ExitCode);
        var journalBefore = await Database.JournalAsync(ConnectionString);
        var planned = await RunWorkerAsync(null, "--plan");

        Assert.True(planned.ExitCode == 0, planned.ToString());
        Assert.Contains("skip  schema/003_disks.sql (unchanged)", planned.Output);
        Assert.Contains("apply fixtures/001_initial_gpu_types.sql (fixture)", planned.Output);
        Assert.Equal(journalBefore, await Database.JournalAsync(ConnectionString));
        Assert.Equal(1L, await Database.ScalarAsync<long>(ConnectionString, "SELECT count(*) FROM gpudev_migrations.runs"));
    }

    /// <summary>
    /// The schema as the catalog describes it: every column, constraint, index, trigger, view, sequence and
    /// function definition outside the system schemas. A query rather than pg_dump, whose major version
    /// must be at least the server's (the pinned PostgreSQL 18 package ships only the server).
    /// </summary>
    private Task<string> DumpSchemaAsync() => Database.ScalarAsync<string>(ConnectionString, """
        WITH objects(line) AS (
            SELECT format('column %I.%I.%I %s null=%s default=%s', table_schema, table_name, column_name, data_type, is_nullable, column_default)
              FROM information_schema.columns WHERE table_schema NOT IN ('pg_catalog', 'information_schema')
            UNION ALL
            SELECT format('constraint %s %I %s', conrelid::regclass, conname, pg_get_constraintdef(oid))
              FROM pg_constraint WHERE connamespace NOT IN ('pg_catalog'::regnamespace, 'information_schema'::regnamespace)
            UNION ALL
            SELECT format('index %s', indexdef) FROM pg_indexes WHERE schemaname NOT IN ('pg_catalog', 'information_schema')
            UNION ALL
            SELECT format('trigger %s', pg_get_triggerdef(oid)) FROM pg_trigger WHERE NOT tgisinternal
            UNION ALL
            SELECT format('view %I.%I %s', schemaname, viewname, definition) FROM pg_views WHERE schemaname NOT IN ('pg_catalog', 'information_schema')
            UNION ALL
            SELECT format('sequence %I.%I', sequence_schema, sequence_name) FROM information_schema.sequences
            UNION ALL
            SELECT format('function %s %s', p.oid::regprocedure, pg_get_functiondef(p.oid))
              FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
             WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND p.prokind IN ('f', 'p')
        )
        SELECT string_agg(line, E'\n' ORDER BY line) FROM objects
        """);

    private Task<string> PsqlAsync(params string[] args) => RunToolAsync("psql", args);

    private async Task<string> RunToolAsync(string tool, params string[] args)
    {
        var connection = new NpgsqlConnectionStringBuilder(ConnectionString);
        // Client tools from the server's installation when it has them, else from PATH (the pinned package has only the server).
        var startInfo = new ProcessStartInfo(File.Exists(Server.Installation.Tool(tool)) ? Server.Installation.Tool(tool) : tool)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment = { ["PGPASSWORD"] = connection.Password },
        };
        foreach (var arg in (string[])["-h", connection.Host!, "-p", connection.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-U", connection.Username!, "-d", connection.Database!, .. args])
        {
            startInfo.ArgumentList.Add(arg);
        }

        using var process = Process.Start(startInfo)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"{tool} failed: {await error}");
        return await output;
    }
}
