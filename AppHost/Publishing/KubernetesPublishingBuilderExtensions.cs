using Aspire.Hosting.Pipelines;
using GpuDev.AppHost.Publishing;
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
    /// Adds a publish step that writes plain Kubernetes YAML (one file per object plus kustomization.yaml)
    /// for the AppHost's model: PostgreSQL with PGMQ, the migration Job named by the migration hash,
    /// and the API, which starts serving only after that Job's run is in the journal.
    /// </summary>
    public static IDistributedApplicationBuilder AddKubernetesPublishing(this IDistributedApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var appHostDirectory = builder.AppHostDirectory;
        var configuration = builder.Configuration;

        builder.Pipeline.AddStep(StepName, context =>
        {
            var options = configuration.GetSection(KubernetesPublishingOptions.SectionName).Get<KubernetesPublishingOptions>() ?? new();
            var databaseDirectory = Path.GetFullPath(
                options.DatabaseDirectory ?? Path.Combine(appHostDirectory, MigrationWorkerBuilderExtensions.DatabaseDirectory),
                Environment.CurrentDirectory);
            var outputDirectory = context.Services.GetRequiredService<IPipelineOutputService>().GetOutputDirectory();

            IReadOnlyList<KubernetesManifest> manifests;
            IReadOnlyList<string> files;
            try
            {
                var model = DeploymentModelReader.Read(context.Model);
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
                    "when publishing, or fill it in before applying; see AppHost/Publishing/README.md.",
                    DatabaseCredentials.SecretName);
            }

            if (string.IsNullOrEmpty(options.AdminToken))
            {
                context.Logger.LogWarning(
                    "The Secret {Secret} has an empty ADMIN_TOKEN, so the API will refuse every admin request (creating users and API keys): " +
                    "pass --Kubernetes:AdminToken (or set Kubernetes__AdminToken) when publishing, or fill it in before applying; see AppHost/Publishing/README.md.",
                    AdminTokenSecret.SecretName);
            }

            return Task.CompletedTask;
        }, requiredBy: WellKnownPipelineSteps.Publish);

        return builder;
    }
}
