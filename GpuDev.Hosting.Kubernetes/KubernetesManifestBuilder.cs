using System.Security.Cryptography;
using System.Text;
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

        if (options.MigrationWaitTimeoutSeconds <= 0)
        {
            throw new ArgumentException($"Kubernetes:MigrationWaitTimeoutSeconds is {options.MigrationWaitTimeoutSeconds}: give a positive number of seconds (default 600).");
        }

        if (options.PostgresWaitTimeoutSeconds <= 0)
        {
            throw new ArgumentException($"Kubernetes:PostgresWaitTimeoutSeconds is {options.PostgresWaitTimeoutSeconds}: give a positive number of seconds (default 300).");
        }

        var images = model.Deployments.Select(d => d.ResourceName).Prepend(model.MigrationResourceName)
            .ToDictionary(name => name, name => ImageReferences.Resolve(options, model, name), StringComparer.Ordinal);
        var password = DatabaseCredentials.ValidatePassword(options.PostgresPassword);

        // The roles' passwords, like the superuser's, are generated when not given (the publisher keeps earlier ones).
        options.PostgresOwnerPassword = string.IsNullOrEmpty(options.PostgresOwnerPassword) ? GeneratedSecret.Password() : options.PostgresOwnerPassword;
        options.PostgresRuntimePassword = string.IsNullOrEmpty(options.PostgresRuntimePassword) ? GeneratedSecret.Password() : options.PostgresRuntimePassword;
        var context = new ManifestContext(
            model,
            KubernetesNames.RequireDns1123Label(options.Namespace, "Kubernetes:Namespace"),
            images,
            PostgresPassword: password.Length > 0 ? password : GeneratedSecret.Password(),
            AdminToken: AdminTokenSecret.ValidateToken(options.AdminToken),
            options,
            MigrationFileSet.Load(databaseDirectory));

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
            DatabaseRoleManifests.Secret(context),
            PostgresManifests.InitScriptConfigMap(context),
            MigrationJobManifests.SchemaConfigMap(context),
            MigrationJobManifests.FixturesConfigMap(context),
            DatabaseRoleManifests.BootstrapConfigMap(context),
            PostgresManifests.HeadlessService(context),
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

            objects.Add(WithConfigChecksum(DeploymentManifests.Deployment(context, deployment), objects));
        }

        // Least privilege: closed ingress except the paths the services use.
        objects.AddRange(NetworkPolicyManifests.All(context));

        var manifests = objects.Select((o, index) => KubernetesManifest.Create(index + 1, o)).ToList();
        foreach (var manifest in manifests)
        {
            var name = manifest.Resource.Metadata.Name;
            if (!KubernetesNames.IsDns1123Label(name))
            {
                throw new InvalidOperationException($"The {manifest.Resource.Kind} name '{name}' is not a valid DNS-1123 label: rename the AppHost resource it comes from.");
            }
        }

        return manifests;
    }

    /// <summary>
    /// Puts a checksum of every Secret and ConfigMap the pod reads into its template, so changing one of
    /// them (a password, a token) rolls the Deployment instead of leaving pods on the old values.
    /// </summary>
    private static V1Deployment WithConfigChecksum(V1Deployment deployment, IEnumerable<IKubernetesObject<V1ObjectMeta>> objects)
    {
        var pod = deployment.Spec.Template.Spec;
        var containers = (pod.InitContainers ?? []).Concat(pod.Containers).ToList();
        var secrets = containers.SelectMany(c => c.Env ?? []).Select(e => e.ValueFrom?.SecretKeyRef?.Name)
            .Concat(containers.SelectMany(c => c.EnvFrom ?? []).Select(e => e.SecretRef?.Name))
            .Concat((pod.Volumes ?? []).Select(v => v.Secret?.SecretName))
            .OfType<string>().ToHashSet(StringComparer.Ordinal);
        var configMaps = containers.SelectMany(c => c.Env ?? []).Select(e => e.ValueFrom?.ConfigMapKeyRef?.Name)
            .Concat(containers.SelectMany(c => c.EnvFrom ?? []).Select(e => e.ConfigMapRef?.Name))
            .Concat((pod.Volumes ?? []).Select(v => v.ConfigMap?.Name))
            .OfType<string>().ToHashSet(StringComparer.Ordinal);

        var read = new StringBuilder();
        foreach (var o in objects.Where(o => (o is V1Secret && secrets.Contains(o.Metadata.Name)) || (o is V1ConfigMap && configMaps.Contains(o.Metadata.Name))))
        {
            read.Append(KubectlYaml.Serialize(o));
        }

        deployment.Spec.Template.Metadata.Annotations ??= new SortedDictionary<string, string>(StringComparer.Ordinal);
        deployment.Spec.Template.Metadata.Annotations[DeploymentManifests.ConfigChecksumAnnotation] =
            Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(read.ToString())));
        return deployment;
    }
}
