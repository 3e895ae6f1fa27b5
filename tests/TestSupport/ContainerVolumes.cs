using GpuDev.AppHost.Postgres;
using GpuDev.Hosting.PostgreSQL;
using Microsoft.Extensions.Configuration;

namespace GpuDev.Tests.Support;

/// <summary>Container-mode tests' data volumes, through the container runtime the AppHost uses.</summary>
public static class ContainerVolumes
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(30);

    // The runtime DCP runs the containers with (ASPIRE_CONTAINER_RUNTIME, else Docker, then Podman).
    private static readonly Lazy<Task<ContainerRuntimeStatus>> Runtime = new(
        () => ContainerRuntimeProbe.FindAsync(new ConfigurationBuilder().AddEnvironmentVariables().Build()));

    public static async Task<string> RuntimeAsync() => (await Runtime.Value).Runtime;

    /// <summary>Runs the container runtime's CLI, e.g. <c>volume inspect NAME</c>.</summary>
    public static async Task<ProcessResult> RunAsync(params string[] arguments) =>
        await ProcessRunner.RunAsync(await RuntimeAsync(), arguments, CommandTimeout);

    public static async Task<bool> ExistsAsync(string volume) => (await RunAsync("volume", "inspect", volume)).Succeeded;

    /// <summary>
    /// Removes the volume once no container uses it any more (the orchestrator removes a stack's container
    /// shortly after the stack stops); a volume that does not exist is fine.
    /// </summary>
    public static Task RemoveAsync(string volume) =>
        Eventually.WaitUntilAsync(
            async () => !await ExistsAsync(volume) || (await RunAsync("volume", "rm", volume)).Succeeded,
            TimeSpan.FromSeconds(60),
            () => $"container volume {volume} to be removed (still used by a container?)");
}
