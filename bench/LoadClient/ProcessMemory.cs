using System.Globalization;

namespace GpuDev.Bench.LoadClient;

/// <summary>
/// The resident set size (RSS) of one process, read from Linux's /proc: what the operating system
/// charges the service, as <c>ps</c>, <c>top</c> and a container's memory limit see it.
/// </summary>
public sealed class ProcessMemory(int pid)
{
    public int Pid { get; } = pid;

    /// <summary>
    /// The process named <paramref name="programName"/> at or below <paramref name="rootPid"/>: the resource's
    /// process is the program itself, or a launcher (<c>dotnet run</c>) whose child it is.
    /// </summary>
    public static ProcessMemory Find(int rootPid, string programName)
    {
        var queue = new Queue<int>([rootPid]);
        while (queue.TryDequeue(out var pid))
        {
            if (Comm(pid) == programName[..Math.Min(programName.Length, 15)])
            {
                return new ProcessMemory(pid);
            }

            foreach (var child in Children(pid))
            {
                queue.Enqueue(child);
            }
        }

        throw new InvalidOperationException($"No process '{programName}' at or below pid {rootPid} (is /proc readable?).");
    }

    /// <summary>RSS in MiB now.</summary>
    public double RssMiB()
    {
        var line = File.ReadLines($"/proc/{Pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        var kib = long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
        return kib / 1024.0;
    }

    /// <summary>Samples RSS every <paramref name="interval"/> while <paramref name="work"/> runs; returns its result and the peak.</summary>
    public async Task<(T Result, double PeakMiB)> PeakDuringAsync<T>(Func<Task<T>> work, TimeSpan interval)
    {
        var peak = RssMiB();
        using var stop = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(interval);
            while (await timer.WaitForNextTickAsync(stop.Token).ConfigureAwait(false))
            {
                peak = Math.Max(peak, RssMiB());
            }
        });
        try
        {
            var result = await work();
            return (result, Math.Max(peak, RssMiB()));
        }
        finally
        {
            await stop.CancelAsync();
            try
            {
                await sampler;
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    private static string? Comm(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/comm").TrimEnd('\n');
        }
        catch (IOException)
        {
            return null;
        }
    }

    // Every thread may start a child, so the children are found by their parent id in /proc/<pid>/stat.
    private static IEnumerable<int> Children(int pid)
    {
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var candidate))
            {
                continue;
            }

            string stat;
            try
            {
                stat = File.ReadAllText(Path.Combine(directory, "stat"));
            }
            catch (IOException)
            {
                continue;
            }

            // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so parse after the last ')'.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            if (int.Parse(fields[1], CultureInfo.InvariantCulture) == pid)
            {
                yield return candidate;
            }
        }
    }
}
