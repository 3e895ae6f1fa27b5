using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;

namespace GpuDev.AppHost.Publishing;

/// <summary>
/// Finds, in the AppHost's model, the pieces production deploys: the PostgreSQL database (publishing
/// always uses its container form), the project that runs to completion before another one starts
/// (the migration Job) and that other project (the API).
/// </summary>
public static class DeploymentModelReader
{
    private const int DefaultPostgresPort = 5432;
    private const string DefaultPostgresDataPath = "/var/lib/postgresql/data";

    public static GpuDevDeploymentModel Read(DistributedApplicationModel model)
    {
        ArgumentNullException.ThrowIfNull(model);

        var databases = model.Resources.OfType<PostgresDatabaseResource>().ToList();
        if (databases.Count != 1)
        {
            throw new DistributedApplicationException(
                $"Kubernetes publishing expects exactly one PostgreSQL database in the AppHost, found {databases.Count}. " +
                "Publish with --operation publish so the AppHost uses the container form of PostgreSQL.");
        }

        var database = databases[0];
        var server = database.Parent;
        if (!server.TryGetContainerImageName(out var image) || string.IsNullOrEmpty(image))
        {
            throw new DistributedApplicationException($"The PostgreSQL resource '{server.Name}' has no container image to deploy.");
        }

        var port = server.Annotations.OfType<EndpointAnnotation>().FirstOrDefault()?.TargetPort ?? DefaultPostgresPort;
        var dataPath = server.Annotations.OfType<ContainerMountAnnotation>().FirstOrDefault(m => m.Type == ContainerMountType.Volume)?.Target
            ?? DefaultPostgresDataPath;

        // The migration is the project something waits to *complete*; the API is what waits for it.
        var projects = model.Resources.OfType<ProjectResource>().ToList();
        var completionWaits = projects
            .SelectMany(waiter => waiter.Annotations.OfType<WaitAnnotation>()
                .Where(wait => wait.WaitType == WaitType.WaitForCompletion && wait.Resource is ProjectResource)
                .Select(wait => (Waiter: waiter, Migration: (ProjectResource)wait.Resource)))
            // Only a project that serves HTTP is the API: the reservation processor (a worker without endpoints)
            // also waits for the migration and is not part of this Kubernetes output yet.
            .Where(wait => wait.Waiter.Annotations.OfType<EndpointAnnotation>().Any())
            .ToList();
        if (completionWaits.Count != 1)
        {
            throw new DistributedApplicationException(
                "Kubernetes publishing expects one project that waits for another project's completion " +
                $"(the API waiting for the migration worker), found {completionWaits.Count}: " +
                string.Join(", ", completionWaits.Select(w => $"{w.Waiter.Name} -> {w.Migration.Name}")) + ".");
        }

        var (api, migration) = completionWaits[0];
        foreach (var project in new[] { migration, api })
        {
            if (!References(project, database))
            {
                throw new DistributedApplicationException(
                    $"The project '{project.Name}' does not reference the database '{database.Name}' (WithReference), " +
                    "so it would get no connection string in Kubernetes.");
            }
        }

        return new GpuDevDeploymentModel(
            PostgresResourceName: server.Name,
            PostgresImage: image,
            PostgresPort: port,
            PostgresDataPath: dataPath,
            ConnectionName: database.Name,
            DatabaseName: database.DatabaseName,
            MigrationResourceName: migration.Name,
            ApiResourceName: api.Name);
    }

    private static bool References(ProjectResource project, IResource database) =>
        project.Annotations.OfType<ResourceRelationshipAnnotation>()
            .Any(relationship => relationship.Type == "Reference" && ReferenceEquals(relationship.Resource, database));
}
