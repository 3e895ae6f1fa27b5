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
    public void Secret_has_productions_keys_and_a_generated_strong_password_unless_one_is_given()
    {
        var output = PublishedOutput.Publish(_scratch);
        var other = PublishedOutput.Publish(_scratch);
        var data = output.Secret.StringData;

        Assert.Equal("postgres-credentials", output.Secret.Metadata.Name);
        Assert.Equal(["POSTGRES_DB", "POSTGRES_PASSWORD", "POSTGRES_USER"], data.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("gpudev", data["POSTGRES_USER"]);
        Assert.Equal("gpudev", data["POSTGRES_DB"]);
        Assert.Matches("^[0-9a-f]{64}$", data["POSTGRES_PASSWORD"]);
        Assert.NotEqual(data["POSTGRES_PASSWORD"], other.Secret.StringData["POSTGRES_PASSWORD"]);
        Assert.Null(output.Secret.Metadata.Annotations);
    }

    [Fact]
    public void Publishing_again_into_the_same_directory_keeps_the_password_the_database_was_initialised_with()
    {
        var directory = _scratch.Combine("k8s");
        var first = PublishedOutput.PublishInto(directory);

        var second = PublishedOutput.PublishInto(directory, new KubernetesPublishingOptions { Registry = "registry.example" });
        var given = PublishedOutput.PublishInto(directory, new KubernetesPublishingOptions { PostgresPassword = "0123456789abcdef0123456789abcdef" });

        Assert.Equal(first.Secret.StringData["POSTGRES_PASSWORD"], second.Secret.StringData["POSTGRES_PASSWORD"]);
        Assert.Equal("0123456789abcdef0123456789abcdef", given.Secret.StringData["POSTGRES_PASSWORD"]);
    }

    [Fact]
    public void Postgres_is_named_as_productions_chart_with_a_headless_service_liveness_and_room_for_the_pools()
    {
        var output = PublishedOutput.Publish(_scratch);
        var statefulSet = output.Postgres;
        var container = statefulSet.Spec.Template.Spec.Containers.Single();

        Assert.Equal("postgres-primary", statefulSet.Metadata.Name);
        var headless = output.Service(statefulSet.Spec.ServiceName);
        Assert.Equal("postgres-primary-headless", headless.Metadata.Name);
        Assert.Equal("None", headless.Spec.ClusterIP);
        Assert.Null(output.Service("postgres-primary").Spec.ClusterIP);
        Assert.Contains("pg_isready", string.Join(' ', container.LivenessProbe.Exec.Command), StringComparison.Ordinal);
        Assert.Equal("OnRootMismatch", statefulSet.Spec.Template.Spec.SecurityContext.FsGroupChangePolicy);
        Assert.Equal(["-c", "max_connections=300"], container.Args);
        Assert.True(PostgresManifests.MaxConnections > 2 * 100, "room for the API's and the processor's Npgsql pools (100 each)");
    }

    [Fact]
    public void Wait_for_postgres_gives_up_after_its_deadline_with_a_message_naming_where_to_look()
    {
        var output = PublishedOutput.Publish(_scratch, new KubernetesPublishingOptions { PostgresWaitTimeoutSeconds = 120 });
        var script = output.Job.Spec.Template.Spec.InitContainers.Single(c => c.Name == "wait-for-postgres").Command[2];

        Assert.Contains("+ 120 ))", script, StringComparison.Ordinal);
        Assert.Contains("exit 1", script, StringComparison.Ordinal);
        Assert.Contains("did not accept connections within 120 s", script, StringComparison.Ordinal);
        Assert.Contains("logs postgres-primary-0", script, StringComparison.Ordinal);
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
