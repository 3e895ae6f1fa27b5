using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using GpuDev.Hosting.PostgreSQL;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace GpuDev.AppHost.Postgres;

/// <summary>
/// Container mode's failures said where the user looks: a runtime that is not running, an image that is
/// missing and cannot be pulled, a data volume made with another password. Without this the AppHost keeps
/// running with everything after PostgreSQL waiting, and its console says nothing. Also deletes the data
/// volume for <c>--Postgres:ResetData true</c>.
/// </summary>
internal sealed class ContainerPostgresDiagnostics(IResource server, string image, string volume, ContainerRuntimeStatus? probedRuntime, bool resetData)
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(30);

    private IServiceProvider? _services;
    private ContainerRuntimeStatus? _runtime;
    private int _reported;

    public void Subscribe(IDistributedApplicationBuilder builder) =>
        builder.Eventing.Subscribe<BeforeStartEvent>(OnBeforeStartAsync);

    /// <summary>The password line, once (health checks keep failing every few seconds).</summary>
    public void ReportPasswordRejected() => Report(ContainerPostgresProblems.PasswordRejected(volume));

    private async Task OnBeforeStartAsync(BeforeStartEvent @event, CancellationToken cancellationToken)
    {
        _services = @event.Services;
        var runtime = _runtime = probedRuntime ?? await ContainerRuntimeProbe.FindAsync(@event.Services.GetRequiredService<IConfiguration>(), cancellationToken);
        if (!runtime.IsUsable)
        {
            Report(ContainerPostgresProblems.RuntimeNotUsable(runtime));
            return;
        }

        if (resetData)
        {
            await DeleteVolumeAsync(runtime.Runtime, cancellationToken);
        }

        var stopping = @event.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
        _ = Task.Run(() => WatchAsync(runtime.Runtime, stopping), CancellationToken.None);
    }

    private async Task DeleteVolumeAsync(string runtime, CancellationToken cancellationToken)
    {
        var exists = await ProcessRunner.RunAsync(runtime, ["volume", "inspect", volume], CommandTimeout, cancellationToken);
        if (!exists.Succeeded)
        {
            return;
        }

        var removed = await ProcessRunner.RunAsync(runtime, ["volume", "rm", volume], CommandTimeout, cancellationToken);
        if (!removed.Succeeded)
        {
            throw new DistributedApplicationException(ContainerPostgresProblems.VolumeNotDeleted(runtime, volume, FirstLine(removed.Output)));
        }

        Logger().LogInformation("Deleted the PostgreSQL data volume {Volume} (--Postgres:ResetData true)", volume);
    }

    // Until the container is ready: a container that fails or stops on the way gets one line saying why.
    private async Task WatchAsync(string runtime, CancellationToken stopping)
    {
        var notifications = _services!.GetRequiredService<ResourceNotificationService>();
        try
        {
            await foreach (var update in notifications.WatchAsync(stopping))
            {
                if (update.Resource != server)
                {
                    continue;
                }

                if (update.Snapshot.HealthStatus == Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Healthy)
                {
                    return;
                }

                var state = update.Snapshot.State?.Text;
                if (state == KnownResourceStates.FailedToStart || state == KnownResourceStates.RuntimeUnhealthy || state == KnownResourceStates.Exited)
                {
                    Report(await DiagnoseAsync(runtime, state, stopping));
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The AppHost stops.
        }
    }

    private async Task<string> DiagnoseAsync(string runtime, string state, CancellationToken cancellationToken)
    {
        var status = await ContainerRuntimeProbe.CheckAsync(runtime, configured: _runtime?.Configured ?? false, cancellationToken);
        if (!status.IsUsable)
        {
            return ContainerPostgresProblems.RuntimeNotUsable(status);
        }

        var inspected = await ProcessRunner.RunAsync(runtime, ["image", "inspect", image], CommandTimeout, cancellationToken);
        return inspected.Succeeded
            ? ContainerPostgresProblems.ContainerStopped(state, image)
            : ContainerPostgresProblems.ImageMissing(runtime, image);
    }

    private void Report(string problem)
    {
        if (Interlocked.Exchange(ref _reported, 1) == 1 || _services is null)
        {
            return;
        }

        _services.GetRequiredService<ResourceLoggerService>().GetLogger(server).LogError("{Problem}", problem);
        Logger().LogError("{Problem}", problem);
    }

    private ILogger Logger() => _services!.GetRequiredService<ILoggerFactory>().CreateLogger("GpuDev.AppHost");

    private static string FirstLine(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? "no output";
}
