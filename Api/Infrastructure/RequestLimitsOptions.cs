using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace GpuDev.Api.Infrastructure;

/// <summary>The <c>RequestLimits</c> configuration section.</summary>
public sealed class RequestLimitsOptions
{
    public const string SectionName = "RequestLimits";

    /// <summary>Largest request body accepted; every request this API takes is far smaller.</summary>
    [Range(1024, 100 * 1024 * 1024)]
    public long MaxBodyBytes { get; set; } = 1024 * 1024;
}

/// <summary>Checks the attributes of <see cref="RequestLimitsOptions"/> with code generated at compile time (no reflection).</summary>
[OptionsValidator]
public sealed partial class RequestLimitsOptionsValidator : IValidateOptions<RequestLimitsOptions>;
