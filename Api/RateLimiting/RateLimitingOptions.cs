using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace GpuDev.Api.RateLimiting;

/// <summary>The <c>RateLimiting</c> configuration section: budgets per client address, on by default.</summary>
public sealed class RateLimitingOptions
{
    public const string SectionName = "RateLimiting";

    /// <summary>Off only for measurements that send from one address faster than any client does.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Requests with a wrong API key or admin token; once used up, every credentialed request from the address is 429.</summary>
    [Required]
    [ValidateObjectMembers]
    public WindowLimit FailedAuthentication { get; set; } = new() { PermitLimit = 10, WindowSeconds = 60 };

    /// <summary>Calls to <c>/v1/admin/*</c>, successful or not.</summary>
    [Required]
    [ValidateObjectMembers]
    public WindowLimit Admin { get; set; } = new() { PermitLimit = 120, WindowSeconds = 60 };
}

/// <summary>At most <see cref="PermitLimit"/> in each fixed window of <see cref="WindowSeconds"/>.</summary>
public sealed class WindowLimit
{
    [Range(1, 1_000_000)]
    public int PermitLimit { get; set; }

    [Range(1, 86_400)]
    public int WindowSeconds { get; set; }

    public TimeSpan Window => TimeSpan.FromSeconds(WindowSeconds);
}

/// <summary>Checks the attributes of <see cref="RateLimitingOptions"/> with code generated at compile time (no reflection).</summary>
[OptionsValidator]
public sealed partial class RateLimitingOptionsValidator : IValidateOptions<RateLimitingOptions>;
