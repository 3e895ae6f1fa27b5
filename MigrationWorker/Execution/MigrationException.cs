namespace GpuDev.MigrationWorker.Execution;

/// <summary>A failure with a message written for the person running the worker, and the exit code it maps to.</summary>
public sealed class MigrationException(int exitCode, string message, Exception? innerException = null)
    : Exception(message, innerException)
{
    public int ExitCode { get; } = exitCode;
}
