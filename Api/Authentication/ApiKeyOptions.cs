using System.ComponentModel.DataAnnotations;

namespace GpuDev.Api.Authentication;

/// <summary>The <c>ApiKeys</c> configuration section: how long issued keys live.</summary>
public sealed class ApiKeyOptions
{
    public const string SectionName = "ApiKeys";

    /// <summary>Lifetime of a key when the request does not ask for one (production: 2 hours).</summary>
    [Range(ApiKeyLimits.MinTtlHours, ApiKeyLimits.MaxTtlHours)]
    public int DefaultTtlHours { get; set; } = 2;
}

/// <summary>Production's bounds on a key's lifetime.</summary>
public static class ApiKeyLimits
{
    public const int MinTtlHours = 1;
    public const int MaxTtlHours = 168;
}
