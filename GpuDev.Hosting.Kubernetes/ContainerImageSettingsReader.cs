using System.Diagnostics;
using System.Text.Json;

namespace GpuDev.Hosting.Kubernetes;

/// <summary>
/// Reads each project's container image settings the way <c>dotnet publish -t:PublishContainer</c> will
/// see them, by evaluating the project with MSBuild (<c>dotnet msbuild -getProperty</c>), so the names in
/// the YAML are the names the SDK builds and pushes: the project file is the only place they are written.
/// </summary>
public static class ContainerImageSettingsReader
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    public static async Task<IReadOnlyDictionary<string, ContainerImageSettings>> ReadAsync(
        IReadOnlyDictionary<string, string> projectPaths, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(projectPaths);
        var reads = projectPaths.Select(async p => (Resource: p.Key, Settings: await ReadAsync(p.Key, p.Value, cancellationToken).ConfigureAwait(false)));
        return (await Task.WhenAll(reads).ConfigureAwait(false)).ToDictionary(r => r.Resource, r => r.Settings, StringComparer.Ordinal);
    }

    public static async Task<ContainerImageSettings> ReadAsync(string resourceName, string projectPath, CancellationToken cancellationToken = default)
    {
        var startInfo = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "msbuild", projectPath, "-nologo", "-getProperty:ContainerRepository", "-getProperty:ContainerImageTag", "-getProperty:ContainerUser" })
        {
            startInfo.ArgumentList.Add(argument);
        }

        string output;
        string errors;
        int exitCode;
        try
        {
            using var process = Process.Start(startInfo) ?? throw new InvalidOperationException("dotnet did not start");
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(Timeout);
            var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
            var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            (output, errors, exitCode) = (await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false), process.ExitCode);
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or OperationCanceledException or InvalidOperationException)
        {
            throw new InvalidOperationException(
                $"Could not evaluate {projectPath} for the image of '{resourceName}' ({e.Message}): publish with the .NET SDK on PATH, or give the image with --Kubernetes:Images:{resourceName} <registry/repository:tag>.", e);
        }

        if (exitCode != 0)
        {
            throw new InvalidOperationException(
                $"'dotnet msbuild {projectPath} -getProperty:ContainerRepository' failed ({FirstLine(errors + output)}): fix the project, or give the image with --Kubernetes:Images:{resourceName} <registry/repository:tag>.");
        }

        var properties = JsonDocument.Parse(output).RootElement.GetProperty("Properties");
        var repository = properties.GetProperty("ContainerRepository").GetString();
        var tag = properties.GetProperty("ContainerImageTag").GetString();
        if (string.IsNullOrEmpty(repository) || string.IsNullOrEmpty(tag))
        {
            throw new InvalidOperationException(
                $"{projectPath} sets no ContainerRepository or ContainerImageTag: add them to the project (see GpuDev.Hosting.Kubernetes/README.md), or give the image with --Kubernetes:Images:{resourceName}.");
        }

        var user = properties.GetProperty("ContainerUser").GetString();
        return new ContainerImageSettings(repository, tag, string.IsNullOrEmpty(user) ? null : user);
    }

    private static string FirstLine(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? "no output";
}
