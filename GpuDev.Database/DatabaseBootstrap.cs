using GpuDev.Database.Queues;

namespace GpuDev.Database;

/// <summary>
/// What the role that owns the server does to the application database before anything else connects:
/// creates <see cref="DatabaseRoles.Owner"/> and <see cref="DatabaseRoles.Runtime"/>, the queues, and every
/// grant between them. Run as a superuser, in the application database, after PGMQ is installed; safe to run
/// at every start (each run states the whole intended state again, and takes away rights found beyond it).
/// The local AppHost (both PostgreSQL modes) and the published migration Job run this same text.
/// </summary>
/// <remarks>
/// The queues are created here, not by the API or a migration file as production's
/// <c>007_pgmq_queues.sql</c> does: <c>pgmq.create</c> adds the queue's tables to the <c>pgmq</c>
/// extension (<c>ALTER EXTENSION … ADD TABLE</c>), which only the extension's owner, a superuser, may do.
/// Clients see the same queues either way.
/// </remarks>
public static class DatabaseBootstrap
{
    /// <summary>Production's way to get PGMQ, for a server image that ships it (the published migration Job runs it first).</summary>
    public const string CreateExtension = "CREATE EXTENSION IF NOT EXISTS pgmq;\n";

    private const string Owner = DatabaseRoles.Owner;
    private const string Runtime = DatabaseRoles.Runtime;
    private const string Journal = DatabaseRoles.MigrationJournalSchema;

