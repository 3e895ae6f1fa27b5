using GpuDev.Database;
using GpuDev.Hosting.Kubernetes;

namespace GpuDev.Hosting.Tests;

/// <summary>The roles in the AppHost's model: the bootstrap on the database, one connection string per role.</summary>
public sealed class DatabaseRoleModelTests
{
    [Theory]
    [InlineData("local")]
    [InlineData("container")]
    public void Both_modes_bootstrap_the_roles_and_give_each_role_a_connection_string_to_the_same_server(string mode)
    {
        var builder = ModelBuilder.Create($"--Postgres:Mode={mode}");

        var database = builder.AddGpuDevDatabase().WithGpuDevRoles();

        var bootstrap = Assert.Single(database.Resource.Annotations.OfType<PostgresBootstrapAnnotation>());
        Assert.Equal(DatabaseBootstrap.Script, bootstrap.Script);
        Assert.Equal(GpuDevDatabaseRoleExtensions.OwnerPasswordParameterName, bootstrap.Settings[DatabaseRoles.OwnerPasswordSetting].Name);
        Assert.Equal(GpuDevDatabaseRoleExtensions.RuntimePasswordParameterName, bootstrap.Settings[DatabaseRoles.RuntimePasswordSetting].Name);
        Assert.All(bootstrap.Settings.Values, parameter => Assert.True(parameter.Secret));
        foreach (var (role, suffix) in new[] { (DatabaseRoles.Owner, "owner"), (DatabaseRoles.Runtime, "runtime") })
        {
            var connection = builder.Resources.OfType<ConnectionStringResource>().Single(r => r.Name == $"gpudev-{suffix}");
            Assert.Equal(role, Assert.Single(connection.Annotations.OfType<DatabaseRoleAnnotation>()).Role);
            Assert.Equal(
                $"Host={{postgres.bindings.tcp.host}};Port={{postgres.bindings.tcp.port}};Username={role};Password={{postgres-{suffix}-password.value}};Database=gpudev",
                connection.ConnectionStringExpression.ValueExpression);
        }
    }

    [Fact]
    public void A_project_given_a_role_reads_that_roles_connection_under_the_databases_name()
    {
        var builder = ModelBuilder.Create("--Postgres:Mode=local");
        var database = builder.AddGpuDevDatabase().WithGpuDevRoles();

        var project = builder.AddProject("api", Path.Combine(RepositoryFiles.Root, "Api", "Api.csproj")).WithDatabaseRole(database, DatabaseRoles.Runtime);

        var reference = Assert.Single(project.Resource.Annotations.OfType<ResourceRelationshipAnnotation>(), r => r.Type == "Reference");
        Assert.Equal("gpudev-runtime", reference.Resource.Name);
        Assert.DoesNotContain(project.Resource.Annotations.OfType<ResourceRelationshipAnnotation>(), r => r.Resource == database.Resource && r.Type == "Reference");
    }
}
