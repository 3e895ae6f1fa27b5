-- PGMQ-compatible queue functions for PostgreSQL servers that do not have the pgmq extension.
--
-- Written for this project to behave like PGMQ 1.8.1 (production's version) in everything a consumer
-- can observe: the same schema (pgmq), function names, argument names, types and defaults, result
-- columns, table layout (pgmq.meta, pgmq.notify_insert_throttle, pgmq.q_<queue>, pgmq.a_<queue>),
-- locks, result order, time base, queue-name rules and SQLSTATEs, and grants. Where PGMQ 1.8.1 has a
-- quirk a consumer could come to rely on, this file has it too, and a comment says so.
-- tests/Pgmq.ContractTests proves each of these against this file and, given a connection string,
-- against a server with the real extension.
-- Not available here: partitioned queues and partitioned archives (they need pg_partman; the calls
-- fail as PGMQ's do on a database without pg_partman).
--
-- Idempotent: the installer may run it on every start, and concurrently (it takes an advisory lock).
-- It also installs as the body of an extension script (the tests package it that way to exercise the
-- switch from this SQL to the extension), so nothing here assumes it runs outside CREATE EXTENSION.

-- Inside CREATE EXTENSION the schema comes from the control file and must not be created here.
DO $schema$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pgmq') THEN
        CREATE SCHEMA IF NOT EXISTS pgmq;
    END IF;
END
$schema$;

-- One row per queue, as PGMQ keeps it. Rows are never reordered: list_queues() and metrics_all()
-- return them in the table's physical order, which is creation order unless queues were dropped.
CREATE TABLE IF NOT EXISTS pgmq.meta (
    queue_name     varchar                  NOT NULL UNIQUE,
    is_partitioned boolean                  NOT NULL,
    is_unlogged    boolean                  NOT NULL,
    created_at     timestamp with time zone NOT NULL DEFAULT now()
);

-- Queues with insert notifications (enable_notify_insert) and when each last notified.
CREATE UNLOGGED TABLE IF NOT EXISTS pgmq.notify_insert_throttle (
    queue_name           varchar                  NOT NULL UNIQUE
        CONSTRAINT notify_insert_throttle_meta_queue_name_fk REFERENCES pgmq.meta (queue_name) ON DELETE CASCADE,
    throttle_interval_ms integer                  NOT NULL DEFAULT 0,
    last_notified_at     timestamp with time zone NOT NULL DEFAULT to_timestamp(0)
);

CREATE INDEX IF NOT EXISTS idx_notify_throttle_active
    ON pgmq.notify_insert_throttle (queue_name, last_notified_at)
    WHERE throttle_interval_ms > 0;

-- Composite types are created only when absent: CREATE TYPE has no IF NOT EXISTS form.
DO $types$
BEGIN
    IF to_regtype('pgmq.message_record') IS NULL THEN
        CREATE TYPE pgmq.message_record AS (
            msg_id      bigint,
            read_ct     integer,
            enqueued_at timestamp with time zone,
            vt          timestamp with time zone,
            message     jsonb,
            headers     jsonb
        );
    END IF;

    IF to_regtype('pgmq.queue_record') IS NULL THEN
        CREATE TYPE pgmq.queue_record AS (
            queue_name     varchar,
            is_partitioned boolean,
            is_unlogged    boolean,
            created_at     timestamp with time zone
        );
    END IF;

    IF to_regtype('pgmq.metrics_result') IS NULL THEN
        CREATE TYPE pgmq.metrics_result AS (
            queue_name           text,
            queue_length         bigint,
            newest_msg_age_sec   integer,
            oldest_msg_age_sec   integer,
            total_messages       bigint,
            scrape_time          timestamp with time zone,
            queue_visible_length bigint
        );
    END IF;
END
$types$;

-- Monitoring roles may read every queue, as PGMQ grants it: the tables that exist now and, through
-- default privileges, every queue table created later by the role that runs this script.
GRANT USAGE ON SCHEMA pgmq TO pg_monitor;
GRANT SELECT ON ALL TABLES IN SCHEMA pgmq TO pg_monitor;
GRANT SELECT ON ALL SEQUENCES IN SCHEMA pgmq TO pg_monitor;
ALTER DEFAULT PRIVILEGES IN SCHEMA pgmq GRANT SELECT ON TABLES TO pg_monitor;
ALTER DEFAULT PRIVILEGES IN SCHEMA pgmq GRANT SELECT ON SEQUENCES TO pg_monitor;

-- As an extension, pg_dump must dump the rows of these tables (they are data, not definitions).
DO $dump$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pgmq') THEN
        PERFORM pg_catalog.pg_extension_config_dump('pgmq.meta', '');
        PERFORM pg_catalog.pg_extension_config_dump('pgmq.notify_insert_throttle', '');
    END IF;
END
$dump$;

-- ---------------------------------------------------------------------------------------------
-- Queue names
-- ---------------------------------------------------------------------------------------------
-- PGMQ's rules, which are looser than they look:
-- * Any name is accepted except one containing $, ; , -- or a single quote (SQLSTATE P0001, raised
--   by every function). Hyphens, dots, spaces and non-ASCII letters are fine: table names are always
--   quoted (format('%I')), so a name cannot inject SQL.
-- * Table names are lower-cased ('Orders' and 'orders' share q_orders), but pgmq.meta keeps the name
--   as given.
-- * Only create* check the length: more than 47 characters is refused (P0001). Other functions just
--   find no table (42P01).
-- * 47 characters can exceed PostgreSQL's 63-byte identifier limit when they are not ASCII;
--   PostgreSQL then truncates q_<name> to 63 bytes (with a NOTICE), so two long non-ASCII names that
--   agree in their first bytes share one table. PGMQ does the same, so this file does not prevent it.

CREATE OR REPLACE FUNCTION pgmq.validate_queue_name(queue_name text)
RETURNS void
LANGUAGE plpgsql
AS $fn$
BEGIN
    IF length(queue_name) > 47 THEN
        RAISE EXCEPTION 'pgmq: queue name "%" is too long (% characters); the maximum is 47', queue_name, length(queue_name)
            USING HINT = 'q_<name>, a_<name> and archived_at_idx_<name> must fit PostgreSQL''s 63-byte identifiers.';
    END IF;
END
$fn$;

-- The table behind a queue: prefix 'q' (messages) or 'a' (archive).
CREATE OR REPLACE FUNCTION pgmq.format_table_name(queue_name text, prefix text)
RETURNS text
LANGUAGE plpgsql
AS $fn$
BEGIN
    IF queue_name ~ '[$;'']|--' THEN
        RAISE EXCEPTION 'pgmq: queue name "%" contains a character PGMQ refuses ($, ;, -- or '')', queue_name
            USING HINT = 'Letters (any language), digits, _, -, . and spaces are accepted.';
    END IF;
    RETURN lower(prefix || '_' || queue_name);
END
$fn$;

-- Serialises create and drop of one queue until the transaction ends; other queues are not held up.
-- The key is PGMQ's own ('pgmq.queue_' || name, case as given), so both implementations agree.
CREATE OR REPLACE FUNCTION pgmq.acquire_queue_lock(queue_name text)
RETURNS void
LANGUAGE sql
AS $fn$ SELECT pg_advisory_xact_lock(hashtext('pgmq.queue_' || queue_name)) $fn$;

-- ---------------------------------------------------------------------------------------------
-- Queue management
-- ---------------------------------------------------------------------------------------------

CREATE OR REPLACE FUNCTION pgmq._create_queue(queue_name text, unlogged boolean)
RETURNS void
LANGUAGE plpgsql
AS $fn$
DECLARE
    qtable text := pgmq.format_table_name(queue_name, 'q');
    atable text := pgmq.format_table_name(queue_name, 'a');
BEGIN
    PERFORM pgmq.validate_queue_name(queue_name);
    PERFORM pgmq.acquire_queue_lock(queue_name);

    EXECUTE format(
        'CREATE %s TABLE IF NOT EXISTS pgmq.%I (
            msg_id      bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY,
            read_ct     integer NOT NULL DEFAULT 0,
            enqueued_at timestamp with time zone NOT NULL DEFAULT now(),
            vt          timestamp with time zone NOT NULL,
            message     jsonb,
            headers     jsonb
        )',
        CASE WHEN unlogged THEN 'UNLOGGED' ELSE '' END, qtable);

    EXECUTE format(
        'CREATE TABLE IF NOT EXISTS pgmq.%I (
            msg_id      bigint PRIMARY KEY,
            read_ct     integer NOT NULL DEFAULT 0,
            enqueued_at timestamp with time zone NOT NULL DEFAULT now(),
            archived_at timestamp with time zone NOT NULL DEFAULT now(),
            vt          timestamp with time zone NOT NULL,
            message     jsonb,
            headers     jsonb
        )',
        atable);

    -- Readers look for the oldest visible messages; the archive is usually queried by time. The
    -- archive index keeps the name's case, as PGMQ's does.
    EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON pgmq.%I (vt ASC)', qtable || '_vt_idx', qtable);
    EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON pgmq.%I (archived_at)', 'archived_at_idx_' || queue_name, atable);

    INSERT INTO pgmq.meta (queue_name, is_partitioned, is_unlogged)
    VALUES (queue_name, false, unlogged)
    ON CONFLICT DO NOTHING;
