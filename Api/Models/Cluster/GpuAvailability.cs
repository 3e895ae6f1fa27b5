using System.Text.Json.Serialization;
using GpuDev.Database.Json;

namespace GpuDev.Api.Models.Cluster;

/// <summary>One GPU type's capacity: in_use from active or preparing reservations, queued from queued or pending ones.</summary>
public sealed record GpuAvailability
{
    public required string GpuType { get; init; }
    public long Total { get; init; }
    public long Available { get; init; }
    public long InUse { get; init; }
    public long Queued { get; init; }
    public int MaxPerNode { get; init; }
}

public sealed record GpuAvailabilityResponse(
    IReadOnlyDictionary<string, GpuAvailability> Availability,
    [property: JsonConverter(typeof(PydanticDateTimeConverter))] DateTime Timestamp);
