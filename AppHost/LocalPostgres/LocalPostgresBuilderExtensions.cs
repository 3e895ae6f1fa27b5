using Aspire.Hosting.ApplicationModel;
using GpuDev.AppHost.LocalPostgres;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Aspire.Hosting;

public static class LocalPostgresBuilderExtensions
{
    /// <summary>
    /// Adds a PostgreSQL server that runs from <paramref name="installation"/>'s binaries, keeping its data
    /// in <paramref name="dataDirectory"/> across runs. It listens on 127.0.0.1 on a port Aspire allocates
    /// and authenticates with <paramref name="password"/> (SCRAM, never trust).
    /// </summary>
    public static IResourceBuilder<LocalPostgresServerResource> AddLocalPostgres(
        this IDistributedApplicationBuilder builder,
        [ResourceName] string name,
        PostgresInstallation installation,
        string dataDirectory,
        IResourceBuilder<ParameterResource> password,
        bool resetData = false)
    {
        var osUser = ServerOsUser.ForCurrentProcess();
        var data = new PostgresDataDirectory(dataDirectory, installation, osUser);
        var (command, serverArguments) = osUser.Wrap(installation.Tool("postgres"), PostgresServerCommand.ServerArguments(data.Path));
        var workingDirectory = Path.GetDirectoryName(data.Path)!;
        Directory.CreateDirectory(workingDirectory);

        var server = new LocalPostgresServerResource(name, command, workingDirectory, password.Resource, data);
        var resetPending = resetData;

        async Task PrepareAsync(IServiceProvider services, CancellationToken cancellationToken)
        {
            var logger = services.GetRequiredService<ResourceLoggerService>().GetLogger(server);
            var console = services.GetRequiredService<ILoggerFactory>().CreateLogger("GpuDev.AppHost");
            try
            {
                // A first run fetches the pinned PostgreSQL package: its progress goes to the console and the dashboard.
                await installation.EnsureAvailableAsync(line => { logger.LogInformation("{Progress}", line); console.LogInformation("{Progress}", line); }, cancellationToken);
                await PrepareDataAsync(logger, cancellationToken);
            }
            catch (LocalPostgresException ex)
            {
                // One line naming cause and fix, where the user looks; the resource then fails to start.
                logger.LogError("{Problem}", ex.Message);
                console.LogError("{Problem}", ex.Message);

                // Its databases fail with it, so whatever waits for them stops waiting instead of hanging.
                var notifications = services.GetRequiredService<ResourceNotificationService>();
                foreach (var database in builder.Resources.OfType<LocalPostgresDatabaseResource>().Where(d => d.Parent == server))
                {
                    await notifications.PublishUpdateAsync(database, snapshot => snapshot with { State = KnownResourceStates.FailedToStart });
                }

                throw;
            }
        }

        async Task PrepareDataAsync(ILogger logger, CancellationToken cancellationToken)
        {
            if (resetPending)
            {
                // Only on the first start of this AppHost run: a restart from the dashboard keeps the data.
                resetPending = false;
                await data.ResetAsync(logger, cancellationToken);
            }

            var passwordValue = await server.PasswordParameter.GetValueAsync(cancellationToken)
                ?? throw new LocalPostgresException("The postgres-password parameter has no value.");
            logger.LogInformation("PostgreSQL {Version} from {BinDirectory}, running as OS user '{OsUser}'", installation.Version, installation.BinDirectory, osUser);
            await data.PrepareAsync(passwordValue, logger, cancellationToken);
        }

        // The first preparation (initdb takes about a second) starts with the AppHost and runs while DCP
        // and the dashboard start, instead of after them; the server's start awaits it. A failure
        // surfaces there, as the server's failure to start. Later starts (a restart from the dashboard)
        // prepare inline.
        Task? firstPreparation = null;
        builder.Eventing.Subscribe<BeforeStartEvent>((@event, _) =>
        {
            firstPreparation = Task.Run(() => PrepareAsync(@event.Services, CancellationToken.None), CancellationToken.None);
            return Task.CompletedTask;
        });

        builder.Eventing.Subscribe<BeforeResourceStartedEvent>(server, async (@event, cancellationToken) =>
        {
            var pending = Interlocked.Exchange(ref firstPreparation, null);
            await (pending is null ? PrepareAsync(@event.Services, cancellationToken) : pending.WaitAsync(cancellationToken));
        });

        builder.Eventing.Subscribe<ResourceReadyEvent>(server, async (@event, cancellationToken) =>
        {
            var logger = @event.Services.GetRequiredService<ResourceLoggerService>().GetLogger(server);
            var connectionString = await server.ConnectionStringExpression.GetValueAsync(cancellationToken);
            await CreateDatabasesAsync(server, connectionString!, logger, cancellationToken);

            // Aspire passes a parent's state on to its databases only for containers, so this server
            // does it itself: a database is running once it exists, which starts its health checks.
            var notifications = @event.Services.GetRequiredService<ResourceNotificationService>();
            foreach (var database in builder.Resources.OfType<LocalPostgresDatabaseResource>().Where(d => d.Parent == server))
            {
                await notifications.PublishUpdateAsync(database, snapshot => snapshot with
                {
                    State = KnownResourceStates.Running,
                    StartTimeStamp = DateTime.UtcNow,
                });
            }
        });

        builder.Eventing.Subscribe<ResourceStoppedEvent>(server, async (@event, _) =>
        {
            var notifications = @event.Services.GetRequiredService<ResourceNotificationService>();
            foreach (var database in builder.Resources.OfType<LocalPostgresDatabaseResource>().Where(d => d.Parent == server))
            {
                await notifications.PublishUpdateAsync(database, snapshot => snapshot with
                {
                    State = KnownResourceStates.Exited,
                    StopTimeStamp = DateTime.UtcNow,
                });
            }
        });

        var healthCheckKey = $"{name}_check";
        var passwordRejection = new PasswordRejectionReport(server);
        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
            healthCheckKey,
            services => new LocalPostgresHealthCheck(server.ConnectionStringExpression.GetValueAsync, "postgres", () => passwordRejection.Report(services)),
            failureStatus: null,
            tags: null));

        // Stop the server with a fast shutdown when the AppHost stops, so idle client connections
        // (connection pools, a psql session) cannot hold a "smart" shutdown open.
        builder.Services.AddHostedService(services => new LocalPostgresShutdown(
            server, services.GetRequiredService<ILogger<LocalPostgresShutdown>>()));

        return builder.AddResource(server)
            .WithEndpoint(name: LocalPostgresServerResource.PrimaryEndpointName, scheme: "tcp", isProxied: false)
            .WithArgs(context =>
            {
                foreach (var argument in serverArguments)
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

    /// <summary>Declares a database that is created (if missing) as soon as the server is ready.</summary>
    public static IResourceBuilder<LocalPostgresDatabaseResource> AddDatabase(
        this IResourceBuilder<LocalPostgresServerResource> builder,
        [ResourceName] string name,
        string? databaseName = null)
    {
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

    private static async Task CreateDatabasesAsync(LocalPostgresServerResource server, string connectionString, ILogger logger, CancellationToken cancellationToken)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString) { Database = "postgres", Pooling = false };
        await using var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync(cancellationToken);

        foreach (var databaseName in server.Databases.Values)
        {
            await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = $1", connection)
            {
                Parameters = { new() { Value = databaseName } },
            };
            if (await exists.ExecuteScalarAsync(cancellationToken) is not null)
            {
                continue;
            }

            var quoted = new NpgsqlCommandBuilder().QuoteIdentifier(databaseName);
            await using var create = new NpgsqlCommand($"CREATE DATABASE {quoted}", connection);
            try
            {
                await create.ExecuteNonQueryAsync(cancellationToken);
                logger.LogInformation("Created database {Database}", databaseName);
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.DuplicateDatabase)
            {
                // Created concurrently: fine.
            }
        }
    }
}