END
$fn$;

CREATE OR REPLACE FUNCTION pgmq.create_non_partitioned(queue_name text)
RETURNS void
LANGUAGE sql
AS $fn$ SELECT pgmq._create_queue(queue_name, false) $fn$;

CREATE OR REPLACE FUNCTION pgmq.create_unlogged(queue_name text)
RETURNS void
LANGUAGE sql
AS $fn$ SELECT pgmq._create_queue(queue_name, true) $fn$;

CREATE OR REPLACE FUNCTION pgmq."create"(queue_name text)
RETURNS void
LANGUAGE sql
AS $fn$ SELECT pgmq._create_queue(queue_name, false) $fn$;

-- pg_partman helpers, under PGMQ's names (code written against PGMQ may call them).
CREATE OR REPLACE FUNCTION pgmq._extension_exists(extension_name text)
RETURNS boolean
LANGUAGE sql
AS $fn$ SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = extension_name) $fn$;

CREATE OR REPLACE FUNCTION pgmq._ensure_pg_partman_installed()
RETURNS void
LANGUAGE plpgsql
AS $fn$
BEGIN
    IF NOT pgmq._extension_exists('pg_partman') THEN
        RAISE EXCEPTION 'pgmq: pg_partman is required for partitioned queues'
            USING HINT = 'Use pgmq.create(), or CREATE EXTENSION pg_partman on a server that has it.';
    END IF;
END
$fn$;

CREATE OR REPLACE FUNCTION pgmq._get_pg_partman_schema()
RETURNS text
LANGUAGE sql
AS $fn$ SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'pg_partman' $fn$;

CREATE OR REPLACE FUNCTION pgmq._get_pg_partman_major_version()
RETURNS integer
LANGUAGE sql
AS $fn$ SELECT split_part(extversion, '.', 1)::integer FROM pg_extension WHERE extname = 'pg_partman' $fn$;

