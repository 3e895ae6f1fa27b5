using GpuDev.AppHost.Postgres;

namespace GpuDev.Hosting.Tests;

/// <summary>Container mode's choices that need no runtime: which runtime wins, which volume the server gets.</summary>
public sealed class ContainerModeModelTests
{
    private static ContainerRuntimeStatus Status(string runtime, bool installed, bool running) =>
        new(runtime, Configured: false, installed, running, "test");

    [Fact]
    public void A_running_podman_wins_over_a_docker_that_is_not_running_or_not_installed()
    {
        Assert.Equal("podman", ContainerRuntimeProbe.Best([Status("docker", installed: true, running: false), Status("podman", installed: true, running: true)]).Runtime);
        Assert.Equal("podman", ContainerRuntimeProbe.Best([Status("docker", installed: false, running: false), Status("podman", installed: true, running: true)]).Runtime);
    }

    [Fact]
    public void Docker_wins_when_both_are_equally_available_as_aspire_decides()
    {
        Assert.Equal("docker", ContainerRuntimeProbe.Best([Status("docker", installed: true, running: true), Status("podman", installed: true, running: true)]).Runtime);
        Assert.Equal("docker", ContainerRuntimeProbe.Best([Status("docker", installed: false, running: false), Status("podman", installed: false, running: false)]).Runtime);
    }

    [Fact]
    public void Aspire_container_runtime_setting_names_the_runtime()
    {
        var builder = ModelBuilder.Create("--ASPIRE_CONTAINER_RUNTIME=podman");

        Assert.Equal("podman", ContainerRuntimeProbe.ConfiguredRuntime(builder.Configuration));
    }

    [Fact]
    public void Container_server_keeps_its_data_in_the_apphosts_volume_unless_another_is_named()
    {
        var developer = ContainerServer(ModelBuilder.Create("--Postgres:Mode=container"));
        var test = ContainerServer(ModelBuilder.Create("--Postgres:Mode=container", "--Postgres:ContainerVolume=gpudev-test-1"));

        var developerVolume = Assert.Single(developer.Annotations.OfType<ContainerMountAnnotation>());
        Assert.EndsWith("-postgres-data", developerVolume.Source, StringComparison.Ordinal);
        Assert.Equal("/var/lib/postgresql", developerVolume.Target);
        Assert.Equal("gpudev-test-1", Assert.Single(test.Annotations.OfType<ContainerMountAnnotation>()).Source);
    }

    private static PostgresServerResource ContainerServer(IDistributedApplicationBuilder builder) =>
        Assert.IsType<PostgresDatabaseResource>(builder.AddGpuDevDatabase().Resource).Parent;
}
