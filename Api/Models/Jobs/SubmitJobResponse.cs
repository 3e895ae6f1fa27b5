namespace GpuDev.Api.Models.Jobs;

public sealed record SubmitJobResponse(string JobId, string Status, string Message, DateTime? EstimatedStartTime);
