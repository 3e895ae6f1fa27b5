using System.Globalization;
using k8s.Models;

namespace GpuDev.Hosting.Kubernetes;

/// <summary>
/// PostgreSQL with PGMQ, named as production's chart names it: the init script ConfigMap, the StatefulSet
/// <c>postgres-primary</c> with its volume claim, its headless Service and the client Service <c>postgres-primary</c>.
/// </summary>
public static class PostgresManifests
{
    public const string InitScriptConfigMapName = "postgres-init-script";

    /// <summary>The statement the init script runs; the Aspire manifest's init file (AppHost/Postgres/initdb) holds the same.</summary>
    public const string InitScript = "CREATE EXTENSION IF NOT EXISTS pgmq;\n";

    public const string InitScriptFileName = "001_pgmq.sql";

    /// <summary>
    /// The image's default is 100, exactly one API pod's Npgsql pool (100). Room for the API and the processor
    /// at their full pools, the migration Job, the wait containers and the reserved superuser slots.
    /// </summary>
    public const int MaxConnections = 300;

    private const string Component = "database";
    private const string PortName = "postgres";
    private const string DataVolumeName = "data";
    private const string InitScriptVolumeName = "init-scripts";
    private const string SocketVolumeName = "run";

    // The official image runs every script here once, when it initialises an empty data directory:
    // production creates PGMQ this way.
    private const string InitScriptDirectory = "/docker-entrypoint-initdb.d";

    public static V1ConfigMap InitScriptConfigMap(ManifestContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return new V1ConfigMap
        {
            ApiVersion = V1ConfigMap.KubeApiVersion,
            Kind = V1ConfigMap.KubeKind,
            Metadata = context.Metadata(InitScriptConfigMapName, Labels(context)),
            Data = new SortedDictionary<string, string>(StringComparer.Ordinal) { [InitScriptFileName] = InitScript },
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
            Metadata = context.Metadata(model.PostgresServiceName, labels),
            Spec = new V1StatefulSetSpec
            {
                // Immutable after creation, like selector and volumeClaimTemplates below: none of them may
                // carry a value that changes between versions (an image tag, say), or an upgrade fails.
                ServiceName = model.PostgresHeadlessServiceName,
                Replicas = 1,
                Selector = new V1LabelSelector { MatchLabels = Selector(context) },
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Labels = labels },
                    Spec = new V1PodSpec
                    {
                        AutomountServiceAccountToken = false,
                        SecurityContext = PodSecurity.Pod(fsGroup: PodSecurity.PostgresUser),
                        Containers =
                        [
                            new V1Container
                            {
                                Name = "postgres",
                                Image = model.PostgresImage,
                                ImagePullPolicy = "IfNotPresent",
                                Args = ["-c", $"max_connections={MaxConnections.ToString(CultureInfo.InvariantCulture)}"],
                                Ports = [new V1ContainerPort { ContainerPort = model.PostgresPort, Name = PortName, Protocol = "TCP" }],
                                Env = DatabaseCredentials.Environment(),
                                ReadinessProbe = new V1Probe
                                {
                                    Exec = PgIsReady(model),
                                    InitialDelaySeconds = 5,
                                    PeriodSeconds = 5,
                                    TimeoutSeconds = 3,
                                    FailureThreshold = 6,
                                },
                                // Production's numbers: a server that stops answering for a minute is restarted.
                                LivenessProbe = new V1Probe
                                {
                                    Exec = PgIsReady(model),
                                    InitialDelaySeconds = 30,
                                    PeriodSeconds = 10,
                                    TimeoutSeconds = 5,
                                    FailureThreshold = 6,
                                },
                                VolumeMounts =
                                [
                                    new V1VolumeMount { MountPath = model.PostgresDataPath, Name = DataVolumeName },
                                    new V1VolumeMount { MountPath = InitScriptDirectory, Name = InitScriptVolumeName, ReadOnlyProperty = true },
                                    new V1VolumeMount { MountPath = "/var/run/postgresql", Name = SocketVolumeName },
                                    PodSecurity.TempMount(),
                                ],
                                Resources = ContainerResources.Postgres(),
                                SecurityContext = PodSecurity.Container(PodSecurity.PostgresUser),
                            },
                        ],
                        Volumes =
                        [
                            new V1Volume { Name = InitScriptVolumeName, ConfigMap = new V1ConfigMapVolumeSource { Name = InitScriptConfigMapName } },
                            new V1Volume { Name = SocketVolumeName, EmptyDir = new V1EmptyDirVolumeSource() },
                            PodSecurity.TempVolume(),
                        ],
                    },
                },
                VolumeClaimTemplates =
                [
                    new V1PersistentVolumeClaim
                    {
                        // Selector labels only: the version label would make the next image an immutable-field change.
                        Metadata = new V1ObjectMeta { Name = DataVolumeName, Labels = Selector(context) },
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

    /// <summary>The client Service <c>postgres-primary</c>, which every connection string names.</summary>
    public static V1Service Service(ManifestContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return Service(context, context.Model.PostgresServiceName, clusterIp: null);
    }

    /// <summary>The headless Service that gives the StatefulSet's pods their DNS names (its <c>serviceName</c>).</summary>
    public static V1Service HeadlessService(ManifestContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return Service(context, context.Model.PostgresHeadlessServiceName, clusterIp: "None");
    }

    /// <summary>The labels that select PostgreSQL's pods (for Services and network policies).</summary>
    public static SortedDictionary<string, string> Selector(ManifestContext context) =>
        KubernetesLabels.Selector(context?.Model.PostgresServiceName ?? throw new ArgumentNullException(nameof(context)), context.Instance);

    private static V1Service Service(ManifestContext context, string name, string? clusterIp)
    {
        var model = context.Model;
        return new V1Service
        {
            ApiVersion = V1Service.KubeApiVersion,
            Kind = V1Service.KubeKind,
            Metadata = context.Metadata(name, Labels(context)),
            Spec = new V1ServiceSpec
            {
                Type = "ClusterIP",
                ClusterIP = clusterIp,
                Selector = Selector(context),
                Ports = [new V1ServicePort { Port = model.PostgresPort, Name = PortName, Protocol = "TCP", TargetPort = PortName }],
            },
        };
    }

    private static V1ExecAction PgIsReady(GpuDevDeploymentModel model) => new()
    {
        Command = ["sh", "-c", $"pg_isready -q -h 127.0.0.1 -p {model.PostgresPort} -U \"$POSTGRES_USER\" -d \"$POSTGRES_DB\""],
    };

    private static SortedDictionary<string, string> Labels(ManifestContext context) =>
        KubernetesLabels.For(context.Model.PostgresServiceName, context.Instance, Component, KubernetesLabels.ImageTag(context.Model.PostgresImage));
}
