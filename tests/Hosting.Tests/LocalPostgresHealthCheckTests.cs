using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
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
        var port = FreePort();
        var check = CheckOn(port);
        var stopwatch = Stopwatch.StartNew();

        var result = check.CheckHealthAsync(new HealthCheckContext());
        await Task.Delay(TimeSpan.FromMilliseconds(300));
        using var forwarder = new TcpForwarder(port, postgres.Server.Port);

        Assert.Equal(HealthStatus.Healthy, (await result).Status);
        Assert.InRange(stopwatch.Elapsed, TimeSpan.FromMilliseconds(300), LocalPostgresHealthCheck.StartingGrace);
    }

    [Fact]
    public async Task A_port_nobody_listens_on_is_reported_unhealthy_once_the_grace_for_a_starting_server_has_passed()
    {
        var check = CheckOn(FreePort());
        var stopwatch = Stopwatch.StartNew();

        var result = await check.CheckHealthAsync(new HealthCheckContext());

        Assert.Equal(HealthStatus.Unhealthy, result.Status);
        Assert.StartsWith("Not accepting connections yet", result.Description, StringComparison.Ordinal);
        Assert.InRange(stopwatch.Elapsed, LocalPostgresHealthCheck.StartingGrace - (2 * LocalPostgresHealthCheck.StartingRetryDelay), TimeSpan.FromSeconds(5));
    }

    private LocalPostgresHealthCheck CheckOn(int port)
    {
        var connectionString = new Npgsql.NpgsqlConnectionStringBuilder(postgres.Server.AdminConnectionString) { Host = "127.0.0.1", Port = port }.ConnectionString;
        return new LocalPostgresHealthCheck(_ => ValueTask.FromResult<string?>(connectionString), "postgres");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>A server "starting" on a port: from now on, connections to it reach the real server.</summary>
    private sealed class TcpForwarder : IDisposable
    {
        private readonly TcpListener _listener;
        private readonly CancellationTokenSource _stop = new();

        public TcpForwarder(int port, int targetPort)
        {
            _listener = new TcpListener(IPAddress.Loopback, port);
            _listener.Start();
            _ = Task.Run(async () =>
            {
                while (!_stop.IsCancellationRequested)
                {
                    var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                    var target = new TcpClient();
                    await target.ConnectAsync(IPAddress.Loopback, targetPort, _stop.Token);
                    _ = PumpAsync(client, target);
                }
            });
        }

        public void Dispose()
        {
            _stop.Cancel();
            _listener.Stop();
        }

        private async Task PumpAsync(TcpClient client, TcpClient target)
        {
            using (client)
            using (target)
            {
                var a = client.GetStream().CopyToAsync(target.GetStream(), _stop.Token);
                var b = target.GetStream().CopyToAsync(client.GetStream(), _stop.Token);
                await Task.WhenAny(a, b).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }
}
