using Npgsql;

namespace GpuDev.MigrationWorker.Tests;

public sealed class ConnectionRetryTests(PostgresServerFixture fixture) : MigrationTestBase(fixture)
{
    private static readonly Dictionary<string, string> FastRetries = new() { ["Migrations__ConnectRetryDelay"] = "00:00:00.2" };

    [Fact]
    public async Task Database_down_at_start_and_up_within_the_retry_window_is_migrated()
    {
        using var forwarder = new TcpForwarder(Server.Port);
        var viaForwarder = new NpgsqlConnectionStringBuilder(ConnectionString) { Port = forwarder.Port }.ConnectionString;

        // 8 attempts 0.2 s apart, doubling: a window of about 25 s.
        using var worker = WorkerProcess.Start(["--connection", viaForwarder, "--path", RepositoryFiles.DatabaseDirectory, "--connect-attempts", "8"], FastRetries);
        await worker.WaitForOutputAsync(o => o.Contains("Connection attempt 1 of 8", StringComparison.Ordinal), TimeSpan.FromMinutes(1));
        forwarder.Start();
        var result = await worker.WaitForExitAsync(WorkerProcess.DefaultTimeout);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("Migration completed successfully!", result.Output);
    }

    [Fact]
    public async Task Database_never_up_fails_after_the_configured_attempts_naming_host_port_and_error()
    {
        using var nothingListens = new TcpForwarder(Server.Port);
        var unreachable = new NpgsqlConnectionStringBuilder(ConnectionString) { Port = nothingListens.Port }.ConnectionString;

        var result = await WorkerProcess.RunAsync(["--connection", unreachable, "--path", RepositoryFiles.DatabaseDirectory, "--connect-attempts", "3"], FastRetries);

        Assert.True(result.ExitCode == 3, result.ToString());
        Assert.Contains("Connection attempt 2 of 3", result.Output);
        Assert.DoesNotContain("Connection attempt 3 of 3", result.Output);
        Assert.Contains($"Could not connect to PostgreSQL at 127.0.0.1:{nothingListens.Port} (database ", result.Output);
        Assert.Contains("after 3 attempt(s)", result.Output);
        Assert.Contains("Connection refused", result.Output);
    }
}
