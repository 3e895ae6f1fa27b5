using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace GpuDev.MigrationWorker.Hosting;

/// <summary>
/// The run's telemetry leaves the worker as it exits: its traces, logs and metrics, each through its own exporter.
/// Disposing the host shuts the three down one after the other, each waiting for the collector's answer (under the
/// AppHost, a dashboard that is itself still starting); shut down side by side, the exit waits for the slowest alone.
/// Each on a thread of its own: the exporters send synchronously, and three blocked pool threads on a two-core
/// machine starve the thread pool their own sends complete on, which stalls the exit.
/// </summary>
internal static class TelemetryShutdown
{
    public static Task SideBySideAsync(IServiceProvider services)
    {
        var tracing = services.GetService<TracerProvider>();
        var metrics = services.GetService<MeterProvider>();
        var logging = services.GetService<LoggerProvider>();
        return Task.WhenAll(
            OnOwnThread(() => tracing?.Shutdown()),
            OnOwnThread(() => metrics?.Shutdown()),
            OnOwnThread(() => logging?.Shutdown()));
    }

    private static Task OnOwnThread(Action shutdown) =>
        Task.Factory.StartNew(shutdown, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
}
