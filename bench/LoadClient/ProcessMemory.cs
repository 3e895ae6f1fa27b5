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

    /// <summary>
    /// Where the RSS is, from /proc/&lt;pid&gt;/smaps (each mapping's resident pages): managed assemblies
    /// (.dll, mapped from disk), native code (.so: the runtime, the JIT, OpenSSL; a Native AOT program itself), JIT-compiled code and the
    /// runtime's loader heaps (the <c>doublemapper</c> memory file, which .NET uses while W^X is on), and anonymous
    /// memory (the GC heap, the native heap, thread stacks).
    /// </summary>
    public MemoryBreakdown Breakdown()
    {
        long assemblies = 0, nativeLibraries = 0, jit = 0, anonymous = 0, other = 0;
        var name = "";
        foreach (var line in File.ReadLines($"/proc/{Pid}/smaps"))
        {
            if (line.StartsWith("Rss:", StringComparison.Ordinal))
            {
                var kib = long.Parse(line["Rss:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
                if (name.Length == 0 || name is "[heap]" || name.StartsWith("[stack", StringComparison.Ordinal) || name.StartsWith("[anon", StringComparison.Ordinal))
                {
                    anonymous += kib;
                }
                else if (name.StartsWith("/memfd:doublemapper", StringComparison.Ordinal))
                {
                    jit += kib;
                }
                else if (name.EndsWith(".dll", StringComparison.Ordinal))
                {
                    assemblies += kib;
                }
                else if (name.Contains(".so", StringComparison.Ordinal) || name.EndsWith("/GpuDev.Api", StringComparison.Ordinal) || name.EndsWith("/dotnet", StringComparison.Ordinal))
                {
                    nativeLibraries += kib;
                }
                else
                {
                    other += kib;
                }
            }
            else if (IsMappingHeader(line))
            {
                // "start-end perms offset dev inode [name]": the name is the sixth field, possibly with spaces.
                var fields = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
                name = fields.Length == 6 ? fields[5].Trim() : "";
            }
        }

        return new MemoryBreakdown(assemblies / 1024.0, nativeLibraries / 1024.0, jit / 1024.0, anonymous / 1024.0, other / 1024.0);
    }

    private static bool IsMappingHeader(string line) =>
        line.Length > 0 && char.IsAsciiHexDigit(line[0]) && line.IndexOf('-', StringComparison.Ordinal) is > 0 and var dash && dash < line.IndexOf(' ', StringComparison.Ordinal);

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

/// <summary>A process's RSS by kind of memory, in MiB (see <see cref="ProcessMemory.Breakdown"/>).</summary>
public sealed record MemoryBreakdown(double AssembliesMiB, double NativeLibrariesMiB, double JitMiB, double AnonymousMiB, double OtherMiB)
{
    public double TotalMiB => AssembliesMiB + NativeLibrariesMiB + JitMiB + AnonymousMiB + OtherMiB;

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{TotalMiB:F1} MiB = assemblies (.dll) {AssembliesMiB:F1} + native code (the program, .so) {NativeLibrariesMiB:F1} + JIT code and loader heaps {JitMiB:F1} + anonymous (GC heap, native heap, stacks) {AnonymousMiB:F1} + other {OtherMiB:F1}");
}
