using GpuDev.Hosting.Kubernetes;
using k8s;
using k8s.Models;

namespace GpuDev.Publishing.Tests;

/// <summary>
/// `kubectl apply -k` of a newer publish over an older one: nothing Kubernetes refuses to change in place
/// (a StatefulSet's selector, serviceName and volumeClaimTemplates, a Deployment's selector, a Job's
/// template) may change, so every changed Job is a new Job.
/// </summary>
public sealed class UpgradeTests : IDisposable
{
    private readonly Scratch _scratch = new("publishing");

    [Fact]
    public void Publishing_with_other_images_changes_no_immutable_field_and_names_a_new_job()
    {
        const string password = "0123456789abcdef0123456789abcdef";
        var before = PublishedOutput.Publish(_scratch, new KubernetesPublishingOptions { Registry = "registry.example", ImageTag = "1.0.0", PostgresPassword = password });
        var after = PublishedOutput.Publish(
            _scratch,
            new KubernetesPublishingOptions { Registry = "registry.example", ImageTag = "1.1.0", PostgresPassword = password },
            model: TestModel.AppHost with { PostgresImage = "ghcr.io/pgmq/pg18-pgmq:v1.9.0" });

        Assert.NotEqual(before.Postgres.Spec.Template.Spec.Containers[0].Image, after.Postgres.Spec.Template.Spec.Containers[0].Image);
        Assert.Equal(Immutable(before.Postgres), Immutable(after.Postgres));
        foreach (var name in new[] { "api-service", "reservation-processor" })
        {
            Assert.Equal(KubernetesJson.Serialize(before.Deployment(name).Spec.Selector), KubernetesJson.Serialize(after.Deployment(name).Spec.Selector));
        }

        Assert.Equal(before.Hash, after.Hash);
        Assert.NotEqual(before.Job.Metadata.Name, after.Job.Metadata.Name);
    }

    [Fact]
    public void Any_change_to_the_jobs_template_renames_it_and_no_change_keeps_its_name()
    {
        var options = new KubernetesPublishingOptions();
        var original = PublishedOutput.Publish(_scratch, options).Job.Metadata.Name;

        Assert.Equal(original, PublishedOutput.Publish(_scratch, new KubernetesPublishingOptions()).Job.Metadata.Name);
        Assert.NotEqual(original, PublishedOutput.Publish(_scratch, new KubernetesPublishingOptions { WorkerImage = "registry.example/worker:2.0.0" }).Job.Metadata.Name);
        Assert.NotEqual(original, PublishedOutput.Publish(_scratch, new KubernetesPublishingOptions { PostgresWaitTimeoutSeconds = 60 }).Job.Metadata.Name);
        Assert.NotEqual(original, PublishedOutput.Publish(_scratch, new KubernetesPublishingOptions { Namespace = "gpu-staging" }).Job.Metadata.Name);
    }

    [Fact]
    public void Changing_the_runtime_password_or_token_rolls_the_deployments_that_read_them_and_the_superusers_password_does_not()
    {
        var one = PublishedOutput.Publish(_scratch, new KubernetesPublishingOptions { PostgresPassword = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", AdminToken = new string('b', 32) });
        var otherToken = PublishedOutput.Publish(_scratch, new KubernetesPublishingOptions { PostgresPassword = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", AdminToken = new string('c', 32) });
        var otherRuntimePassword = PublishedOutput.Publish(
            _scratch, new KubernetesPublishingOptions { PostgresPassword = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", AdminToken = new string('b', 32), PostgresRuntimePassword = new string('d', 32) });
        var otherSuperuserPassword = PublishedOutput.Publish(_scratch, new KubernetesPublishingOptions { PostgresPassword = "dddddddddddddddddddddddddddddddd", AdminToken = new string('b', 32) });

        Assert.NotEqual(Checksum(one, "api-service"), Checksum(otherToken, "api-service"));
        Assert.Equal(Checksum(one, "reservation-processor"), Checksum(otherToken, "reservation-processor"));
        Assert.NotEqual(Checksum(one, "api-service"), Checksum(otherRuntimePassword, "api-service"));
        Assert.NotEqual(Checksum(one, "reservation-processor"), Checksum(otherRuntimePassword, "reservation-processor"));

        // The services never read the superuser's Secret (only the Job's bootstrap does), so it rolls nothing.
        Assert.Equal(Checksum(one, "api-service"), Checksum(otherSuperuserPassword, "api-service"));
        Assert.Equal(Checksum(one, "reservation-processor"), Checksum(otherSuperuserPassword, "reservation-processor"));
    }

    [Fact]
    public void A_new_storage_size_for_an_existing_output_is_refused_with_the_steps_instead_of_failing_in_kubectl()
    {
        var directory = _scratch.Combine("k8s");
        PublishedOutput.PublishInto(directory, new KubernetesPublishingOptions { PostgresStorageSize = "10Gi" });

        var error = Assert.Throws<InvalidOperationException>(() => PublishedOutput.PublishInto(directory, new KubernetesPublishingOptions { PostgresStorageSize = "20Gi" }));

        Assert.Contains("cannot change a volume claim template in place", error.Message, StringComparison.Ordinal);
        Assert.Contains("--cascade=orphan", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
        Assert.Equal("10Gi", PublishedOutput.Read(directory).Postgres.Spec.VolumeClaimTemplates[0].Spec.Resources.Requests["storage"].ToString());
    }

    private static string Checksum(PublishedOutput output, string deployment) =>
        output.Deployment(deployment).Spec.Template.Metadata.Annotations[DeploymentManifests.ConfigChecksumAnnotation];

    // Everything in a StatefulSet's spec that the API server refuses to update.
    private static string Immutable(V1StatefulSet statefulSet) =>
        KubernetesJson.Serialize(new V1StatefulSetSpec
        {
            Selector = statefulSet.Spec.Selector,
            ServiceName = statefulSet.Spec.ServiceName,
            VolumeClaimTemplates = statefulSet.Spec.VolumeClaimTemplates,
            PodManagementPolicy = statefulSet.Spec.PodManagementPolicy,
            Template = new V1PodTemplateSpec(),
        });

    public void Dispose() => _scratch.Dispose();
}
