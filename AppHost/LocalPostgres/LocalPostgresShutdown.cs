using Aspire.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace GpuDev.AppHost.LocalPostgres;

/// <summary>
/// Stops the local server when the AppHost stops. PostgreSQL treats SIGTERM (what the orchestrator
/// sends) as a "smart" shutdown that waits for every client to disconnect; a fast shutdown ends
/// sessions at once and still checkpoints, so no data is lost and no server outlives the AppHost.
/// </summary>
internal sealed class LocalPostgresShutdown(LocalPostgresServerResource server, ILogger<LocalPostgresShutdown> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StopAsync(CancellationToken cancellationToken)
    {
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
