using System.Diagnostics;
using OpenTelemetry;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Keeps database client spans that belong to no traced work out of the export: health probes (their
/// requests are not traced), pool connection opens, a service's periodic background statements. Each would
/// otherwise be a root trace of its own, every few seconds for as long as the stack runs, burying the
/// requests, messages and migration runs in the dashboard. A database span under a request, a queue
/// message or the worker's <c>migrate</c> span, local or continued from another process, is exported as before.
/// </summary>
internal sealed class UntracedDatabaseWorkFilter(IReadOnlyCollection<string> databaseSources) : BaseProcessor<Activity>
{
    public override void OnStart(Activity data)
    {
        if (data.Parent is null && data.ParentSpanId == default && databaseSources.Contains(data.Source.Name))
        {
            // The export processors skip activities that are not recorded.
            data.IsAllDataRequested = false;
            data.ActivityTraceFlags &= ~ActivityTraceFlags.Recorded;
        }
    }
}
