namespace GpuDev.MigrationWorker.Tests;

public sealed class VerifyTests(PostgresServerFixture fixture) : MigrationTestBase(fixture)
{
    [Fact]
    public async Task Verify_on_an_empty_database_reports_missing_tables()
    {
        var result = await RunWorkerAsync(null, "--verify");

        Assert.True(result.ExitCode == 10, result.ToString());
        Assert.Contains("Missing tables: api_keys, api_users, disks, gpu_types, reservations", result.Output);
        Assert.Contains("there is no journal", result.Output);
    }

    [Fact]
    public async Task Verify_after_migration_without_queues_reports_missing_queues()
    {
        Assert.Equal(0, (await RunWorkerAsync()).ExitCode);

        var result = await RunWorkerAsync(null, "--verify");

        Assert.True(result.ExitCode == 11, result.ToString());
        Assert.Contains("Missing queues: disk_operations, gpu_reservations", result.Output);
    }

    [Fact]
    public async Task Verify_passes_with_tables_queues_and_an_up_to_date_journal_and_fails_when_a_file_changes()
    {
        var withPgmq = await Server.CreateDatabaseAsync("verify", withPgmq: true);
        using var files = DatabaseCopy.OfRepository();
        Assert.Equal(0, (await WorkerProcess.RunAsync(["--connection", withPgmq, "--path", files.Path])).ExitCode);
        await Database.ExecuteAsync(withPgmq, "SELECT pgmq.create('gpu_reservations'); SELECT pgmq.create('disk_operations');");

        var ok = await WorkerProcess.RunAsync(["--connection", withPgmq, "--path", files.Path, "--verify"]);
        Assert.True(ok.ExitCode == 0, ok.ToString());
        Assert.Contains("the journal matches all 5 files", ok.Output);

        files.WriteSchema("005_pending.sql", "CREATE TABLE pending (id int);\n");
        var pending = await WorkerProcess.RunAsync(["--connection", withPgmq, "--path", files.Path, "--verify"]);
        Assert.True(pending.ExitCode == 12, pending.ToString());
        Assert.Contains("schema/005_pending.sql was never applied", pending.Output);
    }
}
