namespace GpuDev.Hosting.Kubernetes;

/// <summary>
/// What the Kubernetes manifests need to know about the AppHost's model: resource names, the database,
/// the PostgreSQL image and what each project is published as. Read from the model's annotations by
/// <see cref="DeploymentModelReader"/>.
/// </summary>
/// <param name="PostgresResourceName">The PostgreSQL server resource (<c>postgres</c>); names the StatefulSet and, with <c>-primary</c>, its Service.</param>
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
    public string PostgresServiceName => $"{PostgresResourceName}-primary";

    /// <summary>The Deployment that receives the admin token (the API), if any.</summary>
    public DeploymentDescription? AdminTokenDeployment => Deployments.FirstOrDefault(d => d.ReceivesAdminToken);
}

/// <summary>One project published as a Deployment (see <c>PublishAsKubernetesDeployment</c>).</summary>
/// <param name="ResourceName">The project's resource name: names the Deployment, its Service and its container.</param>
/// <param name="ContainerPort">The HTTP port, or null for a Deployment with no Service and no HTTP probes.</param>
/// <param name="GatedOnMigration">Pods wait for the migration Job's hash before they start.</param>
/// <param name="ReceivesAdminToken">The pod gets <c>Admin__Token</c> from the admin-token Secret.</param>
public sealed record DeploymentDescription(string ResourceName, int? ContainerPort, bool GatedOnMigration, bool ReceivesAdminToken);
