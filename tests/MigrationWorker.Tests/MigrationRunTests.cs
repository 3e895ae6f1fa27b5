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

    /// <summary>The schema as pg_dump prints it, minus the random \restrict key newer pg_dump versions add per dump.</summary>
    private async Task<string> DumpSchemaAsync() =>
        string.Join('\n', (await RunToolAsync("pg_dump", "--schema-only", "--no-owner"))
            .Split('\n')
            .Where(line => !line.StartsWith("\\restrict", StringComparison.Ordinal) && !line.StartsWith("\\unrestrict", StringComparison.Ordinal)));

    private Task<string> PsqlAsync(params string[] args) => RunToolAsync("psql", args);

    private async Task<string> RunToolAsync(string tool, params string[] args)
    {
        var connection = new NpgsqlConnectionStringBuilder(ConnectionString);
        var startInfo = new ProcessStartInfo(Server.Installation.Tool(tool))
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
