namespace GpuDev.ReservationProcessor.Queues;

/// <summary>
/// What handling a message did, for the consumer: the GPU types whose capacity or queue changed (the simulated
/// cluster re-evaluates them after the commit) and a short outcome for metrics and the trace.
/// </summary>
public sealed record MessageOutcome(string Result, IReadOnlyCollection<string> AffectedGpuTypes)
{
    public static MessageOutcome Done(string result, params string?[] gpuTypes) =>
        new(result, gpuTypes.Where(t => !string.IsNullOrEmpty(t)).Select(t => t!).Distinct().ToArray());
}

/// <summary>A message that can never be processed (unreadable, wrong shape, unknown action): archived at once, not retried.</summary>
public sealed class PoisonMessageException(string reason, Exception? inner = null) : Exception(reason, inner);
