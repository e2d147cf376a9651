-- 0015: status_history partitions maintain themselves (issue 17, item 6).
--
-- 0006 created the partitions of this month and the next three, at
-- `migrate up` or from an operator's cron. A change of a month without a
-- partition lands in the default partition and stayed there:
-- planpipe_maintenance() only looked ahead, so after two idle years every
-- month's history sat in the default partition for good.
--
-- Now one step of maintenance (planpipe_history_maintenance_step_at) does
-- the most urgent thing left, in the caller's transaction:
--   1. a month that has rows in the default partition: its partition is
--      created and the rows moved into it (past, present or future months);
--   2. otherwise a month from now's to p_months_ahead later without a
--      partition: it is created (empty; cheap once the default is empty);
--   3. otherwise nothing (no row).
-- `planpipe maintain` and `planpipe serve` run one step per transaction until
-- none is left, so each transaction holds at most one month of history;
-- planpipe_maintain_history() runs them all in one transaction for psql and
-- cron. Both take the moment they treat as now, so tests pin it; only
-- planpipe_history_maintenance_step, the one planpipe_app may run, is tied
-- to now().
--
-- Moving rows: PostgreSQL refuses to create a partition while the default
-- partition holds rows of its range, so a month's rows leave the default
-- partition (into a temporary table), its partition is created, and the rows
-- go back in through status_history, all in one transaction under an ACCESS
-- EXCLUSIVE lock on status_history: nobody sees the history incomplete and
-- no insert fails for want of a partition. The append-only guard (0006) is
-- switched off for that DELETE only, with its own controlled switch
-- (planpipe.maintenance, transaction-local, restored right after), rather than
-- by detaching the default partition: DETACH and a later ATTACH ... DEFAULT
-- scan the default partition just as CREATE ... PARTITION OF does, and a
-- default partition detached across transactions hides its rows from every
-- reader and makes inserts of months without a partition fail; within one
-- transaction detaching gains nothing and churns more catalog (the cloned
-- indexes, foreign keys and triggers are unlinked and linked again).
-- session_replication_role = replica would need a superuser and switches off
-- every trigger and foreign key check, not just this one rule.

-- Creates the partition status_history_pYYYYMM of the UTC month containing
-- p_month unless it exists, moving that month's rows out of the default
-- partition in the same transaction. Returns the rows moved (0 for an empty
-- month), or NULL when the partition already existed.
CREATE FUNCTION planpipe_history_partition_month(p_month date) RETURNS bigint
LANGUAGE plpgsql SET search_path = public, pg_temp
AS $$
DECLARE
    first_day date := date_trunc('month', p_month)::date;
    lower_bound timestamptz := make_timestamptz(extract(year FROM first_day)::int,
                                                extract(month FROM first_day)::int, 1, 0, 0, 0, 'UTC');
    -- Not lower_bound + interval '1 month': timestamptz arithmetic runs in
    -- the session's time zone, and across a DST change (Europe/Berlin,
    -- October) that ends the month at 01:00 UTC and overlaps the next one.
    next_day date := (first_day + interval '1 month')::date;
    upper_bound timestamptz := make_timestamptz(extract(year FROM next_day)::int,
                                                extract(month FROM next_day)::int, 1, 0, 0, 0, 'UTC');
    part_name text := 'status_history_p' || to_char(first_day, 'YYYYMM');
    saved_maintenance text := current_setting('planpipe.maintenance', true);
    moved bigint := 0;
