using System.Diagnostics;
using System.Text.Json;
using GpuDev.Database.Queues;
using GpuDev.ReservationProcessor.Cluster;
using GpuDev.ReservationProcessor.Telemetry;
using Microsoft.Extensions.Options;
using Npgsql;

namespace GpuDev.ReservationProcessor.Queues;

/// <summary>
/// Production's poller and worker in one loop: read a batch with a visibility timeout, handle each message in
/// one transaction that also deletes it, archive it once <c>read_ct</c> reaches its <c>max_retries</c>.
/// The delete (or archive) comes first in that transaction: it is the claim, so when a visibility timeout ran
/// out and two replicas hold the same message, the second finds it gone and rolls back, and no message has
/// two outcomes.
/// </summary>
public sealed partial class QueueConsumer(
    IQueueMessageHandler handler, NpgsqlDataSource dataSource, SimulatedCluster cluster, ProcessorTelemetry telemetry,
    IOptions<QueueOptions> options, ILogger<QueueConsumer> logger) : BackgroundService
{
    private readonly QueueOptions _options = options.Value;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await WaitForQueueAsync(stoppingToken);
        LogConsuming(handler.Queue, _options.VisibilityTimeoutSeconds, _options.BatchSize);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await ConsumeBatchAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The database restarting, or a failure while archiving or advancing the cluster: the messages
                // concerned stay on the queue and come back after their visibility timeout. The loop goes on.
                LogReadFailed(ex, handler.Queue);
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
            }
        }
    }

    /// <summary>Reads one batch and handles it; returns how many messages were read (the benchmark drives this directly).</summary>
    public async Task<int> ConsumeBatchAsync(CancellationToken cancellationToken)
    {
        var messages = await Pgmq.ReadAsync(dataSource, handler.Queue, _options.VisibilityTimeoutSeconds, _options.BatchSize,
            _options.PollSeconds, _options.PollIntervalMilliseconds, cancellationToken);
        var affected = new HashSet<string>(StringComparer.Ordinal);
        foreach (var message in messages)
        {
            affected.UnionWith(await ProcessAsync(message, cancellationToken));
        }

        if (affected.Count > 0)
        {
            await cluster.AdvanceAsync(affected, cancellationToken);
        }

        return messages.Count;
    }

    private async Task<IReadOnlyCollection<string>> ProcessAsync(PgmqMessage message, CancellationToken cancellationToken)
    {
        var (action, maxRetries) = Describe(message.Body);
        using var activity = ProcessorTelemetry.Source.StartActivity(
            $"{handler.Queue} process", ActivityKind.Consumer, TraceContextHeaders.Extract(message.Headers));
        activity?.SetTag("messaging.system", "pgmq");
        activity?.SetTag("messaging.destination.name", handler.Queue);
        activity?.SetTag("messaging.message.id", message.MsgId);
        activity?.SetTag("messaging.operation.type", "process");
        activity?.SetTag("gpudev.action", action);
        activity?.SetTag("gpudev.read_count", message.ReadCt);
        telemetry.TimeInQueue.Record(Math.Max(0, (DateTimeOffset.UtcNow - message.EnqueuedAt).TotalSeconds),
            new KeyValuePair<string, object?>("queue", handler.Queue));

        MessageOutcome? outcome;
        try
        {
            outcome = message.ReadCt >= maxRetries
                ? await GiveUpAsync(message, $"it was read {message.ReadCt} times without being processed (max_retries {maxRetries})", cancellationToken)
                : await HandleAsync(message, cancellationToken);
        }
        catch (PoisonMessageException poison)
        {
            LogPoison(handler.Queue, message.MsgId, poison.Message);
            outcome = await GiveUpAsync(message, poison.Message, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Left on the queue: it becomes visible again after the visibility timeout and is retried.
            LogRetry(ex, handler.Queue, message.MsgId, message.ReadCt, maxRetries);
            activity?.SetStatus(ActivityStatusCode.Error, ex.Message);
            Count(action, "retry");
            return [];
        }

        if (outcome is null)
        {
            activity?.SetTag("gpudev.outcome", "handled-elsewhere");
            Count(action, "handled-elsewhere");
            return [];
        }

        activity?.SetTag("gpudev.outcome", outcome.Result);
        Count(action, outcome.Result);
        return outcome.AffectedGpuTypes;
    }

    /// <summary>Null when another replica already deleted or archived the message.</summary>
    private async Task<MessageOutcome?> HandleAsync(PgmqMessage message, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (!await Pgmq.DeleteAsync(connection, transaction, handler.Queue, message.MsgId, cancellationToken))
        {
            return null;
        }

        var outcome = await handler.HandleAsync(connection, transaction, message, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return outcome;
    }

    private async Task<MessageOutcome?> GiveUpAsync(PgmqMessage message, string reason, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (!await Pgmq.ArchiveAsync(connection, transaction, handler.Queue, message.MsgId, cancellationToken))
        {
            return null;
        }

        var outcome = await handler.GiveUpAsync(connection, transaction, message, reason, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        telemetry.Failures.Add(1, new KeyValuePair<string, object?>("queue", handler.Queue), new KeyValuePair<string, object?>("kind", "archived"));
        LogArchived(handler.Queue, message.MsgId, handler.Queue, reason);
        return outcome;
    }

    /// <summary>The action and max_retries, read leniently: a poison message still needs both for its log line and archive.</summary>
    private (string Action, int MaxRetries) Describe(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return ("unknown", _options.MaxRetries);
            }

            var action = root.TryGetProperty("action", out var a) && a.ValueKind == JsonValueKind.String ? a.GetString()! : "unknown";
            var maxRetries = root.TryGetProperty("_metadata", out var metadata) && metadata.ValueKind == JsonValueKind.Object
                && metadata.TryGetProperty("max_retries", out var max) && max.TryGetInt32(out var value) && value > 0
                ? value
                : _options.MaxRetries;
            return (action, maxRetries);
        }
        catch (JsonException)
        {
            return ("unknown", _options.MaxRetries);
        }
    }

    private void Count(string action, string result) =>
        telemetry.Messages.Add(1, new("queue", handler.Queue), new("action", action), new("result", result));

    private async Task WaitForQueueAsync(CancellationToken cancellationToken)
    {
        // The database bootstrap creates the queues (this role may not); until then, say so and look again.
        while (true)
        {
            try
            {
                if (await Pgmq.QueueExistsAsync(dataSource, handler.Queue, cancellationToken))
                {
                    return;
                }

                LogQueueMissing(handler.Queue);
            }
            catch (NpgsqlException ex)
            {
                LogQueueUnavailable(ex, handler.Queue);
            }

            await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Consuming {Queue} (visibility timeout {VisibilityTimeout} s, batch {BatchSize})")]
    private partial void LogConsuming(string queue, int visibilityTimeout, int batchSize);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Consuming {Queue} failed; reading again in 1 s")]
    private partial void LogReadFailed(Exception exception, string queue);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Queue {Queue} is not reachable yet; retrying in 2 s")]
    private partial void LogQueueUnavailable(Exception exception, string queue);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Queue {Queue} does not exist; the database bootstrap creates it (the AppHost when PostgreSQL is ready, or the migration Job's bootstrap init container). Looking again in 2 s")]
    private partial void LogQueueMissing(string queue);

    [LoggerMessage(Level = LogLevel.Error, Message = "Message {MsgId} on {Queue} cannot be processed: {Reason}")]
    private partial void LogPoison(string queue, long msgId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Message {MsgId} on {Queue} failed (read {ReadCount} of {MaxRetries}); it is retried after its visibility timeout")]
    private partial void LogRetry(Exception exception, string queue, long msgId, int readCount, int maxRetries);

    [LoggerMessage(Level = LogLevel.Error, Message = "Archived message {MsgId} of {Queue} to pgmq.a_{ArchiveQueue}: {Reason}")]
    private partial void LogArchived(string queue, long msgId, string archiveQueue, string reason);
}
