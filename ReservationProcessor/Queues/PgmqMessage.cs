namespace GpuDev.ReservationProcessor.Queues;

/// <summary>One row of <c>pgmq.read</c>: the message body and PGMQ's headers as JSON text.</summary>
public sealed record PgmqMessage(long MsgId, int ReadCt, DateTimeOffset EnqueuedAt, string Body, string? Headers);
