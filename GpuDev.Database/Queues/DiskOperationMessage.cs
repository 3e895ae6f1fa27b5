using System.Text.Json.Serialization;
using GpuDev.Database.Json;

namespace GpuDev.Database.Queues;

/// <summary>A message on <c>disk_operations</c> (create_disk, delete_disk), as production's API writes it.</summary>
public sealed record DiskOperationMessage
{
    [JsonPropertyName("action")]
    public required string Action { get; init; }

    [JsonPropertyName("operation_id")]
    public required string OperationId { get; init; }

    [JsonPropertyName("user_id")]
    public required string UserId { get; init; }

    [JsonPropertyName("disk_name")]
    public required string DiskName { get; init; }

    /// <summary>
    /// Only on <c>create_disk</c>, where it is always present: null when the user named no size (the processor
    /// then uses its default). <see cref="QueueMessageJson.Options"/> leaves it out of <c>delete_disk</c>.
    /// </summary>
    [JsonPropertyName("size_gb")]
    public int? SizeGb { get; init; }

    /// <summary>Only on <c>delete_disk</c>: the day the disk is removed (<c>yyyy-MM-dd</c>).</summary>
    [JsonPropertyName("delete_date")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? DeleteDate { get; init; }

    [JsonPropertyName("requested_at")]
    [JsonConverter(typeof(IsoFormatTimestampConverter))]
    public required DateTimeOffset RequestedAt { get; init; }

    [JsonPropertyName("_metadata")]
    public required MessageMetadata Metadata { get; init; }
}

/// <summary>The <c>action</c> values on <c>disk_operations</c>.</summary>
public static class DiskActions
{
    public const string CreateDisk = "create_disk";
    public const string DeleteDisk = "delete_disk";
}
