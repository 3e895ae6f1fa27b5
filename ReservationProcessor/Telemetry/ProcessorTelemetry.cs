using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace GpuDev.ReservationProcessor.Telemetry;

/// <summary>The processor's activity source and instruments (exported through ServiceDefaults' OpenTelemetry).</summary>
public sealed class ProcessorTelemetry : IDisposable
{
    public const string Name = "GpuDev.ReservationProcessor";

    private readonly Meter _meter;
    private readonly Dictionary<string, long> _queueDepth = [];
    private readonly Lock _depthLock = new();

    public ProcessorTelemetry(IMeterFactory meterFactory)
    {
        _meter = meterFactory.Create(Name);
        TimeInQueue = _meter.CreateHistogram<double>("gpudev.processor.time_in_queue", "s",
            "Time from a message's enqueue to the start of its processing.");
        TimeToActive = _meter.CreateHistogram<double>("gpudev.processor.time_to_active", "s",
            "Time from a reservation's submission to its becoming active.");
        Failures = _meter.CreateCounter<long>("gpudev.processor.failures", "{failure}",
            "Reservations and disk operations that failed, and messages archived as unprocessable.");
        Messages = _meter.CreateCounter<long>("gpudev.processor.messages", "{message}",
            "Messages handled, by queue, action and outcome.");
        _meter.CreateObservableGauge("gpudev.processor.queue_depth", ObserveDepth, "{message}",
            "Messages waiting on each queue, as of the last scheduler tick.");
    }

    public static ActivitySource Source { get; } = new(Name);

    public Histogram<double> TimeInQueue { get; }

    public Histogram<double> TimeToActive { get; }

    public Counter<long> Failures { get; }

    public Counter<long> Messages { get; }

    public void RecordQueueDepth(string queue, long depth)
    {
        lock (_depthLock)
        {
            _queueDepth[queue] = depth;
        }
    }

    private IEnumerable<Measurement<long>> ObserveDepth()
    {
        lock (_depthLock)
        {
            return _queueDepth.Select(pair => new Measurement<long>(pair.Value, new KeyValuePair<string, object?>("queue", pair.Key))).ToList();
        }
    }

    public void Dispose() => _meter.Dispose();
}
