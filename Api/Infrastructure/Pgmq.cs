using GpuDev.Database.Queues;
using Npgsql;
using NpgsqlTypes;

namespace GpuDev.Api.Infrastructure;

/// <summary>PGMQ's SQL API as this service calls it. Messages are serialised with the API's JSON options.</summary>
public static class Pgmq
{
    /// <summary>
    /// The <c>pgmq.send</c> call to embed in a statement (parameters <c>@queue</c>, <c>@message</c> and
    /// <c>@headers</c>). The delay is explicit so the call resolves to one overload in every PGMQ 1.5+.
    /// </summary>
    public const string SendCall = "pgmq.send(@queue::text, @message, @headers, 0)";

    /// <summary>
    /// The message as a jsonb parameter, in the queue contract's JSON, and its headers: the W3C trace context
    /// of the current request, so the consumer continues its trace.
    /// </summary>
    public static NpgsqlParameter[] Message<TMessage>(TMessage message) =>
    [
        new("message", NpgsqlDbType.Jsonb) { Value = QueueMessageJson.Serialize(message) },
        new("headers", NpgsqlDbType.Jsonb) { Value = TraceContextHeaders.ToJson(TraceContextHeaders.FromCurrentActivity()) },
    ];

    public static async Task<IReadOnlyList<QueueMetrics>> MetricsAsync(NpgsqlDataSource dataSource, IEnumerable<string> queues, CancellationToken cancellationToken)
    {
        var result = new List<QueueMetrics>();
        foreach (var queue in queues)
        {
            await using var command = dataSource.CreateCommand(
                """
                SELECT queue_name, queue_length, newest_msg_age_sec, oldest_msg_age_sec, total_messages, scrape_time
                FROM pgmq.metrics(@queue)
                """);
            result.Add(await command.With("queue", queue).QuerySingleAsync(QueueMetrics.Read, cancellationToken));
        }

        return result;
    }
}

/// <summary>One row of <c>pgmq.metrics</c>.</summary>
public sealed record QueueMetrics
{
    public required string QueueName { get; init; }
    public long QueueLength { get; init; }
    public int? NewestMsgAgeSec { get; init; }
    public int? OldestMsgAgeSec { get; init; }
    public long TotalMessages { get; init; }
    public DateTime ScrapeTime { get; init; }

    /// <summary>A row of MetricsAsync's query: queue_name, queue_length, newest_msg_age_sec, oldest_msg_age_sec, total_messages, scrape_time.</summary>
    public static QueueMetrics Read(NpgsqlDataReader row) => new()
    {
        QueueName = row.GetString(0),
        QueueLength = row.GetInt64(1),
        NewestMsgAgeSec = row.GetNullable<int>(2),
        OldestMsgAgeSec = row.GetNullable<int>(3),
        TotalMessages = row.GetInt64(4),
        ScrapeTime = row.GetDateTime(5),
    };
}
