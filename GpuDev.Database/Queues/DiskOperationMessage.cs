namespace GpuDev.Database.Queues;

/// <summary>A message on <c>disk_operations</c> for the disk processor.</summary>
public sealed record DiskOperationMessage
{
    public required string Action { get; init; }
    public required Guid OperationId { get; init; }
    public required string DiskName { get; init; }
    public required string UserId { get; init; }
    public int? SizeGb { get; init; }
    public DateOnly? DeleteDate { get; init; }
    public required DateTime RequestedAt { get; init; }
    public int RetryCount { get; init; } // 0: a new message has not been retried yet
    public required int MaxRetries { get; init; }
}
