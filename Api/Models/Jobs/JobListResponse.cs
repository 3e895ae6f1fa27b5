namespace GpuDev.Api.Models.Jobs;

public sealed record JobListResponse(IReadOnlyList<JobResponse> Jobs, long Total, int Limit, int Offset);
