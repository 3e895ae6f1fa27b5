-- PGMQ-compatible queue functions for PostgreSQL servers that do not have the pgmq extension.
--
-- Written for this project from PGMQ 1.x's documented API: the same schema (pgmq), function names,
-- argument names, types and defaults, result columns and table layout (pgmq.meta, pgmq.q_<queue>,
-- pgmq.a_<queue>), so code written against PGMQ runs unchanged on either. Not supported here:
-- partitioned queues (they need pg_partman) and the FIFO/topic additions of later PGMQ releases.
--
-- Idempotent: the installer may run it on every start, and concurrently (it takes an advisory lock).

CREATE SCHEMA IF NOT EXISTS pgmq;

-- One row per queue, as PGMQ keeps it.
CREATE TABLE IF NOT EXISTS pgmq.meta (
    queue_name     varchar                  NOT NULL UNIQUE,
    is_partitioned boolean                  NOT NULL,
    is_unlogged    boolean                  NOT NULL,
    created_at     timestamp with time zone NOT NULL DEFAULT now()
);

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

-- ---------------------------------------------------------------------------------------------
-- Queue names
-- ---------------------------------------------------------------------------------------------

-- Every function validates the name before it reaches dynamic SQL. Table names are built with
-- format('%I'), so even a name that slipped through could not inject SQL; the check exists to give
-- a clear message. 47 characters keeps every derived name (a_<queue>, q_<queue>_msg_id_seq,
-- archived_at_idx_<queue>) within PostgreSQL's 63-byte identifier limit, as PGMQ does.
CREATE OR REPLACE FUNCTION pgmq.validate_queue_name(queue_name text)
RETURNS void
LANGUAGE plpgsql
IMMUTABLE
AS $fn$
BEGIN
    IF queue_name IS NULL OR queue_name = '' THEN
        RAISE EXCEPTION 'pgmq: a queue name is required'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF length(queue_name) >= 48 THEN
        RAISE EXCEPTION 'pgmq: queue name "%" is too long (% characters); the maximum is 47', queue_name, length(queue_name)
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF queue_name !~ '^[a-zA-Z0-9_]+$' THEN
        RAISE EXCEPTION 'pgmq: invalid queue name "%"', queue_name
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Use only letters, digits and underscores (^[a-zA-Z0-9_]+$).';
    END IF;
END
$fn$;

-- The table behind a queue: prefix 'q' (messages) or 'a' (archive). Lower-cased as PGMQ does, so
-- 'MyQueue' and 'myqueue' address the same tables.
CREATE OR REPLACE FUNCTION pgmq.format_table_name(queue_name text, prefix text)
RETURNS text
LANGUAGE plpgsql
IMMUTABLE
AS $fn$
BEGIN
    PERFORM pgmq.validate_queue_name(queue_name);
    RETURN lower(prefix || '_' || queue_name);
END
$fn$;

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
    lowered text := lower(queue_name);
BEGIN
    -- Serialises concurrent create/drop calls (two API instances starting at once); readers of
    -- pgmq.meta (list_queues, metrics) are not blocked.
    LOCK TABLE pgmq.meta IN EXCLUSIVE MODE;

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

    -- Readers look for the oldest visible messages; the archive is usually queried by time.
    EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON pgmq.%I (vt ASC)', qtable || '_vt_idx', qtable);
    EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON pgmq.%I (archived_at)', 'archived_at_idx_' || lowered, atable);

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

CREATE OR REPLACE FUNCTION pgmq.create_partitioned(
    queue_name text,
    partition_interval text DEFAULT '10000',
    retention_interval text DEFAULT '100000')
RETURNS void
LANGUAGE plpgsql
AS $fn$
BEGIN
    RAISE EXCEPTION 'pgmq: partitioned queues are not available in the PGMQ-compatible SQL (queue "%")', queue_name
        USING ERRCODE = 'feature_not_supported',
              HINT = 'Use pgmq.create(), or a server with the pgmq extension and pg_partman.';
END
$fn$;

-- Returns false (with a notice) when the queue does not exist, as PGMQ does.
CREATE OR REPLACE FUNCTION pgmq.drop_queue(queue_name text)
RETURNS boolean
LANGUAGE plpgsql
AS $fn$
DECLARE
    qtable text := pgmq.format_table_name(queue_name, 'q');
    atable text := pgmq.format_table_name(queue_name, 'a');
BEGIN
    LOCK TABLE pgmq.meta IN EXCLUSIVE MODE;

    IF to_regclass(format('pgmq.%I', qtable)) IS NULL THEN
        RAISE NOTICE 'pgmq queue `%` does not exist', queue_name;
        RETURN false;
    END IF;

    EXECUTE format('DROP TABLE IF EXISTS pgmq.%I', qtable);
    EXECUTE format('DROP TABLE IF EXISTS pgmq.%I', atable);
    DELETE FROM pgmq.meta m WHERE lower(m.queue_name) = lower(drop_queue.queue_name);
    RETURN true;
