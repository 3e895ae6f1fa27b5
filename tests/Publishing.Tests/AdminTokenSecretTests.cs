using GpuDev.Hosting.Kubernetes;
using k8s.Models;

namespace GpuDev.Publishing.Tests;

public sealed class AdminTokenSecretTests : IDisposable
{
    private readonly Scratch _scratch = new("publishing");

    [Fact]
    public void Admin_token_secret_is_published_empty_and_annotated_when_no_token_is_given()
    {
        var output = PublishedOutput.Publish(_scratch);
        var secret = output.AdminTokenSecret;

        Assert.Equal("02-secret-postgres-credentials.yaml", output.Objects.Single(o => o.Value is V1Secret { Metadata.Name: "postgres-credentials" }).Key);
        Assert.Equal("03-secret-api-admin-token.yaml", output.Objects.Single(o => o.Value is V1Secret { Metadata.Name: "api-admin-token" }).Key);
        Assert.Equal("Opaque", secret.Type);
        Assert.Equal(["ADMIN_TOKEN"], secret.StringData.Keys);
        Assert.Equal(string.Empty, secret.StringData["ADMIN_TOKEN"]);
        Assert.Contains("GpuDev.Hosting.Kubernetes/README.md", secret.Metadata.Annotations["gpudev.dev/admin-token"], StringComparison.Ordinal);
        Assert.Equal("api", secret.Metadata.Labels[KubernetesLabels.Name]);
        Assert.Equal("api", secret.Metadata.Labels[KubernetesLabels.Component]);
    }

    [Fact]
    public void A_token_given_at_publish_time_is_the_secrets_and_appears_nowhere_else()
    {
        var token = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray());

        var output = PublishedOutput.Publish(_scratch, new KubernetesPublishingOptions { AdminToken = token });

        Assert.Equal(token, output.AdminTokenSecret.StringData["ADMIN_TOKEN"]);
        Assert.Null(output.AdminTokenSecret.Metadata.Annotations);
        var holders = output.Files.Where(f => System.Text.Encoding.UTF8.GetString(f.Value).Contains(token, StringComparison.Ordinal)).Select(f => f.Key);
        Assert.Equal(["03-secret-api-admin-token.yaml"], holders);
    }

    [Fact]
    public void Only_the_api_container_gets_the_admin_token_from_the_secret()
    {
        var output = PublishedOutput.Publish(_scratch);
        var pod = output.ApiDeployment.Spec.Template.Spec;

        var variable = Assert.Single(pod.Containers[0].Env, e => e.Name == "Admin__Token");
        Assert.Null(variable.Value);
        Assert.Equal("api-admin-token", variable.ValueFrom.SecretKeyRef.Name);
        Assert.Equal("ADMIN_TOKEN", variable.ValueFrom.SecretKeyRef.Key);

        var others = pod.InitContainers.Concat(output.Job.Spec.Template.Spec.InitContainers ?? []).Concat(output.Job.Spec.Template.Spec.Containers);
        Assert.All(others, container => Assert.DoesNotContain(container.Env, e => e.Name == "Admin__Token" || e.ValueFrom?.SecretKeyRef?.Name == "api-admin-token"));
    }

    [Theory]
    [InlineData("short", "at least 32")]
    [InlineData("0123456789abcdef0123456789abcde", "at least 32")]
    [InlineData(" 0123456789abcdef0123456789abcdef ", "whitespace")]
    [InlineData("0123456789abcdef0123456789abcdef\n", "whitespace")]
    public void Admin_token_shorter_than_32_characters_or_padded_is_refused_by_publishing(string token, string cause)
    {
        var error = Assert.Throws<ArgumentException>(() => PublishedOutput.Publish(_scratch, new KubernetesPublishingOptions { AdminToken = token }));

        Assert.Contains("Kubernetes:AdminToken", error.Message, StringComparison.Ordinal);
        Assert.Contains(cause, error.Message, StringComparison.Ordinal);
        Assert.Contains("openssl rand -hex 32", error.Message, StringComparison.Ordinal);
    }

    public void Dispose() => _scratch.Dispose();
}