-- Whether a table (by name) is a member of the pgmq extension; never true for this file's tables.
CREATE OR REPLACE FUNCTION pgmq._belongs_to_pgmq(table_name text)
RETURNS boolean
LANGUAGE sql
AS $fn$
    SELECT EXISTS (
        SELECT 1
        FROM pg_depend d
        JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'pgmq'
        JOIN pg_class c ON c.oid = d.objid AND d.classid = 'pg_class'::regclass
        WHERE c.relname = table_name)
$fn$;

-- A partition interval that is a whole number partitions by msg_id, anything else by time.
CREATE OR REPLACE FUNCTION pgmq._get_partition_col(partition_interval text)
RETURNS text
LANGUAGE sql
AS $fn$ SELECT CASE WHEN partition_interval ~ '^\s*[+-]?[0-9]+\s*$' THEN 'msg_id' ELSE 'enqueued_at' END $fn$;

-- Partitioned queues need pg_partman, which the servers this file is for do not have.
CREATE OR REPLACE FUNCTION pgmq.create_partitioned(
    queue_name text,
    partition_interval text DEFAULT '10000',
    retention_interval text DEFAULT '100000')
RETURNS void
LANGUAGE plpgsql
AS $fn$
BEGIN
    PERFORM pgmq.validate_queue_name(queue_name);
    PERFORM pgmq.acquire_queue_lock(queue_name);
    PERFORM pgmq._ensure_pg_partman_installed();
    RAISE EXCEPTION 'pgmq: partitioned queues are not available in the PGMQ-compatible SQL (queue "%")', queue_name
        USING ERRCODE = 'feature_not_supported',
              HINT = 'Use pgmq.create(), or a server with the pgmq extension.';
END
$fn$;

-- Returns false (with a notice) when the queue does not exist, as PGMQ does.
-- Like PGMQ 1.8.1, the tables are found by the lower-cased name but the pgmq.meta row only by the
-- name exactly as given: create('Orders') then drop_queue('orders') drops the tables and leaves the
-- 'Orders' row in pgmq.meta (and so in list_queues()). Kept on purpose so that local runs show what
-- production does.
CREATE OR REPLACE FUNCTION pgmq.drop_queue(queue_name text)
RETURNS boolean
LANGUAGE plpgsql
AS $fn$
DECLARE
    qtable text := pgmq.format_table_name(queue_name, 'q');
    atable text := pgmq.format_table_name(queue_name, 'a');
BEGIN
    PERFORM pgmq.acquire_queue_lock(queue_name);

    IF to_regclass(format('pgmq.%I', qtable)) IS NULL THEN
        RAISE NOTICE 'pgmq queue `%` does not exist', queue_name;
        RETURN false;
    END IF;

    EXECUTE format('DROP TABLE IF EXISTS pgmq.%I', qtable);
    EXECUTE format('DROP TABLE IF EXISTS pgmq.%I', atable);
    DELETE FROM pgmq.meta m WHERE m.queue_name = drop_queue.queue_name;
    RETURN true;
END
$fn$;

-- Deprecated in PGMQ (kept for older clients): warns, drops the queue, and returns true even when
-- there was no queue.
CREATE OR REPLACE FUNCTION pgmq.drop_queue(queue_name text, partitioned boolean)
RETURNS boolean
LANGUAGE plpgsql
AS $fn$
BEGIN
    RAISE WARNING 'pgmq: drop_queue(queue_name, partitioned) is deprecated; call drop_queue(queue_name)';
    PERFORM pgmq.drop_queue(queue_name);
    RETURN true;
END
$fn$;

-- Deprecated in PGMQ and a no-op there: archive tables are not extension members any more.
CREATE OR REPLACE FUNCTION pgmq.detach_archive(queue_name text)
RETURNS void
LANGUAGE plpgsql
AS $fn$
BEGIN
    PERFORM pgmq.format_table_name(queue_name, 'a');
    RAISE WARNING 'pgmq: detach_archive(queue_name) is deprecated and does nothing (archive tables are no extension members any more)';
END
$fn$;

-- Deletes every message (not the archive) with TRUNCATE, as PGMQ does, and returns how many there
-- were. TRUNCATE takes an ACCESS EXCLUSIVE lock: until the purging transaction ends, every send,
-- read and metrics call on this queue waits. The id sequence is not reset.
CREATE OR REPLACE FUNCTION pgmq.purge_queue(queue_name text)
RETURNS bigint
LANGUAGE plpgsql
AS $fn$
DECLARE
    qtable text := pgmq.format_table_name(queue_name, 'q');
    purged bigint;
BEGIN
    EXECUTE format('SELECT count(*) FROM pgmq.%I', qtable) INTO purged;
    EXECUTE format('TRUNCATE TABLE pgmq.%I', qtable);
    RETURN purged;
END
$fn$;

-- Physical order of pgmq.meta, as PGMQ (no ORDER BY): creation order unless queues were dropped.
CREATE OR REPLACE FUNCTION pgmq.list_queues()
RETURNS SETOF pgmq.queue_record
LANGUAGE plpgsql
AS $fn$
BEGIN
    RETURN QUERY SELECT m.queue_name, m.is_partitioned, m.is_unlogged, m.created_at FROM pgmq.meta m;
END
$fn$;

-- ---------------------------------------------------------------------------------------------
-- Sending
-- ---------------------------------------------------------------------------------------------

