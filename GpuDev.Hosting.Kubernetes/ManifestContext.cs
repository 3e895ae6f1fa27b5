using GpuDev.Database.Migrations;
using k8s.Models;

namespace GpuDev.Hosting.Kubernetes;

/// <summary>Everything the individual manifest factories share: the model, the options, the resolved images and secrets, and the migration files.</summary>
/// <param name="Images">Every project's image reference by resource name (see <see cref="ImageReferences"/>).</param>
public sealed record ManifestContext(
    GpuDevDeploymentModel Model,
    string Namespace,
    IReadOnlyDictionary<string, string> Images,
    string PostgresPassword,
    string AdminToken,
    KubernetesPublishingOptions Options,
    MigrationFileSet Migrations)
{
    /// <summary>The migration worker's image (the Job, and the Deployments' wait containers).</summary>
    public string WorkerImage => Images[Model.MigrationResourceName];

    /// <summary>The image of a Deployment.</summary>
    public string ImageOf(DeploymentDescription deployment) => Images[deployment?.ResourceName ?? throw new ArgumentNullException(nameof(deployment))];

    /// <summary>The <c>app.kubernetes.io/instance</c> value: one installation per namespace.</summary>
    public string Instance => Namespace;

    public V1ObjectMeta Metadata(string name, IDictionary<string, string> labels, IDictionary<string, string>? annotations = null) =>
        new()
        {
            Name = name,
            NamespaceProperty = Namespace,
            Labels = labels,
            Annotations = annotations,
        };
}
