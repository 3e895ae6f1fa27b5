using k8s.Models;

namespace GpuDev.Hosting.Kubernetes;

/// <summary>
/// Ingress rules for the installation's pods (selected by <see cref="KubernetesLabels"/>, never by object name):
/// nothing reaches a pod unless a policy below lets it; PostgreSQL accepts its port from the migration Job and
/// the Deployments only; a Deployment with a Service accepts its container port only (from anywhere: an ingress
/// controller or another namespace may front it). Egress is left open (DNS, image pulls, telemetry).
/// </summary>
/// <remarks>
/// Enforced by the cluster's network plugin (Calico, Cilium, …); a cluster without one ignores them. Kubelet
/// probes come from the node and are not subject to these rules on common plugins.
/// </remarks>
public static class NetworkPolicyManifests
{
    public const string DefaultDenyName = "default-deny-ingress";
    private const string ApiVersion = "networking.k8s.io/v1";
    private const string Kind = "NetworkPolicy";
    private const string Component = "network-policy";

    public static IEnumerable<V1NetworkPolicy> All(ManifestContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        yield return DefaultDenyIngress(context);
        yield return PostgresIngress(context);
        foreach (var deployment in context.Model.Deployments.Where(d => d.ContainerPort is not null))
        {
            yield return DeploymentIngress(context, deployment);
        }
    }

    /// <summary>Every pod of this installation (instance and part-of labels): no ingress unless another policy allows it.</summary>
    public static V1NetworkPolicy DefaultDenyIngress(ManifestContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return Policy(context, DefaultDenyName, new V1NetworkPolicySpec
        {
            PodSelector = new V1LabelSelector
            {
                MatchLabels = new SortedDictionary<string, string>(StringComparer.Ordinal)
                {
                    [KubernetesLabels.Instance] = context.Instance,
                    [KubernetesLabels.PartOf] = KubernetesLabels.PartOfValue,
                },
            },
            PolicyTypes = ["Ingress"],
        });
    }

    /// <summary>PostgreSQL's port, from the migration Job's pods and each Deployment's pods only.</summary>
    public static V1NetworkPolicy PostgresIngress(ManifestContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var model = context.Model;
        var clients = model.Deployments.Select(d => DeploymentManifests.Selector(context, d)).Prepend(MigrationJobManifests.Selector(context));
        return Policy(context, $"{model.PostgresServiceName}-ingress", new V1NetworkPolicySpec
        {
            PodSelector = new V1LabelSelector { MatchLabels = PostgresManifests.Selector(context) },
            PolicyTypes = ["Ingress"],
            Ingress =
            [
                new V1NetworkPolicyIngressRule
                {
                    FromProperty = clients
                        .Select(selector => new V1NetworkPolicyPeer { PodSelector = new V1LabelSelector { MatchLabels = selector } })
                        .ToList(),
                    Ports = [new V1NetworkPolicyPort { Protocol = "TCP", Port = model.PostgresPort }],
                },
            ],
        });
    }

    /// <summary>The Deployment's container port (its Service's target), from any source; nothing else.</summary>
    public static V1NetworkPolicy DeploymentIngress(ManifestContext context, DeploymentDescription deployment)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(deployment);
        var port = deployment.ContainerPort ?? throw new ArgumentException($"'{deployment.ResourceName}' serves no port.", nameof(deployment));
        return Policy(context, $"{deployment.Name}-ingress", new V1NetworkPolicySpec
        {
            PodSelector = new V1LabelSelector { MatchLabels = DeploymentManifests.Selector(context, deployment) },
            PolicyTypes = ["Ingress"],
            Ingress = [new V1NetworkPolicyIngressRule { Ports = [new V1NetworkPolicyPort { Protocol = "TCP", Port = port }] }],
        });
    }

    private static V1NetworkPolicy Policy(ManifestContext context, string name, V1NetworkPolicySpec spec) =>
        new()
        {
            ApiVersion = ApiVersion,
            Kind = Kind,
            Metadata = context.Metadata(name, KubernetesLabels.For(name, context.Instance, Component)),
            Spec = spec,
        };
}
