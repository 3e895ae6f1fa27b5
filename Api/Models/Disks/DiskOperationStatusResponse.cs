namespace GpuDev.Api.Models.Disks;

/// <summary>Production's answer to polling a disk operation; <c>completed</c> once it succeeded or failed.</summary>
public sealed record DiskOperationStatusResponse
{
    public required string OperationId { get; init; }
    public required string DiskName { get; init; }
    public required string Status { get; init; }
    public string? Error { get; init; }
    public bool? IsDeleted { get; init; }

    /// <summary>A date (<c>yyyy-MM-dd</c>), as production prints a PostgreSQL date.</summary>
    public string? DeleteDate { get; init; }

    public DateTime? CreatedAt { get; init; }
    public DateTime? LastUpdated { get; init; }
    public bool Completed { get; init; }
}
