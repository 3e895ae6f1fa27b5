using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace GpuDev.Api.Authentication;

/// <summary>The <c>ApiKeys</c> configuration section: how long issued keys live and how often their use is written.</summary>
public sealed class ApiKeyOptions
{
    public const string SectionName = "ApiKeys";

    /// <summary>Lifetime of a key when the request does not ask for one (production: 2 hours).</summary>
    [Range(ApiKeyLimits.MinTtlHours, ApiKeyLimits.MaxTtlHours)]
    public int DefaultTtlHours { get; set; } = 2;

    /// <summary>
    /// How often recorded key uses are written to <c>last_used_at</c>, in milliseconds (see
    /// <see cref="ApiKeyUsageRecorder"/>). 0 writes each use inside its request.
    /// </summary>
    [Range(0, 60_000)]
    public int LastUsedFlushMilliseconds { get; set; } = 1000;
}

/// <summary>Production's bounds on a key's lifetime.</summary>
public static class ApiKeyLimits
{
    public const int MinTtlHours = 1;
    public const int MaxTtlHours = 168;
}

/// <summary>Checks the attributes of <see cref="ApiKeyOptions"/> with code generated at compile time (no reflection).</summary>
[OptionsValidator]
public sealed partial class ApiKeyOptionsValidator : IValidateOptions<ApiKeyOptions>;
