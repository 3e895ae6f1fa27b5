using System.Globalization;
using GpuDev.Database;
using k8s.Models;

namespace GpuDev.Hosting.Kubernetes;

/// <summary>
/// The Deployment (and, for a project that serves HTTP, the Service) of any project marked
/// <c>PublishAsKubernetesDeployment</c>. A gated project's pods start only after the migration with
/// the current hash has completed: an init container runs the worker image in <c>--wait-for-hash</c>
/// mode, which reads the migration journal in PostgreSQL, so no pod needs access to the Kubernetes API.
/// </summary>
public static class DeploymentManifests
{
    /// <summary>The port production's API listens on (its Service maps port 80 to it).</summary>
    public const int DefaultContainerPort = 8000;
    public const int ServicePort = 80;
    public const string WaitContainerName = "wait-for-migration";

    /// <summary>A checksum of the Secrets and ConfigMaps a pod reads, in its template: a changed value rolls the Deployment.</summary>
    public const string ConfigChecksumAnnotation = "gpudev.dev/config-checksum";

    /// <summary>Lets <c>kubectl logs deploy/&lt;name&gt;</c> and <c>kubectl exec</c> pick the service's container over the wait container.</summary>
    public const string DefaultContainerAnnotation = "kubectl.kubernetes.io/default-container";
    private const string PortName = "http";

    public static V1Deployment Deployment(ManifestContext context, DeploymentDescription deployment)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(deployment);
        var model = context.Model;
        var labels = Labels(context, deployment);
        var hash = context.Migrations.Hash;

        var environment = DatabaseRoleManifests.EnvironmentWithConnectionString(model, DatabaseRoles.Runtime);
        if (deployment.ContainerPort is int port)
        {
            environment.Add(new V1EnvVar { Name = "HTTP_PORTS", Value = port.ToString(CultureInfo.InvariantCulture) });
        }

        if (deployment.ReceivesAdminToken)
        {
            environment.Add(AdminTokenSecret.Environment());
        }

        return new V1Deployment
        {
            ApiVersion = $"{V1Deployment.KubeGroup}/{V1Deployment.KubeApiVersion}",
            Kind = V1Deployment.KubeKind,
            Metadata = context.Metadata(deployment.Name, labels),
            Spec = new V1DeploymentSpec
            {
                Replicas = 1,
                Selector = new V1LabelSelector { MatchLabels = Selector(context, deployment) },
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta
                    {
                        Labels = labels,
                        Annotations = PodAnnotations(deployment, hash),
                    },
                    Spec = new V1PodSpec
                    {
                        AutomountServiceAccountToken = false,
                        SecurityContext = PodSecurity.Pod(),
                        InitContainers = !deployment.GatedOnMigration ? null :
                        [
                            new V1Container
                            {
                                Name = WaitContainerName,
                                Image = context.WorkerImage,
                                ImagePullPolicy = "IfNotPresent",
                                Args =
                                [
                                    "--wait-for-hash",
                                    hash,
                                    "--timeout",
                                    context.Options.MigrationWaitTimeoutSeconds.ToString(CultureInfo.InvariantCulture),
                                ],
                                Env = DatabaseRoleManifests.EnvironmentWithConnectionString(model, DatabaseRoles.Runtime),
                                Resources = ContainerResources.Migration(),
                                SecurityContext = PodSecurity.Container(PodSecurity.UserOf(model, model.MigrationResourceName)),
                                VolumeMounts = [PodSecurity.TempMount()],
                            },
                        ],
                        Containers =
                        [
                            new V1Container
                            {
                                Name = deployment.Name,
                                Image = context.ImageOf(deployment),
                                ImagePullPolicy = "IfNotPresent",
                                Ports = deployment.ContainerPort is int containerPort
                                    ? [new V1ContainerPort { ContainerPort = containerPort, Name = PortName, Protocol = "TCP" }]
                                    : null,
                                Env = environment,
                                ReadinessProbe = deployment.ContainerPort is null ? null : new V1Probe
                                {
                                    HttpGet = new V1HTTPGetAction { Port = PortName, Path = "/health" },
                                    PeriodSeconds = 10,
                                    TimeoutSeconds = 5,
                                    FailureThreshold = 3,
                                },
                                LivenessProbe = deployment.ContainerPort is null ? null : new V1Probe
                                {
                                    HttpGet = new V1HTTPGetAction { Port = PortName, Path = "/alive" },
                                    InitialDelaySeconds = 10,
                                    PeriodSeconds = 20,
                                    TimeoutSeconds = 5,
                                    FailureThreshold = 3,
                                },
                                Resources = ContainerResources.Api(),
                                SecurityContext = PodSecurity.Container(PodSecurity.UserOf(model, deployment.ResourceName)),
                                VolumeMounts = [PodSecurity.TempMount()],
                            },
                        ],
                        Volumes = [PodSecurity.TempVolume()],
                    },
                },
            },
        };
    }

    public static V1Service Service(ManifestContext context, DeploymentDescription deployment)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(deployment);
        return new V1Service
        {
            ApiVersion = V1Service.KubeApiVersion,
            Kind = V1Service.KubeKind,
            Metadata = context.Metadata(deployment.Name, Labels(context, deployment)),
            Spec = new V1ServiceSpec
            {
                Type = "ClusterIP",
                Selector = Selector(context, deployment),
                Ports = [new V1ServicePort { Port = ServicePort, Name = PortName, Protocol = "TCP", TargetPort = PortName }],
            },
        };
    }

    /// <summary>The labels that select a Deployment's pods (for its Service and network policies).</summary>
    public static SortedDictionary<string, string> Selector(ManifestContext context, DeploymentDescription deployment) =>
        KubernetesLabels.Selector(deployment?.Name ?? throw new ArgumentNullException(nameof(deployment)), context?.Instance ?? throw new ArgumentNullException(nameof(context)));

    private static SortedDictionary<string, string> PodAnnotations(DeploymentDescription deployment, string hash)
    {
        var annotations = new SortedDictionary<string, string>(StringComparer.Ordinal) { [DefaultContainerAnnotation] = deployment.Name };
        if (deployment.GatedOnMigration)
        {
            // The hash in the pod template means a new migration rolls a gated Deployment: new pods wait for it.
            annotations[MigrationJobManifests.HashLabel] = hash;
        }

        return annotations;
    }

    private static SortedDictionary<string, string> Labels(ManifestContext context, DeploymentDescription deployment) =>
        KubernetesLabels.For(deployment.Name, context.Instance, deployment.ResourceName, KubernetesLabels.ImageTag(context.ImageOf(deployment)));
}
