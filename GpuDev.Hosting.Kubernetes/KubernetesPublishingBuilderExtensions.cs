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
    /// it gets <c>Admin__Token</c> from the <c>api-admin-token</c> Secret; <paramref name="name"/> names the Deployment
    /// and its Service when the resource's name is not the one operators know (production's <c>api-service</c>).
    /// </summary>
    public static IResourceBuilder<ProjectResource> PublishAsKubernetesDeployment(
        this IResourceBuilder<ProjectResource> builder,
        int? containerPort = null,
        IResourceBuilder<ProjectResource>? gatedOn = null,
        bool receivesAdminToken = false,
        string? name = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.WithAnnotation(
            new KubernetesDeploymentAnnotation(containerPort, gatedOn?.Resource, receivesAdminToken, name),
            ResourceAnnotationMutationBehavior.Replace);
    }

    /// <summary>
    /// Adds a publish step that writes plain Kubernetes YAML (one file per object plus kustomization.yaml)
    /// for the AppHost's model: PostgreSQL with PGMQ, the project marked as the migration Job (named by
    /// the migration hash), and every project marked as a Deployment. In publish mode, any failed pipeline
    /// step (this one or Aspire's own) makes the command exit non-zero.
    /// </summary>
    public static IDistributedApplicationBuilder AddKubernetesPublishing(this IDistributedApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var configuration = builder.Configuration;
        if (builder.ExecutionContext.IsPublishMode)
        {
            builder.Services.AddSingleton<ILoggerProvider, PublishFailureExitCode>();
        }

        builder.Pipeline.AddStep(StepName, async context =>
        {
            var outputDirectory = context.Services.GetRequiredService<IPipelineOutputService>().GetOutputDirectory();
            KubernetesPublishingOptions options;
            KubernetesPublishResult result;
            try
            {
                options = configuration.GetSection(KubernetesPublishingOptions.SectionName).Get<KubernetesPublishingOptions>() ?? new();
                var model = DeploymentModelReader.Read(context.Model);
                var projects = DeploymentModelReader.ProjectPaths(context.Model, model)
                    .Where(p => !HasWholeImage(options, model, p.Key))
                    .ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
                model = model with { ProjectImages = await ContainerImageSettingsReader.ReadAsync(projects, context.CancellationToken).ConfigureAwait(false) };
                var databaseDirectory = options.DatabaseDirectory is { Length: > 0 } configured
                    ? Path.GetFullPath(configured, Environment.CurrentDirectory)
                    : context.Model.Resources.Single(r => r.Name == model.MigrationResourceName).Annotations.OfType<KubernetesMigrationJobAnnotation>().Last().DatabaseDirectory;
                result = KubernetesPublisher.Publish(model, options, databaseDirectory, outputDirectory);
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or DistributedApplicationException or IOException or UnauthorizedAccessException
                                       or FormatException or System.Text.Json.JsonException or YamlDotNet.Core.YamlException)
            {
                // The reason is the whole message: one line naming the cause and the fix, no stack trace.
                // The step then ends normally, so Aspire adds no traces of its own; the exit code says it failed.
                context.Logger.LogError("publish-kubernetes failed: {Reason}", e.Message);
                Environment.ExitCode = 1;
                return;
            }

            context.Logger.LogInformation(
                "Wrote {Count} Kubernetes files to {Directory} (namespace {Namespace}, migration Job {Job}). Apply with: kubectl apply -k {Directory}",
                result.Files.Count, outputDirectory, options.Namespace, result.JobName, outputDirectory);
            if (result.UnqualifiedImages.Count > 0)
            {
                context.Logger.LogWarning(
                    "The images {Images} name no registry, so a cluster cannot pull them until they are pushed: build and push them with " +
                    "`dotnet publish GpuDev.Containers.slnf -t:PublishContainer -p:ContainerRegistry=<registry>` and publish again with --Kubernetes:Registry <registry>.",
                    string.Join(", ", result.UnqualifiedImages));
            }

            if (result.PasswordSource != PasswordSource.Given)
            {
                context.Logger.LogInformation(
                    "POSTGRES_PASSWORD in Secret {Secret} was {How}; the file is readable by its owner only, keep the output directory as secret as the password.",
                    DatabaseCredentials.SecretName,
                    result.PasswordSource == PasswordSource.Kept ? "kept from the earlier publish in this directory" : "generated (256 bits)");
            }

            if (string.IsNullOrEmpty(options.AdminToken))
            {
                context.Logger.LogWarning(
                    "The Secret {Secret} has an empty ADMIN_TOKEN, so the API will refuse every admin request (creating users and API keys): " +
                    "pass --Kubernetes:AdminToken (or set Kubernetes__AdminToken) when publishing, or fill it in before applying; see GpuDev.Hosting.Kubernetes/README.md.",
                    AdminTokenSecret.SecretName);
            }
        }, requiredBy: WellKnownPipelineSteps.Publish);

        return builder;
    }

    private static bool HasWholeImage(KubernetesPublishingOptions options, GpuDevDeploymentModel model, string resourceName) =>
        options.Images.ContainsKey(resourceName)
        || (resourceName == model.MigrationResourceName && !string.IsNullOrWhiteSpace(options.WorkerImage))
        || (resourceName == "api" && !string.IsNullOrWhiteSpace(options.ApiImage));
}
