namespace GpuDev.MigrationWorker.Tests;

public sealed class FailureTests(PostgresServerFixture fixture) : MigrationTestBase(fixture)
{
    [Fact]
    public async Task Error_in_third_statement_leaves_nothing_of_the_file_stops_later_files_and_names_file_and_line()
    {
        using var files = DatabaseCopy.OfRepository();
        files.WriteSchema("005_broken.sql", """
            -- A function whose body holds semicolons; the error is further down.
            CREATE TABLE broken_first (id int);
            CREATE FUNCTION broken_helper() RETURNS int AS $$
            BEGIN
                RETURN 1;
            END;
            $$ LANGUAGE plpgsql;
            INSERT INTO broken_first (id)
            SELECT id
            FROM no_such_table;
            """);
        files.WriteSchema("006_later.sql", "CREATE TABLE later_file (id int);\n");

        var result = await RunWorkerAsync(files.Path);

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("schema/005_broken.sql:10: SQLSTATE 42P01: relation \"no_such_table\" does not exist", result.Output);
        Assert.Contains("line 10: FROM no_such_table;", result.Output);
        Assert.Contains("statement 3 (from line 8): INSERT INTO broken_first (id) SELECT id FROM no_such_table", result.Output);
        Assert.Contains("Nothing of this file was applied", result.Output);
        Assert.False(await Database.TableExistsAsync(ConnectionString, "public.broken_first"));
        Assert.Equal(0L, await Database.ScalarAsync<long>(ConnectionString, "SELECT count(*) FROM pg_proc WHERE proname = 'broken_helper'"));
        Assert.False(await Database.TableExistsAsync(ConnectionString, "public.later_file"));
        Assert.DoesNotContain(await Database.JournalAsync(ConnectionString), row => row.Name is "005_broken.sql" or "006_later.sql");
        Assert.Equal("failed", await Database.ScalarAsync<string>(ConnectionString, "SELECT status FROM gpudev_migrations.runs"));
        // Files before the broken one stay applied: each file is its own transaction.
        Assert.True(await Database.TableExistsAsync(ConnectionString, "public.gpu_types"));
    }

    [Fact]
    public async Task No_transaction_marker_runs_create_index_concurrently()
    {
        using var files = DatabaseCopy.OfRepository();
        files.WriteSchema("005_concurrent_index.sql", """
            -- migrate:no-transaction
            CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_reservations_name ON reservations (name);
            """);

        var result = await RunWorkerAsync(files.Path);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.True(await Database.TableExistsAsync(ConnectionString, "public.idx_reservations_name"));
        Assert.Contains(await Database.JournalAsync(ConnectionString), row => row.Name == "005_concurrent_index.sql");
    }

    [Fact]
    public async Task Create_index_concurrently_without_the_marker_fails_with_a_hint_to_add_it()
    {
        using var files = DatabaseCopy.OfRepository();
        files.WriteSchema("005_concurrent_index.sql", "CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_reservations_name ON reservations (name);\n");

        var result = await RunWorkerAsync(files.Path);

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("schema/005_concurrent_index.sql:1: SQLSTATE 25001", result.Output);
        Assert.Contains("make '-- migrate:no-transaction' the file's first line", result.Output);
    }
}
