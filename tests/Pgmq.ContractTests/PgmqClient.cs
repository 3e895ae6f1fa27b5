using System.Text;
using System.Text.Json.Nodes;
using Npgsql;
using NpgsqlTypes;

namespace GpuDev.Pgmq.ContractTests;

/// <summary>A message as PGMQ's read/pop/set_vt return it (the documented <c>pgmq.message_record</c> columns).</summary>
public sealed record QueueMessage(long MsgId, long ReadCt, DateTimeOffset EnqueuedAt, DateTimeOffset Vt, JsonNode? Message, JsonNode? Headers);

/// <summary>A row of <c>pgmq.list_queues()</c>.</summary>
public sealed record QueueInfo(string QueueName, bool IsPartitioned, bool IsUnlogged, DateTimeOffset CreatedAt);

/// <summary>A row of <c>pgmq.metrics()</c> / <c>pgmq.metrics_all()</c>.</summary>
public sealed record QueueMetrics(
    string QueueName,
    long QueueLength,
    int? NewestMsgAgeSec,
    int? OldestMsgAgeSec,
    long TotalMessages,
    DateTimeOffset ScrapeTime,
    long QueueVisibleLength);

/// <summary>
/// Calls PGMQ's SQL functions on one connection, exactly as an application would. Arguments are passed
/// by their documented names, so the contract covers argument names as well as types; optional
/// arguments left null are omitted, so the documented defaults are exercised too. Result columns are
/// selected by name, so a PGMQ release that adds columns still passes.
/// </summary>
public sealed class PgmqClient(NpgsqlConnection connection) : IAsyncDisposable
{
    private const string MessageColumns = "msg_id, read_ct, enqueued_at, vt, message, headers";
    private const string MetricsColumns = "queue_name, queue_length, newest_msg_age_sec, oldest_msg_age_sec, total_messages, scrape_time, queue_visible_length";

    public NpgsqlConnection Connection { get; } = connection;

    public static async Task<PgmqClient> ConnectAsync(string connectionString)
    {
        var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        return new PgmqClient(connection);
    }

    public Task CreateAsync(string queue) => ExecuteAsync("SELECT pgmq.create(queue_name => @queue)", ("queue", queue));

    public Task<bool> DropQueueAsync(string queue) => ScalarAsync<bool>("SELECT pgmq.drop_queue(queue_name => @queue)", ("queue", queue));

    public Task<long> PurgeQueueAsync(string queue) => ScalarAsync<long>("SELECT pgmq.purge_queue(queue_name => @queue)", ("queue", queue));

    public Task<List<QueueInfo>> ListQueuesAsync() => QueryAsync(
        "SELECT queue_name, is_partitioned, is_unlogged, created_at FROM pgmq.list_queues()",
        r => new QueueInfo(r.GetString(0), r.GetBoolean(1), r.GetBoolean(2), r.GetFieldValue<DateTimeOffset>(3)));

    /// <summary><c>pgmq.send</c>: delay either in seconds or as a timestamp (at most one of them).</summary>
    public async Task<long> SendAsync(string queue, string message, string? headers = null, int? delaySeconds = null, DateTimeOffset? visibleAt = null)
    {
        var call = new FunctionCall("pgmq.send")
            .Argument("queue_name", queue)
            .Argument("msg", new NpgsqlParameter { Value = message, NpgsqlDbType = NpgsqlDbType.Jsonb })
            .OptionalJsonb("headers", headers)
            .OptionalDelay(delaySeconds, visibleAt);
        var ids = await QueryAsync(call, r => r.GetInt64(0));
        return Assert.Single(ids);
    }

    /// <summary><c>pgmq.send_batch</c>; <paramref name="headers"/> pairs with <paramref name="messages"/> by position.</summary>
    public async Task<List<long>> SendBatchAsync(string queue, IReadOnlyList<string> messages, IReadOnlyList<string?>? headers = null, int? delaySeconds = null, DateTimeOffset? visibleAt = null)
    {
        var call = new FunctionCall("pgmq.send_batch")
            .Argument("queue_name", queue)
            .Argument("msgs", new NpgsqlParameter { Value = messages.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Jsonb });
        if (headers is not null)
        {
            call.Argument("headers", new NpgsqlParameter { Value = headers.Select(h => (object?)h ?? DBNull.Value).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Jsonb });
        }

        call.OptionalDelay(delaySeconds, visibleAt);
        return await QueryAsync(call, r => r.GetInt64(0));
    }

