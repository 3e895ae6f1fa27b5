using GpuDev.Database.Queues;
using GpuDev.ReservationProcessor.Queues;
using GpuDev.ReservationProcessor.Telemetry;
using Microsoft.Extensions.Options;
using Npgsql;

namespace GpuDev.ReservationProcessor.Cluster;

/// <summary>
/// Production's scheduled queue management, every tick: delayed reservations move on, queued ones start when
/// capacity frees, active ones expire (production's local set-up disables expiry; this one does not). Also
/// samples the queue depths for the metrics.
/// </summary>
public sealed partial class ClusterScheduler(
    SimulatedCluster cluster, NpgsqlDataSource dataSource, ProcessorTelemetry telemetry, IOptions<SimulatedClusterOptions> options,
    ILogger<ClusterScheduler> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(options.Value.TickMilliseconds));
        do
        {
            try
            {
                await cluster.AdvanceAsync(null, stoppingToken);
                foreach (var queue in QueueNames.All)
                {
                    telemetry.RecordQueueDepth(queue, await Pgmq.DepthAsync(dataSource, queue, stoppingToken));
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The database may be restarting, the queues not created yet, or the node ports exhausted:
                // log it and let the next tick try again rather than stop the processor.
                LogTickFailed(ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Simulated cluster tick failed; trying again next tick")]
    private partial void LogTickFailed(Exception exception);
}
