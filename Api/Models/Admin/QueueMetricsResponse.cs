using GpuDev.Api.Infrastructure;

namespace GpuDev.Api.Models.Admin;

public sealed record QueueMetricsResponse(IReadOnlyList<QueueMetrics> Queues, DateTime Timestamp);
