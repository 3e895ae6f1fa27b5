using GpuDev.Hosting.PostgreSQL;
using Microsoft.Extensions.Configuration;

namespace GpuDev.AppHost.Postgres;

/// <summary>Asks the container runtime Aspire would use (docker unless configured otherwise) whether its engine answers.</summary>
public static class ContainerRuntimeProbe
{
    public static async Task<(bool Healthy, string Runtime, string Detail)> CheckAsync(IConfiguration configuration, CancellationToken cancellationToken = default)
    {
        var runtime = configuration["ASPIRE_CONTAINER_RUNTIME"] ?? configuration["DOTNET_ASPIRE_CONTAINER_RUNTIME"] ?? "docker";
        var result = await ProcessRunner.RunAsync(runtime, ["info", "--format", "json"], TimeSpan.FromSeconds(10), cancellationToken);
        var detail = result.Succeeded ? "engine answered" : FirstLine(result.Output);
        return (result.Succeeded, runtime, detail);
    }

    private static string FirstLine(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? "no output";
}
