using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;

namespace GpuDev.Hosting.Kubernetes;

/// <summary>
/// Finds, in the AppHost's model, the pieces production deploys: the PostgreSQL database (publishing
/// always uses its container form), the project marked <c>PublishAsKubernetesMigrationJob</c> and the
/// projects marked <c>PublishAsKubernetesDeployment</c>. Nothing is inferred: a project without one of
/// those annotations is not deployed.
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

        var projects = model.Resources.OfType<ProjectResource>().ToList();
        var jobs = projects.Where(p => p.TryGetLastAnnotation<KubernetesMigrationJobAnnotation>(out _)).ToList();
        if (jobs.Count != 1)
        {
            throw new DistributedApplicationException(
                $"Kubernetes publishing expects exactly one project marked PublishAsKubernetesMigrationJob, found {jobs.Count}" +
                (jobs.Count == 0 ? "." : $": {string.Join(", ", jobs.Select(j => j.Name))}."));
        }

        var migration = jobs[0];
        var deployments = new List<(ProjectResource Project, KubernetesDeploymentAnnotation Annotation)>();
        foreach (var project in projects)
        {
            if (project.TryGetLastAnnotation<KubernetesDeploymentAnnotation>(out var annotation))
            {
                if (annotation.GatedOn is not null && !ReferenceEquals(annotation.GatedOn, migration))
                {
                    throw new DistributedApplicationException(
                        $"The project '{project.Name}' is gated on '{annotation.GatedOn.Name}', which is not the migration Job '{migration.Name}'.");
                }

                deployments.Add((project, annotation));
            }
        }

        foreach (var project in deployments.Select(d => d.Project).Prepend(migration))
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
            Deployments: deployments
                .Select(d => new DeploymentDescription(d.Project.Name, d.Annotation.ContainerPort, d.Annotation.GatedOn is not null, d.Annotation.ReceivesAdminToken, d.Annotation.Name))
                .ToList());
    }

    /// <summary>The project file of the migration Job's and every Deployment's project, by resource name.</summary>
    public static IReadOnlyDictionary<string, string> ProjectPaths(DistributedApplicationModel model, GpuDevDeploymentModel deployment)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(deployment);
        var names = deployment.Deployments.Select(d => d.ResourceName).Prepend(deployment.MigrationResourceName).ToHashSet(StringComparer.Ordinal);
        return model.Resources.OfType<ProjectResource>()
            .Where(p => names.Contains(p.Name))
            .ToDictionary(p => p.Name, p => p.GetProjectMetadata().ProjectPath, StringComparer.Ordinal);
    }

    private static bool References(ProjectResource project, IResource database) =>
        project.Annotations.OfType<ResourceRelationshipAnnotation>()
            .Any(relationship => relationship.Type == "Reference" &&
                (ReferenceEquals(relationship.Resource, database) ||
                 (relationship.Resource.TryGetLastAnnotation<DatabaseRoleAnnotation>(out var role) && ReferenceEquals(role.Database, database))));
}
