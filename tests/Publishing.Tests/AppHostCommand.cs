using System.Diagnostics;
using System.Text;

namespace GpuDev.Publishing.Tests;

/// <summary>
/// Runs the built AppHost (copied beside the tests by the project reference) with command-line
/// arguments, as <c>dotnet run --project AppHost --no-build -- ...</c> would.
/// </summary>
public static class AppHostCommand
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    public static async Task<(int ExitCode, string Output)> RunAsync(IEnumerable<string> arguments, IDictionary<string, string>? environment = null)
    {
        var startInfo = new ProcessStartInfo("dotnet")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = RepositoryFiles.Root,
        };
        startInfo.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "GpuDev.AppHost.dll"));
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            startInfo.Environment[name] = value;
        }

        var output = new StringBuilder();
        using var process = new Process { StartInfo = startInfo };
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var cancellation = new CancellationTokenSource(Timeout);
        try
        {
            await process.WaitForExitAsync(cancellation.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"The AppHost did not exit within {Timeout}: {output}");
        }

        return (process.ExitCode, Captured(output));
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.AppendLine(line);
        }
    }

    private static string Captured(StringBuilder output)
    {
        lock (output)
        {
            return output.ToString();
        }
    }
}
