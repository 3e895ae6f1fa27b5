using System.ComponentModel.DataAnnotations;

namespace GpuDev.ReservationProcessor;

/// <summary>How the processor reads PGMQ (production's poller settings, named after its environment variables).</summary>
public sealed class QueueOptions
{
    public const string SectionName = "Queues";

    /// <summary>Production's VISIBILITY_TIMEOUT_SECONDS: how long a read message stays invisible to other readers.</summary>
    [Range(1, 86400)]
    public int VisibilityTimeoutSeconds { get; set; } = 300;

    /// <summary>Production's BATCH_SIZE: messages per read.</summary>
    [Range(1, 1000)]
    public int BatchSize { get; set; } = 10;

    /// <summary>Production's POLL_INTERVAL_SECONDS: how long one read waits for a message before returning empty.</summary>
    [Range(1, 60)]
    public int PollSeconds { get; set; } = 5;

    /// <summary>How often the server re-checks the queue while a read waits (pgmq.read_with_poll).</summary>
    [Range(10, 10000)]
    public int PollIntervalMilliseconds { get; set; } = 100;

    /// <summary>Attempts when a message carries no <c>_metadata.max_retries</c> (production's MAX_RETRIES).</summary>
    [Range(1, 100)]
    public int MaxRetries { get; set; } = 3;
}

/// <summary>Rules production's processor applies to a create_reservation request.</summary>
public sealed class ReservationRulesOptions
{
    public const string SectionName = "Reservations";

    /// <summary>Production's MIN_CLI_VERSION: creates from older CLIs fail with an upgrade message.</summary>
    [Required]
    public string MinCliVersion { get; set; } = "0.3.5";

    /// <summary>Production's MAX_RESERVATION_HOURS (its chart's maxReservationHours).</summary>
    [Range(1, 10000)]
    public double MaxReservationHours { get; set; } = 168;

    /// <summary>An extension may not take a reservation past this many hours after its launch (production: 48).</summary>
    [Range(1, 10000)]
    public double MaxTotalHours { get; set; } = 48;
}

/// <summary>The simulated cluster that stands in for production's Kubernetes nodes and pods.</summary>
public sealed class SimulatedClusterOptions
{
    public const string SectionName = "SimulatedCluster";

    /// <summary>Time a reservation spends <c>pending</c> before it is placed (production: the availability check).</summary>
    [Range(0, 3600)]
    public double PendingSeconds { get; set; } = 2;

    /// <summary>Time a reservation spends <c>preparing</c> (production: SSH keys, disk, pod start).</summary>
    [Range(0, 3600)]
    public double PreparingSeconds { get; set; } = 3;

    /// <summary>How often the cluster advances delayed reservations, starts queued ones and expires old ones.</summary>
    [Range(10, 60000)]
    public int TickMilliseconds { get; set; } = 1000;
}
