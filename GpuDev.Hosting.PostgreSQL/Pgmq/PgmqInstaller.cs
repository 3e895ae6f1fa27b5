using System.Reflection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace GpuDev.Hosting.PostgreSQL.Pgmq;

/// <summary>Where a database's <c>pgmq</c> schema came from.</summary>
public enum PgmqSource
{
    /// <summary>The real PGMQ extension (<c>CREATE EXTENSION pgmq</c>).</summary>
    Extension,

    /// <summary>This project's PGMQ-compatible SQL, for servers without the extension.</summary>
    Compatibility,

    /// <summary>
    /// The server has gained the extension since this database got the compatible SQL: queues, messages,
    /// archives and id sequences were moved into the extension's tables, which are used from now on.
    /// </summary>
    ConvertedToExtension,

    /// <summary>
    /// The server has the extension, but this database's compatible install could not be converted
    /// (something outside PGMQ depends on it); it stays, and is used. The installer logs why.
    /// </summary>
    CompatibilityKept,
}

/// <summary>
/// Makes PGMQ available in a database: the real extension when the server has it installed, otherwise
/// (if allowed) this project's PGMQ-compatible SQL, which keeps PGMQ's function signatures and table layout.
/// Safe to run any number of times, also concurrently.
/// </summary>
public static class PgmqInstaller
{
    private const string ResourceName = "GpuDev.Hosting.PostgreSQL.Pgmq.pgmq-compat.sql";

    // Any fixed number: serialises concurrent installers in one database.
    private const long InstallLockKey = 0x67_70_75_64_65_76_71;

    /// <summary>The PGMQ-compatible SQL script (idempotent).</summary>
    public static string CompatibilityScript { get; } = LoadScript();

    public static Task<PgmqSource> EnsureAsync(NpgsqlConnection connection, bool allowCompatibility, CancellationToken cancellationToken = default) =>
        EnsureAsync(connection, allowCompatibility, logger: null, cancellationToken);

    /// <param name="logger">Told when a compatible install is converted to the extension, or why it could not be.</param>
    public static async Task<PgmqSource> EnsureAsync(NpgsqlConnection connection, bool allowCompatibility, ILogger? logger, CancellationToken cancellationToken = default)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await ExecuteAsync(connection, $"SELECT pg_advisory_xact_lock({InstallLockKey})", cancellationToken);

        if (await ScalarAsync(connection, "SELECT 1 FROM pg_extension WHERE extname = 'pgmq'", cancellationToken))
        {
            return PgmqSource.Extension;
        }

        if (await ScalarAsync(connection, "SELECT 1 FROM pg_available_extensions WHERE name = 'pgmq'", cancellationToken))
        {
            if (await ScalarAsync(connection, "SELECT 1 FROM pg_namespace WHERE nspname = 'pgmq'", cancellationToken))
            {
                // A schema pgmq without the extension: this database got the compatible SQL before the
                // server had PGMQ. CREATE EXTENSION would fail on its objects, so convert it instead.
                var source = await ConvertToExtensionAsync(connection, transaction, allowCompatibility, logger, cancellationToken);
                await transaction.CommitAsync(cancellationToken);
                return source;
            }

            await ExecuteAsync(connection, "CREATE EXTENSION IF NOT EXISTS pgmq", cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return PgmqSource.Extension;
        }

        if (!allowCompatibility)
        {
            throw new InvalidOperationException(
                "The PostgreSQL server has no pgmq extension. Use the PGMQ image (ghcr.io/pgmq/pg18-pgmq) or install PGMQ on the server.");
        }

        await ExecuteAsync(connection, CompatibilityScript, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return PgmqSource.Compatibility;
    }

    // All or nothing (a savepoint): when anything outside PGMQ depends on the compatible install (a view
    // on a queue table, a table of its own in schema pgmq), nothing changes and the compatible SQL stays.
    private static async Task<PgmqSource> ConvertToExtensionAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, bool allowCompatibility, ILogger? logger, CancellationToken cancellationToken)
    {
        await transaction.SaveAsync("pgmq_convert", cancellationToken);
        try
        {
            await ExecuteAsync(connection, ConversionScript, cancellationToken);
            logger?.LogInformation("PGMQ: the server now has the pgmq extension; moved this database's queues from the PGMQ-compatible SQL into it (messages, archives and ids kept)");
            return PgmqSource.ConvertedToExtension;
        }
        catch (PostgresException error)
        {
            await transaction.RollbackAsync("pgmq_convert", cancellationToken);
            var reason = error.MessageText;
            if (!allowCompatibility)
            {
                throw new InvalidOperationException(
                    $"Schema pgmq holds the project's PGMQ-compatible SQL and could not be converted to the server's pgmq extension ({reason}). Remove what depends on schema pgmq and start again; nothing was changed.",
                    error);
            }

            await ExecuteAsync(connection, CompatibilityScript, cancellationToken);
            logger?.LogWarning(
                "PGMQ: the server has the pgmq extension, but this database keeps the project's PGMQ-compatible SQL: converting it failed ({Reason}). Remove what depends on schema pgmq, then restart to convert; nothing was changed",
                reason);
            return PgmqSource.CompatibilityKept;
        }
    }

