using k8s.Models;

namespace GpuDev.Hosting.Kubernetes;

/// <summary>PostgreSQL with PGMQ: the init script ConfigMap, the StatefulSet with its volume claim, and the primary Service.</summary>
public static class PostgresManifests
{
    public const string InitScriptConfigMapName = "postgres-initdb";
    private const string Component = "database";
    private const string PortName = "postgres";
    private const string DataVolumeName = "data";
    private const string InitScriptVolumeName = "initdb";

    // The official image runs every script here once, when it initialises an empty data directory:
    // production creates PGMQ this way.
    private const string InitScriptDirectory = "/docker-entrypoint-initdb.d";

    // The postgres user's group in the official (Debian-based) images; lets it write the volume.
    private const long PostgresGroupId = 999;

    public static V1ConfigMap InitScript(ManifestContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return new V1ConfigMap
        {
            ApiVersion = V1ConfigMap.KubeApiVersion,
            Kind = V1ConfigMap.KubeKind,
            Metadata = context.Metadata(InitScriptConfigMapName, Labels(context)),
            Data = new SortedDictionary<string, string>(StringComparer.Ordinal)
            {
                ["001_pgmq.sql"] = "CREATE EXTENSION IF NOT EXISTS pgmq;\n",
            },
        };
    }

    public static V1StatefulSet StatefulSet(ManifestContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var model = context.Model;
        var labels = Labels(context);
        return new V1StatefulSet
        {
            ApiVersion = $"{V1StatefulSet.KubeGroup}/{V1StatefulSet.KubeApiVersion}",
            Kind = V1StatefulSet.KubeKind,
            Metadata = context.Metadata(model.PostgresResourceName, labels),
            Spec = new V1StatefulSetSpec
            {
                ServiceName = model.PostgresServiceName,
                Replicas = 1,
                Selector = new V1LabelSelector { MatchLabels = KubernetesLabels.Selector(model.PostgresResourceName, context.Instance) },
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Labels = labels },
                    Spec = new V1PodSpec
                    {
                        AutomountServiceAccountToken = false,
                        SecurityContext = new V1PodSecurityContext { FsGroup = PostgresGroupId },
                        Containers =
                        [
                            new V1Container
                            {
                                Name = "postgres",
                                Image = model.PostgresImage,
                                Ports = [new V1ContainerPort { ContainerPort = model.PostgresPort, Name = PortName, Protocol = "TCP" }],
                                Env = DatabaseCredentials.Environment(),
                                ReadinessProbe = new V1Probe
                                {
                                    Exec = new V1ExecAction
                                    {
                                        Command =
                                        [
                                            "sh",
                                            "-c",
                                            $"pg_isready -h 127.0.0.1 -p {model.PostgresPort} -U \"$POSTGRES_USER\" -d \"$POSTGRES_DB\"",
                                        ],
                                    },
                                    InitialDelaySeconds = 5,
                                    PeriodSeconds = 5,
                                    TimeoutSeconds = 3,
                                    FailureThreshold = 6,
                                },
                                VolumeMounts =
                                [
                                    new V1VolumeMount { MountPath = model.PostgresDataPath, Name = DataVolumeName },
                                    new V1VolumeMount { MountPath = InitScriptDirectory, Name = InitScriptVolumeName, ReadOnlyProperty = true },
                                ],
                                Resources = ContainerResources.Postgres(),
                            },
                        ],
                        Volumes =
                        [
                            new V1Volume { Name = InitScriptVolumeName, ConfigMap = new V1ConfigMapVolumeSource { Name = InitScriptConfigMapName } },
                        ],
                    },
                },
                VolumeClaimTemplates =
                [
                    new V1PersistentVolumeClaim
                    {
                        Metadata = new V1ObjectMeta { Name = DataVolumeName, Labels = labels },
                        Spec = new V1PersistentVolumeClaimSpec
                        {
                            AccessModes = ["ReadWriteOnce"],
                            StorageClassName = context.Options.PostgresStorageClass,
                            Resources = new V1VolumeResourceRequirements
                            {
                                Requests = new SortedDictionary<string, ResourceQuantity>(StringComparer.Ordinal)
                                {
                                    ["storage"] = new ResourceQuantity(context.Options.PostgresStorageSize),
                                },
                            },
                        },
                    },
                ],
            },
        };
    }

    public static V1Service Service(ManifestContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var model = context.Model;
        return new V1Service
        {
            ApiVersion = V1Service.KubeApiVersion,
            Kind = V1Service.KubeKind,
            Metadata = context.Metadata(model.PostgresServiceName, Labels(context)),
            Spec = new V1ServiceSpec
            {
                Type = "ClusterIP",
                Selector = KubernetesLabels.Selector(model.PostgresResourceName, context.Instance),
                Ports = [new V1ServicePort { Port = model.PostgresPort, Name = PortName, Protocol = "TCP", TargetPort = PortName }],
            },
        };
    }

    private static SortedDictionary<string, string> Labels(ManifestContext context) =>
        KubernetesLabels.For(context.Model.PostgresResourceName, context.Instance, Component, KubernetesLabels.ImageTag(context.Model.PostgresImage));
}