-- All send/send_batch overloads end here; a message becomes visible at `visible_at`. Messages and
-- headers are paired by position and the shorter array is padded with NULLs, as PGMQ does: fewer
-- headers leave the last messages without headers; more headers insert extra rows whose message is
-- NULL.
CREATE OR REPLACE FUNCTION pgmq._enqueue(queue_name text, msgs jsonb[], headers jsonb[], visible_at timestamp with time zone)
RETURNS SETOF bigint
LANGUAGE plpgsql
AS $fn$
BEGIN
    RETURN QUERY EXECUTE format(
        'INSERT INTO pgmq.%I (vt, message, headers)
         SELECT $3, m.msg, m.hdr
         FROM unnest($1, coalesce($2, ARRAY[]::jsonb[])) WITH ORDINALITY AS m(msg, hdr, ord)
         ORDER BY m.ord
         RETURNING msg_id',
        pgmq.format_table_name(queue_name, 'q'))
    USING msgs, headers, visible_at;
END
$fn$;

CREATE OR REPLACE FUNCTION pgmq.send(queue_name text, msg jsonb)
RETURNS SETOF bigint
LANGUAGE sql
AS $fn$ SELECT pgmq._enqueue(queue_name, ARRAY[msg], NULL, clock_timestamp()) $fn$;

CREATE OR REPLACE FUNCTION pgmq.send(queue_name text, msg jsonb, headers jsonb)
RETURNS SETOF bigint
LANGUAGE sql
AS $fn$ SELECT pgmq._enqueue(queue_name, ARRAY[msg], ARRAY[headers], clock_timestamp()) $fn$;

CREATE OR REPLACE FUNCTION pgmq.send(queue_name text, msg jsonb, delay integer)
RETURNS SETOF bigint
LANGUAGE sql
AS $fn$ SELECT pgmq._enqueue(queue_name, ARRAY[msg], NULL, clock_timestamp() + make_interval(secs => delay)) $fn$;

CREATE OR REPLACE FUNCTION pgmq.send(queue_name text, msg jsonb, delay timestamp with time zone)
RETURNS SETOF bigint
LANGUAGE sql
AS $fn$ SELECT pgmq._enqueue(queue_name, ARRAY[msg], NULL, delay) $fn$;

CREATE OR REPLACE FUNCTION pgmq.send(queue_name text, msg jsonb, headers jsonb, delay integer)
RETURNS SETOF bigint
LANGUAGE sql
AS $fn$ SELECT pgmq._enqueue(queue_name, ARRAY[msg], ARRAY[headers], clock_timestamp() + make_interval(secs => delay)) $fn$;

CREATE OR REPLACE FUNCTION pgmq.send(queue_name text, msg jsonb, headers jsonb, delay timestamp with time zone)
RETURNS SETOF bigint
LANGUAGE sql
AS $fn$ SELECT pgmq._enqueue(queue_name, ARRAY[msg], ARRAY[headers], delay) $fn$;

CREATE OR REPLACE FUNCTION pgmq.send_batch(queue_name text, msgs jsonb[])
RETURNS SETOF bigint
LANGUAGE sql
AS $fn$ SELECT pgmq._enqueue(queue_name, msgs, NULL, clock_timestamp()) $fn$;

CREATE OR REPLACE FUNCTION pgmq.send_batch(queue_name text, msgs jsonb[], headers jsonb[])
RETURNS SETOF bigint
LANGUAGE sql
AS $fn$ SELECT pgmq._enqueue(queue_name, msgs, headers, clock_timestamp()) $fn$;

CREATE OR REPLACE FUNCTION pgmq.send_batch(queue_name text, msgs jsonb[], delay integer)
RETURNS SETOF bigint
LANGUAGE sql
AS $fn$ SELECT pgmq._enqueue(queue_name, msgs, NULL, clock_timestamp() + make_interval(secs => delay)) $fn$;

CREATE OR REPLACE FUNCTION pgmq.send_batch(queue_name text, msgs jsonb[], delay timestamp with time zone)
RETURNS SETOF bigint
LANGUAGE sql
AS $fn$ SELECT pgmq._enqueue(queue_name, msgs, NULL, delay) $fn$;

CREATE OR REPLACE FUNCTION pgmq.send_batch(queue_name text, msgs jsonb[], headers jsonb[], delay integer)
RETURNS SETOF bigint
LANGUAGE sql
AS $fn$ SELECT pgmq._enqueue(queue_name, msgs, headers, clock_timestamp() + make_interval(secs => delay)) $fn$;

CREATE OR REPLACE FUNCTION pgmq.send_batch(queue_name text, msgs jsonb[], headers jsonb[], delay timestamp with time zone)
RETURNS SETOF bigint
LANGUAGE sql
AS $fn$ SELECT pgmq._enqueue(queue_name, msgs, headers, delay) $fn$;

-- ---------------------------------------------------------------------------------------------
-- Insert notifications
-- ---------------------------------------------------------------------------------------------

-- Trigger on q_<queue>: NOTIFY on channel 'pgmq.q_<queue>.INSERT' (empty payload), at most once per
-- throttle interval. The queue is looked up by the table name without 'q_', i.e. lower-cased: like
-- PGMQ, a queue created with capitals never notifies.
CREATE OR REPLACE FUNCTION pgmq.notify_queue_listeners()
RETURNS trigger
LANGUAGE plpgsql
AS $fn$
DECLARE
    claimed integer;
