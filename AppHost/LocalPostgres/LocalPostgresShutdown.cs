using Aspire.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace GpuDev.AppHost.LocalPostgres;

/// <summary>
/// Stops the local server when the AppHost stops. PostgreSQL treats SIGTERM (what the orchestrator
/// sends) as a "smart" shutdown that waits for every client to disconnect; a fast shutdown ends
/// sessions at once and still checkpoints, so no data is lost and no server outlives the AppHost.
/// </summary>
/// <remarks>
/// A SIGTERM that arrives while the AppHost is still starting fails the host's start, and a host whose
/// start failed never calls <see cref="StopAsync"/>; it does dispose its services, so disposal stops
/// the server too. Whichever comes first does the work.
/// </remarks>
internal sealed class LocalPostgresShutdown(LocalPostgresServerResource server, ILogger<LocalPostgresShutdown> logger) : IHostedService, IAsyncDisposable
{
    private int stopped;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => StopServerOnceAsync();

    public async ValueTask DisposeAsync() => await StopServerOnceAsync();

    private async Task StopServerOnceAsync()
    {
        if (Interlocked.Exchange(ref stopped, 1) == 1)
        {
            return;
        }

        logger.LogInformation("Stopping the local PostgreSQL server on {DataDirectory} (fast shutdown)", server.DataDirectory.Path);
        try
        {
            await server.DataDirectory.StopServerAsync(CancellationToken.None);
        }
        catch (Exception ex) when (ex is LocalPostgresException or IOException)
        {
            logger.LogWarning(ex, "Could not stop the local PostgreSQL server on {DataDirectory}", server.DataDirectory.Path);
        }
    }
}
