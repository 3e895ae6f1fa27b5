using GpuDev.Database.Migrations;
using Npgsql;

namespace GpuDev.MigrationWorker.Tests;

public sealed class WaitForHashTests(PostgresServerFixture fixture) : MigrationTestBase(fixture)
{
    private static readonly Dictionary<string, string> FastPolling = new() { ["Migrations__WaitPollInterval"] = "00:00:00.2" };

    private static string RepositoryHash => MigrationHash.Compute(RepositoryFiles.DatabaseDirectory);

    [Fact]
    public async Task Waits_while_the_hash_is_absent_and_exits_0_once_a_run_records_it()
    {
        using var waiter = WorkerProcess.Start(["--connection", ConnectionString, "--wait-for-hash", RepositoryHash, "--timeout", "120"], FastPolling);
        await waiter.WaitForOutputAsync(o => o.Contains("Still waiting: the journal has no completed run", StringComparison.Ordinal), TimeSpan.FromMinutes(1));
        Assert.False(waiter.HasExited);

        Assert.Equal(0, (await RunWorkerAsync()).ExitCode);
        var result = await waiter.WaitForExitAsync(WorkerProcess.DefaultTimeout);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains($"Migration {RepositoryHash} is complete", result.Output);
    }

    [Fact]
    public async Task Times_out_with_exit_6_when_no_run_with_the_hash_completes()
    {
        Assert.Equal(0, (await RunWorkerAsync()).ExitCode);

        var result = await WorkerProcess.RunAsync(["--connection", ConnectionString, "--wait-for-hash", "00000000", "--timeout", "1"], FastPolling);

        Assert.True(result.ExitCode == 6, result.ToString());
        Assert.Contains("Timed out after 1 s waiting for migration 00000000: the journal has no completed run with migration hash 00000000 yet", result.Output);
    }

    [Fact]
    public async Task Keeps_polling_an_unreachable_database_until_the_timeout()
    {
        using var nothingListens = new TcpForwarder(Server.Port);
        var unreachable = new NpgsqlConnectionStringBuilder(ConnectionString) { Port = nothingListens.Port }.ConnectionString;

        var result = await WorkerProcess.RunAsync(["--connection", unreachable, "--wait-for-hash", RepositoryHash, "--timeout", "1"], FastPolling);

        Assert.True(result.ExitCode == 6, result.ToString());
        Assert.Contains($"the database at 127.0.0.1:{nothingListens.Port} (database ", result.Output);
        Assert.Contains("is not reachable yet", result.Output);
    }

    [Fact]
    public async Task Database_coming_up_during_the_wait_is_picked_up()
    {
        using var forwarder = new TcpForwarder(Server.Port);
        var viaForwarder = new NpgsqlConnectionStringBuilder(ConnectionString) { Port = forwarder.Port }.ConnectionString;
        Assert.Equal(0, (await RunWorkerAsync()).ExitCode);

        using var waiter = WorkerProcess.Start(["--connection", viaForwarder, "--wait-for-hash", RepositoryHash, "--timeout", "120"], FastPolling);
        await waiter.WaitForOutputAsync(o => o.Contains("is not reachable yet", StringComparison.Ordinal), TimeSpan.FromMinutes(1));
        forwarder.Start();
        var result = await waiter.WaitForExitAsync(WorkerProcess.DefaultTimeout);

        Assert.True(result.ExitCode == 0, result.ToString());
    }
}