    // Renames the compatible install away, creates the extension, copies every queue into it (meta rows
    // in their order, messages and archives with their ids, the id sequences, insert notifications and
    // FIFO indexes), then drops the old objects one by one without CASCADE, so that a dependent object
    // fails the whole conversion rather than being dropped with it.
    private const string ConversionScript = """
        DO $convert$
        DECLARE
            old_schema text := 'pgmq_compat_' || to_char(clock_timestamp(), 'YYYYMMDDHH24MISSUS');
            queue record;
            qtable text;
            atable text;
            copied text[] := ARRAY[]::text[];
            sequence_state record;
            item text;
            detail text;
        BEGIN
            EXECUTE format('ALTER SCHEMA pgmq RENAME TO %I', old_schema);
            CREATE EXTENSION pgmq;

            EXECUTE format('INSERT INTO pgmq.meta (queue_name, is_partitioned, is_unlogged, created_at)
                            SELECT queue_name, is_partitioned, is_unlogged, created_at FROM %I.meta ORDER BY ctid', old_schema);

            FOR queue IN EXECUTE format('SELECT queue_name, is_unlogged FROM %I.meta ORDER BY ctid', old_schema) LOOP
                qtable := pgmq.format_table_name(queue.queue_name, 'q');
                atable := pgmq.format_table_name(queue.queue_name, 'a');
                CONTINUE WHEN to_regclass(format('%I.%I', old_schema, qtable)) IS NULL;

                IF queue.is_unlogged THEN
                    PERFORM pgmq.create_unlogged(queue.queue_name);
                ELSE
                    PERFORM pgmq."create"(queue.queue_name);
                END IF;
                CONTINUE WHEN qtable = ANY (copied);
                copied := copied || qtable || atable;

                EXECUTE format('INSERT INTO pgmq.%I (msg_id, read_ct, enqueued_at, vt, message, headers) OVERRIDING SYSTEM VALUE
                                SELECT msg_id, read_ct, enqueued_at, vt, message, headers FROM %I.%I', qtable, old_schema, qtable);
                EXECUTE format('INSERT INTO pgmq.%I (msg_id, read_ct, enqueued_at, archived_at, vt, message, headers)
                                SELECT msg_id, read_ct, enqueued_at, archived_at, vt, message, headers FROM %I.%I', atable, old_schema, atable);
                EXECUTE format('SELECT last_value, is_called FROM %s', pg_get_serial_sequence(format('%I.%I', old_schema, qtable), 'msg_id'))
                    INTO sequence_state;
                PERFORM setval(pg_get_serial_sequence(format('pgmq.%I', qtable), 'msg_id'), sequence_state.last_value, sequence_state.is_called);

                IF to_regclass(format('%I.%I', old_schema, qtable || '_fifo_idx')) IS NOT NULL THEN
                    PERFORM pgmq.create_fifo_index(queue.queue_name);
                END IF;
            END LOOP;

            IF to_regclass(format('%I.notify_insert_throttle', old_schema)) IS NOT NULL THEN
                FOR queue IN EXECUTE format('SELECT queue_name, throttle_interval_ms FROM %I.notify_insert_throttle', old_schema) LOOP
                    PERFORM pgmq.enable_notify_insert(queue.queue_name, queue.throttle_interval_ms);
                END LOOP;
            END IF;

            FOREACH item IN ARRAY copied || ARRAY['notify_insert_throttle', 'meta'] LOOP
                IF to_regclass(format('%I.%I', old_schema, item)) IS NOT NULL THEN
                    EXECUTE format('DROP TABLE %I.%I', old_schema, item);
                END IF;
            END LOOP;
            FOR item IN SELECT p.oid::regprocedure::text FROM pg_proc p WHERE p.pronamespace = old_schema::regnamespace LOOP
                EXECUTE 'DROP FUNCTION ' || item;
            END LOOP;
            FOR item IN SELECT t.oid::regtype::text FROM pg_type t JOIN pg_class c ON c.oid = t.typrelid
                        WHERE t.typnamespace = old_schema::regnamespace AND c.relkind = 'c' LOOP
                EXECUTE 'DROP TYPE ' || item;
            END LOOP;
            EXECUTE format('DROP SCHEMA %I', old_schema);
        EXCEPTION WHEN OTHERS THEN
            -- The detail names the dependent object; the client may not be shown details, so fold it
            -- into the message, under the schema's real name.
            GET STACKED DIAGNOSTICS detail = PG_EXCEPTION_DETAIL;
            RAISE EXCEPTION '%', replace(SQLERRM || coalesce(' (' || nullif(detail, '') || ')', ''), old_schema || '.', 'pgmq.')
                USING ERRCODE = SQLSTATE;
        END
        $convert$
        """;

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<bool> ScalarAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync(cancellationToken) is not null;
    }

    private static string LoadScript()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"Embedded resource {ResourceName} is missing from the GpuDev.Hosting.PostgreSQL assembly.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
