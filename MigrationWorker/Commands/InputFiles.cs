using GpuDev.MigrationWorker.Cli;
using GpuDev.MigrationWorker.Execution;
using GpuDev.MigrationWorker.Planning;
using GpuDev.MigrationWorker.Validation;
using Microsoft.Extensions.Logging;

namespace GpuDev.MigrationWorker.Commands;

/// <summary>Pre-flight for every mode that reads the files: warnings are logged, errors stop the run before any connection.</summary>
internal static class InputFiles
{
    public static MigrationSet LoadOrThrow(string path, ILogger logger)
    {
        var result = MigrationFileLoader.Load(path);
        foreach (var warning in result.Warnings)
        {
            logger.LogWarning("{Warning}", warning);
        }

        if (result.Set is null)
        {
            throw new MigrationException(
                ExitCodes.InvalidInput,
                $"The migration files in {path} have {result.Errors.Count} problem(s); nothing was sent to the database:\n  " + string.Join("\n  ", result.Errors));
        }

        return result.Set;
    }
}
