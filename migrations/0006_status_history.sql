-- 0006: status_history, the append-only record of every status a story has
-- had, written only by triggers on stories so no client can skip it.
-- Range-partitioned by month (UTC) on changed_at, with a default partition
-- so an insert never fails for want of a partition.

CREATE TABLE status_history (
    id           bigint GENERATED ALWAYS AS IDENTITY,
    story_id     bigint NOT NULL,
    -- The story's project at the time of the change: per-project history and
    -- reports need no join, and a story moved later keeps its past where it was.
    project_id   bigint NOT NULL,
    from_status  text,
    to_status    text NOT NULL,
    changed_by   bigint,
    changed_at   timestamptz NOT NULL DEFAULT now(),
    source       text NOT NULL DEFAULT 'sql',
    note         text,
    PRIMARY KEY (id, changed_at),
    -- History goes with its story when the story is deleted (which only the
    -- schema owner can do); the guard below lets exactly that through.
    CONSTRAINT status_history_story_id_fkey FOREIGN KEY (story_id)
        REFERENCES stories ON DELETE CASCADE,
    CONSTRAINT status_history_project_id_fkey FOREIGN KEY (project_id)
        REFERENCES projects ON DELETE CASCADE,
    CONSTRAINT status_history_from_status_fkey FOREIGN KEY (from_status) REFERENCES statuses,
    CONSTRAINT status_history_to_status_fkey FOREIGN KEY (to_status) REFERENCES statuses,
    -- NO ACTION: a user with history is disabled (users.disabled_at), not deleted.
    CONSTRAINT status_history_changed_by_fkey FOREIGN KEY (changed_by) REFERENCES users,
    CONSTRAINT status_history_source_check CHECK (source IN ('api', 'import', 'sql')),
    CONSTRAINT status_history_status_changed CHECK (from_status <> to_status),
    CONSTRAINT status_history_note_length CHECK (length(note) <= 4000)
) PARTITION BY RANGE (changed_at);

CREATE TABLE status_history_default PARTITION OF status_history DEFAULT;

-- A story's history in time order (GET .../stories/{story}/history, cycle time).
CREATE INDEX status_history_story_id_changed_at_idx ON status_history (story_id, changed_at);
-- A project's history since a time (GET .../history?since=, cumulative flow).
CREATE INDEX status_history_project_id_changed_at_idx ON status_history (project_id, changed_at);

COMMENT ON TABLE status_history IS
    'Append-only status changes of stories (insert = from NULL), partitioned by UTC month on changed_at';
COMMENT ON COLUMN status_history.changed_by IS 'users.id from planpipe.user_id, NULL when unset';
COMMENT ON COLUMN status_history.source IS 'planpipe.source: api, import or sql';
COMMENT ON COLUMN status_history.changed_at IS 'Transaction start time of the change (now())';

-- ---------------------------------------------------------------------------
-- Append-only. The application role has no UPDATE or DELETE privilege; this
-- guard also stops the owner, except for the cascade of a deleted story or
-- project and explicit maintenance (SET LOCAL planpipe.maintenance = on).
-- SECURITY DEFINER so that row-level security cannot make a story look
-- deleted. TRUNCATE and DROP/DETACH of a partition remain the owner's tools
-- for retention.
-- ---------------------------------------------------------------------------
CREATE FUNCTION planpipe_status_history_append_only() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
AS $$
BEGIN
    IF lower(coalesce(current_setting('planpipe.maintenance', true), '')) IN ('on', 'true', '1') THEN
        RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
    END IF;
    IF TG_OP = 'DELETE'
       AND (NOT EXISTS (SELECT FROM stories WHERE id = OLD.story_id)
            OR NOT EXISTS (SELECT FROM projects WHERE id = OLD.project_id)) THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'status_history is append-only: % refused', TG_OP
        USING ERRCODE = 'PP003',
              HINT = 'History changes with its stories; for maintenance SET LOCAL planpipe.maintenance = on.';
END
$$;
CREATE TRIGGER status_history_10_append_only BEFORE UPDATE OR DELETE ON status_history
    FOR EACH ROW EXECUTE FUNCTION planpipe_status_history_append_only();

-- ---------------------------------------------------------------------------
-- Writers: statement-level triggers with transition tables, so a bulk UPDATE
-- of 500 stories writes its 500 rows with one INSERT ... SELECT.
-- ---------------------------------------------------------------------------
CREATE FUNCTION planpipe_stories_history_insert() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
AS $$
BEGIN
    INSERT INTO status_history (story_id, project_id, from_status, to_status,
                                changed_by, source, note)
    SELECT n.id, n.project_id, NULL, n.status,
           planpipe_setting_user_id(), planpipe_setting_source(), planpipe_setting_note()
    FROM new_rows n
    ORDER BY n.id;
    RETURN NULL;
