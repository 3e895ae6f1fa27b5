using GpuDev.MigrationWorker.Execution;
using Npgsql;

namespace GpuDev.MigrationWorker.Tests;

public sealed class ConcurrencyTests(PostgresServerFixture fixture) : MigrationTestBase(fixture)
{
    [Fact]
    public async Task Four_workers_at_once_apply_every_file_exactly_once_and_all_succeed()
    {
        // The test holds the migration lock until all four workers queue behind it, so they really
        // start together; then it lets go.
        await using var holder = new NpgsqlConnection(ConnectionString);
        await holder.OpenAsync();
        await using (var take = new NpgsqlCommand($"SELECT pg_advisory_lock({MigrationLock.Key})", holder))
        {
            await take.ExecuteNonQueryAsync();
        }

        var workers = Enumerable.Range(0, 4).Select(_ => StartWorker()).ToList();
        try
        {
            await Eventually.WaitUntilAsync(
                async () => await Database.ScalarAsync<long>(ConnectionString,
                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())") == 4,
                TimeSpan.FromMinutes(1),
                () => "four workers waiting for the migration lock");
            await using (var release = new NpgsqlCommand($"SELECT pg_advisory_unlock({MigrationLock.Key})", holder))
            {
                await release.ExecuteNonQueryAsync();
            }

            var results = await Task.WhenAll(workers.Select(w => w.WaitForExitAsync(WorkerProcess.DefaultTimeout)));

            Assert.All(results, r => Assert.True(r.ExitCode == 0, r.ToString()));
            var journal = await Database.JournalAsync(ConnectionString);
            Assert.Equal(5, journal.Count);
            Assert.Equal(5, journal.Distinct().Count());
            Assert.Equal(1L, await Database.ScalarAsync<long>(ConnectionString, "SELECT count(*) FROM gpudev_migrations.runs"));
            Assert.Equal(3, results.Count(r => r.Output.Contains("while this one waited for the lock: nothing left to do", StringComparison.Ordinal)));
        }
        finally
        {
            workers.ForEach(w => w.Dispose());
        }
    }

    [Fact]
    public async Task Worker_killed_mid_run_leaves_a_consistent_database_that_the_next_run_completes()
    {
        using var files = DatabaseCopy.OfRepository();
        // Blocks only when the session asks for it, so the rerun applies the very same file content.
        files.WriteSchema("003a_slow.sql", """
            CREATE TABLE half_done (id int);
            SELECT pg_sleep(CASE WHEN current_setting('gpudev.test_block', true) = 'on' THEN 600 ELSE 0 END);
            """);
        var blocking = new NpgsqlConnectionStringBuilder(ConnectionString) { Options = "-c gpudev.test_block=on" }.ConnectionString;

        using (var worker = WorkerProcess.Start(["--connection", blocking, "--path", files.Path]))
        {
            await Eventually.WaitUntilAsync(
                async () => await Database.ScalarAsync<long>(ConnectionString,
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE '%pg_sleep(CASE%' AND state = 'active' AND pid <> pg_backend_pid()") == 1,
                TimeSpan.FromMinutes(1),
                () => "the worker to be inside 003a_slow.sql; output:\n" + worker.Output);
            worker.KillHard();
            await worker.WaitForExitAsync(TimeSpan.FromSeconds(30));
        }

        var rerun = await RunWorkerAsync(files.Path, "--lock-timeout", "60");

        Assert.True(rerun.ExitCode == 0, rerun.ToString());
        Assert.Contains("never finished: its worker was stopped mid-run", rerun.Output);
        Assert.Contains("  → 003a_slow.sql (new, ", rerun.Output);
        Assert.Contains("  = 003_disks.sql (unchanged since ", rerun.Output);
        Assert.True(await Database.TableExistsAsync(ConnectionString, "public.half_done"));
        var journal = await Database.JournalAsync(ConnectionString);
        Assert.Equal(5, journal.Count(row => row.Kind == "schema"));
        Assert.Equal(5, journal.Where(row => row.Kind == "schema").Distinct().Count());
        Assert.Equal("abandoned,completed", await Database.ScalarAsync<string>(ConnectionString,
            "SELECT string_agg(status, ',' ORDER BY run_id) FROM gpudev_migrations.runs"));
    }
}
