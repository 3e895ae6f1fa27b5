namespace GpuDev.Api.Models.Disks;

/// <summary>Production's answer to disk create and delete: the operation was queued.</summary>
public sealed record DiskOperationResponse(string OperationId, string DiskName, string Action, string Message, DateTimeOffset RequestedAt);