BEGIN
    -- Serialises concurrent callers (0006's key: the runner, cron, psql).
    PERFORM pg_advisory_xact_lock(1886154352, 3);
    IF to_regclass(format('public.%I', part_name)) IS NOT NULL THEN
        RETURN NULL;
    END IF;
    -- The strongest lock first, on the parent and every partition: CREATE
    -- ... PARTITION OF needs it anyway, and taking it later, after the
    -- DELETE's weaker lock, could deadlock with a concurrent writer.
    LOCK TABLE status_history IN ACCESS EXCLUSIVE MODE;

    CREATE TEMP TABLE planpipe_history_moving (LIKE status_history) ON COMMIT DROP;
    PERFORM set_config('planpipe.maintenance', 'on', true);
    WITH d AS (
        DELETE FROM status_history_default
        WHERE changed_at >= lower_bound AND changed_at < upper_bound
        RETURNING *
    )
    INSERT INTO pg_temp.planpipe_history_moving SELECT * FROM d;
    GET DIAGNOSTICS moved = ROW_COUNT;
    PERFORM set_config('planpipe.maintenance', coalesce(saved_maintenance, ''), true);

    EXECUTE format('CREATE TABLE public.%I PARTITION OF status_history FOR VALUES FROM (%L) TO (%L)',
                   part_name, lower_bound, upper_bound);
    EXECUTE format('COMMENT ON TABLE public.%I IS %L', part_name,
                   'status_history for ' || to_char(first_day, 'YYYY-MM') || ' (UTC)');

    IF moved > 0 THEN
        INSERT INTO status_history OVERRIDING SYSTEM VALUE
        SELECT * FROM pg_temp.planpipe_history_moving ORDER BY id;
    END IF;
    -- Not left for the commit: a second month in the same transaction
    -- creates it again.
    DROP TABLE pg_temp.planpipe_history_moving;
    RETURN moved;
END
$$;

-- 0006's function, now the same thing with the temporary table (its array
-- held a whole month of history in memory).
CREATE OR REPLACE FUNCTION planpipe_create_history_partition(p_month date) RETURNS boolean
LANGUAGE sql SET search_path = public, pg_temp
AS $$ SELECT planpipe_history_partition_month(p_month) IS NOT NULL $$;

-- One step of maintenance as of p_now (see the top of this file). Returns
-- one row (action 'moved' or 'created', the partition, the rows moved), no
-- row when nothing is left to do, or action 'busy' when another session is
-- running a step (`planpipe serve` on another host): the caller stops then.
CREATE FUNCTION planpipe_history_maintenance_step_at(p_now timestamptz,
                                                     p_months_ahead integer DEFAULT 12)
RETURNS TABLE (action text, partition_name text, rows_moved bigint)
LANGUAGE plpgsql SET search_path = public, pg_temp
AS $$
DECLARE
    this_month date := date_trunc('month', p_now AT TIME ZONE 'UTC')::date;
    m date;
    n bigint;
BEGIN
    IF p_now IS NULL OR p_months_ahead IS NULL OR p_months_ahead NOT BETWEEN 0 AND 120 THEN
        RAISE EXCEPTION 'planpipe_history_maintenance_step_at: p_months_ahead must be 0 to 120 and p_now set (got %, %)',
                        p_months_ahead, p_now
            USING ERRCODE = '22023';
    END IF;
    IF NOT pg_try_advisory_xact_lock(1886154352, 4) THEN
        RETURN QUERY SELECT 'busy'::text, NULL::text, NULL::bigint;
        RETURN;
    END IF;

    -- Any row's month will do: LIMIT 1 stops at the first row found.
    SELECT date_trunc('month', d.changed_at AT TIME ZONE 'UTC')::date INTO m
    FROM status_history_default d LIMIT 1;
    IF m IS NOT NULL THEN
        n := planpipe_history_partition_month(m);
        IF n IS NULL THEN
            -- A table of that name not covering the month: do not loop.
            RAISE EXCEPTION 'status_history_default holds rows of % but status_history_p% exists',
                            to_char(m, 'YYYY-MM'), to_char(m, 'YYYYMM')
                USING ERRCODE = '55000',
                      HINT = 'Check the bounds of that table (\d+ status_history).';
        END IF;
        RETURN QUERY SELECT 'moved'::text, 'status_history_p' || to_char(m, 'YYYYMM'), n;
        RETURN;
    END IF;

    SELECT g.mo INTO m
    FROM generate_series(0, p_months_ahead) AS i,
         LATERAL (SELECT (this_month + make_interval(months => i))::date AS mo) AS g
    WHERE to_regclass('public.status_history_p' || to_char(g.mo, 'YYYYMM')) IS NULL
    ORDER BY g.mo
    LIMIT 1;
    IF m IS NOT NULL THEN
        n := planpipe_history_partition_month(m);
        RETURN QUERY SELECT 'created'::text, 'status_history_p' || to_char(m, 'YYYYMM'), coalesce(n, 0);
    END IF;
