namespace GpuDev.Api.Models.Disks;

/// <summary>Production's listing of a disk's latest snapshot (<c>ls -R</c> output kept in S3).</summary>
public sealed record DiskContentResponse(string DiskName, string? Content, string? S3Path, DateTime? SnapshotDate, string? Message);