END
$$;

CREATE FUNCTION planpipe_stories_history_update() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
AS $$
BEGIN
    INSERT INTO status_history (story_id, project_id, from_status, to_status,
                                changed_by, source, note)
    SELECT n.id, n.project_id, o.status, n.status,
           planpipe_setting_user_id(), planpipe_setting_source(), planpipe_setting_note()
    FROM new_rows n JOIN old_rows o ON o.id = n.id
    WHERE o.status <> n.status
    ORDER BY n.id;
    RETURN NULL;
END
$$;

CREATE TRIGGER stories_90_history_insert AFTER INSERT ON stories
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION planpipe_stories_history_insert();
CREATE TRIGGER stories_90_history_update AFTER UPDATE ON stories
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION planpipe_stories_history_update();

-- ---------------------------------------------------------------------------
-- Partitions: status_history_pYYYYMM holds [first of month, first of next
-- month) in UTC.
-- ---------------------------------------------------------------------------

-- Creates the partition of the month containing p_month unless it exists;
-- returns whether it created one. Rows of that month already sitting in the
-- default partition (written when no partition existed) are moved into the
-- new one, in the same transaction: otherwise CREATE ... PARTITION OF fails.
CREATE FUNCTION planpipe_create_history_partition(p_month date) RETURNS boolean
LANGUAGE plpgsql SET search_path = public, pg_temp
AS $$
DECLARE
    first_day date := date_trunc('month', p_month)::date;
    lower_bound timestamptz := make_timestamptz(extract(year FROM first_day)::int,
                                                extract(month FROM first_day)::int, 1, 0, 0, 0, 'UTC');
    upper_bound timestamptz := lower_bound + interval '1 month';
    part_name text := 'status_history_p' || to_char(first_day, 'YYYYMM');
    moved status_history_default[];
    saved_maintenance text := current_setting('planpipe.maintenance', true);
BEGIN
    -- Serialise concurrent callers (the runner, cron, a person in psql).
    PERFORM pg_advisory_xact_lock(1886154352, 3);
    IF to_regclass(format('public.%I', part_name)) IS NOT NULL THEN
        RETURN false;
    END IF;

    SELECT array_agg(d ORDER BY d.id) INTO moved
    FROM status_history_default d
    WHERE d.changed_at >= lower_bound AND d.changed_at < upper_bound;
    IF moved IS NOT NULL THEN
        PERFORM set_config('planpipe.maintenance', 'on', true);
        DELETE FROM status_history_default
        WHERE changed_at >= lower_bound AND changed_at < upper_bound;
        PERFORM set_config('planpipe.maintenance', coalesce(saved_maintenance, ''), true);
    END IF;

    EXECUTE format('CREATE TABLE public.%I PARTITION OF status_history FOR VALUES FROM (%L) TO (%L)',
                   part_name, lower_bound, upper_bound);
    EXECUTE format('COMMENT ON TABLE public.%I IS %L', part_name,
                   'status_history for ' || to_char(first_day, 'YYYY-MM') || ' (UTC)');

    IF moved IS NOT NULL THEN
        INSERT INTO status_history OVERRIDING SYSTEM VALUE
        SELECT (m).* FROM unnest(moved) AS m;
    END IF;
    RETURN true;
END
$$;

-- Run by `planpipe migrate up` and safe to run any time (cron, psql):
-- creates the partitions of the current month and the next three, returns
-- how many it created (0 when all exist).
CREATE FUNCTION planpipe_maintenance() RETURNS integer
LANGUAGE plpgsql SET search_path = public, pg_temp
AS $$
DECLARE
    this_month date := date_trunc('month', now() AT TIME ZONE 'UTC')::date;
    created integer := 0;
BEGIN
    FOR i IN 0..3 LOOP
        IF planpipe_create_history_partition((this_month + make_interval(months => i))::date) THEN
            created := created + 1;
        END IF;
    END LOOP;
    RETURN created;
END
$$;

COMMENT ON FUNCTION planpipe_create_history_partition(date) IS
    'Creates status_history_pYYYYMM for the month of the argument (moving its rows out of the default partition)';
COMMENT ON FUNCTION planpipe_maintenance() IS
    'Idempotent: creates status_history partitions for this month and the next 3; returns how many it created';

-- Maintenance is the schema owner's job, not the API's.
REVOKE EXECUTE ON FUNCTION planpipe_create_history_partition(date) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION planpipe_maintenance() FROM PUBLIC;

SELECT planpipe_maintenance();
