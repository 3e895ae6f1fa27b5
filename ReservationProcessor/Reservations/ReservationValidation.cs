using System.Globalization;
using GpuDev.Database.Queues;
using GpuDev.ReservationProcessor.Cluster;

namespace GpuDev.ReservationProcessor.Reservations;

/// <summary>Production's checks on a create_reservation: CLI version, GPU type, GPU count, duration.</summary>
public static class ReservationValidation
{
    private static readonly int[] GpuCounts = [1, 2, 4, 8, 16];

    /// <summary>Null when the CLI is new enough; otherwise the upgrade message the user sees as failure_reason.</summary>
    public static string? CheckCliVersion(string? version, string minimum)
    {
        const string upgrade = "Upgrade with: python3 -m pip install --upgrade \"git+https://github.com/wdvr/osdc.git\"";
        if (string.IsNullOrWhiteSpace(version))
        {
            return $"Your gpu-dev CLI sent no version, so it is older than {minimum} and no longer supported. {upgrade}";
        }

        return Compare(Parse(version), Parse(minimum)) < 0
            ? $"Your gpu-dev CLI version {version} is outdated; the minimum is {minimum}. {upgrade}"
            : null;
    }

    /// <summary>Null when valid; otherwise what is wrong and how to fix it.</summary>
    public static string? CheckRequest(CreateReservationMessage request, GpuTypeCapacity? type, IReadOnlyCollection<string> knownTypes, double maxHours)
    {
        if (type is null)
        {
            return $"Unsupported GPU type: {request.GpuType}. Supported types: {string.Join(", ", knownTypes)}";
        }

        if (request.GpuType.StartsWith("cpu-", StringComparison.Ordinal))
        {
            if (request.GpuCount != 0)
            {
                return $"CPU instances (gpu_type: {request.GpuType}) must have gpu_count=0, got {request.GpuCount}";
            }
        }
        else if (!GpuCounts.Contains(request.GpuCount))
        {
            return $"Invalid GPU count: {request.GpuCount}. Must be one of: {string.Join(", ", GpuCounts)}";
        }

        if (request.DurationHours <= 0)
        {
            return $"Duration must be positive, got {request.DurationHours.ToString(CultureInfo.InvariantCulture)} hours";
        }

        return request.DurationHours > maxHours
            ? $"Duration exceeds maximum: {request.DurationHours.ToString(CultureInfo.InvariantCulture)} > {maxHours.ToString(CultureInfo.InvariantCulture)} hours"
            : null;
    }

    // Production compares dotted integers; an unparsable version counts as 0.0.0.
    private static int[] Parse(string version)
    {
        var parts = version.Split('.');
        var numbers = new int[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out numbers[i]))
            {
                return [0, 0, 0];
            }
        }

        return numbers;
    }

    private static int Compare(int[] left, int[] right)
    {
        for (var i = 0; i < Math.Max(left.Length, right.Length); i++)
        {
            var difference = (i < left.Length ? left[i] : -1).CompareTo(i < right.Length ? right[i] : -1);
            if (difference != 0)
            {
                return difference;
            }
        }

        return 0;
    }
}
