using System.Diagnostics;
using System.Text;
using GpuDev.Database;

namespace GpuDev.MigrationWorker.Tests;

/// <summary>The outcome of one worker process.</summary>
public sealed record WorkerResult(int ExitCode, string Output)
{
    public override string ToString() => $"exit code {ExitCode}, output:\n{Output}";
}

/// <summary>
/// The built worker (<c>dotnet GpuDev.MigrationWorker.dll</c>) run as a child process, exactly as the
/// AppHost or a Kubernetes Job runs it: real command line, real exit code, stdout and stderr combined.
/// </summary>
public sealed class WorkerProcess : IDisposable
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(2);

    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly Lock _gate = new();

    private WorkerProcess(Process process) => _process = process;

    public static string WorkerDll { get; } = FindWorkerDll();

    public string Output
    {
        get
        {
            lock (_gate)
            {
                return _output.ToString();
            }
        }
    }

    public static async Task<WorkerResult> RunAsync(IEnumerable<string> args, IDictionary<string, string>? environment = null)
    {
        using var worker = Start(args, environment);
        return await worker.WaitForExitAsync(DefaultTimeout);
    }

    public static WorkerProcess Start(IEnumerable<string> args, IDictionary<string, string>? environment = null)
    {
        var startInfo = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        startInfo.ArgumentList.Add(WorkerDll);
        foreach (var arg in args)
        {
            startInfo.ArgumentList.Add(arg);
        }

        // Nothing from the test runner's environment may point the worker elsewhere.
        startInfo.Environment.Remove(SettingNames.DatabaseConnectionString);
        startInfo.Environment.Remove(SettingNames.MigrationsPath);
        startInfo.Environment.Remove("OTEL_EXPORTER_OTLP_ENDPOINT");
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            startInfo.Environment[key] = value;
        }

        var process = new Process { StartInfo = startInfo };
        var worker = new WorkerProcess(process);
        process.OutputDataReceived += (_, e) => worker.Append(e.Data);
        process.ErrorDataReceived += (_, e) => worker.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return worker;
    }

    public async Task<WorkerResult> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            throw new TimeoutException($"The worker did not exit within {timeout}. Output so far:\n{Output}");
        }

        return new WorkerResult(_process.ExitCode, Output);
    }

    /// <summary>Waits until the worker has printed a line matching <paramref name="match"/>.</summary>
    public async Task WaitForOutputAsync(Func<string, bool> match, TimeSpan timeout)
    {
        await Eventually.WaitUntilAsync(() =>
        {
            if (_process.HasExited && !match(Output))
            {
                throw new InvalidOperationException($"The worker exited (code {_process.ExitCode}) before printing what the test waits for. Output:\n{Output}");
            }

            return Task.FromResult(match(Output));
        }, timeout, () => $"worker output to match; output so far:\n{Output}");
    }

    public bool HasExited => _process.HasExited;

    /// <summary>SIGKILL: no chance to clean up, as when a node dies or the OOM killer strikes.</summary>
    public void KillHard() => _process.Kill();

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_gate)
        {
            _output.AppendLine(line);
        }
    }

    private static string FindWorkerDll() =>
        File.Exists(RepositoryFiles.MigrationWorkerDll)
            ? RepositoryFiles.MigrationWorkerDll
            : throw new InvalidOperationException($"The worker is not built at {RepositoryFiles.MigrationWorkerDll}; build tests/MigrationWorker.Tests (it references the worker).");
}
