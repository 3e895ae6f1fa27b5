using Aspire.Hosting.ApplicationModel;
using GpuDev.Hosting.PostgreSQL;
using GpuDev.Hosting.PostgreSQL.Pgmq;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Aspire.Hosting;

/// <summary>
/// "Reset database" on the application database: after a confirmation, stops the services that wait for the
/// migration worker, drops and recreates the database (with PGMQ), runs the worker, and starts the services
/// again; the same state as a first start, without restarting the AppHost or PostgreSQL. Works in both
/// PostgreSQL modes (it only speaks SQL to the server); the server's other databases and a container's
/// volume are left alone.
/// </summary>
public static class ResetDatabaseCommand
{
    public const string Name = "reset-database";

    // One reset (or migration run) at a time: a second click while the first is dropping the database would race it.
    private static readonly SemaphoreSlim s_oneAtATime = new(1, 1);

    public static IResourceBuilder<IResourceWithConnectionString> WithResetDatabaseCommand(
        this IResourceBuilder<IResourceWithConnectionString> database, IResourceBuilder<ProjectResource> migrationWorker) =>
        database.WithCommand(
            Name,
            "Reset database",
            async context =>
            {
                if (!await s_oneAtATime.WaitAsync(TimeSpan.Zero, context.CancellationToken))
                {
                    return CommandResults.Failure("A reset is already running: wait for it to finish.");
                }

                try
                {
                    return await ResetAsync(context.Services, database.Resource, migrationWorker.Resource, context.CancellationToken);
                }
                finally
                {
                    s_oneAtATime.Release();
                }
            },
            new CommandOptions
            {
                Description = "Drop and recreate this database (every reservation, key, disk and queue message is deleted), then apply database/ again.",
                ConfirmationMessage = $"Delete everything in the '{database.Resource.Name}' database and recreate it from database/? The services that use it restart; this cannot be undone.",
                IconName = "DatabaseArrowDown",
                UpdateState = context => context.ResourceSnapshot.State?.Text == KnownResourceStates.Running
                    ? ResourceCommandState.Enabled
                    : ResourceCommandState.Disabled,
            });

    private static async Task<ExecuteCommandResult> ResetAsync(
        IServiceProvider services, IResourceWithConnectionString database, IResource migrationWorker, CancellationToken cancellationToken)
    {
        var commands = services.GetRequiredService<ResourceCommandService>();
        var notifications = services.GetRequiredService<ResourceNotificationService>();
        var logger = services.GetRequiredService<ResourceLoggerService>().GetLogger(database);

        // The services that start after the worker (production: the Deployments gated on the migration Job)
        // hold connections and their queues; they are stopped first and started again on the fresh schema.
        var dependents = services.GetRequiredService<DistributedApplicationModel>().Resources
            .Where(r => r.Annotations.OfType<WaitAnnotation>().Any(w => w.Resource == migrationWorker && w.WaitType == WaitType.WaitForCompletion))
            .Where(r => notifications.TryGetCurrentState(r.Name, out var current) && RerunMigrationsCommand.IsRunning(current.Snapshot))
            .ToList();
        foreach (var dependent in dependents)
        {
            var stop = await commands.ExecuteCommandAsync(dependent, KnownResourceCommands.StopCommand, cancellationToken);
            if (!stop.Success)
            {
                return CommandResults.Failure($"'{dependent.Name}' could not be stopped ({stop.Message}); the database was not touched.");
            }
        }

        var connectionString = await database.ConnectionStringExpression.GetValueAsync(cancellationToken)
            ?? throw new InvalidOperationException($"'{database.Name}' has no connection string.");
        var target = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false };
        var databaseName = target.Database ?? throw new InvalidOperationException($"The connection string of '{database.Name}' names no database.");
        try
        {
            await RecreateAsync(target, databaseName, cancellationToken);
            await using var connection = new NpgsqlConnection(target.ConnectionString);
            await connection.OpenAsync(cancellationToken);
            var allowCompatibility = database.Annotations.OfType<PgmqAnnotation>().LastOrDefault()?.AllowCompatibility ?? false;
            await PgmqInstaller.EnsureAsync(connection, allowCompatibility, logger, cancellationToken);

            // The roles, grants and queues, as at start: the runtime role cannot create the queues itself.
            if (database.TryGetLastAnnotation<PostgresBootstrapAnnotation>(out var bootstrap))
            {
                await PostgresBootstrap.RunAsync(database, bootstrap, cancellationToken);
            }
        }
        catch (NpgsqlException ex)
        {
            return CommandResults.Failure($"PostgreSQL refused the reset ({ex.Message}): look at the '{database.Name}' and postgres logs, then run the command again.");
        }

        logger.LogInformation("Database {Database} dropped and recreated; applying database/", databaseName);
        var failure = await MigrationWorkerRun.RunAsync(services, migrationWorker, cancellationToken);
        if (failure is not null)
        {
            return CommandResults.Failure($"The database was recreated, but: {failure} The stopped services stay stopped until the migrations succeed (use 'Re-run migrations', then start them).");
        }

        foreach (var dependent in dependents)
        {
            var start = await commands.ExecuteCommandAsync(dependent, KnownResourceCommands.StartCommand, cancellationToken);
            if (!start.Success)
            {
                return CommandResults.Failure($"The database was reset, but '{dependent.Name}' did not start again ({start.Message}): start it from its menu.");
            }
        }

        return CommandResults.Success($"'{databaseName}' was recreated and migrated; {(dependents.Count == 0 ? "no service was running" : string.Join(", ", dependents.Select(d => d.Name)) + " restarted")}.");
    }

    private static async Task RecreateAsync(NpgsqlConnectionStringBuilder target, string databaseName, CancellationToken cancellationToken)
    {
        var maintenance = new NpgsqlConnectionStringBuilder(target.ConnectionString) { Database = "postgres" };
        await using var connection = new NpgsqlConnection(maintenance.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        var quoted = new NpgsqlCommandBuilder().QuoteIdentifier(databaseName);
        // FORCE ends the sessions still open (a psql, a stopped service's last pooled connection).
        await using (var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {quoted} WITH (FORCE)", connection))
        {
            await drop.ExecuteNonQueryAsync(cancellationToken);
        }

        await using var create = new NpgsqlCommand($"CREATE DATABASE {quoted}", connection);
        await create.ExecuteNonQueryAsync(cancellationToken);
    }
}
