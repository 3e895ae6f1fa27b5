using System.Collections.Concurrent;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Eventing;
using Aspire.Hosting.Lifecycle;
using GpuDev.Hosting.PostgreSQL.Pgmq;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace GpuDev.Hosting.PostgreSQL;

/// <summary>
/// Everything that happens to local PostgreSQL servers and PGMQ databases while the application runs:
/// <list type="bullet">
/// <item>at start: find the binaries, and prepare each data directory (reset, <c>initdb</c>, recovery
/// from a killed AppHost) in the background while DCP and the dashboard start;</item>
/// <item>before a server starts: wait for that preparation (a restart from the dashboard prepares again);</item>
/// <item>once a server is ready: create its databases and mark them running (Aspire does that only for containers);</item>
/// <item>once a database with <see cref="PgmqAnnotation"/> is ready: install PGMQ;</item>
/// <item>then, for a database with <see cref="PostgresBootstrapAnnotation"/>: run its bootstrap as the superuser;</item>
/// <item>when the AppHost stops: stop every server with a fast shutdown.</item>
/// </list>
/// </summary>
/// <remarks>
/// PostgreSQL treats SIGTERM (what the orchestrator sends) as a "smart" shutdown that waits for every
/// client to disconnect; a fast shutdown ends sessions at once and still checkpoints, so no data is
/// lost and no server outlives the AppHost. A SIGTERM that arrives while the AppHost is still starting
/// fails the host's start, and a host whose start failed never calls <see cref="StopAsync"/>; it does
/// dispose its services, so disposal stops the servers too. Whichever comes first does the work.
/// </remarks>
internal sealed class LocalPostgresLifecycle(ILogger<LocalPostgresLifecycle> logger)
    : IDistributedApplicationEventingSubscriber, IHostedService, IAsyncDisposable
{
    // The first preparation of each server, started with the AppHost; taken by the server's first start.
    private readonly ConcurrentDictionary<LocalPostgresServerResource, Task> _firstPreparations = new();

    // Servers whose data directory is resolved, hence may be running and need stopping.
    private readonly ConcurrentBag<LocalPostgresServerResource> _servers = [];

    private int _stopped;

    public Task SubscribeAsync(IDistributedApplicationEventing eventing, DistributedApplicationExecutionContext executionContext, CancellationToken cancellationToken)
    {
        if (executionContext.IsRunMode)
        {
            eventing.Subscribe<BeforeStartEvent>(OnBeforeStartAsync);
            eventing.Subscribe<BeforeResourceStartedEvent>(OnBeforeResourceStartedAsync);
            eventing.Subscribe<ResourceReadyEvent>(OnResourceReadyAsync);
            eventing.Subscribe<ResourceStoppedEvent>(OnResourceStoppedAsync);
        }

        return Task.CompletedTask;
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => StopServersOnceAsync();

    public async ValueTask DisposeAsync() => await StopServersOnceAsync();

    private async Task OnBeforeStartAsync(BeforeStartEvent @event, CancellationToken cancellationToken)
    {
        foreach (var server in @event.Model.Resources.OfType<LocalPostgresServerResource>())
        {
            await ResolveAsync(server, @event.Services, cancellationToken);
            _servers.Add(server);

            // initdb takes about a second: it runs while DCP and the dashboard start, instead of after
            // them. A failure surfaces as the server's failure to start.
            var services = @event.Services;
            _firstPreparations[server] = Task.Run(() => PrepareAsync(server, services, firstStart: true, CancellationToken.None), CancellationToken.None);
        }
    }

    private async Task OnBeforeResourceStartedAsync(BeforeResourceStartedEvent @event, CancellationToken cancellationToken)
    {
        if (@event.Resource is not LocalPostgresServerResource server)
        {
            return;
        }

        await (_firstPreparations.TryRemove(server, out var first)
            ? first.WaitAsync(cancellationToken)
            : PrepareAsync(server, @event.Services, firstStart: false, cancellationToken));
    }

    private async Task OnResourceReadyAsync(ResourceReadyEvent @event, CancellationToken cancellationToken)
    {
        if (@event.Resource is LocalPostgresServerResource server)
        {
            await CreateDatabasesAsync(server, @event.Services, cancellationToken);
            await PublishDatabaseStatesAsync(server, @event.Services, KnownResourceStates.Running);
        }

        if (@event.Resource is IResourceWithConnectionString database && database.TryGetLastAnnotation<PgmqAnnotation>(out var pgmq))
        {
            await InstallPgmqAsync(database, pgmq.AllowCompatibility, @event.Services, cancellationToken);
        }

        if (@event.Resource is IResourceWithConnectionString bootstrapped && bootstrapped.TryGetLastAnnotation<PostgresBootstrapAnnotation>(out var bootstrap))
        {
            await BootstrapAsync(bootstrapped, bootstrap, @event.Services, cancellationToken);
        }
    }

    private async Task OnResourceStoppedAsync(ResourceStoppedEvent @event, CancellationToken cancellationToken)
    {
        if (@event.Resource is LocalPostgresServerResource server)
        {
            await PublishDatabaseStatesAsync(server, @event.Services, KnownResourceStates.Exited);
        }
    }

    /// <summary>
    /// Finds the binaries (the configured directory, else the pinned PostgreSQL package, else the machine's) and
    /// fixes the server's command line: the first process I/O, at start rather than while the model is built.
    /// </summary>
    private async Task ResolveAsync(LocalPostgresServerResource server, IServiceProvider services, CancellationToken cancellationToken)
    {
        var resolution = await PostgresBinaryResolver.ResolveAsync(new PostgresResolutionOptions
        {
            BinDirectory = server.TryGetLastAnnotation<LocalPostgresBinDirectoryAnnotation>(out var bin) ? bin.Path : null,
            CacheDirectory = server.TryGetLastAnnotation<LocalPostgresPackageCacheAnnotation>(out var cache) ? cache.Path : null,
        }, cancellationToken);
        var installation = resolution.Installation ?? throw new DistributedApplicationException(resolution.NotFoundMessage);

        logger.LogInformation("PostgreSQL binaries: {Source} ({Description})", resolution.Source, resolution.Description);
        if (resolution.VersionWarning is { } warning)
        {
            logger.LogWarning("{Warning}", warning);
        }

        // Which binaries run, shown among the resource's properties in the dashboard.
        await services.GetRequiredService<ResourceNotificationService>().PublishUpdateAsync(server, snapshot => snapshot with
        {
            Properties = [.. snapshot.Properties,
                new("gpudev.postgres.binaries", $"{resolution.Source.ToString().ToLowerInvariant()}: {resolution.Description}"),
                new("gpudev.postgres.version", installation.Version)],
        });

        var osUser = ServerOsUser.ForCurrentProcess();
        var data = new PostgresDataDirectory(server.Annotations.OfType<LocalPostgresDataDirectoryAnnotation>().Last().Path, installation, osUser);
        var (command, arguments) = osUser.Wrap(installation.Tool("postgres"), PostgresServerCommand.ServerArguments(data.Path));
        var workingDirectory = Path.GetDirectoryName(data.Path)!;
        Directory.CreateDirectory(workingDirectory);

        var executable = server.Annotations.OfType<ExecutableAnnotation>().Last();
        executable.Command = command;
        executable.WorkingDirectory = workingDirectory;
        server.ServerArguments = arguments;
        server.DataDirectory = data;
    }

    private async Task PrepareAsync(LocalPostgresServerResource server, IServiceProvider services, bool firstStart, CancellationToken cancellationToken)
    {
        var resourceLogger = services.GetRequiredService<ResourceLoggerService>().GetLogger(server);
        try
        {
            // A first run fetches the pinned PostgreSQL package: its progress goes to the console and the dashboard.
            await server.DataDirectory!.Installation.EnsureAvailableAsync(
                line =>
                {
                    resourceLogger.LogInformation("{Progress}", line);
                    logger.LogInformation("{Progress}", line);
                },
                cancellationToken);
            await PrepareDataAsync(server, resourceLogger, firstStart, cancellationToken);
        }
        catch (LocalPostgresException ex)
        {
            // One line naming cause and fix, where the user looks; the resource then fails to start.
            resourceLogger.LogError("{Problem}", ex.Message);
            logger.LogError("{Problem}", ex.Message);

            // Its databases fail with it, so whatever waits for them stops waiting instead of hanging.
            await PublishDatabaseStatesAsync(server, services, KnownResourceStates.FailedToStart);
            throw;
        }
    }

    private static async Task PrepareDataAsync(LocalPostgresServerResource server, ILogger logger, bool firstStart, CancellationToken cancellationToken)
    {
        var data = server.DataDirectory!;

        // Only on the first start of this AppHost run: a restart from the dashboard keeps the data.
        if (firstStart && server.TryGetLastAnnotation<LocalPostgresResetDataAnnotation>(out _))
        {
            await data.ResetAsync(logger, cancellationToken);
        }

        var password = await server.PasswordParameter.GetValueAsync(cancellationToken)
            ?? throw new LocalPostgresException($"The {server.PasswordParameter.Name} parameter has no value.");
        logger.LogInformation("PostgreSQL {Version} from {BinDirectory}, running as OS user '{OsUser}'", data.Installation.Version, data.Installation.BinDirectory, data.OsUser);
        await data.PrepareAsync(password, logger, cancellationToken);
    }

    private static async Task CreateDatabasesAsync(LocalPostgresServerResource server, IServiceProvider services, CancellationToken cancellationToken)
    {
        var logger = services.GetRequiredService<ResourceLoggerService>().GetLogger(server);
        var connectionString = await server.ConnectionStringExpression.GetValueAsync(cancellationToken);
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

    // Aspire passes a parent's state on to its databases only for containers, so the server does it
    // itself: a database is running once it exists, which starts its health checks.
    private static async Task PublishDatabaseStatesAsync(LocalPostgresServerResource server, IServiceProvider services, string state)
    {
        var notifications = services.GetRequiredService<ResourceNotificationService>();
        var model = services.GetRequiredService<DistributedApplicationModel>();
        foreach (var database in model.Resources.OfType<LocalPostgresDatabaseResource>().Where(d => d.Parent == server))
        {
            await notifications.PublishUpdateAsync(database, snapshot => state == KnownResourceStates.Running
                ? snapshot with { State = state, StartTimeStamp = DateTime.UtcNow }
                : snapshot with { State = state, StopTimeStamp = state == KnownResourceStates.FailedToStart ? snapshot.StopTimeStamp : DateTime.UtcNow });
        }
    }

    private static async Task InstallPgmqAsync(IResourceWithConnectionString database, bool allowCompatibility, IServiceProvider services, CancellationToken cancellationToken)
    {
        var logger = services.GetRequiredService<ResourceLoggerService>().GetLogger(database);
        var connectionString = await database.ConnectionStringExpression.GetValueAsync(cancellationToken);
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        var source = await PgmqInstaller.EnsureAsync(connection, allowCompatibility, logger, cancellationToken);
        if (source == PgmqSource.Extension)
        {
            logger.LogInformation("PGMQ: using the server's pgmq extension");
        }
        else if (source == PgmqSource.Compatibility)
        {
            logger.LogInformation("PGMQ: the server has no pgmq extension; installed the project's PGMQ-compatible SQL into schema pgmq");
        }
    }

    private static async Task BootstrapAsync(IResourceWithConnectionString database, PostgresBootstrapAnnotation bootstrap, IServiceProvider services, CancellationToken cancellationToken)
    {
        await PostgresBootstrap.RunAsync(database, bootstrap, cancellationToken);
        services.GetRequiredService<ResourceLoggerService>().GetLogger(database).LogInformation("Database bootstrap applied (roles, grants, queues)");
    }

    private async Task StopServersOnceAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1)
        {
            return;
        }

        foreach (var data in _servers.Select(s => s.DataDirectory).OfType<PostgresDataDirectory>())
        {
            logger.LogInformation("Stopping the local PostgreSQL server on {DataDirectory} (fast shutdown)", data.Path);
            try
            {
                await data.StopServerAsync(CancellationToken.None);
            }
            catch (Exception ex) when (ex is LocalPostgresException or IOException)
            {
                logger.LogWarning(ex, "Could not stop the local PostgreSQL server on {DataDirectory}", data.Path);
            }
        }
    }
}
