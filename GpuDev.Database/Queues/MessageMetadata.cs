using System.Text.Json.Serialization;
using GpuDev.Database.Json;

namespace GpuDev.Database.Queues;

/// <summary>
/// The <c>_metadata</c> object production's API puts in every queue message: how often the message has been
/// retried and how often it may be. Consumers read <c>max_retries</c> from here.
/// </summary>
public sealed record MessageMetadata
{
    [JsonPropertyName("retry_count")]
    public int RetryCount { get; init; }

    [JsonPropertyName("created_at")]
    [JsonConverter(typeof(IsoFormatTimestampConverter))]
    public required DateTimeOffset CreatedAt { get; init; }

    [JsonPropertyName("max_retries")]
    public required int MaxRetries { get; init; }
}
