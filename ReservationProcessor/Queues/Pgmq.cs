using Npgsql;

namespace GpuDev.ReservationProcessor.Queues;

/// <summary>The PGMQ calls the processor makes. Delete and archive take the caller's transaction, so a message
/// leaves its queue in the same commit as the state change it caused.</summary>
public static class Pgmq
{
    /// <summary>Whether the queue exists. The processor's role may not create queues; the database bootstrap does.</summary>
    public static async Task<bool> QueueExistsAsync(NpgsqlDataSource dataSource, string queue, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("SELECT EXISTS (SELECT 1 FROM pgmq.list_queues() WHERE queue_name = @queue)");
        command.Parameters.AddWithValue("queue", queue);
        return await command.ExecuteScalarAsync(cancellationToken) is true;
    }

    /// <summary>Up to <paramref name="batchSize"/> messages, hidden for <paramref name="visibilityTimeoutSeconds"/>;
    /// waits up to <paramref name="pollSeconds"/> on the server when the queue is empty.</summary>
    public static async Task<IReadOnlyList<PgmqMessage>> ReadAsync(
        NpgsqlDataSource dataSource, string queue, int visibilityTimeoutSeconds, int batchSize, int pollSeconds, int pollIntervalMilliseconds,
        CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT msg_id, read_ct, enqueued_at, message::text, headers::text FROM pgmq.read_with_poll(@queue, @vt, @qty, @poll, @interval)");
        command.Parameters.AddWithValue("queue", queue);
        command.Parameters.AddWithValue("vt", visibilityTimeoutSeconds);
        command.Parameters.AddWithValue("qty", batchSize);
        command.Parameters.AddWithValue("poll", pollSeconds);
        command.Parameters.AddWithValue("interval", pollIntervalMilliseconds);
        var messages = new List<PgmqMessage>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            messages.Add(new PgmqMessage(
                reader.GetInt64(0), reader.GetInt32(1), reader.GetFieldValue<DateTimeOffset>(2), reader.GetString(3),
                await reader.IsDBNullAsync(4, cancellationToken) ? null : reader.GetString(4)));
        }

        return messages;
    }

    /// <summary>False when the message is gone: another reader handled it first.</summary>
    public static Task<bool> DeleteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string queue, long msgId, CancellationToken cancellationToken) =>
        CallAsync(connection, transaction, "SELECT pgmq.delete(@queue, @id)", queue, msgId, cancellationToken);

    /// <summary>Moves the message to <c>pgmq.a_&lt;queue&gt;</c>; false when another reader handled it first.</summary>
    public static Task<bool> ArchiveAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string queue, long msgId, CancellationToken cancellationToken) =>
        CallAsync(connection, transaction, "SELECT pgmq.archive(@queue, @id)", queue, msgId, cancellationToken);

    public static async Task<long> DepthAsync(NpgsqlDataSource dataSource, string queue, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("SELECT queue_length FROM pgmq.metrics(@queue)");
        command.Parameters.AddWithValue("queue", queue);
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task<bool> CallAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, string queue, long msgId, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        command.Parameters.AddWithValue("queue", queue);
        command.Parameters.AddWithValue("id", msgId);
        return await command.ExecuteScalarAsync(cancellationToken) is true;
    }
}
