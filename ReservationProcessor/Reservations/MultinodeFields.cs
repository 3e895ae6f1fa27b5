using System.Text.Json.Serialization;

namespace GpuDev.ReservationProcessor.Reservations;

/// <summary>
/// The fields production's processor reads from a multinode create_reservation (one message per node). Production's
/// API never writes them, so they live here, consumer-side, and not in the shared wire contract.
/// </summary>
public sealed record MultinodeFields
{
    [JsonPropertyName("is_multinode")]
    public bool IsMultinode { get; init; }

    [JsonPropertyName("master_reservation_id")]
    public string? MasterReservationId { get; init; }

    [JsonPropertyName("node_index")]
    public int NodeIndex { get; init; }

    [JsonPropertyName("total_nodes")]
    public int TotalNodes { get; init; } = 1;
}
