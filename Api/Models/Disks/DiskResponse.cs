namespace GpuDev.Api.Models.Disks;

/// <summary>A disk as production's <c>GET /v1/disks/{disk_name}</c> returns it, plus its pending operation.</summary>
public sealed record DiskResponse
{
    public required string DiskName { get; init; }
    public required string UserId { get; init; }
    public int? SizeGb { get; init; }
    public string? DiskSize { get; init; }
    public DateTime? CreatedAt { get; init; }
    public DateTime? LastUsed { get; init; }
    public bool InUse { get; init; }
    public string? ReservationId { get; init; }
    public bool IsBackingUp { get; init; }
    public bool IsDeleted { get; init; }
    public DateTime? DeleteDate { get; init; }
    public int SnapshotCount { get; init; }
    public Guid? OperationId { get; init; }
    public string? OperationStatus { get; init; }
    public string? OperationError { get; init; }
    public DateTime? LastUpdated { get; init; }
}
