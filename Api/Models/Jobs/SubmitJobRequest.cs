using System.ComponentModel.DataAnnotations;

namespace GpuDev.Api.Models.Jobs;

/// <summary>
/// Production's submit body. The CLI sends GPU type and count inside <c>env_vars</c> (GPU_TYPE, GPU_COUNT);
/// top-level <c>gpu_type</c> and <c>gpu_count</c> are accepted too and win.
/// </summary>
public sealed record SubmitJobRequest
{
    /// <summary>Optional, as in production: without one the processor runs its default image.</summary>
    [StringLength(1024, MinimumLength = 1, ErrorMessage = "image must be 1 to 1024 characters.")]
    [RegularExpression("^[A-Za-z0-9][A-Za-z0-9._/:@-]*$", ErrorMessage = "image must be a container image reference such as registry/name:tag or name@sha256:digest (letters, digits, '.', '_', '/', ':', '@', '-').")]
    public string? Image { get; init; }

    [StringLength(100, ErrorMessage = "instance_type must be at most 100 characters (e.g. p5.48xlarge).")]
    public string? InstanceType { get; init; }

    /// <summary>Whole hours, 1 by default (production's int field and default).</summary>
    [Range(1, 72, ErrorMessage = "duration_hours must be a whole number of hours between 1 and 72.")]
    public int DurationHours { get; init; } = 1;

    [RegularExpression(DiskNames.Pattern, ErrorMessage = DiskNames.PatternMessage)]
    public string? DiskName { get; init; }

    [Range(10, 10000, ErrorMessage = "disk_size_gb must be between 10 and 10000 GB.")]
    public int? DiskSizeGb { get; init; }

    /// <summary>Environment of the job; RESERVATION_ID, GPU_TYPE, GPU_COUNT, GITHUB_USER, JUPYTER_ENABLED and POD_NAME are read by the API.</summary>
    public Dictionary<string, string>? EnvVars { get; init; }

    [StringLength(65536, ErrorMessage = "command must be at most 65536 characters.")]
    public string? Command { get; init; }

    [StringLength(50, ErrorMessage = "gpu_type must be at most 50 characters; see GET /v1/gpu-types.")]
    public string? GpuType { get; init; }

    [Range(0, 1024, ErrorMessage = "gpu_count must be between 0 and the GPU type's max_gpus (see GET /v1/gpu-types).")]
    public int? GpuCount { get; init; }

    [StringLength(255, ErrorMessage = "name must be at most 255 characters.")]
    public string? Name { get; init; }
}
