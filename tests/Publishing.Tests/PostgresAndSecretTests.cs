using System.Text;
using GpuDev.Hosting.Kubernetes;

namespace GpuDev.Publishing.Tests;

public sealed class PostgresAndSecretTests : IDisposable
{
    private readonly Scratch _scratch = new("publishing");

    [Fact]
    public void Postgres_is_a_stateful_set_of_the_pgmq_image_with_a_volume_claim_and_a_readiness_probe()
    {
        var output = PublishedOutput.Publish(_scratch, new KubernetesPublishingOptions { PostgresStorageSize = "20Gi" });
        var statefulSet = output.Postgres;
        var container = Assert.Single(statefulSet.Spec.Template.Spec.Containers);

        Assert.Equal("ghcr.io/pgmq/pg18-pgmq:v1.8.1", container.Image);
        Assert.Contains("pg_isready", string.Join(' ', container.ReadinessProbe.Exec.Command), StringComparison.Ordinal);
        var claim = Assert.Single(statefulSet.Spec.VolumeClaimTemplates);
        Assert.Equal("20Gi", claim.Spec.Resources.Requests["storage"].ToString());
        Assert.Equal("/var/lib/postgresql", container.VolumeMounts.Single(m => m.Name == claim.Metadata.Name).MountPath);

        var service = output.Service("postgres-primary");
        Assert.Equal(5432, service.Spec.Ports.Single().Port);
        Assert.All(service.Spec.Selector, s => Assert.Equal(s.Value, statefulSet.Spec.Template.Metadata.Labels[s.Key]));
    }

    [Fact]
    public void Postgres_creates_pgmq_when_it_initialises_the_database()
    {
        var output = PublishedOutput.Publish(_scratch);
        var pod = output.Postgres.Spec.Template.Spec;

        var mount = pod.Containers[0].VolumeMounts.Single(m => m.MountPath == "/docker-entrypoint-initdb.d");
        var configMap = output.ConfigMap(pod.Volumes.Single(v => v.Name == mount.Name).ConfigMap.Name);
        Assert.Contains("CREATE EXTENSION IF NOT EXISTS pgmq", Assert.Single(configMap.Data).Value, StringComparison.Ordinal);
    }

    [Fact]
    public void Secret_has_productions_user_and_database_and_no_password_unless_one_is_given()
    {
        var output = PublishedOutput.Publish(_scratch);
        var data = output.Secret.StringData;

        Assert.Equal("postgres-credentials", output.Secret.Metadata.Name);
        Assert.Equal("gpudev", data["POSTGRES_USER"]);
        Assert.Equal("gpudev", data["POSTGRES_DB"]);
        Assert.Equal(string.Empty, data["POSTGRES_PASSWORD"]);
    }

    [Fact]
    public void A_password_given_at_publish_time_is_the_secrets_and_appears_nowhere_else()
    {
        var password = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray());

        var output = PublishedOutput.Publish(_scratch, new KubernetesPublishingOptions { PostgresPassword = password });

        Assert.Equal(password, output.Secret.StringData["POSTGRES_PASSWORD"]);
        var holders = output.Files.Where(f => Encoding.UTF8.GetString(f.Value).Contains(password, StringComparison.Ordinal)).Select(f => f.Key);
        Assert.Equal([output.Objects.Single(o => o.Value is k8s.Models.V1Secret { Metadata.Name: DatabaseCredentials.SecretName }).Key], holders);
    }

    [Theory]
    [InlineData("abc;def")]
    [InlineData("it's")]
    [InlineData(" padded ")]
    public void A_password_that_would_break_the_connection_string_is_rejected(string password)
    {
        var error = Assert.Throws<ArgumentException>(() => PublishedOutput.Publish(_scratch, new KubernetesPublishingOptions { PostgresPassword = password }));

        Assert.Contains("Kubernetes:PostgresPassword", error.Message, StringComparison.Ordinal);
    }

    public void Dispose() => _scratch.Dispose();
}
