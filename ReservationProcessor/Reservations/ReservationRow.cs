namespace GpuDev.ReservationProcessor.Reservations;

/// <summary>The columns of a reservation the processor decides on (read with FOR UPDATE).</summary>
public sealed record ReservationRow
{
    public required string ReservationId { get; init; }
    public required string UserId { get; init; }
    public required string Status { get; init; }
    public string? GpuType { get; init; }
    public int? GpuCount { get; init; }
    public double DurationHours { get; init; }
    public DateTime? LaunchedAt { get; init; }
    public DateTime? ExpiresAt { get; init; }
    public string? PodName { get; init; }
    public string? MasterReservationId { get; init; }

    /// <summary>Entries in status_history: zero until the processor has handled the create message.</summary>
    public int HistoryLength { get; init; }
}