    public Task<List<QueueMessage>> ReadAsync(string queue, int vt, int qty, string? conditional = null)
    {
        var call = new FunctionCall("pgmq.read", MessageColumns)
            .Argument("queue_name", queue)
            .Argument("vt", vt)
            .Argument("qty", qty)
            .OptionalJsonb("conditional", conditional);
        return QueryAsync(call, ReadMessage);
    }

    public Task<List<QueueMessage>> ReadWithPollAsync(string queue, int vt, int qty, int? maxPollSeconds = null, int? pollIntervalMs = null, string? conditional = null, CancellationToken cancellationToken = default) =>
        ReadCallAsync("pgmq.read_with_poll", queue, vt, qty, maxPollSeconds, pollIntervalMs, conditional, cancellationToken);

    /// <summary>
    /// A FIFO group read: <c>pgmq.read_grouped</c> or <c>pgmq.read_grouped_rr</c>, or their <c>_with_poll</c>
    /// forms when <paramref name="maxPollSeconds"/> is given.
    /// </summary>
    public Task<List<QueueMessage>> ReadGroupedAsync(string function, string queue, int vt, int qty, int? maxPollSeconds = null, int? pollIntervalMs = null, string? conditional = null) =>
        ReadCallAsync($"pgmq.{function}{(maxPollSeconds is null ? "" : "_with_poll")}", queue, vt, qty, maxPollSeconds, pollIntervalMs, conditional, CancellationToken.None);

    // The read functions share their arguments; the poll ones are passed only when the test names them.
    private Task<List<QueueMessage>> ReadCallAsync(string function, string queue, int vt, int qty, int? maxPollSeconds, int? pollIntervalMs, string? conditional, CancellationToken cancellationToken)
    {
        var call = new FunctionCall(function, MessageColumns)
            .Argument("queue_name", queue)
            .Argument("vt", vt)
            .Argument("qty", qty);
        if (maxPollSeconds is { } seconds)
        {
            call.Argument("max_poll_seconds", seconds);
        }

        if (pollIntervalMs is { } interval)
        {
            call.Argument("poll_interval_ms", interval);
        }

        call.OptionalJsonb("conditional", conditional);
        return QueryAsync(call, ReadMessage, cancellationToken);
    }

    public Task<List<QueueMessage>> PopAsync(string queue, int? qty = null)
    {
        var call = new FunctionCall("pgmq.pop", MessageColumns).Argument("queue_name", queue);
        if (qty is { } count)
        {
            call.Argument("qty", count);
        }

        return QueryAsync(call, ReadMessage);
    }

    public async Task<QueueMessage?> SetVtAsync(string queue, long msgId, int vt)
    {
        var call = new FunctionCall("pgmq.set_vt", MessageColumns)
            .Argument("queue_name", queue)
            .Argument("msg_id", msgId)
            .Argument("vt", vt);
        return (await QueryAsync(call, ReadMessage)).SingleOrDefault();
    }

    public Task<bool> DeleteAsync(string queue, long msgId) =>
        ScalarAsync<bool>("SELECT pgmq.delete(queue_name => @queue, msg_id => @id)", ("queue", queue), ("id", msgId));

    public Task<List<long>> DeleteAsync(string queue, long[] msgIds) =>
        QueryAsync("SELECT * FROM pgmq.delete(queue_name => @queue, msg_ids => @ids)", r => r.GetInt64(0), ("queue", queue), ("ids", msgIds));

    public Task<bool> ArchiveAsync(string queue, long msgId) =>
        ScalarAsync<bool>("SELECT pgmq.archive(queue_name => @queue, msg_id => @id)", ("queue", queue), ("id", msgId));

    public Task<List<long>> ArchiveAsync(string queue, long[] msgIds) =>
        QueryAsync("SELECT * FROM pgmq.archive(queue_name => @queue, msg_ids => @ids)", r => r.GetInt64(0), ("queue", queue), ("ids", msgIds));

    public async Task<QueueMetrics> MetricsAsync(string queue) =>
        Assert.Single(await QueryAsync($"SELECT {MetricsColumns} FROM pgmq.metrics(queue_name => @queue)", ReadMetrics, ("queue", queue)));

    public Task<List<QueueMetrics>> MetricsAllAsync() => QueryAsync($"SELECT {MetricsColumns} FROM pgmq.metrics_all()", ReadMetrics);

    public async Task ExecuteAsync(string sql, params (string Name, object? Value)[] parameters)
    {
        await using var command = Command(sql, parameters);
        await command.ExecuteNonQueryAsync();
    }

