using GpuDev.Hosting.Kubernetes;
using k8s.Models;

namespace GpuDev.Publishing.Tests;

public sealed class PublishedObjectsTests : IDisposable
{
    private readonly Scratch _scratch = new("publishing");

    [Fact]
    public void EveryFileParsesAsOneKubernetesObjectAndKustomizationListsThemAll()
    {
        var output = PublishedOutput.Publish(_scratch);

        var kinds = output.Objects.Values.Select(o => $"{o.Kind}/{o.Metadata.Name}").Order(StringComparer.Ordinal);
        Assert.Equal(
            [
                "ConfigMap/db-fixtures", "ConfigMap/db-schema", "ConfigMap/postgres-initdb",
                "Deployment/api", "Deployment/reservation-processor", $"Job/db-migration-{output.Hash}", "Namespace/gpu-controlplane",
                "Secret/api-admin-token", "Secret/postgres-credentials", "Service/api", "Service/postgres-primary", "StatefulSet/postgres",
            ],
            kinds);

        var kustomization = System.Text.Encoding.UTF8.GetString(output.Files[KubernetesManifestWriter.KustomizationFileName]);
        var listed = kustomization.Split('\n').Where(l => l.StartsWith("- ", StringComparison.Ordinal)).Select(l => l[2..]);
        Assert.Equal(output.Objects.Keys.Order(StringComparer.Ordinal), listed);
        Assert.StartsWith("01-namespace-", listed.First(), StringComparison.Ordinal);
    }

    [Fact]
    public void EveryNamespacedObjectLivesInTheConfiguredNamespace()
    {
        var output = PublishedOutput.Publish(_scratch, new KubernetesPublishingOptions { Namespace = "gpu-staging" });

        Assert.Equal("gpu-staging", output.OnlyOne<V1Namespace>().Metadata.Name);
        Assert.All(output.Objects.Values.Where(o => o is not V1Namespace), o => Assert.Equal("gpu-staging", o.Metadata.NamespaceProperty));
    }

    [Fact]
    public void EveryNameIsDns1123AndEveryObjectCarriesTheRecommendedLabels()
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
    public void PublishingTwiceGivesByteIdenticalFiles()
    {
        var first = PublishedOutput.Publish(_scratch);
        var second = PublishedOutput.Publish(_scratch);

        Assert.Equal(first.Files.Keys, second.Files.Keys);
        foreach (var (name, content) in first.Files)
        {
            Assert.True(content.AsSpan().SequenceEqual(second.Files[name]), $"{name} differs between two publishes");
        }
    }

    [Fact]
    public void RepublishingAfterAnEditRemovesTheOldJobFileButKeepsFilesItDidNotWrite()
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
    public void AnInvalidNamespaceIsRejectedWithTheRule(string name)
    {
        var error = Assert.Throws<ArgumentException>(() => PublishedOutput.Publish(_scratch, new KubernetesPublishingOptions { Namespace = name }));

        Assert.Contains($"'{name}'", error.Message, StringComparison.Ordinal);
        Assert.Contains("DNS-1123", error.Message, StringComparison.Ordinal);
    }

    public void Dispose() => _scratch.Dispose();
}
