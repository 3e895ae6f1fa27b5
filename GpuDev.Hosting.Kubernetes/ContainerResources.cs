using k8s.Models;

namespace GpuDev.Hosting.Kubernetes;

/// <summary>CPU and memory for each container, in one place.</summary>
public static class ContainerResources
{
    /// <summary>Production's migration Job: requests 100m / 128Mi, limits 500m / 512Mi.</summary>
    public static V1ResourceRequirements Migration() => Of("100m", "128Mi", "500m", "512Mi");

    /// <summary>The API: the same envelope as the migration worker until production measures otherwise.</summary>
    public static V1ResourceRequirements Api() => Of("100m", "128Mi", "500m", "512Mi");

    /// <summary>PostgreSQL: a guaranteed floor, a memory ceiling, no CPU limit (throttling a database hurts latency).</summary>
    public static V1ResourceRequirements Postgres() => new()
    {
        Requests = Quantities("250m", "256Mi"),
        Limits = new SortedDictionary<string, ResourceQuantity>(StringComparer.Ordinal) { ["memory"] = new ResourceQuantity("1Gi") },
    };

    private static V1ResourceRequirements Of(string cpuRequest, string memoryRequest, string cpuLimit, string memoryLimit) => new()
    {
        Requests = Quantities(cpuRequest, memoryRequest),
        Limits = Quantities(cpuLimit, memoryLimit),
    };

    private static SortedDictionary<string, ResourceQuantity> Quantities(string cpu, string memory) =>
        new(StringComparer.Ordinal) { ["cpu"] = new ResourceQuantity(cpu), ["memory"] = new ResourceQuantity(memory) };
}
