using System.Diagnostics;
using OpenTelemetry;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Exports database client spans only as part of traced work: under a recorded span of this process (a
/// request, a queue message, the worker's <c>migrate</c> run) or directly under a span of another process.
/// The rest, health probes (whose requests are filtered out of tracing), pool connection opens and a
/// service's periodic background statements, would each be a trace of its own, every few seconds for as long
/// as the stack runs, burying the traces that matter in the dashboard.
/// </summary>
internal sealed class UntracedDatabaseWorkFilter(IReadOnlyCollection<string> databaseSources) : BaseProcessor<Activity>
{
    public override void OnStart(Activity data)
    {
        var insideTracedWork = data.Parent is { } parent ? parent.Recorded : data.ParentSpanId != default;
        if (!insideTracedWork && databaseSources.Contains(data.Source.Name))
        {
            // The export processors skip activities that are not recorded.
            data.IsAllDataRequested = false;
            data.ActivityTraceFlags &= ~ActivityTraceFlags.Recorded;
        }
    }
}
