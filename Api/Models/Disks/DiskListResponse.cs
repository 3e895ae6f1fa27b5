namespace GpuDev.Api.Models.Disks;

public sealed record DiskListResponse(IReadOnlyList<DiskResponse> Disks, int Total);