BEGIN
    UPDATE pgmq.notify_insert_throttle t
    SET last_notified_at = clock_timestamp()
    WHERE t.queue_name = substr(TG_TABLE_NAME, 3)
      AND (t.throttle_interval_ms = 0
           OR clock_timestamp() - t.last_notified_at >= make_interval(secs => t.throttle_interval_ms / 1000.0));
    GET DIAGNOSTICS claimed = ROW_COUNT;

    IF claimed > 0 THEN
        PERFORM pg_notify('pgmq.' || TG_TABLE_NAME || '.' || TG_OP, NULL);
    END IF;
    RETURN NEW;
END
$fn$;

CREATE OR REPLACE FUNCTION pgmq.disable_notify_insert(queue_name text)
RETURNS void
LANGUAGE plpgsql
AS $fn$
BEGIN
    EXECUTE format('DROP TRIGGER IF EXISTS trigger_notify_queue_insert_listeners ON pgmq.%I',
                   pgmq.format_table_name(queue_name, 'q'));
    DELETE FROM pgmq.notify_insert_throttle t WHERE t.queue_name = disable_notify_insert.queue_name;
END
$fn$;

CREATE OR REPLACE FUNCTION pgmq.enable_notify_insert(queue_name text, throttle_interval_ms integer DEFAULT 250)
RETURNS void
LANGUAGE plpgsql
AS $fn$
DECLARE
    qtable text := pgmq.format_table_name(queue_name, 'q');
BEGIN
    IF throttle_interval_ms < 0 THEN
        RAISE EXCEPTION 'pgmq: throttle_interval_ms must be 0 (no throttling) or more, not %', throttle_interval_ms;
    END IF;
    IF to_regclass(format('pgmq.%I', qtable)) IS NULL THEN
        RAISE EXCEPTION 'pgmq: queue "%" does not exist', queue_name
            USING HINT = 'Create it first with pgmq.create().';
    END IF;

    PERFORM pgmq.disable_notify_insert(queue_name);

    INSERT INTO pgmq.notify_insert_throttle AS t (queue_name, throttle_interval_ms)
    VALUES (enable_notify_insert.queue_name, enable_notify_insert.throttle_interval_ms)
    ON CONFLICT ON CONSTRAINT notify_insert_throttle_queue_name_key DO UPDATE
        SET throttle_interval_ms = excluded.throttle_interval_ms,
            last_notified_at = to_timestamp(0);

    -- A constraint trigger so that it fires after the inserting statement (DEFERRABLE allows
    -- SET CONSTRAINTS … DEFERRED to move it to commit).
    EXECUTE format(
        'CREATE CONSTRAINT TRIGGER trigger_notify_queue_insert_listeners
         AFTER INSERT ON pgmq.%I
         DEFERRABLE FOR EACH ROW
         EXECUTE FUNCTION pgmq.notify_queue_listeners()',
        qtable);
END
$fn$;

-- ---------------------------------------------------------------------------------------------
-- Reading
-- ---------------------------------------------------------------------------------------------
-- Every read takes visible messages (vt <= clock_timestamp()) and hides them for vt seconds. SKIP
-- LOCKED lets concurrent readers pass over rows another reader is taking, so no visible message is
-- handed to two readers. clock_timestamp() rather than now(): the *_with_poll functions loop inside
-- one transaction. An empty (or null) conditional matches every message, also messages that are not
-- JSON objects. Rows come back in no guaranteed order (UPDATE … RETURNING), as in PGMQ.

CREATE OR REPLACE FUNCTION pgmq.read(queue_name text, vt integer, qty integer, conditional jsonb DEFAULT '{}')
RETURNS SETOF pgmq.message_record
LANGUAGE plpgsql
AS $fn$
BEGIN
    RETURN QUERY EXECUTE format(
        'WITH picked AS (
             SELECT msg_id
             FROM pgmq.%1$I
             WHERE vt <= clock_timestamp()
               AND ($3 IS NULL OR $3 = ''{}''::jsonb OR message @> $3)
             ORDER BY msg_id
             LIMIT $2
             FOR UPDATE SKIP LOCKED
         )
         UPDATE pgmq.%1$I q
         SET vt = clock_timestamp() + make_interval(secs => $1),
             read_ct = q.read_ct + 1
         FROM picked
         WHERE q.msg_id = picked.msg_id
         RETURNING q.msg_id, q.read_ct, q.enqueued_at, q.vt, q.message, q.headers',
        pgmq.format_table_name(queue_name, 'q'))
    USING vt, qty, conditional;
END
$fn$;

-- FIFO groups: a message's group is its header "x-pgmq-group" (messages without one form a single
-- default group). Within a group messages are handed out strictly in msg_id order: no message is
-- returned while an earlier message of its group is invisible (being processed, or delayed).
--
-- read_grouped fills the batch from the group whose oldest visible message is oldest, then the next
-- group (SQS FIFO style). A group whose first message another transaction is reading is skipped.
CREATE OR REPLACE FUNCTION pgmq.read_grouped(queue_name text, vt integer, qty integer, conditional jsonb DEFAULT '{}')
RETURNS SETOF pgmq.message_record
LANGUAGE plpgsql
AS $fn$
BEGIN
    RETURN QUERY EXECUTE format(
        'WITH grouped AS (
             SELECT msg_id,
                    vt <= clock_timestamp() AS visible,
                    ($3 IS NULL OR $3 = ''{}''::jsonb OR message @> $3) AS matches,
                    coalesce(headers->>''x-pgmq-group'', ''_default_fifo_group'') AS grp
             FROM pgmq.%1$I
         ),
         ready AS (
             -- Visible, matching, and no invisible message of the same group before it.
             SELECT g.msg_id, g.grp
             FROM grouped g
             WHERE g.visible AND g.matches
               AND NOT EXISTS (SELECT 1 FROM grouped h WHERE h.grp = g.grp AND NOT h.visible AND h.msg_id < g.msg_id)
         ),
         heads AS (
             SELECT q.msg_id AS head, r.grp
             FROM pgmq.%1$I q
             JOIN (SELECT grp, min(msg_id) AS head FROM ready GROUP BY grp) r ON r.head = q.msg_id
             FOR UPDATE OF q SKIP LOCKED
         ),
         picked AS (
             SELECT ready.msg_id
             FROM ready JOIN heads USING (grp)
             ORDER BY heads.head, ready.msg_id
             LIMIT $2
         ),
         locked AS (
             SELECT q.msg_id FROM pgmq.%1$I q JOIN picked USING (msg_id)
             FOR UPDATE OF q SKIP LOCKED
         )
         UPDATE pgmq.%1$I q
         SET vt = clock_timestamp() + make_interval(secs => $1),
             read_ct = q.read_ct + 1
         FROM locked
         WHERE q.msg_id = locked.msg_id
         RETURNING q.msg_id, q.read_ct, q.enqueued_at, q.vt, q.message, q.headers',
        pgmq.format_table_name(queue_name, 'q'))
    USING vt, qty, conditional;
