using GpuDev.Hosting.Kubernetes;

namespace GpuDev.Publishing.Tests;

/// <summary>
/// What <see cref="DeploymentModelReader"/> reads from the real AppHost, for tests that call the
/// generator directly. <c>RealAppHostPublishingTests</c> proves the real command produces the same.
/// </summary>
public static class TestModel
{
    public static GpuDevDeploymentModel AppHost { get; } = new(
        PostgresResourceName: "postgres",
        PostgresImage: "ghcr.io/pgmq/pg18-pgmq:v1.8.1",
        PostgresPort: 5432,
        PostgresDataPath: "/var/lib/postgresql",
        ConnectionName: "gpudev",
        DatabaseName: "gpudev",
        MigrationResourceName: "migration-worker",
        Deployments:
        [
            new DeploymentDescription("api", DeploymentManifests.DefaultContainerPort, GatedOnMigration: true, ReceivesAdminToken: true, ObjectName: "api-service"),
            new DeploymentDescription("reservation-processor", ContainerPort: null, GatedOnMigration: true, ReceivesAdminToken: false),
        ])
    {
        // What `dotnet msbuild -getProperty` reads from the three projects (ContainerImageTests proves it).
        ProjectImages = new Dictionary<string, ContainerImageSettings>
        {
            ["migration-worker"] = new("gpudev-migrationworker", "1.0.0", "1654"),
            ["api"] = new("gpudev-api", "1.0.0", "1654"),
            ["reservation-processor"] = new("gpudev-reservationprocessor", "1.0.0", "1654"),
        },
    };
}
