using GpuDev.MigrationWorker.Cli;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using Polly;
using Polly.Retry;

namespace GpuDev.MigrationWorker.Execution;

/// <summary>
/// Opens the worker's connection: retried with exponential backoff (Polly) while the server is not
/// up yet, as production's Job retries; on giving up, names host, port and the last error.
/// </summary>
public sealed class DatabaseConnector(NpgsqlDataSource dataSource, IOptions<MigrationOptions> options, ILogger<DatabaseConnector> logger)
{
    public string Endpoint
    {
        get
        {
            var builder = new NpgsqlConnectionStringBuilder(dataSource.ConnectionString);
            return $"{builder.Host}:{builder.Port} (database {builder.Database})";
        }
    }

    /// <summary>One attempt, no retry: for callers that poll anyway.</summary>
    public async Task<NpgsqlConnection> OpenOnceAsync(CancellationToken cancellationToken)
    {
        var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await ConfigureSessionAsync(connection, cancellationToken);
        return connection;
    }

    public async Task<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var attempts = Math.Max(1, settings.ConnectAttempts);
        var pipeline = new ResiliencePipelineBuilder();
        if (attempts > 1)
        {
            pipeline.AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<NpgsqlException>().Handle<TimeoutException>(),
                MaxRetryAttempts = attempts - 1,
                Delay = settings.ConnectRetryDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = false,
                OnRetry = retry =>
                {
                    logger.LogWarning(
                        "Connection attempt {Attempt} of {Attempts} to {Endpoint} failed: {Error}. Retrying in {Delay:0.#} s.",
                        retry.AttemptNumber + 1, attempts, Endpoint, retry.Outcome.Exception?.Message, retry.RetryDelay.TotalSeconds);
                    return ValueTask.CompletedTask;
                },
            });
        }

        var started = System.Diagnostics.Stopwatch.StartNew();
        try
        {
            return await pipeline.Build().ExecuteAsync(async token => await OpenOnceAsync(token), cancellationToken);
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
        {
            throw new MigrationException(
                ExitCodes.DatabaseUnreachable,
                $"Could not connect to PostgreSQL at {Endpoint} after {attempts} attempt(s) over {started.Elapsed.TotalSeconds:0.0} s. " +
                $"Last error: {ex.Message}{(ex.InnerException is { } inner ? $" ({inner.Message})" : string.Empty)}. " +
                "Check that the server is running and that --connection / ConnectionStrings__gpudev is right; " +
                "--connect-attempts (Migrations__ConnectAttempts) gives a slow server more time.",
                ex);
        }
    }

    private static async Task ConfigureSessionAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var batch = new NpgsqlBatch(connection);
        // The files' own "already exists, skipping" notices are expected for idempotent SQL: not worth a log line.
        batch.BatchCommands.Add(new NpgsqlBatchCommand("SET client_min_messages = warning"));
        if (connection.PostgreSqlVersion.Major >= 14)
        {
            // A killed worker's session (and with it the migration lock and its open transaction) ends
            // within a second, even while a long statement runs, instead of whenever it next talks to us.
            batch.BatchCommands.Add(new NpgsqlBatchCommand("SET client_connection_check_interval = '1s'"));
        }

        await batch.ExecuteNonQueryAsync(cancellationToken);
    }
}