END
$fn$;

-- read_grouped_rr interleaves groups: the first message of every ready group (oldest group first),
-- then the second of each, and so on. A group is ready when its oldest message (visible or not) is
-- visible and matches the conditional, and no other transaction holds the group: each group read is
-- held with a transaction-level advisory lock on hashtextextended(group, 0), as PGMQ does (the key
-- does not include the queue, so a group name held in one queue is skipped in every queue until that
-- transaction ends).
CREATE OR REPLACE FUNCTION pgmq.read_grouped_rr(queue_name text, vt integer, qty integer, conditional jsonb DEFAULT '{}')
RETURNS SETOF pgmq.message_record
LANGUAGE plpgsql
AS $fn$
BEGIN
    RETURN QUERY EXECUTE format(
        'WITH heads AS (
             SELECT coalesce(headers->>''x-pgmq-group'', ''_default_fifo_group'') AS grp, min(msg_id) AS head
             FROM pgmq.%1$I
             GROUP BY 1
         ),
         ready AS (
             SELECT heads.grp, heads.head
             FROM heads JOIN pgmq.%1$I q ON q.msg_id = heads.head
             WHERE q.vt <= clock_timestamp()
               AND ($3 IS NULL OR $3 = ''{}''::jsonb OR q.message @> $3)
               AND pg_try_advisory_xact_lock(hashtextextended(heads.grp, 0))
         ),
         ranked AS (
             SELECT q.msg_id, ready.head,
                    row_number() OVER (PARTITION BY ready.grp ORDER BY q.msg_id) AS turn
             FROM pgmq.%1$I q
             JOIN ready ON coalesce(q.headers->>''x-pgmq-group'', ''_default_fifo_group'') = ready.grp
             WHERE q.vt <= clock_timestamp()
               AND ($3 IS NULL OR $3 = ''{}''::jsonb OR q.message @> $3)
         ),
         picked AS (
             SELECT q.msg_id
             FROM pgmq.%1$I q JOIN ranked USING (msg_id)
             ORDER BY ranked.turn, ranked.head
             LIMIT $2
             FOR UPDATE OF q SKIP LOCKED
         )
         UPDATE pgmq.%1$I q
         SET vt = clock_timestamp() + make_interval(secs => $1),
             read_ct = q.read_ct + 1
         FROM picked
         WHERE q.msg_id = picked.msg_id
           AND q.vt <= clock_timestamp()
         RETURNING q.msg_id, q.read_ct, q.enqueued_at, q.vt, q.message, q.headers',
        pgmq.format_table_name(queue_name, 'q'))
    USING vt, qty, conditional;
END
$fn$;

-- The *_with_poll functions retry a read every poll_interval_ms until it returns something or
-- max_poll_seconds have passed, with PGMQ 1.8.1's timing: the deadline is checked before each read,
-- so max_poll_seconds => 0 returns nothing without reading (even when messages are visible), and the
-- last sleep is not shortened, so a call can overrun its deadline by up to one poll interval.
CREATE OR REPLACE FUNCTION pgmq._poll(reader text, queue_name text, vt integer, qty integer,
                                      max_poll_seconds integer, poll_interval_ms integer, conditional jsonb)
RETURNS SETOF pgmq.message_record
LANGUAGE plpgsql
AS $fn$
DECLARE
    deadline timestamp with time zone := clock_timestamp() + make_interval(secs => max_poll_seconds);
BEGIN
    LOOP
        IF clock_timestamp() >= deadline THEN
            RETURN;
        END IF;

        RETURN QUERY EXECUTE format('SELECT * FROM pgmq.%I($1, $2, $3, $4)', reader)
            USING queue_name, vt, qty, conditional;
        IF FOUND THEN
            RETURN;
        END IF;

        PERFORM pg_sleep(poll_interval_ms / 1000.0);
    END LOOP;
END
$fn$;

CREATE OR REPLACE FUNCTION pgmq.read_with_poll(
    queue_name text,
    vt integer,
    qty integer,
    max_poll_seconds integer DEFAULT 5,
    poll_interval_ms integer DEFAULT 100,
    conditional jsonb DEFAULT '{}')
RETURNS SETOF pgmq.message_record
LANGUAGE sql
AS $fn$ SELECT * FROM pgmq._poll('read', queue_name, vt, qty, max_poll_seconds, poll_interval_ms, conditional) $fn$;

