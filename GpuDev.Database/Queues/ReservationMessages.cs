namespace GpuDev.Database.Queues;

/// <summary>The <c>create_reservation</c> message the reservation processor reads from <c>gpu_reservations</c>.</summary>
public sealed record CreateReservationMessage
{
    public string Action { get; } = "create_reservation";
    public required string JobId { get; init; }
    public required string ReservationId { get; init; }
    public required string UserId { get; init; }
    public required string Username { get; init; }
    public required string GpuType { get; init; }
    public required int GpuCount { get; init; }
    public required string InstanceType { get; init; }
    public required string Dockerimage { get; init; }
    public required double DurationHours { get; init; }
    public string? DiskName { get; init; }
    public int? DiskSizeGb { get; init; }
    public required IReadOnlyDictionary<string, string> EnvVars { get; init; }
    public string? Command { get; init; }
    public string? Name { get; init; }
    public string? GithubUser { get; init; }
    public string? PodName { get; init; }
    public bool JupyterEnabled { get; init; }
    public required DateTime SubmittedAt { get; init; }
    public string Status { get; } = GpuDev.Database.ReservationStatuses.Queued;
    public int RetryCount { get; init; } // 0: a new message has not been retried yet
    public required int MaxRetries { get; init; }
}

/// <summary>An action on an existing reservation (cancel, extend, add_user, enable/disable jupyter).</summary>
public sealed record ReservationActionMessage
{
    public required string Action { get; init; }
    public required string JobId { get; init; }
    public required string ReservationId { get; init; }
    public required string UserId { get; init; }
    public required string Username { get; init; }
    public double? ExtensionHours { get; init; }
    public string? GithubUsername { get; init; }
    public required DateTime RequestedAt { get; init; }
    public int RetryCount { get; init; } // 0: a new message has not been retried yet
    public required int MaxRetries { get; init; }
}
