using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;

namespace GpuDev.MigrationWorker.Hosting;

/// <summary>
/// Console output as production's migration job prints it: the message alone, no category or level
/// prefix except "warning:"/"error:". Structured logs still reach OpenTelemetry with every property.
/// </summary>
public sealed class PlainConsoleFormatter() : ConsoleFormatter(Name)
{
    public new const string Name = "plain";

    public override void Write<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        var message = logEntry.Formatter(logEntry.State, logEntry.Exception);
        var prefix = logEntry.LogLevel switch
        {
            LogLevel.Warning => "warning: ",
            >= LogLevel.Error => "error: ",
            _ => string.Empty,
        };
        textWriter.WriteLine(prefix + message);
    }
}
