using GpuDev.Database;
using GpuDev.Database.Queues;
using Npgsql;

namespace GpuDev.Api.Infrastructure;

/// <summary>
/// What the API does before it serves: verify the schema the migration worker owns and the queues the
/// database bootstrap creates. The API creates nothing; if anything is missing it stops with one message naming it all.
/// </summary>
public sealed class DatabaseStartupCheck(NpgsqlDataSource dataSource, ILogger<DatabaseStartupCheck> logger)
{
    /// <summary>Null when the database is ready, else the reason the API cannot start.</summary>
    public async Task<string?> RunAsync(CancellationToken cancellationToken)
    {
        NpgsqlConnection connection;
        try
        {
            connection = await dataSource.OpenConnectionAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
        {
            var target = new NpgsqlConnectionStringBuilder(dataSource.ConnectionString);
            return $"Cannot connect to PostgreSQL at {target.Host}:{target.Port} (database '{target.Database}'): {ex.Message}. " +
                   "Start the database first: 'dotnet run --project AppHost' starts it with the API.";
        }

        await using (connection)
        {
            var missing = await MissingTablesAsync(connection, cancellationToken);
            if (missing.Count > 0)
            {
                return $"Required tables are missing: {string.Join(", ", missing)}. The schema is applied by the migration worker " +
                       "(MigrationWorker, production's db-migration Job), which must complete before the API starts: check its logs " +
                       "in the dashboard, or run it with 'dotnet run --project MigrationWorker'.";
            }

            if (!await PgmqAvailableAsync(connection, cancellationToken))
            {
                return "PGMQ is not available in this database (no pgmq.create function). Use the PGMQ image or let the AppHost install PGMQ.";
            }

            // The API connects as the runtime role, which may not create queues: the database bootstrap (run by
            // whoever owns the server) creates them, as production's schema does.
            var missingQueues = await MissingQueuesAsync(connection, cancellationToken);
            if (missingQueues.Count > 0)
            {
                return $"Required PGMQ queues are missing: {string.Join(", ", missingQueues)}. They are created by the database bootstrap " +
                       "(the AppHost runs it when PostgreSQL is ready; in Kubernetes the migration Job's 'bootstrap' init container): " +
                       "check the gpudev resource's log, or the Job's bootstrap log.";
            }

            logger.LogInformation("Schema verified ({Tables}); queues verified ({Queues})",
                string.Join(", ", RequiredSchema.Tables), string.Join(", ", QueueNames.All));
            return null;
        }
    }

    private static async Task<List<string>> MissingTablesAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            "SELECT t FROM unnest($1::text[]) AS t WHERE to_regclass('public.' || t) IS NULL ORDER BY array_position($1::text[], t)",
            connection)
        {
            Parameters = { new() { Value = RequiredSchema.Tables.ToArray() } },
        };
        var missing = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            missing.Add(reader.GetString(0));
        }

        return missing;
    }

    private static async Task<List<string>> MissingQueuesAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            "SELECT q FROM unnest($1::text[]) AS q WHERE q NOT IN (SELECT queue_name FROM pgmq.list_queues()) ORDER BY array_position($1::text[], q)",
            connection)
        {
            Parameters = { new() { Value = QueueNames.All.ToArray() } },
        };
        var missing = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            missing.Add(reader.GetString(0));
        }

        return missing;
    }

    private static async Task<bool> PgmqAvailableAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT EXISTS (SELECT 1 FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'pgmq' AND p.proname = 'create')", connection);
        return await command.ExecuteScalarAsync(cancellationToken) is true;
    }
}
