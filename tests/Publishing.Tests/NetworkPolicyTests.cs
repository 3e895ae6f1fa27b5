using GpuDev.Hosting.Kubernetes;
using k8s.Models;

namespace GpuDev.Publishing.Tests;

public sealed class NetworkPolicyTests : IDisposable
{
    private readonly Scratch _scratch = new("publishing");

    [Fact]
    public void Every_pod_of_the_installation_is_closed_to_ingress_unless_a_policy_opens_it()
    {
        var output = PublishedOutput.Publish(_scratch);
        var deny = Policy(output, NetworkPolicyManifests.DefaultDenyName);

        Assert.Equal(["Ingress"], deny.Spec.PolicyTypes);
        Assert.Null(deny.Spec.Ingress);
        foreach (var labels in PodLabels(output))
        {
            Assert.True(Selects(deny.Spec.PodSelector, labels), $"default deny misses pod {labels[KubernetesLabels.Name]}");
        }
    }

    [Fact]
    public void Postgres_accepts_its_port_from_the_migration_job_the_api_and_the_processor_only()
    {
        var output = PublishedOutput.Publish(_scratch);
        var policy = Policy(output, "postgres-primary-ingress");
        var rule = Assert.Single(policy.Spec.Ingress);

        Assert.True(Selects(policy.Spec.PodSelector, output.Postgres.Spec.Template.Metadata.Labels));
        Assert.Equal("5432", Assert.Single(rule.Ports).Port.Value);
        var allowed = PodLabels(output).Where(labels => rule.FromProperty.Any(peer => Selects(peer.PodSelector, labels))).Select(l => l[KubernetesLabels.Name]);
        Assert.Equal(["api-service", "migration-worker", "reservation-processor"], allowed.Order(StringComparer.Ordinal));
        Assert.All(rule.FromProperty, peer => Assert.Null(peer.NamespaceSelector));
    }

    [Fact]
    public void Api_accepts_its_service_port_only_and_the_processor_nothing()
    {
        var output = PublishedOutput.Publish(_scratch);
        var api = output.ApiDeployment.Spec.Template;

        var apiPolicies = output.Objects.Values.OfType<V1NetworkPolicy>().Where(p => Selects(p.Spec.PodSelector, api.Metadata.Labels)).ToList();
        var opened = apiPolicies.SelectMany(p => p.Spec.Ingress ?? []).SelectMany(r => r.Ports).Select(p => p.Port.Value);
        Assert.Equal([api.Spec.Containers[0].Ports.Single().ContainerPort.ToString(System.Globalization.CultureInfo.InvariantCulture)], opened);

        var processor = output.Deployment("reservation-processor").Spec.Template.Metadata.Labels;
        Assert.Empty(output.Objects.Values.OfType<V1NetworkPolicy>().Where(p => Selects(p.Spec.PodSelector, processor)).SelectMany(p => p.Spec.Ingress ?? []));
    }

    private static V1NetworkPolicy Policy(PublishedOutput output, string name) =>
        output.Objects.Values.OfType<V1NetworkPolicy>().Single(p => p.Metadata.Name == name);

    private static IEnumerable<IDictionary<string, string>> PodLabels(PublishedOutput output) =>
        output.Objects.Values.OfType<V1Deployment>().Select(d => d.Spec.Template.Metadata.Labels)
            .Append(output.Job.Spec.Template.Metadata.Labels)
            .Append(output.Postgres.Spec.Template.Metadata.Labels);

    // matchLabels only: the policies use no expressions.
    private static bool Selects(V1LabelSelector selector, IDictionary<string, string> labels) =>
        selector.MatchExpressions is null &&
        selector.MatchLabels.All(l => labels.TryGetValue(l.Key, out var value) && value == l.Value);

    public void Dispose() => _scratch.Dispose();
}
