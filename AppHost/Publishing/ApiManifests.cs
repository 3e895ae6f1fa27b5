using System.Globalization;
using k8s.Models;

namespace GpuDev.AppHost.Publishing;

/// <summary>
/// The API's Deployment and Service. Its pods serve only after the migration with the current hash
/// has completed: an init container runs the worker image in <c>--wait-for-hash</c> mode, which
/// reads the migration journal in PostgreSQL, so the API needs no access to the Kubernetes API.
/// </summary>
public static class ApiManifests
{
    public const int ContainerPort = 8080;
    public const int ServicePort = 80;
    public const string WaitContainerName = "wait-for-migration";
    private const string Component = "api";
    private const string PortName = "http";

    public static V1Deployment Deployment(ManifestContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var model = context.Model;
        var labels = Labels(context);
        var hash = context.Migrations.Hash;

        var apiEnvironment = DatabaseCredentials.EnvironmentWithConnectionString(model);
        apiEnvironment.Add(new V1EnvVar { Name = "HTTP_PORTS", Value = ContainerPort.ToString(CultureInfo.InvariantCulture) });
        apiEnvironment.Add(AdminTokenSecret.Environment());

        return new V1Deployment
        {
            ApiVersion = $"{V1Deployment.KubeGroup}/{V1Deployment.KubeApiVersion}",
            Kind = V1Deployment.KubeKind,
            Metadata = context.Metadata(model.ApiResourceName, labels),
            Spec = new V1DeploymentSpec
            {
                Replicas = 1,
                Selector = new V1LabelSelector { MatchLabels = KubernetesLabels.Selector(model.ApiResourceName, context.Instance) },
                Template = new V1PodTemplateSpec
                {
                    // The hash in the pod template means a new migration rolls the API: new pods wait for it.
                    Metadata = new V1ObjectMeta
                    {
                        Labels = labels,
                        Annotations = new SortedDictionary<string, string>(StringComparer.Ordinal) { [MigrationJobManifests.HashLabel] = hash },
                    },
                    Spec = new V1PodSpec
                    {
                        AutomountServiceAccountToken = false,
                        InitContainers =
                        [
                            new V1Container
                            {
                                Name = WaitContainerName,
                                Image = context.WorkerImage,
                                Args =
                                [
                                    "--wait-for-hash",
                                    hash,
                                    "--timeout",
                                    context.Options.MigrationWaitTimeoutSeconds.ToString(CultureInfo.InvariantCulture),
                                ],
                                Env = DatabaseCredentials.EnvironmentWithConnectionString(model),
                                Resources = ContainerResources.Migration(),
                            },
                        ],
                        Containers =
                        [
                            new V1Container
                            {
                                Name = model.ApiResourceName,
                                Image = context.ApiImage,
                                Ports = [new V1ContainerPort { ContainerPort = ContainerPort, Name = PortName, Protocol = "TCP" }],
                                Env = apiEnvironment,
                                ReadinessProbe = new V1Probe
                                {
                                    HttpGet = new V1HTTPGetAction { Port = PortName, Path = "/health" },
                                    PeriodSeconds = 10,
                                    TimeoutSeconds = 5,
                                    FailureThreshold = 3,
                                },
                                LivenessProbe = new V1Probe
                                {
                                    HttpGet = new V1HTTPGetAction { Port = PortName, Path = "/alive" },
                                    InitialDelaySeconds = 10,
                                    PeriodSeconds = 20,
                                    TimeoutSeconds = 5,
                                    FailureThreshold = 3,
                                },
                                Resources = ContainerResources.Api(),
                            },
                        ],
                    },
                },
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
            Metadata = context.Metadata(model.ApiResourceName, Labels(context)),
            Spec = new V1ServiceSpec
            {
                Type = "ClusterIP",
                Selector = KubernetesLabels.Selector(model.ApiResourceName, context.Instance),
                Ports = [new V1ServicePort { Port = ServicePort, Name = PortName, Protocol = "TCP", TargetPort = PortName }],
            },
        };
    }

    private static SortedDictionary<string, string> Labels(ManifestContext context) =>
        KubernetesLabels.For(context.Model.ApiResourceName, context.Instance, Component, KubernetesLabels.ImageTag(context.ApiImage));
}
