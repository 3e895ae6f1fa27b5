using System.Security.Cryptography;
using System.Text;
using GpuDev.Database;
using GpuDev.Database.Migrations;
using k8s.Models;

namespace GpuDev.Hosting.Kubernetes;

/// <summary>
/// The schema and fixture ConfigMaps (production's <c>database-schema</c> and <c>database-fixtures</c>) and
/// the migration Job <c>db-migration-&lt;hash&gt;-&lt;template&gt;</c>: a changed SQL file gives a new migration
/// hash, and any other change to the Job (an image, a tag, an option) a new template hash, so every change
/// is a new Job (a Job's template cannot be changed in place) and re-applies cleanly.
/// </summary>
public static class MigrationJobManifests
{
    public const string SchemaConfigMapName = "database-schema";
    public const string FixturesConfigMapName = "database-fixtures";
    public const string JobNamePrefix = "db-migration-";
    public const string HashLabel = "gpudev.dev/migration-hash";

    /// <summary>Where the Job's container finds the SQL: <c>Migrations__Path</c>, as the AppHost sets it for a local run.</summary>
    public const string MountPath = "/migrations";

    private const string Component = "migration";
    private const int ConfigMapSizeLimit = 1024 * 1024;
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static string JobName(string migrationHash, string templateHash) => $"{JobNamePrefix}{migrationHash}-{templateHash}";

    /// <summary>The migration hash a Job was published for (its <see cref="HashLabel"/> label).</summary>
    public static string MigrationHashOf(V1Job job) => job?.Metadata.Labels[HashLabel] ?? throw new ArgumentNullException(nameof(job));

    public static V1ConfigMap SchemaConfigMap(ManifestContext context) =>
        FilesConfigMap(context, SchemaConfigMapName, context?.Migrations.Schema ?? throw new ArgumentNullException(nameof(context)));

    public static V1ConfigMap FixturesConfigMap(ManifestContext context) =>
        FilesConfigMap(context, FixturesConfigMapName, context?.Migrations.Fixtures ?? throw new ArgumentNullException(nameof(context)));

    public static V1Job Job(ManifestContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var model = context.Model;
        var hash = context.Migrations.Hash;
        var labels = Labels(context);
        labels[HashLabel] = hash;

        // The worker connects as the owner role; the bootstrap init container before it is the only superuser client.
        var environment = DatabaseRoleManifests.EnvironmentWithConnectionString(model, DatabaseRoles.Owner);
        environment.Add(new V1EnvVar { Name = SettingNames.MigrationsPath, Value = MountPath });

        var spec = new V1JobSpec
        {
            // Production's numbers: 4 attempts in all, cleaned up an hour after it finished.
            BackoffLimit = 3,
            TtlSecondsAfterFinished = 3600,
            Template = new V1PodTemplateSpec
            {
                // The bootstrap's script and the roles' passwords are part of what the Job does: a change to either is a new Job.
                Metadata = new V1ObjectMeta
                {
                    Labels = labels,
                    Annotations = new SortedDictionary<string, string>(StringComparer.Ordinal) { [DeploymentManifests.ConfigChecksumAnnotation] = DatabaseRoleManifests.Checksum(context) },
                },
                Spec = new V1PodSpec
                {
                    RestartPolicy = "OnFailure",
                    AutomountServiceAccountToken = false,
                    SecurityContext = PodSecurity.Pod(),
                    InitContainers = [DatabaseCredentials.WaitForPostgresContainer(context), DatabaseRoleManifests.BootstrapContainer(context)],
                    Containers =
                        [
                            new V1Container
                            {
                                Name = model.MigrationResourceName,
                                Image = context.WorkerImage,
                                ImagePullPolicy = "IfNotPresent",
                                Env = environment,
                                SecurityContext = PodSecurity.Container(PodSecurity.UserOf(model, model.MigrationResourceName)),
                                VolumeMounts =
                                [
                                    PodSecurity.TempMount(),
                                    new V1VolumeMount { MountPath = $"{MountPath}/{MigrationFileSet.SchemaDirectoryName}", Name = SchemaConfigMapName, ReadOnlyProperty = true },
                                    new V1VolumeMount { MountPath = $"{MountPath}/{MigrationFileSet.FixturesDirectoryName}", Name = FixturesConfigMapName, ReadOnlyProperty = true },
                                ],
                                Resources = ContainerResources.Migration(),
                            },
                        ],
                    Volumes =
                        [
                            new V1Volume { Name = SchemaConfigMapName, ConfigMap = new V1ConfigMapVolumeSource { Name = SchemaConfigMapName } },
                            new V1Volume { Name = FixturesConfigMapName, ConfigMap = new V1ConfigMapVolumeSource { Name = FixturesConfigMapName } },
                            PodSecurity.TempVolume(),
                            DatabaseRoleManifests.BootstrapVolume(),
                        ],
                },
            },
        };

        return new V1Job
        {
            ApiVersion = $"{V1Job.KubeGroup}/{V1Job.KubeApiVersion}",
            Kind = V1Job.KubeKind,
            Metadata = context.Metadata(JobName(hash, TemplateHash(spec)), labels),
            Spec = spec,
        };
    }

