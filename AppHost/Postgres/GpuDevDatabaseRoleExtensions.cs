using Aspire.Hosting.ApplicationModel;
using GpuDev.Database;
using GpuDev.Hosting.Kubernetes;

namespace Aspire.Hosting;

/// <summary>
/// Least privilege for the database: the AppHost (which owns the server) runs <see cref="DatabaseBootstrap"/>
/// as the superuser, and each project connects as one of <see cref="DatabaseRoles"/> instead of the superuser.
/// </summary>
public static class GpuDevDatabaseRoleExtensions
{
    public const string OwnerPasswordParameterName = "postgres-owner-password";
    public const string RuntimePasswordParameterName = "postgres-runtime-password";

    /// <summary>
    /// Adds the roles' passwords (secret parameters, generated and kept like <c>postgres-password</c>), runs the
    /// bootstrap once the database is ready in either PostgreSQL mode, and adds one connection string per role
    /// (<c>gpudev-owner</c>, <c>gpudev-runtime</c>) for <see cref="WithDatabaseRole"/>.
    /// </summary>
    public static IResourceBuilder<IResourceWithConnectionString> WithGpuDevRoles(this IResourceBuilder<IResourceWithConnectionString> database)
    {
        ArgumentNullException.ThrowIfNull(database);
        var builder = database.ApplicationBuilder;
        var ownerPassword = Password(builder, OwnerPasswordParameterName);
        var runtimePassword = Password(builder, RuntimePasswordParameterName);

        database.WithBootstrapScript(DatabaseBootstrap.Script, new Dictionary<string, ParameterResource>(StringComparer.Ordinal)
        {
            [DatabaseRoles.OwnerPasswordSetting] = ownerPassword.Resource,
            [DatabaseRoles.RuntimePasswordSetting] = runtimePassword.Resource,
        });

        // Published, no AppHost runs the bootstrap: the image's init script does, on the server's first start
        // (AppHost/Postgres/initdb), with the passwords from the container's environment.
        if (builder.ExecutionContext.IsPublishMode && database.Resource is PostgresDatabaseResource container)
        {
            builder.CreateResourceBuilder(container.Parent)
                .WithEnvironment(DatabaseRoleManifests.OwnerPasswordKey, ownerPassword)
                .WithEnvironment(DatabaseRoleManifests.RuntimePasswordKey, runtimePassword);
        }

        RoleConnection(database, DatabaseRoles.Owner, "owner", ownerPassword.Resource);
        RoleConnection(database, DatabaseRoles.Runtime, "runtime", runtimePassword.Resource);
        return database;
    }

    /// <summary>
    /// Hands the project the database's connection string (under the database's name, <c>ConnectionStrings__gpudev</c>,
    /// as before) with <paramref name="role"/>'s credentials: <see cref="DatabaseRoles.Owner"/> for migrations,
    /// <see cref="DatabaseRoles.Runtime"/> for services.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithDatabaseRole(this IResourceBuilder<ProjectResource> project, IResourceBuilder<IResourceWithConnectionString> database, string role)
    {
        ArgumentNullException.ThrowIfNull(project);
        ArgumentNullException.ThrowIfNull(database);
        var connection = project.ApplicationBuilder.Resources.OfType<ConnectionStringResource>()
            .SingleOrDefault(r => r.TryGetLastAnnotation<DatabaseRoleAnnotation>(out var annotation) && annotation.Database == database.Resource && annotation.Role == role)
            ?? throw new InvalidOperationException($"The database '{database.Resource.Name}' has no connection for role '{role}': call WithGpuDevRoles on it first.");
        return project.WithReference(project.ApplicationBuilder.CreateResourceBuilder(connection), DatabaseNames.Database);
    }

    private static IResourceBuilder<ParameterResource> Password(IDistributedApplicationBuilder builder, string name) =>
        builder.AddParameter(name, new GenerateParameterDefault { MinLength = 22, Special = false }, secret: true, persist: true);

    // Host and port of the server the database's own (superuser) connection string names; only the credentials differ.
    private static void RoleConnection(IResourceBuilder<IResourceWithConnectionString> database, string role, string suffix, ParameterResource password)
    {
        var (endpoint, host, databaseName) = database.Resource switch
        {
            PostgresDatabaseResource container => (container.Parent.PrimaryEndpoint, EndpointProperty.Host, container.DatabaseName),
            LocalPostgresDatabaseResource local => (local.Parent.PrimaryEndpoint, EndpointProperty.IPV4Host, local.DatabaseName),
            _ => throw new InvalidOperationException($"'{database.Resource.Name}' is not a PostgreSQL database resource."),
        };

        database.ApplicationBuilder
            .AddConnectionString(
                $"{database.Resource.Name}-{suffix}",
                ReferenceExpression.Create($"Host={endpoint.Property(host)};Port={endpoint.Property(EndpointProperty.Port)};Username={role};Password={password};Database={databaseName}"))
            .WithAnnotation(new DatabaseRoleAnnotation(database.Resource, role));
    }
}
