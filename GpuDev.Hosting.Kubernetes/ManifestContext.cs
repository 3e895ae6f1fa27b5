using GpuDev.Database.Migrations;
using k8s.Models;

namespace GpuDev.Hosting.Kubernetes;

/// <summary>Everything the individual manifest factories share: the model, the options and the migration files.</summary>
public sealed record ManifestContext(
    GpuDevDeploymentModel Model,
    string Namespace,
    string WorkerImage,
    string PostgresPassword,
    string AdminToken,
    KubernetesPublishingOptions Options,
    MigrationFileSet Migrations)
{
    /// <summary>The image of a Deployment (see <see cref="KubernetesPublishingOptions.ImageFor"/>).</summary>
    public string ImageOf(DeploymentDescription deployment) => Options.ImageFor(deployment?.ResourceName ?? throw new ArgumentNullException(nameof(deployment)));

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
