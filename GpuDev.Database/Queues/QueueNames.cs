namespace GpuDev.Database.Queues;

/// <summary>The PGMQ queues the control plane uses (production's names).</summary>
public static class QueueNames
{
    /// <summary>Reservation actions: create_reservation, cancel, extend, add_user, jupyter on/off.</summary>
    public const string GpuReservations = "gpu_reservations";

    /// <summary>Disk actions: create, delete, snapshot.</summary>
    public const string DiskOperations = "disk_operations";

    public static IReadOnlyList<string> All { get; } = [GpuReservations, DiskOperations];
}
