using GpuDev.Hosting.Kubernetes;
using k8s.Models;

namespace GpuDev.Hosting.Tests;

/// <summary>PublishAsKubernetes… annotations, read back into the deployment model and turned into manifests.</summary>
public sealed class KubernetesPublishingTests
{
    [Fact]
    public void Each_project_says_what_it_is_published_as()
    {
        var (model, worker, api, processor) = ThreeServiceModel();

        Assert.Equal(RepositoryFiles.DatabaseDirectory, worker.Resource.Annotations.OfType<KubernetesMigrationJobAnnotation>().Single().DatabaseDirectory);
        var apiDeployment = api.Resource.Annotations.OfType<KubernetesDeploymentAnnotation>().Single();
        Assert.Equal(8080, apiDeployment.ContainerPort);
        Assert.Same(worker.Resource, apiDeployment.GatedOn);
        Assert.True(apiDeployment.ReceivesAdminToken);
        var processorDeployment = processor.Resource.Annotations.OfType<KubernetesDeploymentAnnotation>().Single();
        Assert.Null(processorDeployment.ContainerPort);
        Assert.False(processorDeployment.ReceivesAdminToken);
        Assert.NotNull(model);
    }

    [Fact]
    public void Reader_takes_roles_from_the_annotations_only()
    {
        var (model, _, _, _) = ThreeServiceModel();

        var read = DeploymentModelReader.Read(model);

        Assert.Equal("migration-worker", read.MigrationResourceName);
        Assert.Equal(
            [new DeploymentDescription("api", 8080, GatedOnMigration: true, ReceivesAdminToken: true), new DeploymentDescription("reservation-processor", null, GatedOnMigration: true, ReceivesAdminToken: false)],
            read.Deployments);
        Assert.Equal("api", read.AdminTokenDeployment?.ResourceName);
        Assert.Equal("gpudev", read.ConnectionName);
    }

    [Fact]
    public void Reader_names_the_missing_annotation_when_no_project_is_the_migration_job()
    {
        var builder = ModelBuilder.Create();
        var database = builder.AddPostgres("postgres").AddDatabase("gpudev");
        builder.AddProject("api", ProjectPath("Api")).WithReference(database).PublishAsKubernetesDeployment(8080);

        var error = Assert.Throws<DistributedApplicationException>(() => DeploymentModelReader.Read(new DistributedApplicationModel(builder.Resources)));

        Assert.Contains("PublishAsKubernetesMigrationJob", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_worker_deployment_without_a_port_gets_no_service_and_no_http_probes_but_waits_for_the_migration()
    {
        var (model, _, _, _) = ThreeServiceModel();
        var manifests = KubernetesManifestBuilder.Build(DeploymentModelReader.Read(model), new KubernetesPublishingOptions { ImageTag = "1.0.0" }, RepositoryFiles.DatabaseDirectory);

        var processor = manifests.Select(m => m.Resource).OfType<V1Deployment>().Single(d => d.Metadata.Name == "reservation-processor");
        var container = Assert.Single(processor.Spec.Template.Spec.Containers);
        Assert.Null(container.Ports);
        Assert.Null(container.ReadinessProbe);
        Assert.DoesNotContain(container.Env, e => e.Name == "Admin__Token");
        Assert.Equal("reservation-processor:1.0.0", container.Image);
        Assert.Equal(DeploymentManifests.WaitContainerName, Assert.Single(processor.Spec.Template.Spec.InitContainers).Name);
        Assert.DoesNotContain(manifests.Select(m => m.Resource).OfType<V1Service>(), s => s.Metadata.Name == "reservation-processor");
    }

    private static (DistributedApplicationModel Model, IResourceBuilder<ProjectResource> Worker, IResourceBuilder<ProjectResource> Api, IResourceBuilder<ProjectResource> Processor) ThreeServiceModel()
    {
        var builder = ModelBuilder.Create();
        var database = builder.AddPostgres("postgres").WithImage("pgmq/pg18-pgmq", "v1.8.1").WithImageRegistry("ghcr.io").AddDatabase("gpudev");
        var worker = builder.AddProject("migration-worker", ProjectPath("MigrationWorker"))
            .WithReference(database)
            .PublishAsKubernetesMigrationJob(RepositoryFiles.DatabaseDirectory);
        var api = builder.AddProject("api", ProjectPath("Api"))
            .WithReference(database)
            .PublishAsKubernetesDeployment(containerPort: 8080, gatedOn: worker, receivesAdminToken: true);
        // What issue 11's reservation processor will be: one call, gated like the API, no HTTP.
        var processor = builder.AddProject("reservation-processor", ProjectPath("Api"))
            .WithReference(database)
            .PublishAsKubernetesDeployment(gatedOn: worker);
        return (new DistributedApplicationModel(builder.Resources), worker, api, processor);
    }

    private static string ProjectPath(string project) => Path.Combine(RepositoryFiles.Root, project, project + ".csproj");
}
