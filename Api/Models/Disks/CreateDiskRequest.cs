using System.ComponentModel.DataAnnotations;

namespace GpuDev.Api.Models.Disks;

public sealed record CreateDiskRequest
{
    [Required(ErrorMessage = "disk_name is required.")]
    public string? DiskName { get; init; }

    /// <summary>Optional, as in production: without it the disk processor picks its default size.</summary>
    [Range(10, 10000, ErrorMessage = "size_gb must be between 10 and 10000 GB.")]
    public int? SizeGb { get; init; }
}
