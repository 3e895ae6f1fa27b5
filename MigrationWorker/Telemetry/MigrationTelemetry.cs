using System.Diagnostics;
using System.Diagnostics.Metrics;
using GpuDev.MigrationWorker.Planning;

namespace GpuDev.MigrationWorker.Telemetry;

/// <summary>
/// The worker's spans (one per run, one per file) and metrics (files applied, file duration), exported
/// through ServiceDefaults (<c>AddTelemetrySources(SourceName)</c>) to the dashboard or a collector.
/// </summary>
public sealed class MigrationTelemetry
{
    public const string SourceName = "GpuDev.MigrationWorker";

    private static readonly ActivitySource Source = new(SourceName);

    private readonly Counter<long> _filesApplied;
    private readonly Histogram<double> _fileDuration;

    public MigrationTelemetry(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(SourceName);
        _filesApplied = meter.CreateCounter<long>("gpudev.migrations.files_applied", "{file}", "SQL files applied to the database.");
        _fileDuration = meter.CreateHistogram<double>("gpudev.migrations.file.duration", "s", "Time to apply one SQL file, commit included.");
    }

    public static Activity? StartRun(string migrationHash, string mode)
    {
        var activity = Source.StartActivity("migrate");
        activity?.SetTag("gpudev.migration.hash", migrationHash);
        activity?.SetTag("gpudev.migration.mode", mode);
        activity?.SetTag("db.system.name", "postgresql");
        return activity;
    }

    public static Activity? StartFile(MigrationFile file, string action)
    {
        var activity = Source.StartActivity($"migrate {file.RelativeName}");
        activity?.SetTag("gpudev.migration.file", file.Name);
        activity?.SetTag("gpudev.migration.kind", file.KindName);
        activity?.SetTag("gpudev.migration.action", action);
        activity?.SetTag("gpudev.migration.checksum", file.Checksum);
        activity?.SetTag("gpudev.migration.transactional", !file.NoTransaction);
        return activity;
    }

    public void RecordApplied(MigrationFile file, TimeSpan duration)
    {
        var kind = new KeyValuePair<string, object?>("gpudev.migration.kind", file.KindName);
        _filesApplied.Add(1, kind);
        _fileDuration.Record(duration.TotalSeconds, kind);
    }
}
