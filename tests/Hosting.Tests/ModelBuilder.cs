namespace GpuDev.Hosting.Tests;

/// <summary>An Aspire application builder for reading models: nothing is built or started, so no DCP is needed.</summary>
internal static class ModelBuilder
{
    public static IDistributedApplicationBuilder Create(params string[] args) =>
        DistributedApplication.CreateBuilder(new DistributedApplicationOptions { Args = args, DisableDashboard = true });
}
