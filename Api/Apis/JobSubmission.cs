using System.Globalization;
using System.Text.RegularExpressions;
using GpuDev.Api.Models.Jobs;

namespace GpuDev.Api.Apis;

/// <summary>A submit request resolved against the GPU catalog: what the reservation row and message hold.</summary>
public sealed record ResolvedJob(ActiveGpuType Type, string JobId, int GpuCount, string? GithubUser, string? PodName, bool JupyterEnabled)
{
    public string GpuType => Type.GpuType;

    public string InstanceType => Type.InstanceType;
}

/// <summary>
/// Reads the fields the CLI passes in env_vars, lets top-level fields win, and checks them against
/// the active GPU types. Returns either the resolved job or a message the caller can act on.
/// </summary>
public static partial class JobSubmission
{
    private const string ReservationIdVar = "RESERVATION_ID";
    private const string GpuTypeVar = "GPU_TYPE";
    private const string GpuCountVar = "GPU_COUNT";
    private const string GithubUserVar = "GITHUB_USER";
    private const string JupyterEnabledVar = "JUPYTER_ENABLED";
    private const string PodNameVar = "POD_NAME";

    [GeneratedRegex("^[A-Za-z0-9_-]{1,255}$")]
    private static partial Regex ReservationIdRegex();

    /// <summary>Resolves <paramref name="request"/> against <paramref name="activeTypes"/> (ordered by name, as the catalog gives them).</summary>
    public static (ResolvedJob? Job, string? Error) Resolve(IReadOnlyList<ActiveGpuType> activeTypes, SubmitJobRequest request)
    {
        var env = request.EnvVars ?? [];
        var jobId = Get(env, ReservationIdVar) ?? Guid.NewGuid().ToString();
        if (!ReservationIdRegex().IsMatch(jobId))
        {
            return (null, "env_vars.RESERVATION_ID must be 1 to 255 letters, digits, '-' or '_' (a UUID); leave it out to get a new one.");
        }

        var githubUser = Get(env, GithubUserVar);
        var podName = Get(env, PodNameVar);
        if (githubUser?.Length > 255 || podName?.Length > 255)
        {
            return (null, "env_vars.GITHUB_USER and env_vars.POD_NAME must be at most 255 characters.");
        }

        // Production lower-cases the type. It requires instance_type and defaults the type to a100; here a request
        // names a type or an instance type (the CLI always sends both).
        var requestedType = (request.GpuType ?? Get(env, GpuTypeVar))?.ToLowerInvariant();
        if (requestedType is null && request.InstanceType is null)
        {
            return (null, "Say which GPU type to reserve: env_vars.GPU_TYPE (or gpu_type, or instance_type). GET /v1/gpu-types lists them.");
        }

        // The first match by name, as the table ordered by gpu_type would give it.
        var type = activeTypes.FirstOrDefault(t => requestedType is null
            ? t.InstanceType == request.InstanceType
            : string.Equals(t.GpuType, requestedType, StringComparison.OrdinalIgnoreCase));
        if (type is null)
        {
            var asked = requestedType is null ? $"instance_type '{request.InstanceType}'" : $"gpu_type '{requestedType}'";
            return (null, $"Unknown or inactive {asked}. Active GPU types: {string.Join(", ", activeTypes.Select(t => t.GpuType))}.");
        }

        if (request.InstanceType is not null && requestedType is not null && request.InstanceType != type.InstanceType)
        {
            return (null, $"instance_type '{request.InstanceType}' does not match gpu_type '{type.GpuType}' (which runs on {type.InstanceType}). Send one of them, or both consistently.");
        }

        int gpuCount;
        if (request.GpuCount is { } topLevel)
        {
            gpuCount = topLevel;
        }
        else if (Get(env, GpuCountVar) is { } fromEnv)
        {
            if (!int.TryParse(fromEnv, NumberStyles.None, CultureInfo.InvariantCulture, out gpuCount))
            {
                return (null, $"env_vars.GPU_COUNT must be a whole number, got '{Truncate(fromEnv)}'.");
            }
        }
        else
        {
            gpuCount = type.MaxGpus == 0 ? 0 : 1;
        }

        if (type.MaxGpus == 0 && gpuCount != 0)
        {
            return (null, $"gpu_type '{type.GpuType}' is CPU-only: gpu_count must be 0 (or left out).");
        }

        if (type.MaxGpus > 0 && (gpuCount < 1 || gpuCount > type.MaxGpus))
        {
            return (null, $"gpu_count must be between 1 and {type.MaxGpus} for gpu_type '{type.GpuType}', got {gpuCount}.");
        }

        var jupyter = Get(env, JupyterEnabledVar) is { } flag && (flag.Equals("true", StringComparison.OrdinalIgnoreCase) || flag == "1");
        return (new ResolvedJob(type, jobId, gpuCount, githubUser, podName, jupyter), null);
    }

    private static string? Get(Dictionary<string, string> env, string name) =>
        env.TryGetValue(name, out var value) && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;

    private static string Truncate(string value) => value.Length <= 40 ? value : value[..40] + "…";
}
