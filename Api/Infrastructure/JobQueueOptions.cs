using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace GpuDev.Api.Infrastructure;

/// <summary>The <c>Jobs</c> configuration section: retry metadata written into every queue message.</summary>
public sealed class JobQueueOptions
{
    public const string SectionName = "Jobs";

    /// <summary>How many times the processor may retry a message before giving up.</summary>
    [Range(0, 100)]
    public int MaxRetries { get; set; } = 3;
}

/// <summary>Checks the attributes of <see cref="JobQueueOptions"/> with code generated at compile time (no reflection).</summary>
[OptionsValidator]
public sealed partial class JobQueueOptionsValidator : IValidateOptions<JobQueueOptions>;
