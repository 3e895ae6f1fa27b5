using System.Text.Json.Serialization;
using GpuDev.Database.Json;

namespace GpuDev.Api.Models.Jobs;

/// <summary>A reservation as production's <c>GET /v1/jobs/{job_id}</c> returns it.</summary>
public sealed record JobResponse
{
    public required string JobId { get; init; }
    public required string ReservationId { get; init; }
    public required string UserId { get; init; }
    public required string Status { get; init; }
    public string? GpuType { get; init; }
    public int? GpuCount { get; init; }
    public string? InstanceType { get; init; }
    /// <summary>A float in production's model: whole hours print as <c>4.0</c>.</summary>
    [JsonConverter(typeof(PythonFloatConverter))]
    public double DurationHours { get; init; }
    public DateTime CreatedAt { get; init; }
    public DateTime? LaunchedAt { get; init; }
    public DateTime? ExpiresAt { get; init; }
    public string? Name { get; init; }
    public string? PodName { get; init; }
    public string? NodeIp { get; init; }
    public int? NodePort { get; init; }
    public string? SshCommand { get; init; }
    public bool JupyterEnabled { get; init; }
    public string? JupyterUrl { get; init; }
    public string? JupyterToken { get; init; }
    public string? GithubUser { get; init; }
    public string? DiskName { get; init; }
    public string? FailureReason { get; init; }
    public string? CurrentDetailedStatus { get; init; }
}
