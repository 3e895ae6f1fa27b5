using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Lifecycle;
using GpuDev.Hosting.PostgreSQL;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

namespace Aspire.Hosting;

public static class LocalPostgresBuilderExtensions
{
    /// <summary>
    /// Adds a PostgreSQL server that runs from the machine's own binaries, keeping its data in
    /// <c>.localdata/&lt;name&gt;</c> beside the AppHost (see <see cref="WithDataDirectory"/>) across runs.
    /// It listens on 127.0.0.1 only, on a port Aspire allocates, and authenticates with
    /// <paramref name="password"/> (SCRAM, never trust). Nothing is looked up or started here: the
    /// binaries are found, the data directory is prepared and the server started when the application runs.
    /// </summary>
    public static IResourceBuilder<LocalPostgresServerResource> AddLocalPostgres(
        this IDistributedApplicationBuilder builder,
        [ResourceName] string name,
        IResourceBuilder<ParameterResource> password)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(password);

        var server = new LocalPostgresServerResource(name, password.Resource);
        AddLifecycle(builder.Services);

        var healthCheckKey = $"{name}_check";
        var passwordRejection = new PasswordRejectionReport(server);
        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
            healthCheckKey,
            services => new LocalPostgresHealthCheck(server.ConnectionStringExpression.GetValueAsync, "postgres", () => passwordRejection.Report(services)),
            failureStatus: null,
            tags: null));

        return builder.AddResource(server)
            .WithAnnotation(new LocalPostgresDataDirectoryAnnotation(Path.Combine(builder.AppHostDirectory, ".localdata", name)))
            .WithEndpoint(name: LocalPostgresServerResource.PrimaryEndpointName, scheme: "tcp", isProxied: false)
            .WithArgs(context =>
            {
                foreach (var argument in server.ServerArguments)
                {
                    context.Args.Add(argument);
                }

                context.Args.Add("-p");
                context.Args.Add(server.PrimaryEndpoint.Property(EndpointProperty.TargetPort));
            })
            .WithIconName("DatabaseMultiple")
            .WithHealthCheck(healthCheckKey)
            .ExcludeFromManifest();
    }

    /// <summary>Keeps the server's data in <paramref name="path"/> (relative paths are resolved from the AppHost's directory).</summary>
    public static IResourceBuilder<LocalPostgresServerResource> WithDataDirectory(this IResourceBuilder<LocalPostgresServerResource> builder, string path)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        return builder.WithAnnotation(
            new LocalPostgresDataDirectoryAnnotation(Path.GetFullPath(path, builder.ApplicationBuilder.AppHostDirectory)),
            ResourceAnnotationMutationBehavior.Replace);
    }

    /// <summary>
    /// Runs the binaries in <paramref name="path"/>. Without it (or with an empty value) the pinned PostgreSQL
    /// package runs (fetched into the cache once), else the machine's own binaries.
    /// </summary>
    public static IResourceBuilder<LocalPostgresServerResource> WithBinDirectory(this IResourceBuilder<LocalPostgresServerResource> builder, string? path)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return string.IsNullOrWhiteSpace(path)
            ? builder
            : builder.WithAnnotation(new LocalPostgresBinDirectoryAnnotation(path), ResourceAnnotationMutationBehavior.Replace);
    }

    /// <summary>
    /// Keeps the pinned PostgreSQL package in <paramref name="path"/> instead of the per-user cache (see
    /// <see cref="EmbeddedPostgresCache.DefaultRoot"/>). Ignored when <see cref="WithBinDirectory"/> names the binaries.
    /// </summary>
    public static IResourceBuilder<LocalPostgresServerResource> WithPackageCacheDirectory(this IResourceBuilder<LocalPostgresServerResource> builder, string? path)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return string.IsNullOrWhiteSpace(path)
            ? builder
            : builder.WithAnnotation(new LocalPostgresPackageCacheAnnotation(Path.GetFullPath(path, builder.ApplicationBuilder.AppHostDirectory)), ResourceAnnotationMutationBehavior.Replace);
    }

    /// <summary>Deletes the data directory before the server's first start in this run, when <paramref name="reset"/> is true.</summary>
    public static IResourceBuilder<LocalPostgresServerResource> WithResetData(this IResourceBuilder<LocalPostgresServerResource> builder, bool reset = true)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return reset ? builder.WithAnnotation(new LocalPostgresResetDataAnnotation(), ResourceAnnotationMutationBehavior.Replace) : builder;
    }

    /// <summary>Declares a database that is created (if missing) as soon as the server is ready.</summary>
    public static IResourceBuilder<LocalPostgresDatabaseResource> AddDatabase(
        this IResourceBuilder<LocalPostgresServerResource> builder,
        [ResourceName] string name,
        string? databaseName = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        databaseName ??= name;
        var database = new LocalPostgresDatabaseResource(name, databaseName, builder.Resource);
        builder.Resource.AddDatabase(name, databaseName);

        var healthCheckKey = $"{name}_check";
        builder.ApplicationBuilder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
            healthCheckKey,
            _ => new LocalPostgresHealthCheck(builder.Resource.ConnectionStringExpression.GetValueAsync, databaseName),
            failureStatus: null,
            tags: null));

        return builder.ApplicationBuilder.AddResource(database)
            .WithInitialState(new CustomResourceSnapshot
            {
                ResourceType = "PostgresDatabase",
                State = KnownResourceStates.Waiting,
                Properties = [new("postgres.database", databaseName)],
            })
            .WithIconName("Database")
            .WithHealthCheck(healthCheckKey);
    }

    /// <summary>
    /// One lifecycle for every local server and PGMQ database: an eventing subscriber for the start-up
    /// events, and a hosted service for the AppHost's stop (the same instance).
    /// </summary>
    internal static void AddLifecycle(IServiceCollection services)
    {
        services.TryAddSingleton<LocalPostgresLifecycle>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IDistributedApplicationEventingSubscriber, LocalPostgresLifecycle>(
            s => s.GetRequiredService<LocalPostgresLifecycle>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, LocalPostgresLifecycle>(
            s => s.GetRequiredService<LocalPostgresLifecycle>()));
    }
}
