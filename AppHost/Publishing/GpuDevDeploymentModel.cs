namespace GpuDev.AppHost.Publishing;

/// <summary>
/// What the Kubernetes manifests need to know about the AppHost's model: resource names, the database
/// and the PostgreSQL image. Read from the model by <see cref="DeploymentModelReader"/>.
/// </summary>
/// <param name="PostgresResourceName">The PostgreSQL server resource (<c>postgres</c>); names the StatefulSet and, with <c>-primary</c>, its Service.</param>
/// <param name="PostgresImage">The server's container image with registry and tag.</param>
/// <param name="PostgresPort">The port PostgreSQL listens on inside its container.</param>
/// <param name="PostgresDataPath">Where the container keeps its data (the AppHost's data volume target).</param>
/// <param name="ConnectionName">The database resource's name, i.e. the connection-string name the services read (<c>ConnectionStrings__gpudev</c>).</param>
/// <param name="DatabaseName">The database's name in PostgreSQL (<c>gpudev</c>), also the database user's name.</param>
/// <param name="MigrationResourceName">The project that applies the schema and then exits.</param>
/// <param name="ApiResourceName">The project that serves HTTP once the migration has completed.</param>
public sealed record GpuDevDeploymentModel(
    string PostgresResourceName,
    string PostgresImage,
    int PostgresPort,
    string PostgresDataPath,
    string ConnectionName,
    string DatabaseName,
    string MigrationResourceName,
    string ApiResourceName)
{
    public string PostgresServiceName => $"{PostgresResourceName}-primary";
}
