using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Pipelines;
using GpuDev.Hosting.Kubernetes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

// Aspire 13's publishing pipeline is marked experimental; it is still the supported way to add a
// publish step that `--operation publish --step <name>` runs.
#pragma warning disable ASPIREPIPELINES001, ASPIREPIPELINES004

namespace Aspire.Hosting;

public static class KubernetesPublishingBuilderExtensions
{
    /// <summary>The pipeline step: <c>dotnet run --project AppHost -- --operation publish --step publish-kubernetes --output-path &lt;dir&gt;</c>.</summary>
    public const string StepName = "publish-kubernetes";

    /// <summary>
    /// Publishes the project as the migration Job <c>db-migration-&lt;hash&gt;</c>, whose ConfigMaps hold the
    /// SQL of <paramref name="databaseDirectory"/> (relative paths are resolved from the AppHost's directory).
    /// </summary>
    public static IResourceBuilder<ProjectResource> PublishAsKubernetesMigrationJob(this IResourceBuilder<ProjectResource> builder, string databaseDirectory)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(databaseDirectory);
        var path = Path.GetFullPath(databaseDirectory, builder.ApplicationBuilder.AppHostDirectory);
        return builder.WithAnnotation(new KubernetesMigrationJobAnnotation(path), ResourceAnnotationMutationBehavior.Replace);
    }

    /// <summary>
    /// Publishes the project as a Deployment. With <paramref name="containerPort"/> it serves HTTP there
    /// (a Service, readiness <c>/health</c>, liveness <c>/alive</c>); with <paramref name="gatedOn"/> its pods
    /// start only once that migration Job's run is in the journal; with <paramref name="receivesAdminToken"/>
    /// it gets <c>Admin__Token</c> from the <c>api-admin-token</c> Secret.
    /// </summary>
    public static IResourceBuilder<ProjectResource> PublishAsKubernetesDeployment(
        this IResourceBuilder<ProjectResource> builder,
        int? containerPort = null,
        IResourceBuilder<ProjectResource>? gatedOn = null,
        bool receivesAdminToken = false)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.WithAnnotation(
            new KubernetesDeploymentAnnotation(containerPort, gatedOn?.Resource, receivesAdminToken),
            ResourceAnnotationMutationBehavior.Replace);
    }

    /// <summary>
    /// Adds a publish step that writes plain Kubernetes YAML (one file per object plus kustomization.yaml)
    /// for the AppHost's model: PostgreSQL with PGMQ, the project marked as the migration Job (named by
    /// the migration hash), and every project marked as a Deployment.
    /// </summary>
    public static IDistributedApplicationBuilder AddKubernetesPublishing(this IDistributedApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var configuration = builder.Configuration;

        builder.Pipeline.AddStep(StepName, context =>
        {
            var options = configuration.GetSection(KubernetesPublishingOptions.SectionName).Get<KubernetesPublishingOptions>() ?? new();
            var outputDirectory = context.Services.GetRequiredService<IPipelineOutputService>().GetOutputDirectory();

            IReadOnlyList<KubernetesManifest> manifests;
            IReadOnlyList<string> files;
            try
            {
                var model = DeploymentModelReader.Read(context.Model);
                var databaseDirectory = options.DatabaseDirectory is { Length: > 0 } configured
                    ? Path.GetFullPath(configured, Environment.CurrentDirectory)
                    : context.Model.Resources.Single(r => r.Name == model.MigrationResourceName).Annotations.OfType<KubernetesMigrationJobAnnotation>().Last().DatabaseDirectory;
                manifests = KubernetesManifestBuilder.Build(model, options, databaseDirectory);
                files = KubernetesManifestWriter.Write(manifests, outputDirectory);
            }
            catch
            {
                // Aspire logs the failure but `Run()` still returns normally; without this the
                // command would exit 0 and a script could not tell.
                Environment.ExitCode = 1;
                throw;
            }

            var job = manifests.Single(m => m.Resource.Kind == "Job").Resource.Metadata.Name;
            context.Logger.LogInformation(
                "Wrote {Count} Kubernetes files to {Directory} (namespace {Namespace}, migration Job {Job}). Apply with: kubectl apply -k {Directory}",
                files.Count, outputDirectory, options.Namespace, job, outputDirectory);
            if (string.IsNullOrEmpty(options.PostgresPassword))
            {
                context.Logger.LogWarning(
                    "The Secret {Secret} has an empty POSTGRES_PASSWORD: pass --Kubernetes:PostgresPassword (or set Kubernetes__PostgresPassword) " +
                    "when publishing, or fill it in before applying; see GpuDev.Hosting.Kubernetes/README.md.",
                    DatabaseCredentials.SecretName);
            }

            if (string.IsNullOrEmpty(options.AdminToken))
            {
                context.Logger.LogWarning(
                    "The Secret {Secret} has an empty ADMIN_TOKEN, so the API will refuse every admin request (creating users and API keys): " +
                    "pass --Kubernetes:AdminToken (or set Kubernetes__AdminToken) when publishing, or fill it in before applying; see GpuDev.Hosting.Kubernetes/README.md.",
                    AdminTokenSecret.SecretName);
            }

            return Task.CompletedTask;
        }, requiredBy: WellKnownPipelineSteps.Publish);

        return builder;
    }
}
