using System.ComponentModel.DataAnnotations;
using GpuDev.Api.Authentication;

namespace GpuDev.Api.Models.Admin;

public sealed record CreateKeyRequest
{
    [Range(ApiKeyLimits.MinTtlHours, ApiKeyLimits.MaxTtlHours, ErrorMessage = "ttl_hours must be between 1 and 168 hours.")]
    public int? TtlHours { get; init; }

    [StringLength(1000, ErrorMessage = "description must be at most 1000 characters.")]
    public string? Description { get; init; }
}
