using System.ComponentModel.DataAnnotations;

namespace GpuDev.Api.Models.Disks;

public sealed record RenameDiskRequest
{
    [Required(ErrorMessage = "new_name is required: the disk's new name.")]
    public string? NewName { get; init; }
}

/// <summary>Production's rename answer. Snapshots live in AWS, which this environment has none of: always 0.</summary>
public sealed record RenameDiskResponse(string Message, string OldName, string NewName, int SnapshotsUpdated);
