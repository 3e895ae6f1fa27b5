using Aspire.Hosting.ApplicationModel;
using GpuDev.AppHost.Postgres;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;

namespace Aspire.Hosting;

public static class GpuDevPostgresBuilderExtensions
{
    public const string ServerResourceName = "postgres";
    public const string PasswordParameterName = "postgres-password";
    public const string UserParameterName = "postgres-user";

    /// <summary>The init scripts a published server runs once on an empty volume (relative to the AppHost); the Kubernetes output's <c>postgres-init-script</c> holds the same.</summary>
    public const string InitScriptDirectory = "Postgres/initdb";

    /// <summary>
    /// Adds PostgreSQL with PGMQ and the application database, in the mode chosen by <c>Postgres:Mode</c>.
    /// Both modes yield a database resource with the same name and connection-string shape.
    /// </summary>
    public static IResourceBuilder<IResourceWithConnectionString> AddGpuDevDatabase(this IDistributedApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(GpuDevPostgresOptions.SectionName).Get<GpuDevPostgresOptions>() ?? new();
        var password = builder.AddParameter(
            PasswordParameterName,
            new GenerateParameterDefault { MinLength = 22, Special = false },
            secret: true,
            persist: true);

        var (mode, reason, runtime) = ResolveMode(builder, options);
        builder.Eventing.Subscribe<BeforeStartEvent>((@event, _) =>
        {
            @event.Services.GetRequiredService<ILoggerFactory>().CreateLogger("GpuDev.AppHost")
                .LogInformation("PostgreSQL mode: {Mode} ({Reason})", mode, reason);
            return Task.CompletedTask;
        });

        return mode == PostgresMode.Container
            ? AddContainerDatabase(builder, options, password, runtime)
            : AddLocalDatabase(builder, options, password);
    }

    private static (PostgresMode Mode, string Reason, ContainerRuntimeStatus? Runtime) ResolveMode(IDistributedApplicationBuilder builder, GpuDevPostgresOptions options)
    {
        if (builder.ExecutionContext.IsPublishMode)
        {
            return (PostgresMode.Container, "publishing always describes the container image", null);
        }

        if (options.Mode != PostgresMode.Auto)
        {
            return (options.Mode, "set by Postgres:Mode", null);
        }

        // The runtime DCP would use (ASPIRE_CONTAINER_RUNTIME, else Docker, then Podman), so that auto never
        // picks container mode with a runtime the orchestrator then does not use.
        var runtime = ContainerRuntimeProbe.FindAsync(builder.Configuration).GetAwaiter().GetResult();
        return runtime.IsUsable
            ? (PostgresMode.Container, $"auto: container runtime {runtime.Choice}, its engine answered", runtime)
            : (PostgresMode.Local, $"auto: no usable container runtime ({runtime.Choice}: {runtime.Detail})", runtime);
    }

    private static IResourceBuilder<IResourceWithConnectionString> AddContainerDatabase(
        IDistributedApplicationBuilder builder, GpuDevPostgresOptions options, IResourceBuilder<ParameterResource> password, ContainerRuntimeStatus? runtime)
    {
        // Published, the server is what production and the Kubernetes output run: user and database `gpudev`,
        // created by the image itself (POSTGRES_DB) with PGMQ from the init script, since a deployment tool
        // runs none of the AppHost's run-mode steps (creating the database, CREATE EXTENSION). A local run
        // keeps the `postgres` user its existing data volumes were initialised with.
        var publishing = builder.ExecutionContext.IsPublishMode;
        var user = publishing ? builder.AddParameter(UserParameterName, options.DatabaseName, publishValueAsDefault: true) : null;
        var server = builder.AddPostgres(ServerResourceName, userName: user, password: password)
            .WithImageRegistry(options.ContainerRegistry)
            .WithImage(options.ContainerImage, options.ContainerTag);
        if (publishing)
        {
            server.WithEnvironment("POSTGRES_DB", options.DatabaseName)
                .WithBindMount(InitScriptDirectory, "/docker-entrypoint-initdb.d", isReadOnly: true);
        }

        // PostgreSQL 18 images keep PGDATA below /var/lib/postgresql; Aspire's WithDataVolume infers
        // that only from numeric tags, and this image's tag is PGMQ's version. The default name is the one
        // Aspire derives from the AppHost's path: the volume of `dotnet run`, which tests never use.
        var volume = string.IsNullOrWhiteSpace(options.ContainerVolume) ? VolumeNameGenerator.Generate(server, "data") : options.ContainerVolume;
        server.WithVolume(volume, "/var/lib/postgresql")
            .WithAnnotation(ModeProperty(PostgresMode.Container, new ResourcePropertySnapshot("gpudev.postgres.volume", volume)));

        if (builder.ExecutionContext.IsRunMode)
        {
            var image = $"{options.ContainerRegistry}/{options.ContainerImage}:{options.ContainerTag}";
            var diagnostics = new ContainerPostgresDiagnostics(server.Resource, image, volume, runtime, options.ResetData);
            diagnostics.Subscribe(builder);

            var healthCheckKey = $"{ServerResourceName}_password_check";
            builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
                healthCheckKey,
                _ => new ContainerPasswordHealthCheck(server.Resource.ConnectionStringExpression.GetValueAsync, diagnostics.ReportPasswordRejected),
                failureStatus: null,
                tags: null));
            server.WithHealthCheck(healthCheckKey);
        }

        return server.AddDatabase(options.DatabaseName).WithPgmq(allowCompatibility: false);
    }

    private static IResourceBuilder<IResourceWithConnectionString> AddLocalDatabase(
        IDistributedApplicationBuilder builder, GpuDevPostgresOptions options, IResourceBuilder<ParameterResource> password)
    {
        var server = builder.AddLocalPostgres(ServerResourceName, password)
            .WithBinDirectory(options.BinDirectory)
            .WithPackageCacheDirectory(options.CacheDirectory)
            .WithResetData(options.ResetData)
            .WithAnnotation(ModeProperty(PostgresMode.Local));
        if (options.DataDirectory is { Length: > 0 } dataDirectory)
        {
            server.WithDataDirectory(dataDirectory);
        }

        return server.AddDatabase(options.DatabaseName).WithPgmq(allowCompatibility: true);
    }

    // Shown among the resource's properties in the dashboard.
    private static ResourceSnapshotAnnotation ModeProperty(PostgresMode mode, params ResourcePropertySnapshot[] more) =>
        new(new CustomResourceSnapshot
        {
            ResourceType = "PostgreSQL",
            Properties = [new("gpudev.postgres.mode", mode.ToString().ToLowerInvariant()), .. more],
        });
}
