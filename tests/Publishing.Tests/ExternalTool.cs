using System.Diagnostics;
using System.Text;

namespace GpuDev.Publishing.Tests;

/// <summary>Runs a program the checks need (kubectl, the schema validator, dotnet msbuild) and returns its exit code and output.</summary>
public static class ExternalTool
{
    public static (int ExitCode, string Output) Run(string program, params string[] arguments)
    {
        var startInfo = new ProcessStartInfo(program)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = RepositoryFiles.Root,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        using var process = Process.Start(startInfo)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, new StringBuilder(stdout).Append(stderr.Result).ToString());
    }

    /// <summary>The path of <paramref name="program"/> on PATH, or null.</summary>
    public static string? Find(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, program))
            .FirstOrDefault(File.Exists);
}
