namespace GpuDev.Database;

/// <summary>The lifecycle of a reservation (reservations.status).</summary>
public static class ReservationStatuses
{
    public const string Queued = "queued";
    public const string Pending = "pending";
    public const string Preparing = "preparing";
    public const string Active = "active";
    public const string Cancelled = "cancelled";
    public const string Expired = "expired";
    public const string Failed = "failed";

    public static IReadOnlyList<string> All { get; } = [Queued, Pending, Preparing, Active, Cancelled, Expired, Failed];

    public static IReadOnlyList<string> Live { get; } = [Queued, Pending, Preparing, Active];
}
