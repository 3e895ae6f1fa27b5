using GpuDev.Database.Migrations;
using k8s;
using k8s.Models;

namespace GpuDev.Hosting.Kubernetes;

/// <summary>
/// Builds every Kubernetes object of the deployment from the AppHost's model, the options and the
/// SQL files, in the order they are listed in <c>kustomization.yaml</c>.
/// </summary>
public static class KubernetesManifestBuilder
{
    public static IReadOnlyList<KubernetesManifest> Build(GpuDevDeploymentModel model, KubernetesPublishingOptions options, string databaseDirectory)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);

        var context = new ManifestContext(
            model,
            KubernetesNames.RequireDns1123Label(options.Namespace, "Kubernetes:Namespace"),
            WorkerImage: Image(options.WorkerImage, model.MigrationResourceName, "Kubernetes:WorkerImage"),
            PostgresPassword: DatabaseCredentials.ValidatePassword(options.PostgresPassword),
            AdminToken: AdminTokenSecret.ValidateToken(options.AdminToken),
            options,
            MigrationFileSet.Load(databaseDirectory));

        if (options.MigrationWaitTimeoutSeconds <= 0)
        {
            throw new ArgumentException("Kubernetes:MigrationWaitTimeoutSeconds must be a positive number of seconds.");
        }

        List<IKubernetesObject<V1ObjectMeta>> objects =
        [
            new V1Namespace
            {
                ApiVersion = V1Namespace.KubeApiVersion,
                Kind = V1Namespace.KubeKind,
                Metadata = new V1ObjectMeta
                {
                    Name = context.Namespace,
                    Labels = KubernetesLabels.For(context.Namespace, context.Instance, "namespace"),
                },
            },
            DatabaseCredentials.Secret(context),
            .. model.AdminTokenDeployment is { } adminTokenDeployment ? [AdminTokenSecret.Secret(context, adminTokenDeployment)] : Array.Empty<V1Secret>(),
            PostgresManifests.InitScript(context),
            MigrationJobManifests.SchemaConfigMap(context),
            MigrationJobManifests.FixturesConfigMap(context),
            PostgresManifests.Service(context),
            PostgresManifests.StatefulSet(context),
            MigrationJobManifests.Job(context),
        ];
        foreach (var deployment in model.Deployments)
        {
            if (deployment.ContainerPort is not null)
            {
                objects.Add(DeploymentManifests.Service(context, deployment));
            }

            objects.Add(DeploymentManifests.Deployment(context, deployment));
        }

        // Least privilege (listed last, so earlier objects keep their file numbers; `kubectl apply -k` orders by kind):
        // the database roles' Secret and bootstrap script, and the network policies.
        objects.Add(DatabaseRoleManifests.Secret(context));
        objects.Add(DatabaseRoleManifests.BootstrapConfigMap(context));
        objects.AddRange(NetworkPolicyManifests.All(context));

        var manifests = objects.Select((o, index) => KubernetesManifest.Create(index + 1, o)).ToList();
        foreach (var manifest in manifests)
        {
            var name = manifest.Resource.Metadata.Name;
            if (!KubernetesNames.IsDns1123Label(name))
            {
                throw new InvalidOperationException($"The {manifest.Resource.Kind} name '{name}' is not a valid DNS-1123 label; rename the AppHost resource it comes from.");
            }
        }

        return manifests;
    }

    private static string Image(string? configured, string resourceName, string optionName)
    {
        var image = string.IsNullOrWhiteSpace(configured) ? $"{resourceName}:latest" : configured.Trim();
        return image.Any(char.IsWhiteSpace)
            ? throw new ArgumentException($"{optionName} '{image}' is not an image reference (registry/repository:tag).")
            : image;
    }
}
