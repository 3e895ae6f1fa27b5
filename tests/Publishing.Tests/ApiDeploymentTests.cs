using GpuDev.Hosting.Kubernetes;
using k8s.Models;

namespace GpuDev.Publishing.Tests;

public sealed class ApiDeploymentTests : IDisposable
{
    private readonly Scratch _scratch = new("publishing");

    [Fact]
    public void Api_pods_wait_for_the_migration_with_this_hash_using_the_worker_image()
    {
        var output = PublishedOutput.Publish(_scratch, new KubernetesPublishingOptions
        {
            WorkerImage = "registry.example/gpudev/worker:2.1.0",
            ApiImage = "registry.example/gpudev/api:2.1.0",
            MigrationWaitTimeoutSeconds = 900,
        });
        var pod = output.ApiDeployment.Spec.Template.Spec;

        var wait = Assert.Single(pod.InitContainers);
        Assert.Equal("registry.example/gpudev/worker:2.1.0", wait.Image);
        Assert.Equal(["--wait-for-hash", output.Hash, "--timeout", "900"], wait.Args);
        Assert.Equal(ConnectionString(Assert.Single(pod.Containers)), ConnectionString(wait));

        var api = Assert.Single(pod.Containers);
        Assert.Equal("registry.example/gpudev/api:2.1.0", api.Image);
    }

    [Fact]
    public void Api_needs_no_kubernetes_api_access()
    {
        var output = PublishedOutput.Publish(_scratch);

        Assert.False(output.ApiDeployment.Spec.Template.Spec.AutomountServiceAccountToken);
        Assert.False(output.Job.Spec.Template.Spec.AutomountServiceAccountToken);
        Assert.DoesNotContain(output.Objects.Values, o => o.Kind is "Role" or "RoleBinding" or "ClusterRole" or "ClusterRoleBinding" or "ServiceAccount");
    }

    [Fact]
    public void Api_is_ready_on_health_alive_on_alive_and_reachable_through_its_service()
    {
        var output = PublishedOutput.Publish(_scratch);
        var api = output.ApiDeployment.Spec.Template.Spec.Containers[0];

        Assert.Equal("/health", api.ReadinessProbe.HttpGet.Path);
        Assert.Equal("/alive", api.LivenessProbe.HttpGet.Path);
        Assert.Equal("http", api.ReadinessProbe.HttpGet.Port.Value);
        Assert.Equal(DeploymentManifests.DefaultContainerPort, api.Ports.Single(p => p.Name == "http").ContainerPort);

        var service = output.Service("api-service");
        Assert.Equal(80, service.Spec.Ports.Single().Port);
        Assert.Equal("http", service.Spec.Ports.Single().TargetPort.Value);
        Assert.All(service.Spec.Selector, s => Assert.Equal(s.Value, output.ApiDeployment.Spec.Template.Metadata.Labels[s.Key]));
    }

    [Fact]
    public void Services_get_the_connection_string_built_from_the_secret()
    {
        var output = PublishedOutput.Publish(_scratch);
        var api = output.ApiDeployment.Spec.Template.Spec.Containers[0];

        Assert.Equal(
            "Host=postgres-primary;Port=5432;Username=gpudev_runtime;Password=$(GPUDEV_RUNTIME_PASSWORD);Database=gpudev",
            ConnectionString(api));

        // Kubernetes expands $(VAR) only from variables defined earlier in the list.
        var names = api.Env.Select(e => e.Name).ToList();
        foreach (var key in new[] { "GPUDEV_RUNTIME_PASSWORD" })
        {
            var variable = api.Env.Single(e => e.Name == key);
            Assert.Equal("postgres-roles", variable.ValueFrom.SecretKeyRef.Name);
            Assert.Equal(key, variable.ValueFrom.SecretKeyRef.Key);
            Assert.True(names.IndexOf(key) < names.IndexOf("ConnectionStrings__gpudev"), $"{key} must come before the connection string");
        }
    }

    private static string ConnectionString(V1Container container) => container.Env.Single(e => e.Name == "ConnectionStrings__gpudev").Value;

    public void Dispose() => _scratch.Dispose();
}
