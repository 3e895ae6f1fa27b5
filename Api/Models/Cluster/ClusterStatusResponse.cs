using System.Text.Json.Serialization;
using GpuDev.Database.Json;

namespace GpuDev.Api.Models.Cluster;

public sealed record ClusterStatusResponse
{
    public long TotalGpus { get; init; }
    public long AvailableGpus { get; init; }
    public long InUseGpus { get; init; }
    public long QueuedGpus { get; init; }
    public long ActiveReservations { get; init; }
    public long PreparingReservations { get; init; }
    public long QueuedReservations { get; init; }
    public long PendingReservations { get; init; }
    public required IReadOnlyDictionary<string, GpuAvailability> ByGpuType { get; init; }
    [JsonConverter(typeof(PydanticDateTimeConverter))]
    public DateTime Timestamp { get; init; }
}
