using System.Text.Json.Serialization;
using GpuDev.Database.Json;

namespace GpuDev.Database.Queues;

/// <summary>
/// The <c>create_reservation</c> message on <c>gpu_reservations</c>, field for field as production's API writes
/// it (the reservation processor reads it). Property names are explicit: they are the wire contract.
/// </summary>
public sealed record CreateReservationMessage
{
    /// <summary>The version production's API stamps on every create (its processor refuses older CLIs).</summary>
    public const string CurrentCliVersion = "0.4.0";

    [JsonPropertyName("action")]
    public string Action { get; init; } = ReservationActions.CreateReservation;

    [JsonPropertyName("job_id")]
    public required string JobId { get; init; }

    [JsonPropertyName("reservation_id")]
    public required string ReservationId { get; init; }

    [JsonPropertyName("user_id")]
    public required string UserId { get; init; }

    [JsonPropertyName("username")]
    public required string Username { get; init; }

    [JsonPropertyName("gpu_type")]
    public required string GpuType { get; init; }

    [JsonPropertyName("gpu_count")]
    public required int GpuCount { get; init; }

    [JsonPropertyName("github_user")]
    public required string GithubUser { get; init; }

    [JsonPropertyName("jupyter_enabled")]
    public bool JupyterEnabled { get; init; }

    /// <summary>The pod name: <c>POD_NAME</c> from the env vars, else <c>gpu-dev-</c> and the id's first 8 characters.</summary>
    [JsonPropertyName("name")]
    public required string Name { get; init; }

    /// <summary>The CLI version the processor checks against its minimum.</summary>
    [JsonPropertyName("version")]
    public required string Version { get; init; }

    [JsonPropertyName("dockerimage")]
    public string? Dockerimage { get; init; }

    [JsonPropertyName("instance_type")]
    public string? InstanceType { get; init; }

    /// <summary>Whole hours: production's request model declares an int.</summary>
    [JsonPropertyName("duration_hours")]
    public required int DurationHours { get; init; }

    [JsonPropertyName("disk_name")]
    public string? DiskName { get; init; }

    [JsonPropertyName("disk_size_gb")]
    public int? DiskSizeGb { get; init; }

    /// <summary>The request's env_vars as sent (an empty object when the request had none).</summary>
    [JsonPropertyName("env_vars")]
    public IReadOnlyDictionary<string, string>? EnvVars { get; init; }

    [JsonPropertyName("command")]
    public string? Command { get; init; }

    [JsonPropertyName("submitted_at")]
    [JsonConverter(typeof(IsoFormatTimestampConverter))]
    public required DateTimeOffset SubmittedAt { get; init; }

    [JsonPropertyName("created_at")]
    [JsonConverter(typeof(IsoFormatTimestampConverter))]
    public required DateTimeOffset CreatedAt { get; init; }

    [JsonPropertyName("status")]
    public string Status { get; init; } = ReservationStatuses.Queued;

    [JsonPropertyName("_metadata")]
    public required MessageMetadata Metadata { get; init; }
}

/// <summary>
/// An action on an existing reservation on <c>gpu_reservations</c> (cancel, extend, enable/disable Jupyter,
/// add_user), as production's API writes it. These carry no <c>version</c>.
/// </summary>
public sealed record ReservationActionMessage
{
    [JsonPropertyName("action")]
    public required string Action { get; init; }

    [JsonPropertyName("job_id")]
    public required string JobId { get; init; }

    [JsonPropertyName("reservation_id")]
    public required string ReservationId { get; init; }

    [JsonPropertyName("user_id")]
    public required string UserId { get; init; }

    [JsonPropertyName("username")]
    public required string Username { get; init; }

    /// <summary>Only on <c>extend</c>; whole hours (production's request model declares an int).</summary>
    [JsonPropertyName("extension_hours")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? ExtensionHours { get; init; }

    /// <summary>Only on <c>add_user</c>.</summary>
    [JsonPropertyName("github_username")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? GithubUsername { get; init; }

    [JsonPropertyName("requested_at")]
    [JsonConverter(typeof(IsoFormatTimestampConverter))]
    public required DateTimeOffset RequestedAt { get; init; }

    [JsonPropertyName("_metadata")]
    public required MessageMetadata Metadata { get; init; }
}

/// <summary>The <c>action</c> values on <c>gpu_reservations</c>.</summary>
public static class ReservationActions
{
    public const string CreateReservation = "create_reservation";
    public const string Cancel = "cancel";
    public const string Extend = "extend";
    public const string EnableJupyter = "enable_jupyter";
    public const string DisableJupyter = "disable_jupyter";
    public const string AddUser = "add_user";
}
