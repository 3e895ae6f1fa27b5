using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;

namespace Aspire.Hosting;

/// <summary>
/// Runs the migration worker once more, in place, through Aspire's own start command (so the dashboard
/// shows the run, its log and its trace like the first one), and waits for it to exit.
/// </summary>
internal static class MigrationWorkerRun
{
    /// <summary>How long a run may take before the command gives up waiting (the worker itself keeps going).</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromMinutes(5);

    /// <summary>Null when the worker exited 0; otherwise what went wrong and where to look.</summary>
    public static async Task<string?> RunAsync(IServiceProvider services, IResource worker, CancellationToken cancellationToken)
    {
        var notifications = services.GetRequiredService<ResourceNotificationService>();
        var commands = services.GetRequiredService<ResourceCommandService>();

        // The run this command starts is the one that stops after this instant; an earlier run's
        // Finished state must not be taken for it.
        var startedAfter = DateTime.UtcNow;
        var start = await commands.ExecuteCommandAsync(worker, KnownResourceCommands.StartCommand, cancellationToken);
        if (!start.Success)
        {
            return $"The migration worker could not be started: {start.Message}";
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        try
        {
            var finished = await notifications.WaitForResourceAsync(
                worker.Name,
                e => e.Snapshot.StopTimeStamp > startedAfter && KnownResourceStates.TerminalStates.Contains(e.Snapshot.State?.Text),
                timeout.Token);
            return finished.Snapshot.ExitCode == 0
                ? null
                : $"The migration worker exited with code {finished.Snapshot.ExitCode}: its log in the dashboard names the file, line and PostgreSQL error. Fix the SQL file and run the command again.";
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return $"The migration worker did not exit within {Timeout.TotalMinutes:F0} minutes: look at its log in the dashboard.";
        }
    }
}
