namespace GpuDev.Hosting.Kubernetes;

/// <summary>
/// What the Kubernetes manifests need to know about the AppHost's model: resource names, the database,
/// the PostgreSQL image and what each project is published as. Read from the model's annotations by
/// <see cref="DeploymentModelReader"/>.
/// </summary>
/// <param name="PostgresResourceName">The PostgreSQL server resource (<c>postgres</c>); with <c>-primary</c> it names the StatefulSet and its Service, as production's chart does.</param>
/// <param name="PostgresImage">The server's container image with registry and tag.</param>
/// <param name="PostgresPort">The port PostgreSQL listens on inside its container.</param>
/// <param name="PostgresDataPath">Where the container keeps its data (the AppHost's data volume target).</param>
/// <param name="ConnectionName">The database resource's name, i.e. the connection-string name the services read (<c>ConnectionStrings__gpudev</c>).</param>
/// <param name="DatabaseName">The database's name in PostgreSQL (<c>gpudev</c>), also the database user's name.</param>
/// <param name="MigrationResourceName">The project published as the migration Job (applies the schema, then exits).</param>
/// <param name="Deployments">The projects published as Deployments, in the AppHost's order.</param>
public sealed record GpuDevDeploymentModel(
    string PostgresResourceName,
    string PostgresImage,
    int PostgresPort,
    string PostgresDataPath,
    string ConnectionName,
    string DatabaseName,
    string MigrationResourceName,
    IReadOnlyList<DeploymentDescription> Deployments)
{
    /// <summary>The StatefulSet and its client Service: production's <c>postgres-primary</c>, so <c>kubectl exec postgres-primary-0</c> works.</summary>
    public string PostgresServiceName => $"{PostgresResourceName}-primary";

    /// <summary>The headless Service the StatefulSet's pods get their DNS names from (production's <c>postgres-primary-headless</c>).</summary>
    public string PostgresHeadlessServiceName => $"{PostgresServiceName}-headless";

    /// <summary>
    /// Each project's container image settings (the .NET SDK's <c>ContainerRepository</c> and <c>ContainerImageTag</c>)
    /// by resource name; a project missing here is published under its resource name.
    /// </summary>
    public IReadOnlyDictionary<string, ContainerImageSettings> ProjectImages { get; init; } = new Dictionary<string, ContainerImageSettings>();

    /// <summary>The Deployment that receives the admin token (the API), if any.</summary>
    public DeploymentDescription? AdminTokenDeployment => Deployments.FirstOrDefault(d => d.ReceivesAdminToken);
}

/// <summary>One project published as a Deployment (see <c>PublishAsKubernetesDeployment</c>).</summary>
/// <param name="ResourceName">The project's resource name (the key of its image option).</param>
/// <param name="ContainerPort">The HTTP port, or null for a Deployment with no Service and no HTTP probes.</param>
/// <param name="GatedOnMigration">Pods wait for the migration Job's hash before they start.</param>
/// <param name="ReceivesAdminToken">The pod gets <c>Admin__Token</c> from the admin-token Secret.</param>
/// <param name="ObjectName">The Deployment's, Service's and container's name when it differs from the resource's (production's <c>api-service</c>).</param>
public sealed record DeploymentDescription(string ResourceName, int? ContainerPort, bool GatedOnMigration, bool ReceivesAdminToken, string? ObjectName = null)
{
    /// <summary>The Deployment, its Service, its container and its <c>app.kubernetes.io/name</c> label.</summary>
    public string Name => ObjectName ?? ResourceName;
}

/// <summary>A project's container image as <c>dotnet publish -t:PublishContainer</c> names it.</summary>
/// <param name="Repository">The project's <c>ContainerRepository</c>, e.g. <c>gpudev-api</c>.</param>
/// <param name="Tag">The project's <c>ContainerImageTag</c>, e.g. <c>1.0.0</c>.</param>
/// <param name="User">The project's <c>ContainerUser</c> (numeric), which the pods run as.</param>
public sealed record ContainerImageSettings(string Repository, string Tag, string? User = null);
