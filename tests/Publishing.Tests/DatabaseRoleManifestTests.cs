using System.Text;
using GpuDev.Database;
using GpuDev.Hosting.Kubernetes;
using k8s.Models;

namespace GpuDev.Publishing.Tests;

public sealed class DatabaseRoleManifestTests : IDisposable
{
    private readonly Scratch _scratch = new("publishing");

    [Fact]
    public void Migration_job_bootstraps_as_the_superuser_then_migrates_as_the_owner_role()
    {
        var output = PublishedOutput.Publish(_scratch);
        var pod = output.Job.Spec.Template.Spec;

        var bootstrap = pod.InitContainers.Single(c => c.Name == DatabaseRoleManifests.BootstrapContainerName);
        Assert.True(pod.InitContainers.ToList().IndexOf(bootstrap) > pod.InitContainers.ToList().FindIndex(c => c.Name == "wait-for-postgres"));
        Assert.Equal("PGPASSWORD", bootstrap.Env.Single(e => e.ValueFrom?.SecretKeyRef is { Name: DatabaseCredentials.SecretName, Key: DatabaseCredentials.PasswordKey }).Name);
        var script = output.ConfigMap(pod.Volumes.Single(v => v.Name == bootstrap.VolumeMounts.Single(m => m.Name != PodSecurity.TempVolumeName).Name).ConfigMap.Name).Data[DatabaseRoleManifests.BootstrapFileName];
        Assert.StartsWith(DatabaseBootstrap.CreateExtension, script, StringComparison.Ordinal);
        Assert.Contains(DatabaseBootstrap.Script, script, StringComparison.Ordinal);

        var worker = Assert.Single(pod.Containers);
        Assert.Contains($"Username={DatabaseRoles.Owner};", ConnectionString(worker), StringComparison.Ordinal);
        Assert.DoesNotContain(worker.Env, e => e.ValueFrom?.SecretKeyRef?.Key == DatabaseCredentials.PasswordKey);
    }

    [Theory]
    [InlineData("api-service")]
    [InlineData("reservation-processor")]
    public void Services_and_their_wait_containers_connect_as_the_runtime_role_without_the_superuser_password(string deployment)
    {
        var pod = PublishedOutput.Publish(_scratch).Deployment(deployment).Spec.Template.Spec;

        foreach (var container in pod.Containers.Concat(pod.InitContainers ?? []))
        {
            Assert.Contains($"Username={DatabaseRoles.Runtime};", ConnectionString(container), StringComparison.Ordinal);
            Assert.DoesNotContain(container.Env, e => e.ValueFrom?.SecretKeyRef?.Name == DatabaseCredentials.SecretName);
            Assert.DoesNotContain(container.Env, e => e.ValueFrom?.SecretKeyRef?.Key == DatabaseRoleManifests.OwnerPasswordKey);
        }
    }

    [Fact]
    public void Role_passwords_given_at_publish_time_are_in_their_secret_only()
    {
        var owner = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray());
        var runtime = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray());

        var output = PublishedOutput.Publish(_scratch, new KubernetesPublishingOptions { PostgresOwnerPassword = owner, PostgresRuntimePassword = runtime });

        var secret = output.SecretNamed(DatabaseRoleManifests.SecretName);
        Assert.Equal(owner, secret.StringData[DatabaseRoleManifests.OwnerPasswordKey]);
        Assert.Equal(runtime, secret.StringData[DatabaseRoleManifests.RuntimePasswordKey]);
        Assert.Null(secret.Metadata.Annotations);
        var holders = output.Files.Where(f => Encoding.UTF8.GetString(f.Value) is var text && (text.Contains(owner, StringComparison.Ordinal) || text.Contains(runtime, StringComparison.Ordinal)));
        Assert.Equal([output.Objects.Single(o => o.Value is V1Secret { Metadata.Name: DatabaseRoleManifests.SecretName }).Key], holders.Select(h => h.Key));
    }

    [Fact]
    public void Missing_role_passwords_are_generated_and_kept_by_the_next_publish_into_the_same_directory()
    {
        var directory = _scratch.Combine("k8s");

        KubernetesPublisher.Publish(TestModel.AppHost, new KubernetesPublishingOptions(), RepositoryFiles.DatabaseDirectory, directory);
        var first = PublishedOutput.Read(directory);
        KubernetesPublisher.Publish(TestModel.AppHost, new KubernetesPublishingOptions(), RepositoryFiles.DatabaseDirectory, directory);
        var second = PublishedOutput.Read(directory);

        var secret = first.SecretNamed(DatabaseRoleManifests.SecretName);
        Assert.Matches("^[0-9a-f]{64}$", secret.StringData[DatabaseRoleManifests.OwnerPasswordKey]);
        Assert.Matches("^[0-9a-f]{64}$", secret.StringData[DatabaseRoleManifests.RuntimePasswordKey]);
        Assert.NotEqual(secret.StringData[DatabaseRoleManifests.OwnerPasswordKey], secret.StringData[DatabaseRoleManifests.RuntimePasswordKey]);
        Assert.Equal(secret.StringData, second.SecretNamed(DatabaseRoleManifests.SecretName).StringData);
        Assert.Equal(first.Job.Metadata.Name, second.Job.Metadata.Name);
    }

    [Fact]
    public void A_changed_role_password_names_a_new_migration_job_so_its_bootstrap_sets_it()
    {
        var before = PublishedOutput.Publish(_scratch);
        var after = PublishedOutput.Publish(_scratch, new KubernetesPublishingOptions { PostgresRuntimePassword = new string('e', 32) });

        Assert.Equal(before.Hash, after.Hash);
        Assert.NotEqual(before.Job.Metadata.Name, after.Job.Metadata.Name);
    }

    [Theory]
    [InlineData("with space")]
    [InlineData("back\\slash")]
    [InlineData("semi;colon")]
    public void A_role_password_that_would_break_its_connection_string_is_refused_naming_the_option(string password)
    {
        var error = Assert.Throws<ArgumentException>(() => PublishedOutput.Publish(_scratch, new KubernetesPublishingOptions { PostgresRuntimePassword = password }));

        Assert.Contains("Kubernetes:PostgresRuntimePassword", error.Message, StringComparison.Ordinal);
    }

    private static string ConnectionString(V1Container container) =>
        container.Env.Single(e => e.Name == $"ConnectionStrings__{DatabaseNames.Database}").Value;

    public void Dispose() => _scratch.Dispose();
}
