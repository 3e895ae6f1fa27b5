using System.Diagnostics;

namespace GpuDev.Integration.Tests;

/// <summary>Finds PostgreSQL server processes by the data directory on their command line (Linux /proc).</summary>
internal static class PostgresProcesses
{
    public static IReadOnlyList<int> Using(string dataDirectory)
    {
        var pids = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
            {
                continue;
            }

            try
            {
                var commandLine = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ');
                if (commandLine.Contains("postgres", StringComparison.Ordinal) && commandLine.Contains(dataDirectory, StringComparison.Ordinal))
                {
                    pids.Add(pid);
                }
            }
            catch (IOException)
            {
                // The process ended while we looked.
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        return pids;
    }

    /// <summary>Polls until no server uses the directory, or the timeout passes; returns what is left.</summary>
    public static async Task<IReadOnlyList<int>> WaitUntilNoneUseAsync(string dataDirectory, TimeSpan timeout)
    {
        try
        {
            return await Eventually.ResultAsync(() => Task.FromResult(Using(dataDirectory)), left => left.Count == 0, timeout, () => $"no server on {dataDirectory}");
        }
        catch (TimeoutException)
        {
            return Using(dataDirectory);
        }
    }
}
