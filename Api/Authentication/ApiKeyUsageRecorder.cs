using System.Collections.Concurrent;
using GpuDev.Api.Infrastructure;
using Microsoft.Extensions.Options;
using Npgsql;

namespace GpuDev.Api.Authentication;

/// <summary>
/// Records each use of a key in <c>api_keys.last_used_at</c>. Uses are collected in memory and written
/// in one statement per flush interval: writing the key's row inside every request made all requests
/// of one key queue on its row lock and a commit each, which cost 40% of job-submission throughput
/// (bench/api-load). The stored value is still the time of the latest use, at most one interval late;
/// a clean stop writes what is pending. With the interval 0 every use is written inside its request.
/// </summary>
public sealed partial class ApiKeyUsageRecorder(
    NpgsqlDataSource dataSource, TimeProvider clock, IOptions<ApiKeyOptions> options, ILogger<ApiKeyUsageRecorder> logger) : BackgroundService
{
    private readonly ConcurrentDictionary<int, DateTime> pending = new();

    private TimeSpan Interval => TimeSpan.FromMilliseconds(options.Value.LastUsedFlushMilliseconds);

    public async ValueTask RecordAsync(int keyId, CancellationToken cancellationToken)
    {
        var usedAt = clock.GetUtcNow().UtcDateTime;
        if (Interval == TimeSpan.Zero)
        {
            await WriteAsync([keyId], [usedAt], cancellationToken);
            return;
        }

        pending.AddOrUpdate(keyId, usedAt, (_, earlier) => earlier > usedAt ? earlier : usedAt);
    }

    /// <summary>Writes every pending use; one that arrives meanwhile stays pending for the next flush.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        var batch = pending.ToArray();
        if (batch.Length == 0)
        {
            return;
        }

        await WriteAsync(batch.Select(e => e.Key).ToArray(), batch.Select(e => e.Value).ToArray(), cancellationToken);
        foreach (var entry in batch)
        {
            // Removes the entry only if no later use replaced it while the batch was written.
            pending.TryRemove(entry);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (Interval == TimeSpan.Zero)
        {
            return;
        }

        using var timer = new PeriodicTimer(Interval, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await FlushAsync(stoppingToken);
                }
                catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
                {
                    // Kept in memory and retried on the next tick: a database blip loses no use.
                    LogFlushFailed(logger, pending.Count, ex.Message);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        try
        {
            await FlushAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or OperationCanceledException)
        {
            LogFlushFailed(logger, pending.Count, ex.Message);
        }
    }

    private async Task WriteAsync(int[] keyIds, DateTime[] usedAt, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            """
            UPDATE api_keys k SET last_used_at = u.used_at
            FROM unnest(@keyIds, @usedAt) AS u(key_id, used_at)
            WHERE k.key_id = u.key_id AND (k.last_used_at IS NULL OR k.last_used_at < u.used_at)
            """);
        await command.With("keyIds", keyIds).With("usedAt", usedAt).ExecuteNonQueryAsync(cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not record the last use of {Count} API key(s); retrying at the next flush: {Error}")]
    private static partial void LogFlushFailed(ILogger logger, int count, string error);
}