CREATE OR REPLACE FUNCTION pgmq.read_grouped_with_poll(
    queue_name text,
    vt integer,
    qty integer,
    max_poll_seconds integer DEFAULT 5,
    poll_interval_ms integer DEFAULT 100,
    conditional jsonb DEFAULT '{}')
RETURNS SETOF pgmq.message_record
LANGUAGE sql
AS $fn$ SELECT * FROM pgmq._poll('read_grouped', queue_name, vt, qty, max_poll_seconds, poll_interval_ms, conditional) $fn$;

CREATE OR REPLACE FUNCTION pgmq.read_grouped_rr_with_poll(
    queue_name text,
    vt integer,
    qty integer,
    max_poll_seconds integer DEFAULT 5,
    poll_interval_ms integer DEFAULT 100,
    conditional jsonb DEFAULT '{}')
RETURNS SETOF pgmq.message_record
LANGUAGE sql
AS $fn$ SELECT * FROM pgmq._poll('read_grouped_rr', queue_name, vt, qty, max_poll_seconds, poll_interval_ms, conditional) $fn$;

-- A GIN index on headers (q_<queue>_fifo_idx) for the grouped reads of large queues.
CREATE OR REPLACE FUNCTION pgmq._create_fifo_index_if_not_exists(queue_name text)
RETURNS void
LANGUAGE plpgsql
AS $fn$
DECLARE
    qtable text := pgmq.format_table_name(queue_name, 'q');
BEGIN
    EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON pgmq.%I USING gin (headers)', qtable || '_fifo_idx', qtable);
END
$fn$;

CREATE OR REPLACE FUNCTION pgmq.create_fifo_index(queue_name text)
RETURNS void
LANGUAGE sql
AS $fn$ SELECT pgmq._create_fifo_index_if_not_exists(queue_name) $fn$;

CREATE OR REPLACE FUNCTION pgmq.create_fifo_indexes_all()
RETURNS void
LANGUAGE plpgsql
AS $fn$
DECLARE
    queue text;
BEGIN
    FOR queue IN SELECT m.queue_name FROM pgmq.meta m LOOP
        PERFORM pgmq.create_fifo_index(queue);
    END LOOP;
END
$fn$;

-- Reads and deletes in one step: no visibility timeout, no archive.
CREATE OR REPLACE FUNCTION pgmq.pop(queue_name text, qty integer DEFAULT 1)
RETURNS SETOF pgmq.message_record
LANGUAGE plpgsql
AS $fn$
BEGIN
    RETURN QUERY EXECUTE format(
        'WITH picked AS (
             SELECT msg_id
             FROM pgmq.%1$I
             WHERE vt <= clock_timestamp()
             ORDER BY msg_id
             LIMIT $1
             FOR UPDATE SKIP LOCKED
         )
         DELETE FROM pgmq.%1$I q
         USING picked
         WHERE q.msg_id = picked.msg_id
         RETURNING q.msg_id, q.read_ct, q.enqueued_at, q.vt, q.message, q.headers',
        pgmq.format_table_name(queue_name, 'q'))
    USING qty;
END
$fn$;

-- Makes a message visible again vt seconds from now (0: at once); returns it with its new vt.
CREATE OR REPLACE FUNCTION pgmq.set_vt(queue_name text, msg_ids bigint[], vt integer)
RETURNS SETOF pgmq.message_record
LANGUAGE plpgsql
AS $fn$
BEGIN
    RETURN QUERY EXECUTE format(
        'UPDATE pgmq.%I
         SET vt = clock_timestamp() + make_interval(secs => $2)
         WHERE msg_id = ANY($1)
         RETURNING msg_id, read_ct, enqueued_at, vt, message, headers',
        pgmq.format_table_name(queue_name, 'q'))
    USING msg_ids, vt;
END
$fn$;

CREATE OR REPLACE FUNCTION pgmq.set_vt(queue_name text, msg_id bigint, vt integer)
RETURNS SETOF pgmq.message_record
LANGUAGE sql
AS $fn$ SELECT * FROM pgmq.set_vt(queue_name, ARRAY[msg_id], vt) $fn$;

-- ---------------------------------------------------------------------------------------------
-- Deleting and archiving
-- ---------------------------------------------------------------------------------------------

-- Returns the ids that existed and were deleted.
CREATE OR REPLACE FUNCTION pgmq.delete(queue_name text, msg_ids bigint[])
RETURNS SETOF bigint
LANGUAGE plpgsql
AS $fn$
BEGIN
    RETURN QUERY EXECUTE format(
        'DELETE FROM pgmq.%I WHERE msg_id = ANY($1) RETURNING msg_id',
        pgmq.format_table_name(queue_name, 'q'))
    USING msg_ids;
END
$fn$;

CREATE OR REPLACE FUNCTION pgmq.delete(queue_name text, msg_id bigint)
RETURNS boolean
LANGUAGE sql
AS $fn$ SELECT EXISTS (SELECT 1 FROM pgmq.delete(queue_name, ARRAY[msg_id])) $fn$;

-- Moves messages to the archive table (archived_at = now); returns the ids that were moved.
CREATE OR REPLACE FUNCTION pgmq.archive(queue_name text, msg_ids bigint[])
RETURNS SETOF bigint
LANGUAGE plpgsql
AS $fn$
BEGIN
    RETURN QUERY EXECUTE format(
        'WITH moved AS (
             DELETE FROM pgmq.%I
             WHERE msg_id = ANY($1)
             RETURNING msg_id, read_ct, enqueued_at, vt, message, headers
         )
         INSERT INTO pgmq.%I (msg_id, read_ct, enqueued_at, vt, message, headers)
         SELECT msg_id, read_ct, enqueued_at, vt, message, headers FROM moved
         RETURNING msg_id',
        pgmq.format_table_name(queue_name, 'q'),
        pgmq.format_table_name(queue_name, 'a'))
    USING msg_ids;