    /// <summary>
    /// The bootstrap. The passwords come from the session settings <see cref="DatabaseRoles.OwnerPasswordSetting"/>
    /// and <see cref="DatabaseRoles.RuntimePasswordSetting"/>; it fails naming them when either is empty.
    /// </summary>
    public static string Script { get; } = $$"""
        -- Roles are server-wide. Each run sets their password and attributes again, and takes back any
        -- membership (pg_read_server_files, pg_execute_server_program, ...) granted to them by hand.
        DO $roles$
        DECLARE
            owner_password text := current_setting('{{DatabaseRoles.OwnerPasswordSetting}}', true);
            runtime_password text := current_setting('{{DatabaseRoles.RuntimePasswordSetting}}', true);
            membership record;
        BEGIN
            IF coalesce(owner_password, '') = '' OR coalesce(runtime_password, '') = '' THEN
                RAISE EXCEPTION 'The database bootstrap needs the passwords of {{Owner}} and {{Runtime}} (settings {{DatabaseRoles.OwnerPasswordSetting}} and {{DatabaseRoles.RuntimePasswordSetting}}); one is empty'
                    USING ERRCODE = 'invalid_parameter_value';
            END IF;
            BEGIN
                CREATE ROLE {{Owner}};
            EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
            END;
            BEGIN
                CREATE ROLE {{Runtime}};
            EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
            END;
            -- Inside PL/pgSQL, so the statement the server could log is this block, never the passwords.
            EXECUTE format('ALTER ROLE {{Owner}} WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD %L', owner_password);
            EXECUTE format('ALTER ROLE {{Runtime}} WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD %L', runtime_password);
            FOR membership IN
                SELECT g.rolname AS granted, m.rolname AS member, b.rolname AS grantor
                FROM pg_auth_members a JOIN pg_roles g ON g.oid = a.roleid JOIN pg_roles m ON m.oid = a.member JOIN pg_roles b ON b.oid = a.grantor
                WHERE m.rolname IN ('{{Owner}}', '{{Runtime}}')
            LOOP
                EXECUTE format('REVOKE %I FROM %I GRANTED BY %I', membership.granted, membership.member, membership.grantor);
            END LOOP;
        END
        $roles$;

        -- Request values stay out of the server's log: an error logged for the runtime role carries no DETAIL
        -- or CONTEXT (where PostgreSQL quotes the offending JSON or key), no failing statement, no parameters.
        -- Superuser-only settings, so the role cannot change them back.
        ALTER ROLE {{Runtime}} SET log_error_verbosity = 'terse';
        ALTER ROLE {{Runtime}} SET log_min_error_statement = 'panic';
        ALTER ROLE {{Runtime}} SET log_parameter_max_length = 0;

        -- The database: only named roles connect; the owner may add schemas (the journal's), nobody else
        -- may, and only the owner gets temporary tables.
        DO $database$
        BEGIN
            EXECUTE format('REVOKE ALL ON DATABASE %I FROM PUBLIC', current_database());
            EXECUTE format('REVOKE ALL ON DATABASE %I FROM {{Runtime}}', current_database());
            EXECUTE format('GRANT CONNECT, TEMPORARY, CREATE ON DATABASE %I TO {{Owner}}', current_database());
            EXECUTE format('GRANT CONNECT ON DATABASE %I TO {{Runtime}}', current_database());
        END
        $database$;

        -- Schema public: PostgreSQL 14 and older let every role create in it.
        REVOKE CREATE ON SCHEMA public FROM PUBLIC;
        REVOKE CREATE ON SCHEMA public FROM {{Runtime}};
        GRANT USAGE, CREATE ON SCHEMA public TO {{Owner}};
        GRANT USAGE ON SCHEMA public TO {{Runtime}};
        CREATE SCHEMA IF NOT EXISTS {{Journal}} AUTHORIZATION {{Owner}};
        ALTER SCHEMA {{Journal}} OWNER TO {{Owner}};
        REVOKE CREATE ON SCHEMA {{Journal}} FROM {{Runtime}};
        GRANT USAGE ON SCHEMA {{Journal}} TO {{Runtime}};

        -- Objects a superuser made before these roles existed (a data directory from an earlier version,
        -- when the migration worker connected as the superuser) pass to the owner, so its next migration
        -- may alter them. Extension members stay where they are.
        DO $ownership$
        DECLARE
            item record;
        BEGIN
            FOR item IN
                SELECT c.oid::regclass::text AS name, c.relkind
                FROM pg_class c
                JOIN pg_namespace n ON n.oid = c.relnamespace
                JOIN pg_roles r ON r.oid = c.relowner
                WHERE n.nspname IN ('public', '{{Journal}}') AND r.rolsuper
                  AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
                  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype IN ('e', 'a', 'i'))
            LOOP
                EXECUTE format('ALTER %s %s OWNER TO {{Owner}}',
                    CASE item.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'f' THEN 'FOREIGN TABLE' WHEN 'S' THEN 'SEQUENCE' ELSE 'TABLE' END,
                    item.name);
            END LOOP;
            FOR item IN
                SELECT p.oid::regprocedure::text AS name
                FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace JOIN pg_roles r ON r.oid = p.proowner
                WHERE n.nspname IN ('public', '{{Journal}}') AND r.rolsuper
                  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')
            LOOP
                EXECUTE format('ALTER ROUTINE %s OWNER TO {{Owner}}', item.name);
            END LOOP;
            FOR item IN
                SELECT t.oid::regtype::text AS name
                FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace JOIN pg_roles r ON r.oid = t.typowner
                WHERE n.nspname IN ('public', '{{Journal}}') AND r.rolsuper AND t.typtype IN ('e', 'd', 'r', 'm')
                  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_type'::regclass AND d.objid = t.oid AND d.deptype IN ('e', 'i'))
            LOOP
                EXECUTE format('ALTER TYPE %s OWNER TO {{Owner}}', item.name);
            END LOOP;
        END
        $ownership$;

        -- The runtime role's rights on the application's tables: those that exist, and (default privileges)
        -- every table and sequence a later migration creates as the owner.
        GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {{Runtime}};
        GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {{Runtime}};
        ALTER DEFAULT PRIVILEGES FOR ROLE {{Owner}} IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {{Runtime}};
        ALTER DEFAULT PRIVILEGES FOR ROLE {{Owner}} IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO {{Runtime}};
        GRANT SELECT ON ALL TABLES IN SCHEMA {{Journal}} TO {{Runtime}};
        ALTER DEFAULT PRIVILEGES FOR ROLE {{Owner}} IN SCHEMA {{Journal}} GRANT SELECT ON TABLES TO {{Runtime}};

        -- The queues (production's two), and what PGMQ's functions need from their caller: they run with the
        -- caller's rights, so the runtime role reads, writes and archives the queue tables itself. It may list
        -- queues (pgmq.meta) but not create or drop them. The owner may look the queues up (--verify).
        GRANT USAGE ON SCHEMA pgmq TO {{Owner}}, {{Runtime}};
        REVOKE CREATE ON SCHEMA pgmq FROM {{Owner}}, {{Runtime}};
        GRANT SELECT ON pgmq.meta TO {{Owner}}, {{Runtime}};
        DO $queues$
        DECLARE
            queue text;
        BEGIN
            FOREACH queue IN ARRAY ARRAY[{{string.Join(", ", QueueNames.All.Select(q => $"'{q}'"))}}] LOOP
                PERFORM pgmq."create"(queue);
                EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON pgmq.%I TO {{Runtime}}', pgmq.format_table_name(queue, 'q'));
                EXECUTE format('GRANT SELECT, INSERT ON pgmq.%I TO {{Runtime}}', pgmq.format_table_name(queue, 'a'));
                EXECUTE format('GRANT USAGE, SELECT ON SEQUENCE %s TO {{Runtime}}', pg_get_serial_sequence(format('pgmq.%I', pgmq.format_table_name(queue, 'q')), 'msg_id'));
                EXECUTE format('GRANT SELECT ON pgmq.%I, pgmq.%I TO {{Owner}}', pgmq.format_table_name(queue, 'q'), pgmq.format_table_name(queue, 'a'));
            END LOOP;
        END
        $queues$;
        """;
}
