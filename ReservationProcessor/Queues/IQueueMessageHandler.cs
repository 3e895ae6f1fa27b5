using Npgsql;

namespace GpuDev.ReservationProcessor.Queues;

/// <summary>Handles the messages of one queue inside the consumer's transaction.</summary>
public interface IQueueMessageHandler
{
    string Queue { get; }

    /// <summary>Applies the message. Throws <see cref="PoisonMessageException"/> for a message that can never succeed;
    /// any other exception leaves the message to be read again after its visibility timeout.</summary>
    Task<MessageOutcome> HandleAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, PgmqMessage message, CancellationToken cancellationToken);

    /// <summary>The message is being archived unprocessed (<paramref name="reason"/>): record the failure where its producer looks.</summary>
    Task<MessageOutcome> GiveUpAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, PgmqMessage message, string reason, CancellationToken cancellationToken);
}