    // The first 8 hex characters of SHA-256 over the spec as written: covers every image, variable and option in it.
    private static string TemplateHash(V1JobSpec spec) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(KubectlYaml.Serialize(spec))))[..8];

    // Text goes to data (readable in kubectl); anything kubectl's YAML parser would reject or change
    // (not UTF-8, CR, form feed, BEL and other control characters, a byte-order mark, a first line
    // starting with a TAB) goes to binaryData. Both are mounted byte for byte.
    private static V1ConfigMap FilesConfigMap(ManifestContext context, string name, IReadOnlyList<MigrationFileContent> files)
    {
        var total = files.Sum(file => file.Content.Length);
        if (total > ConfigMapSizeLimit)
        {
            throw new InvalidOperationException(
                $"The SQL files for ConfigMap '{name}' total {total} bytes; Kubernetes limits a ConfigMap to {ConfigMapSizeLimit} bytes. " +
                "Split large fixture data into a separate load step.");
        }

        var data = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var binaryData = new SortedDictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var file in files)
        {
            if (!KubernetesNames.IsConfigMapKey(file.Name))
            {
                throw new InvalidOperationException(
                    $"'{file.Name}' cannot be a ConfigMap key; rename it to letters, digits, '-', '_' and '.' only.");
            }

            if (TryDecode(file.Content, out var text) && KubectlYaml.IsKubectlSafeText(text))
            {
                data[file.Name] = text;
            }
            else
            {
                binaryData[file.Name] = file.Content;
            }
        }

        return new V1ConfigMap
        {
            ApiVersion = V1ConfigMap.KubeApiVersion,
            Kind = V1ConfigMap.KubeKind,
            Metadata = context.Metadata(name, Labels(context)),
            Data = data.Count > 0 ? data : null,
            BinaryData = binaryData.Count > 0 ? binaryData : null,
        };
    }

    private static bool TryDecode(byte[] content, out string text)
    {
        try
        {
            text = StrictUtf8.GetString(content);
            return true;
        }
        catch (DecoderFallbackException)
        {
            text = string.Empty;
            return false;
        }
    }

    /// <summary>The labels every pod of every migration Job carries, whatever its hash.</summary>
    public static SortedDictionary<string, string> Selector(ManifestContext context) =>
        KubernetesLabels.Selector(context?.Model.MigrationResourceName ?? throw new ArgumentNullException(nameof(context)), context.Instance);

    private static SortedDictionary<string, string> Labels(ManifestContext context) =>
        KubernetesLabels.For(context.Model.MigrationResourceName, context.Instance, Component, KubernetesLabels.ImageTag(context.WorkerImage));
}