    public async Task<T> ScalarAsync<T>(string sql, params (string Name, object? Value)[] parameters)
    {
        await using var command = Command(sql, parameters);
        var value = await command.ExecuteScalarAsync();
        return (T)Convert.ChangeType(value, typeof(T), System.Globalization.CultureInfo.InvariantCulture)!;
    }

    public Task<List<T>> QueryAsync<T>(string sql, Func<NpgsqlDataReader, T> map, params (string Name, object? Value)[] parameters) =>
        QueryAsync(Command(sql, parameters), map, CancellationToken.None);

    public ValueTask DisposeAsync() => Connection.DisposeAsync();

    private Task<List<T>> QueryAsync<T>(FunctionCall call, Func<NpgsqlDataReader, T> map, CancellationToken cancellationToken = default) =>
        QueryAsync(call.ToCommand(Connection), map, cancellationToken);

    private static async Task<List<T>> QueryAsync<T>(NpgsqlCommand command, Func<NpgsqlDataReader, T> map, CancellationToken cancellationToken)
    {
        await using (command)
        {
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            var rows = new List<T>();
            while (await reader.ReadAsync(cancellationToken))
            {
                rows.Add(map(reader));
            }

            return rows;
        }
    }

    private NpgsqlCommand Command(string sql, (string Name, object? Value)[] parameters)
    {
        var command = new NpgsqlCommand(sql, Connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        return command;
    }

    private static QueueMessage ReadMessage(NpgsqlDataReader r) => new(
        r.GetInt64(0),
        Convert.ToInt64(r.GetValue(1), System.Globalization.CultureInfo.InvariantCulture),
        r.GetFieldValue<DateTimeOffset>(2),
        r.GetFieldValue<DateTimeOffset>(3),
        r.IsDBNull(4) ? null : JsonNode.Parse(r.GetString(4)),
        r.IsDBNull(5) ? null : JsonNode.Parse(r.GetString(5)));

    private static QueueMetrics ReadMetrics(NpgsqlDataReader r) => new(
        r.GetString(0),
        r.GetInt64(1),
        r.IsDBNull(2) ? null : r.GetInt32(2),
        r.IsDBNull(3) ? null : r.GetInt32(3),
        r.GetInt64(4),
        r.GetFieldValue<DateTimeOffset>(5),
        r.GetInt64(6));

    /// <summary>Builds <c>SELECT columns FROM function(name => @pN, …)</c> with only the arguments given.</summary>
    private sealed class FunctionCall(string function, string columns = "*")
    {
        private readonly List<(string Name, NpgsqlParameter Parameter)> _arguments = [];

        public FunctionCall Argument(string name, object value) =>
            Argument(name, value as NpgsqlParameter ?? new NpgsqlParameter { Value = value });

        public FunctionCall Argument(string name, NpgsqlParameter parameter)
        {
            _arguments.Add((name, parameter));
            return this;
        }

        public FunctionCall OptionalJsonb(string name, string? json) =>
            json is null ? this : Argument(name, new NpgsqlParameter { Value = json, NpgsqlDbType = NpgsqlDbType.Jsonb });

        public FunctionCall OptionalDelay(int? seconds, DateTimeOffset? visibleAt)
        {
            if (seconds is not null && visibleAt is not null)
            {
                throw new ArgumentException("Give the delay either in seconds or as a timestamp, not both.");
            }

            if (seconds is { } s)
            {
                Argument("delay", new NpgsqlParameter { Value = s, NpgsqlDbType = NpgsqlDbType.Integer });
            }

            if (visibleAt is { } at)
            {
                Argument("delay", new NpgsqlParameter { Value = at.ToUniversalTime(), NpgsqlDbType = NpgsqlDbType.TimestampTz });
            }

            return this;
        }

        public NpgsqlCommand ToCommand(NpgsqlConnection connection)
        {
            var sql = new StringBuilder($"SELECT {columns} FROM {function}(");
            var command = new NpgsqlCommand { Connection = connection };
            for (var i = 0; i < _arguments.Count; i++)
            {
                var (name, parameter) = _arguments[i];
                parameter.ParameterName = $"p{i}";
                command.Parameters.Add(parameter);
                sql.Append(i == 0 ? "" : ", ").Append(name).Append(" => @p").Append(i);
            }

            command.CommandText = sql.Append(')').ToString();
            return command;
        }
    }
}
