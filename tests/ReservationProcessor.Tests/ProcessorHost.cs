using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace GpuDev.ReservationProcessor.Tests;

/// <summary>The processor's real host (consumers, simulated cluster, scheduler) in the test process, on a test database.</summary>
public sealed class ProcessorHost : IAsyncDisposable
{
    private readonly IHost _host;

    private ProcessorHost(IHost host) => _host = host;

    /// <summary>Zero delays and quick polling: the lifecycle runs as fast as the database allows.</summary>
    public static IReadOnlyDictionary<string, string?> FastSettings { get; } = new Dictionary<string, string?>
    {
        ["Queues:VisibilityTimeoutSeconds"] = "30",
        ["Queues:BatchSize"] = "10",
        ["Queues:PollSeconds"] = "1",
        ["Queues:PollIntervalMilliseconds"] = "20",
        ["Queues:MaxRetries"] = "3",
        ["Reservations:MinCliVersion"] = "0.3.5",
        ["Reservations:MaxReservationHours"] = "168",
        ["Reservations:MaxTotalHours"] = "48",
        ["SimulatedCluster:PendingSeconds"] = "0",
        ["SimulatedCluster:PreparingSeconds"] = "0",
        ["SimulatedCluster:TickMilliseconds"] = "50",
    };

    public IServiceProvider Services => _host.Services;

    public static async Task<ProcessorHost> StartAsync(string connectionString, IReadOnlyDictionary<string, string?>? overrides = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [], EnvironmentName = "Testing" });
        builder.Configuration.AddInMemoryCollection(FastSettings);
        builder.Configuration.AddInMemoryCollection(overrides ?? new Dictionary<string, string?>());
        builder.Configuration.AddInMemoryCollection([new("ConnectionStrings:gpudev", connectionString)]);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.AddReservationProcessor();
        var host = builder.Build();
        await host.StartAsync();
        return new ProcessorHost(host);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync(TimeSpan.FromSeconds(10));
        _host.Dispose();
    }
}