END
$$;

-- The step as of now() for `planpipe serve`, whose login is only a member of
-- planpipe_app: SECURITY DEFINER, so that it runs as the schema owner. It
-- cannot be told another "now", so a caller can create at most the 121
-- partitions around this month, and move rows where they belong.
CREATE FUNCTION planpipe_history_maintenance_step(p_months_ahead integer DEFAULT 12)
RETURNS TABLE (action text, partition_name text, rows_moved bigint)
LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp
AS $$ SELECT * FROM planpipe_history_maintenance_step_at(now(), p_months_ahead) $$;

-- Every step in one transaction (psql, cron, `migrate up`): returns the
-- partitions created and the rows moved out of the default partition.
CREATE FUNCTION planpipe_maintain_history(p_now timestamptz DEFAULT now(),
                                          p_months_ahead integer DEFAULT 12)
RETURNS TABLE (partitions_created integer, rows_moved bigint)
LANGUAGE plpgsql SET search_path = public, pg_temp
AS $$
DECLARE
    step record;
    created integer := 0;
    moved bigint := 0;
BEGIN
    -- Waits for a step under way elsewhere; then every step finds the lock
    -- its own (never 'busy').
    PERFORM pg_advisory_xact_lock(1886154352, 4);
    -- Each step creates a partition, so there are at most as many steps as
    -- months with rows plus months ahead; the bound only stops a bug.
    FOR i IN 1..100000 LOOP
        SELECT * INTO step FROM planpipe_history_maintenance_step_at(p_now, p_months_ahead);
        EXIT WHEN NOT FOUND;
        created := created + 1;
        moved := moved + step.rows_moved;
    END LOOP;
    RETURN QUERY SELECT created, moved;
END
$$;

-- 0006's entry point, still run by `migrate up` and crons: now the whole of
-- it, twelve months ahead. Returns the partitions it created.
CREATE OR REPLACE FUNCTION planpipe_maintenance() RETURNS integer
LANGUAGE sql SET search_path = public, pg_temp
AS $$ SELECT partitions_created FROM planpipe_maintain_history(now(), 12) $$;

COMMENT ON FUNCTION planpipe_history_partition_month(date) IS
    'Creates status_history_pYYYYMM for the month of the argument, moving its rows out of the default partition; returns the rows moved, NULL when it existed';
COMMENT ON FUNCTION planpipe_history_maintenance_step_at(timestamptz, integer) IS
    'One step of history partition maintenance as of p_now: moved (a month out of the default partition), created (a month ahead), busy, or no row when done';
COMMENT ON FUNCTION planpipe_history_maintenance_step(integer) IS
    'planpipe_history_maintenance_step_at(now(), ...) as the schema owner, for planpipe serve';
COMMENT ON FUNCTION planpipe_maintain_history(timestamptz, integer) IS
    'Every maintenance step in one transaction: partitions for months ahead and for the rows in the default partition';
COMMENT ON FUNCTION planpipe_maintenance() IS
    'Idempotent: planpipe_maintain_history(now(), 12); returns how many partitions it created';

REVOKE EXECUTE ON FUNCTION planpipe_history_partition_month(date) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION planpipe_history_maintenance_step_at(timestamptz, integer) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION planpipe_history_maintenance_step(integer) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION planpipe_maintain_history(timestamptz, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION planpipe_history_maintenance_step(integer) TO planpipe_app;