END
$fn$;

-- Deletes every message (not the archive); returns how many.
CREATE OR REPLACE FUNCTION pgmq.purge_queue(queue_name text)
RETURNS bigint
LANGUAGE plpgsql
AS $fn$
DECLARE
    deleted bigint;
BEGIN
    EXECUTE format('WITH gone AS (DELETE FROM pgmq.%I RETURNING 1) SELECT count(*) FROM gone',
                   pgmq.format_table_name(queue_name, 'q'))
    INTO deleted;
    RETURN deleted;
END
$fn$;

CREATE OR REPLACE FUNCTION pgmq.list_queues()
RETURNS SETOF pgmq.queue_record
LANGUAGE sql
STABLE
AS $fn$
    SELECT m.queue_name, m.is_partitioned, m.is_unlogged, m.created_at
    FROM pgmq.meta m
    ORDER BY m.queue_name
$fn$;

-- ---------------------------------------------------------------------------------------------
-- Sending
-- ---------------------------------------------------------------------------------------------

-- All send/send_batch overloads end here: messages and headers are paired by position; a message
-- becomes visible at `visible_at`.
CREATE OR REPLACE FUNCTION pgmq._enqueue(queue_name text, msgs jsonb[], headers jsonb[], visible_at timestamp with time zone)
RETURNS SETOF bigint
LANGUAGE plpgsql
AS $fn$
BEGIN
    IF headers IS NOT NULL AND cardinality(headers) <> cardinality(msgs) THEN
        RAISE EXCEPTION 'pgmq: % messages but % headers; pass one header object (or null) per message',
            cardinality(msgs), cardinality(headers)
            USING ERRCODE = 'invalid_parameter_value';
    END IF;

    RETURN QUERY EXECUTE format(
        'INSERT INTO pgmq.%I (vt, message, headers)
         SELECT $3, m.msg, $2[m.ord]
         FROM unnest($1) WITH ORDINALITY AS m(msg, ord)
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
-- Reading
-- ---------------------------------------------------------------------------------------------

-- Takes up to qty visible messages, oldest first, and hides them for vt seconds. SKIP LOCKED lets
-- concurrent readers pass over rows another reader is taking, so no visible message is handed to
-- two readers. clock_timestamp() rather than now(): read_with_poll loops inside one transaction.
-- An empty (or null) conditional matches every message, also messages that are not JSON objects.
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

-- read(), retried every poll_interval_ms until a message arrives or max_poll_seconds pass.
CREATE OR REPLACE FUNCTION pgmq.read_with_poll(
    queue_name text,
    vt integer,
    qty integer,
    max_poll_seconds integer DEFAULT 5,
    poll_interval_ms integer DEFAULT 100,
    conditional jsonb DEFAULT '{}')
RETURNS SETOF pgmq.message_record
LANGUAGE plpgsql
AS $fn$
DECLARE
    deadline timestamp with time zone := clock_timestamp() + make_interval(secs => max_poll_seconds);
BEGIN
    LOOP
        RETURN QUERY SELECT * FROM pgmq.read(queue_name, vt, qty, conditional);
        IF FOUND OR clock_timestamp() >= deadline THEN
            RETURN;
        END IF;

        PERFORM pg_sleep(least(poll_interval_ms / 1000.0,
                               greatest(extract(epoch FROM deadline - clock_timestamp()), 0)));
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

-- ---------------------------------------------------------------------------------------------
-- Metrics
-- ---------------------------------------------------------------------------------------------

-- queue_length counts every message; queue_visible_length only those a read would return now;
-- total_messages counts every message ever sent (the id sequence), including deleted ones.
CREATE OR REPLACE FUNCTION pgmq.metrics(queue_name text)
RETURNS pgmq.metrics_result
LANGUAGE plpgsql
AS $fn$
DECLARE
    qtable text := pgmq.format_table_name(queue_name, 'q');
    sequence_name text;
    result pgmq.metrics_result;
BEGIN
    EXECUTE format(
        'SELECT $1,
                count(*),
                extract(epoch FROM now() - max(enqueued_at))::integer,
                extract(epoch FROM now() - min(enqueued_at))::integer,
                0::bigint,
                now(),
                count(*) FILTER (WHERE vt <= clock_timestamp())
         FROM pgmq.%I',
        qtable)
    INTO result
    USING queue_name;

    sequence_name := pg_get_serial_sequence(format('pgmq.%I', qtable), 'msg_id');
    EXECUTE format('SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM %s', sequence_name)
    INTO result.total_messages;

    RETURN result;
END
$fn$;

CREATE OR REPLACE FUNCTION pgmq.metrics_all()
RETURNS SETOF pgmq.metrics_result
LANGUAGE sql
AS $fn$
    SELECT r.*
    FROM pgmq.meta m
    CROSS JOIN LATERAL pgmq.metrics(m.queue_name) r
    ORDER BY m.queue_name
$fn$;
