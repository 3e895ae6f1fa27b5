using Microsoft.Extensions.Logging;

namespace GpuDev.Hosting.Kubernetes;

/// <summary>
/// Aspire 13.6 logs a failed pipeline step (its own image build or push, or this library's) and still
/// returns from <c>RunAsync</c> normally, so <c>--operation publish</c> exits 0 after failing. Registered in
/// publish mode only, this logger turns any error the pipeline logs into a non-zero exit code, so a
/// script or CI job can tell.
/// </summary>
public sealed class PublishFailureExitCode : ILoggerProvider
{
    private static readonly string[] PipelineCategories = ["Aspire.Hosting.Publishing", "Aspire.Hosting.Pipelines"];

    public ILogger CreateLogger(string categoryName) =>
        PipelineCategories.Any(c => categoryName.StartsWith(c, StringComparison.Ordinal)) ? new ErrorWatcher() : NoErrors.Instance;

    public void Dispose()
    {
    }

    private sealed class ErrorWatcher : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Error;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel >= LogLevel.Error)
            {
                Environment.ExitCode = 1;
            }
        }
    }

    private sealed class NoErrors : ILogger
    {
        public static readonly NoErrors Instance = new();

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => false;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
        }
    }
}