END
$fn$;

CREATE OR REPLACE FUNCTION pgmq.archive(queue_name text, msg_id bigint)
RETURNS boolean
LANGUAGE sql
AS $fn$ SELECT EXISTS (SELECT 1 FROM pgmq.archive(queue_name, ARRAY[msg_id])) $fn$;

-- Turns a queue's archive into a pg_partman-partitioned table. Like PGMQ: a notice and nothing else
-- when the archive is missing or already partitioned. It needs pg_partman; without it the call fails
-- and changes nothing (PGMQ 1.8.1 fails there too, with SQLSTATE 22004, which is kept).
CREATE OR REPLACE FUNCTION pgmq.convert_archive_partitioned(
    table_name text,
    partition_interval text DEFAULT '10000',
    retention_interval text DEFAULT '100000',
    leading_partition integer DEFAULT 10)
RETURNS void
LANGUAGE plpgsql
AS $fn$
DECLARE
    atable text := pgmq.format_table_name(table_name, 'a');
    kind "char";
    partman text := pgmq._get_pg_partman_schema();
    partition_col text;
BEGIN
    SELECT c.relkind INTO kind
    FROM pg_class c
    WHERE c.relname = atable AND c.relnamespace = 'pgmq'::regnamespace;

    IF kind = 'p' THEN
        RAISE NOTICE 'pgmq: table % is already partitioned', atable;
        RETURN;
    ELSIF kind IS DISTINCT FROM 'r' THEN
        RAISE NOTICE 'pgmq: table % does not exist', atable;
        RETURN;
    END IF;

    IF partman IS NULL THEN
        RAISE EXCEPTION 'pgmq: converting the archive of "%" to partitions needs pg_partman', table_name
            USING ERRCODE = 'null_value_not_allowed',
                  HINT = 'CREATE EXTENSION pg_partman on a server that has it; the archive is unchanged.';
    END IF;

    -- Archives partitioned by time use archived_at; a time-partitioned table cannot keep the primary
    -- key on msg_id alone, so only defaults are copied then.
    partition_col := CASE pgmq._get_partition_col(partition_interval) WHEN 'msg_id' THEN 'msg_id' ELSE 'archived_at' END;

    EXECUTE format('ALTER TABLE pgmq.%I RENAME TO %I', atable, atable || '_old');
    EXECUTE format('CREATE TABLE pgmq.%I (LIKE pgmq.%I %s) PARTITION BY RANGE (%I)',
                   atable, atable || '_old',
                   CASE WHEN partition_col = 'msg_id' THEN 'INCLUDING ALL' ELSE 'INCLUDING DEFAULTS INCLUDING GENERATED INCLUDING STORAGE INCLUDING COMMENTS' END,
                   partition_col);
    EXECUTE format('ALTER INDEX pgmq.%I RENAME TO %I', 'archived_at_idx_' || table_name, 'archived_at_idx_' || table_name || '_old');
    EXECUTE format('CREATE INDEX %I ON pgmq.%I (archived_at)', 'archived_at_idx_' || table_name, atable);

    EXECUTE format('SELECT %I.create_parent(p_parent_table := %L, p_control := %L, p_interval := %L, p_type := %L)',
                   partman, 'pgmq.' || atable, partition_col, partition_interval,
                   CASE WHEN pgmq._get_pg_partman_major_version() = 5 THEN 'range' ELSE 'native' END);
    EXECUTE format('UPDATE %I.part_config
                    SET retention = %L, retention_keep_table = false, retention_keep_index = false, infinite_time_partitions = true
                    WHERE parent_table = %L',
                   partman, retention_interval, 'pgmq.' || atable);
END
$fn$;

-- ---------------------------------------------------------------------------------------------
-- Metrics
-- ---------------------------------------------------------------------------------------------

-- queue_length counts every message; queue_visible_length those with vt <= now(), i.e. against the
-- transaction's start time as PGMQ counts them (inside a long transaction, messages that became
-- visible after it began are not counted); total_messages counts every message ever sent (the id
-- sequence), including deleted ones.
CREATE OR REPLACE FUNCTION pgmq.metrics(queue_name text)
RETURNS pgmq.metrics_result
LANGUAGE plpgsql
AS $fn$
DECLARE
    qtable text := pgmq.format_table_name(queue_name, 'q');
    result pgmq.metrics_result;
BEGIN
    EXECUTE format(
        'SELECT $1,
                count(*),
                extract(epoch FROM now() - max(enqueued_at))::integer,
                extract(epoch FROM now() - min(enqueued_at))::integer,
                (SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM pgmq.%I),
                now(),
                count(*) FILTER (WHERE vt <= now())
         FROM pgmq.%I',
        qtable || '_msg_id_seq', qtable)
    INTO result
    USING queue_name;
    RETURN result;
END
$fn$;

-- One row per queue, in pgmq.meta's physical order (see list_queues).
CREATE OR REPLACE FUNCTION pgmq.metrics_all()
RETURNS SETOF pgmq.metrics_result
LANGUAGE plpgsql
AS $fn$
DECLARE
    queue text;
BEGIN
    FOR queue IN SELECT m.queue_name FROM pgmq.meta m LOOP
        RETURN NEXT pgmq.metrics(queue);
    END LOOP;
END
$fn$;
