using GpuDev.Hosting.PostgreSQL;
using Microsoft.Extensions.Configuration;

namespace GpuDev.AppHost.Postgres;

/// <summary>What the probe found out about one container runtime.</summary>
/// <param name="Runtime">The runtime's command: <c>docker</c> or <c>podman</c> (or what ASPIRE_CONTAINER_RUNTIME names).</param>
/// <param name="Configured">Named by ASPIRE_CONTAINER_RUNTIME (or DcpPublisher:ContainerRuntime) rather than detected.</param>
/// <param name="Detail">Why it is not usable, or "engine answered".</param>
public sealed record ContainerRuntimeStatus(string Runtime, bool Configured, bool IsInstalled, bool IsRunning, string Detail)
{
    public bool IsUsable => IsInstalled && IsRunning;

    /// <summary>Why this runtime was chosen, for the AppHost's "PostgreSQL mode" line.</summary>
    public string Choice => Configured ? $"{Runtime}, set by ASPIRE_CONTAINER_RUNTIME" : $"{Runtime}, detected";
}

/// <summary>
/// Finds the container runtime Aspire's orchestrator (DCP) will use, by DCP's own rule: the runtime named by
/// ASPIRE_CONTAINER_RUNTIME if set; otherwise Docker and Podman are both asked (<c>container ls</c>, which
/// needs the engine), a running one wins over one that is only installed, and Docker wins a tie.
/// </summary>
public static class ContainerRuntimeProbe
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    // Where Aspire reads the runtime from: the environment variable, its older name, the configuration key.
    private static readonly string[] RuntimeSettings = ["ASPIRE_CONTAINER_RUNTIME", "DOTNET_ASPIRE_CONTAINER_RUNTIME", "DcpPublisher:ContainerRuntime"];

    /// <summary>The runtimes DCP knows, in order of preference when both are equally available.</summary>
    public static IReadOnlyList<string> KnownRuntimes { get; } = ["docker", "podman"];

    /// <summary>The runtime ASPIRE_CONTAINER_RUNTIME (or its older and configuration-file forms) names, if any.</summary>
    public static string? ConfiguredRuntime(IConfiguration configuration) =>
        RuntimeSettings
            .Select(key => configuration[key])
            .FirstOrDefault(value => !string.IsNullOrWhiteSpace(value));

    public static async Task<ContainerRuntimeStatus> FindAsync(IConfiguration configuration, CancellationToken cancellationToken = default)
    {
        if (ConfiguredRuntime(configuration) is { } configured)
        {
            return await CheckAsync(configured, configured: true, cancellationToken);
        }

        var statuses = await Task.WhenAll(KnownRuntimes.Select(runtime => CheckAsync(runtime, configured: false, cancellationToken)));
        return Best(statuses);
    }

    /// <summary>DCP's preference: running over installed over absent; among equals, the first known (Docker).</summary>
    public static ContainerRuntimeStatus Best(IReadOnlyList<ContainerRuntimeStatus> statuses) =>
        statuses.OrderByDescending(s => s.IsRunning).ThenByDescending(s => s.IsInstalled).First();

    public static async Task<ContainerRuntimeStatus> CheckAsync(string runtime, bool configured, CancellationToken cancellationToken = default)
    {
        var engine = await ProcessRunner.RunAsync(runtime, ["container", "ls", "-n", "1"], Timeout, cancellationToken);
        if (engine.Succeeded)
        {
            return new(runtime, configured, IsInstalled: true, IsRunning: true, "engine answered");
        }

        // The command ran but the engine did not answer (Docker Desktop not started, Podman machine stopped),
        // or the command itself is missing.
        var installed = (await ProcessRunner.RunAsync(runtime, ["--version"], Timeout, cancellationToken)).Succeeded;
        return installed
            ? new(runtime, configured, IsInstalled: true, IsRunning: false, $"installed, but its engine does not answer: {FirstLine(engine.Output)}")
            : new(runtime, configured, IsInstalled: false, IsRunning: false, "not installed (not found on PATH)");
    }

    private static string FirstLine(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? "no output";
}
