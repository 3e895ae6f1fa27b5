using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace GpuDev.Integration.Tests;

/// <summary>
/// What the AppHost's own loggers write (its console under <c>dotnet run</c>). The testing builder also
/// forwards every resource's log to loggers named after the resource; those lines are left out.
/// </summary>
internal sealed class CollectingLoggerProvider : ILoggerProvider
{
    private const string AppHostCategory = "GpuDev.AppHost";

    // The hosting integration logs to the AppHost's console under its own categories.
    private const string HostingCategoryPrefix = "GpuDev.Hosting.";
    private readonly ConcurrentQueue<string> _lines = new();

    public IEnumerable<string> AppHostLines => _lines;

    public ILogger CreateLogger(string categoryName) => categoryName == AppHostCategory || categoryName.StartsWith(HostingCategoryPrefix, StringComparison.Ordinal) ? new Collector(_lines) : NullLogger.Instance;

    public void Dispose()
    {
    }

    private sealed class Collector(ConcurrentQueue<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            lines.Enqueue(formatter(state, exception));
    }
}
