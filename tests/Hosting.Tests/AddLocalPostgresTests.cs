namespace GpuDev.Hosting.Tests;

/// <summary>The local PostgreSQL resource as the model holds it, before anything runs.</summary>
public sealed class AddLocalPostgresTests
{
    [Fact]
    public void Server_connection_string_has_the_shape_of_aspires_container_server()
    {
        var builder = ModelBuilder.Create();
        var password = builder.AddParameter("pass", secret: true);

        var server = builder.AddLocalPostgres("postgres", password);

        Assert.Equal(
            "Host={postgres.bindings.tcp.host};Port={postgres.bindings.tcp.port};Username=postgres;Password={pass.value}",
            server.Resource.ConnectionStringExpression.ValueExpression);
    }

    [Fact]
    public void Database_connection_string_is_the_servers_plus_its_database()
    {
        var builder = ModelBuilder.Create();
        var server = builder.AddLocalPostgres("postgres", builder.AddParameter("pass", secret: true));

        var database = server.AddDatabase("gpudev");

        Assert.Equal("{postgres.connectionString};Database=gpudev", database.Resource.ConnectionStringExpression.ValueExpression);
        Assert.Equal("gpudev", Assert.Single(server.Resource.Databases).Value);
        Assert.Same(server.Resource, database.Resource.Parent);
    }

    [Fact]
    public void Building_the_model_looks_nothing_up_even_with_binaries_that_do_not_exist()
    {
        var builder = ModelBuilder.Create();

        var server = builder.AddLocalPostgres("postgres", builder.AddParameter("pass", secret: true))
            .WithBinDirectory("/nonexistent/postgresql/bin")
            .WithDataDirectory("relative/data")
            .WithResetData();

        // The command is resolved when the application starts, never while the model is built.
        Assert.Equal("postgres", server.Resource.Command);
        Assert.Null(server.Resource.DataDirectory);
        Assert.Equal("/nonexistent/postgresql/bin", Assert.Single(server.Resource.Annotations.OfType<LocalPostgresBinDirectoryAnnotation>()).Path);
        Assert.Equal(
            Path.GetFullPath("relative/data", builder.AppHostDirectory),
            Assert.Single(server.Resource.Annotations.OfType<LocalPostgresDataDirectoryAnnotation>()).Path);
        Assert.Single(server.Resource.Annotations.OfType<LocalPostgresResetDataAnnotation>());
    }

    [Fact]
    public void Data_directory_defaults_to_localdata_beside_the_apphost_named_after_the_server()
    {
        var builder = ModelBuilder.Create();

        var server = builder.AddLocalPostgres("postgres", builder.AddParameter("pass", secret: true));

        Assert.Equal(
            Path.Combine(builder.AppHostDirectory, ".localdata", "postgres"),
            Assert.Single(server.Resource.Annotations.OfType<LocalPostgresDataDirectoryAnnotation>()).Path);
    }

    [Fact]
    public void Reset_false_and_an_empty_bin_directory_add_no_annotation()
    {
        var builder = ModelBuilder.Create();

        var server = builder.AddLocalPostgres("postgres", builder.AddParameter("pass", secret: true))
            .WithResetData(false)
            .WithBinDirectory("");

        Assert.Empty(server.Resource.Annotations.OfType<LocalPostgresResetDataAnnotation>());
        Assert.Empty(server.Resource.Annotations.OfType<LocalPostgresBinDirectoryAnnotation>());
    }

    [Fact]
    public void Server_is_left_out_of_the_aspire_manifest_and_listens_without_a_proxy()
    {
        var builder = ModelBuilder.Create();

        var server = builder.AddLocalPostgres("postgres", builder.AddParameter("pass", secret: true));

        Assert.Single(server.Resource.Annotations.OfType<ManifestPublishingCallbackAnnotation>());
        var endpoint = Assert.Single(server.Resource.Annotations.OfType<EndpointAnnotation>());
        Assert.False(endpoint.IsProxied);
        Assert.Equal("tcp", endpoint.UriScheme);
    }

    [Fact]
    public void WithPgmq_marks_the_database_and_says_whether_the_compatibility_sql_may_be_used()
    {
        var builder = ModelBuilder.Create();
        var server = builder.AddLocalPostgres("postgres", builder.AddParameter("pass", secret: true));

        var database = server.AddDatabase("gpudev").WithPgmq(allowCompatibility: true);

        Assert.True(Assert.Single(database.Resource.Annotations.OfType<PgmqAnnotation>()).AllowCompatibility);
    }
}
