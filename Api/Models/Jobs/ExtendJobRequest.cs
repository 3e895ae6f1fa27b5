using System.ComponentModel.DataAnnotations;

namespace GpuDev.Api.Models.Jobs;

public sealed record ExtendJobRequest
{
    [Required(ErrorMessage = "extension_hours is required: how many whole hours to add, 1 to 72.")]
    [Range(1, 72, ErrorMessage = "extension_hours must be between 1 and 72 hours.")]
    public int? ExtensionHours { get; init; }
}
