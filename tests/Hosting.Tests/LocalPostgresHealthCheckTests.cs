using System.Diagnostics;
using GpuDev.Hosting.PostgreSQL;
using GpuDev.Tests.Support;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace GpuDev.Hosting.Tests;

/// <summary>The local server's health check while the server is still starting, against a real PostgreSQL.</summary>
public sealed class LocalPostgresHealthCheckTests(PostgresServerFixture postgres) : IClassFixture<PostgresServerFixture>
{
    [Fact]
    public async Task A_server_that_starts_accepting_connections_during_the_check_is_reported_healthy_by_that_check()
    {
        using var startingServer = new TcpForwarder(postgres.Server.Port);
        // A grace far longer than the server's delay: on a loaded machine the delay below can take longer than the
        // production grace, and this test is about retrying until the server is up, not about the grace's length.
        var check = CheckOn(startingServer.Port, startingGrace: TimeSpan.FromSeconds(30));
        var stopwatch = Stopwatch.StartNew();

        var result = check.CheckHealthAsync(new HealthCheckContext());
        await Task.Delay(TimeSpan.FromMilliseconds(300));
        startingServer.Start();

        // Healthy from this one call (not a re-check), after the server came up: the grace bounds when the last
        // attempt starts, not how long its connection takes, so the elapsed time has no upper bound here.
        Assert.Equal(HealthStatus.Healthy, (await result).Status);
        Assert.True(stopwatch.Elapsed >= TimeSpan.FromMilliseconds(300), $"healthy after {stopwatch.Elapsed}, before the server came up");
    }

    [Fact]
    public async Task A_port_nobody_listens_on_is_reported_unhealthy_once_the_grace_for_a_starting_server_has_passed()
    {
        using var neverStarted = new TcpForwarder(postgres.Server.Port);
        var check = CheckOn(neverStarted.Port);
        var stopwatch = Stopwatch.StartNew();

        var result = await check.CheckHealthAsync(new HealthCheckContext());

        Assert.Equal(HealthStatus.Unhealthy, result.Status);
        Assert.StartsWith("Not accepting connections yet", result.Description, StringComparison.Ordinal);
        Assert.InRange(stopwatch.Elapsed, LocalPostgresHealthCheck.StartingGrace - (2 * LocalPostgresHealthCheck.StartingRetryDelay), TimeSpan.FromSeconds(5));
    }

    private LocalPostgresHealthCheck CheckOn(int port, TimeSpan? startingGrace = null)
    {
        var connectionString = new Npgsql.NpgsqlConnectionStringBuilder(postgres.Server.AdminConnectionString) { Host = "127.0.0.1", Port = port }.ConnectionString;
        return new LocalPostgresHealthCheck(_ => ValueTask.FromResult<string?>(connectionString), "postgres", startingGrace: startingGrace);
    }
}
