using System.Diagnostics;
using GpuDev.MigrationWorker.Cli;
using GpuDev.MigrationWorker.Execution;
using GpuDev.MigrationWorker.Journal;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace GpuDev.MigrationWorker.Commands;

/// <summary>
/// <c>--wait-for-hash</c>, for Kubernetes init containers: polls the journal until a completed run
/// with the hash is recorded. An unreachable database is just "not yet" until the timeout.
/// </summary>
public sealed class WaitForHashCommand(DatabaseConnector connector, IOptions<MigrationOptions> options, ILogger<WaitForHashCommand> logger)
{
    public async Task<int> RunAsync(string migrationHash, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var interval = options.Value.WaitPollInterval;
        var elapsed = Stopwatch.StartNew();
        string? lastState = null;
        logger.LogInformation("Waiting up to {Timeout:0.#} s for migration {MigrationHash} on {Endpoint}.", timeout.TotalSeconds, migrationHash, connector.Endpoint);
        while (true)
        {
            string state;
            try
            {
                await using var connection = await connector.OpenOnceAsync(cancellationToken);
                if (await MigrationJournal.HasCompletedRunAsync(connection, migrationHash, cancellationToken))
                {
                    logger.LogInformation("Migration {MigrationHash} is complete (after {Elapsed:0.#} s).", migrationHash, elapsed.Elapsed.TotalSeconds);
                    return ExitCodes.Success;
                }

                state = $"the journal has no completed run with migration hash {migrationHash} yet";
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
            {
                state = $"the database at {connector.Endpoint} is not reachable yet ({ex.Message})";
            }

            if (state != lastState)
            {
                logger.LogInformation("Still waiting: {State}.", state);
                lastState = state;
            }

            var remaining = timeout - elapsed.Elapsed;
            if (remaining <= TimeSpan.Zero)
            {
                throw new MigrationException(
                    ExitCodes.WaitTimedOut,
                    $"Timed out after {timeout.TotalSeconds:0.#} s waiting for migration {migrationHash}: {state}. " +
                    "Check the migration job's logs (it may have failed), or raise --timeout.");
            }

            await Task.Delay(remaining < interval ? remaining : interval, cancellationToken);
        }
    }
}
