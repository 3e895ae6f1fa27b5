using System.ComponentModel.DataAnnotations;

namespace GpuDev.Api.Models.Disks;

public sealed record CreateDiskRequest
{
    [Required(ErrorMessage = "disk_name is required.")]
    [RegularExpression(DiskNames.Pattern, ErrorMessage = DiskNames.PatternMessage)]
    public string? DiskName { get; init; }

    [Required(ErrorMessage = "size_gb is required: the disk size, 10 to 10000 GB.")]
    [Range(10, 10000, ErrorMessage = "size_gb must be between 10 and 10000 GB.")]
    public int? SizeGb { get; init; }
}
