namespace GpuDev.Hosting.Tests;

/// <summary>The AppHost's choice between production's PGMQ image and the machine's PostgreSQL (Postgres:Mode).</summary>
public sealed class PostgresModeTests
{
    [Fact]
    public void Local_mode_gives_a_local_gpudev_database_that_may_fall_back_to_the_compatibility_sql()
    {
        var builder = ModelBuilder.Create("--Postgres:Mode=local");

        var database = builder.AddGpuDevDatabase();

        var local = Assert.IsType<LocalPostgresDatabaseResource>(database.Resource);
        Assert.Equal("gpudev", local.DatabaseName);
        Assert.Equal("postgres", local.Parent.Name);
        Assert.True(Assert.Single(local.Annotations.OfType<PgmqAnnotation>()).AllowCompatibility);
    }

    [Fact]
    public void Container_mode_gives_productions_pgmq_image_and_requires_the_real_extension()
    {
        var builder = ModelBuilder.Create("--Postgres:Mode=container");

        var database = builder.AddGpuDevDatabase();

        var container = Assert.IsType<PostgresDatabaseResource>(database.Resource);
        Assert.Equal("gpudev", container.DatabaseName);
        Assert.True(container.Parent.TryGetContainerImageName(out var image));
        Assert.Equal("ghcr.io/pgmq/pg18-pgmq:v1.8.1", image);
        Assert.False(Assert.Single(container.Annotations.OfType<PgmqAnnotation>()).AllowCompatibility);
    }

    [Fact]
    public void Both_modes_give_the_database_the_same_name_and_connection_string_shape()
    {
        var local = ModelBuilder.Create("--Postgres:Mode=local");
        var container = ModelBuilder.Create("--Postgres:Mode=container");

        var a = local.AddGpuDevDatabase().Resource;
        var b = container.AddGpuDevDatabase().Resource;

        Assert.Equal(a.Name, b.Name);
        Assert.Equal("{postgres.connectionString};Database=gpudev", a.ConnectionStringExpression.ValueExpression);
        Assert.Equal("{postgres.connectionString};Database=gpudev", b.ConnectionStringExpression.ValueExpression);
    }

    [Fact]
    public void Configured_bin_and_data_directories_and_reset_become_annotations_of_the_local_server()
    {
        var builder = ModelBuilder.Create(
            "--Postgres:Mode=local", "--Postgres:BinDirectory=/opt/pg/bin", "--Postgres:DataDirectory=/var/tmp/gpudev", "--Postgres:ResetData=true");

        var server = Assert.IsType<LocalPostgresDatabaseResource>(builder.AddGpuDevDatabase().Resource).Parent;

        Assert.Equal("/opt/pg/bin", server.Annotations.OfType<LocalPostgresBinDirectoryAnnotation>().Single().Path);
        Assert.Equal("/var/tmp/gpudev", server.Annotations.OfType<LocalPostgresDataDirectoryAnnotation>().Last().Path);
        Assert.Single(server.Annotations.OfType<LocalPostgresResetDataAnnotation>());
    }
}
