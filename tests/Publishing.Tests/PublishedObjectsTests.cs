using GpuDev.Hosting.Kubernetes;
using k8s.Models;

namespace GpuDev.Publishing.Tests;

public sealed class PublishedObjectsTests : IDisposable
{
    private readonly Scratch _scratch = new("publishing");

    [Fact]
    public void Every_file_parses_as_one_kubernetes_object_and_kustomization_lists_them_all()
    {
        var output = PublishedOutput.Publish(_scratch);

        var kinds = output.Objects.Values.Select(o => $"{o.Kind}/{o.Metadata.Name}").Order(StringComparer.Ordinal);
        Assert.Equal(
            [
                "ConfigMap/database-fixtures", "ConfigMap/database-schema", "ConfigMap/postgres-bootstrap", "ConfigMap/postgres-init-script",
                "Deployment/api-service", "Deployment/reservation-processor", $"Job/{output.Job.Metadata.Name}", "Namespace/gpu-controlplane",
                "NetworkPolicy/api-service-ingress", "NetworkPolicy/default-deny-ingress", "NetworkPolicy/postgres-primary-ingress",
                "Secret/api-admin-token", "Secret/postgres-credentials", "Secret/postgres-roles", "Service/api-service", "Service/postgres-primary",
                "Service/postgres-primary-headless", "StatefulSet/postgres-primary",
            ],
            kinds);

        var kustomization = System.Text.Encoding.UTF8.GetString(output.Files[KubernetesManifestWriter.KustomizationFileName]);
        var listed = kustomization.Split('\n').Where(l => l.StartsWith("- ", StringComparison.Ordinal)).Select(l => l[2..]);
        Assert.Equal(output.Objects.Keys.Order(StringComparer.Ordinal), listed);
        Assert.StartsWith("01-namespace-", listed.First(), StringComparison.Ordinal);
    }

    [Fact]
    public void Every_namespaced_object_lives_in_the_configured_namespace()
    {
        var output = PublishedOutput.Publish(_scratch, new KubernetesPublishingOptions { Namespace = "gpu-staging" });

        Assert.Equal("gpu-staging", output.OnlyOne<V1Namespace>().Metadata.Name);
        Assert.All(output.Objects.Values.Where(o => o is not V1Namespace), o => Assert.Equal("gpu-staging", o.Metadata.NamespaceProperty));
    }

    [Fact]
    public void Every_name_is_dns1123_and_every_object_carries_the_recommended_labels()
    {
        var output = PublishedOutput.Publish(_scratch, new KubernetesPublishingOptions { WorkerImage = "registry.example/gpudev/worker:2.1.0" });

        foreach (var o in output.Objects.Values)
        {
            Assert.Matches("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", o.Metadata.Name);
            Assert.True(o.Metadata.Name.Length <= 63, o.Metadata.Name);
            foreach (var label in new[] { KubernetesLabels.Name, KubernetesLabels.Instance, KubernetesLabels.Component, KubernetesLabels.PartOf, KubernetesLabels.ManagedBy })
            {
                Assert.True(o.Metadata.Labels.ContainsKey(label), $"{o.Kind}/{o.Metadata.Name} lacks {label}");
            }
        }

        Assert.Equal("2.1.0", output.Job.Metadata.Labels[KubernetesLabels.Version]);
        Assert.Equal("v1.8.1", output.Postgres.Metadata.Labels[KubernetesLabels.Version]);
    }

    [Fact]
    public void Publishing_twice_gives_byte_identical_files()
    {
        var options = new KubernetesPublishingOptions { PostgresPassword = "0123456789abcdef0123456789abcdef" };
        var first = PublishedOutput.Publish(_scratch, options);
        var second = PublishedOutput.Publish(_scratch, options);

        Assert.Equal(first.Files.Keys, second.Files.Keys);
        foreach (var (name, content) in first.Files)
        {
            Assert.True(content.AsSpan().SequenceEqual(second.Files[name]), $"{name} differs between two publishes");
        }
    }

    [Fact]
    public void Republishing_after_an_edit_removes_the_old_job_file_but_keeps_files_it_did_not_write()
    {
        var database = _scratch.CopyOfDatabase();
        var directory = _scratch.Combine("out");
        KubernetesManifestWriter.Write(KubernetesManifestBuilder.Build(TestModel.AppHost, new(), database), directory);
        var before = PublishedOutput.Read(directory);
        File.WriteAllText(Path.Combine(directory, "notes.yaml"), "# mine\n");

        File.AppendAllText(Path.Combine(database, "fixtures", "001_initial_gpu_types.sql"), "\n-- edited\n");
        KubernetesManifestWriter.Write(KubernetesManifestBuilder.Build(TestModel.AppHost, new(), database), directory);

        var files = Directory.GetFiles(directory).Select(Path.GetFileName).ToList();
        Assert.DoesNotContain(before.Objects.Keys.Single(k => k.Contains("-job-", StringComparison.Ordinal)), files);
        Assert.Single(files, f => f!.Contains("-job-db-migration-", StringComparison.Ordinal));
        Assert.Contains("notes.yaml", files);
    }

    [Theory]
    [InlineData("GPU-Controlplane")]
    [InlineData("gpu_controlplane")]
    [InlineData("-gpu")]
    public void An_invalid_namespace_is_rejected_with_the_rule(string name)
    {
        var error = Assert.Throws<ArgumentException>(() => PublishedOutput.Publish(_scratch, new KubernetesPublishingOptions { Namespace = name }));

        Assert.Contains($"'{name}'", error.Message, StringComparison.Ordinal);
        Assert.Contains("DNS-1123", error.Message, StringComparison.Ordinal);
    }

    public void Dispose() => _scratch.Dispose();
}
