-- 0025: time-in-status and epics at the large scale (issue 18, the p95
-- budget of 100 ms in bench/). Same signatures and results as 0019
-- (docs/reports.md); only the way to the rows changes.
--
-- time-in-status read the whole history of every story that left a status
-- in the window (one probe of status_history_story_id_changed_at_idx per
-- story in every monthly partition, about 100,000 for a project of 15,000
-- stories). Now it reads the window's rows of those stories (the window's
-- partitions only) and, for each story's first row in it, the one row
-- before the window (an ordered LIMIT 1 over the month before, then the year
-- before, then the rest). The stories come from
-- stories_project_id_status_cover_idx (updated_at is never behind a
-- story's history), checked against the count of the projects' rows in the
-- window (status_history_project_id_changed_at_idx): a story that has since
-- moved out of the projects makes them differ, and then the stories are
-- taken from those rows, as before.
--
-- epics read the heap of every story of the projects for `epic` (about one
-- 8 kB page a story: stories hold their bodies), and the blocker check
-- fetched every open story, every dependency and every blocker from the
-- heap. Now stories_project_id_epic_idx below and
-- stories_project_id_status_cover_idx answer the first from the indexes
-- alone (partial: epics counts unarchived stories only), and
-- planpipe_report_open_blocked_in() decides most blockers from the
-- projects' own stories in stories_project_id_status_cover_idx, fetching
-- only the dependencies on an open story or on one in another project.

-- The epic alone, of the stories that have one (with the id, to match the
-- story in stories_project_id_status_cover_idx, which has the status and
-- points): an index on every unarchived story, or one that also had those
-- columns, would be smaller than stories_project_id_status_cover_idx for a
-- project's unarchived stories, and the status summary and other reports
-- would leave it. About 50 bytes a story with an epic (34 MB for 1,000,000
-- stories, 680,000 unarchived with an epic); built in 8 s to 40 s
-- (CONCURRENTLY, cache warm or not) on the shared machine.
CREATE INDEX stories_project_id_epic_idx ON stories (project_id, epic) INCLUDE (id)
    WHERE archived_at IS NULL AND epic IS NOT NULL;

-- ---------------------------------------------------------------------------
-- Of the open (todo, active), unarchived stories of the given projects that
-- the caller may see, those with at least one open blocker (a 'blocks'
-- dependency on a todo or active, unarchived story) in any project: what
-- planpipe_report_open_blocked() (0019) answers for the same stories, with
-- the same caller rules (SECURITY DEFINER: a blocker in a project the caller
-- may not see counts; the blocker itself is not returned).
-- ---------------------------------------------------------------------------
CREATE FUNCTION planpipe_report_open_blocked_in(p_project_ids bigint[]) RETURNS TABLE (story_id bigint)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp
SET jit = off SET plan_cache_mode = force_custom_plan
AS $$
#variable_conflict use_column
DECLARE
    seen bigint[];
    pids bigint[];
    open_keys text[] := ARRAY(SELECT st.key FROM statuses st WHERE st.category IN ('todo', 'active'));
BEGIN
    IF planpipe_setting_user_id() IS NOT NULL THEN
        seen := planpipe_project_ids('viewer');
    ELSIF pg_has_role(session_user, 'planpipe_app', 'MEMBER')
          AND NOT (SELECT r.rolsuper FROM pg_roles r WHERE r.rolname = session_user) THEN
        RETURN;
    END IF;
    pids := ARRAY(SELECT DISTINCT p FROM unnest(p_project_ids) AS p WHERE seen IS NULL OR p = ANY (seen));
    RETURN QUERY
    WITH local AS MATERIALIZED (
        -- every story of the projects, open or not (stories_project_id_status_cover_idx alone)
        SELECT s.id, s.archived_at IS NULL AND s.status = ANY (open_keys) AS open
        FROM stories s WHERE s.project_id = ANY (pids)
    ), e AS MATERIALIZED (
        -- the dependencies of their open stories (story_dependencies_pkey alone), but
        -- those on a story of the projects that is not open
        SELECT e.story_id, e.depends_on_id, b.id IS NULL AS elsewhere
        FROM local o JOIN story_dependencies e ON e.story_id = o.id
        LEFT JOIN local b ON b.id = e.depends_on_id
        WHERE o.open AND (b.id IS NULL OR b.open)
    )
    SELECT DISTINCT e.story_id
    FROM e JOIN story_dependencies d ON d.story_id = e.story_id AND d.depends_on_id = e.depends_on_id
    -- a blocker in another project by its key (stories_pkey)
    LEFT JOIN LATERAL (SELECT true AS open FROM stories b
                       WHERE e.elsewhere AND b.id = e.depends_on_id
                         AND b.archived_at IS NULL AND b.status = ANY (open_keys) LIMIT 1) AS x ON true
    WHERE d.kind = 'blocks' AND (NOT e.elsewhere OR x.open);
END
$$;

-- ---------------------------------------------------------------------------
-- time-in-status (0019): per status, the visits of stories to it that ended
-- in the window, in the project where they ended; unchanged results.
-- ---------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION planpipe_report_time_in_status(p_projects text[] DEFAULT NULL, p_from date DEFAULT NULL,
                                               p_to date DEFAULT NULL) RETURNS jsonb
LANGUAGE plpgsql STABLE SECURITY INVOKER SET search_path = public, pg_temp
SET jit = off SET plan_cache_mode = force_custom_plan
AS $$
DECLARE
    ids bigint[];
    keys text[];
    win daterange := planpipe_report_window(p_from, p_to, false);
    t0 timestamptz := lower(win)::timestamp AT TIME ZONE 'UTC';
    t1 timestamptz := upper(win)::timestamp AT TIME ZONE 'UTC';
    -- where the look for the row before the window goes further back
    b1 timestamptz := (lower(win) - 31)::timestamp AT TIME ZONE 'UTC';
    b2 timestamptz := (lower(win) - 366)::timestamp AT TIME ZONE 'UTC';
    cand bigint[];
    cand_at timestamptz[];
    n_rows bigint;
    n_seen bigint;
    result jsonb;
BEGIN
    SELECT coalesce(array_agg(p.id ORDER BY p.key), '{}'), coalesce(array_agg(p.key ORDER BY p.key), '{}')
    INTO ids, keys FROM planpipe_report_projects(p_projects) p;
    -- The stories with history in the window: those in the projects now that
    -- changed since it began (updated_at >= every changed_at), from
    -- stories_project_id_status_cover_idx alone ...
    SELECT coalesce(array_agg(s.id), '{}'), coalesce(array_agg(s.updated_at), '{}') INTO cand, cand_at
    FROM stories s WHERE s.project_id = ANY (ids) AND s.updated_at >= t0;
    -- ... unless a story has moved out of them since: then the projects'
    -- rows in the window (status_history_project_id_changed_at_idx, counted
    -- from the index) are more than those of the candidates, and the stories
    -- are taken from those rows (the caller may not see where they are now:
    -- no updated_at, the window's end instead).
    SELECT count(*) INTO n_rows FROM status_history h
    WHERE h.project_id = ANY (ids) AND h.changed_at >= t0 AND h.changed_at < t1;
    FOR pass IN 1..2 LOOP
        WITH w AS MATERIALIZED (
            -- the candidates' rows in the window, in any project, each with the
            -- one before (status_history_story_id_changed_at_idx, one story at a
            -- time, in the partitions up to its updated_at)
            SELECT h.id, h.story_id, h.project_id, h.from_status, h.changed_at,
                   lag(h.changed_at) OVER o AS entered_at, lag(h.to_status) OVER o AS entered_status
            FROM unnest(cand, cand_at) AS u(id, at) JOIN status_history h ON h.story_id = u.id
            WHERE h.changed_at >= t0 AND h.changed_at < t1 AND h.changed_at <= u.at
            WINDOW o AS (PARTITION BY h.story_id ORDER BY h.changed_at, h.id)
        ), c AS (
            SELECT w.* FROM w WHERE w.project_id = ANY (ids)
        ), f AS MATERIALIZED (
            -- a story's first row in the window: the one before is its latest
            -- before the window, looked for in the month before, then the year
            -- before, then earlier (each an ordered LIMIT 1; coalesce runs the
            -- next only when the one before found nothing)
            SELECT c.story_id, c.from_status, c.changed_at,
                   coalesce((SELECT h FROM status_history h
                             WHERE h.story_id = c.story_id AND h.changed_at >= b1 AND h.changed_at < t0
                             ORDER BY h.changed_at DESC, h.id DESC LIMIT 1),
                            (SELECT h FROM status_history h
                             WHERE h.story_id = c.story_id AND h.changed_at >= b2 AND h.changed_at < b1
                             ORDER BY h.changed_at DESC, h.id DESC LIMIT 1),
                            (SELECT h FROM status_history h
                             WHERE h.story_id = c.story_id AND h.changed_at < b2
                             ORDER BY h.changed_at DESC, h.id DESC LIMIT 1)) AS p
            FROM c
            WHERE c.entered_at IS NULL AND c.from_status IS NOT NULL
        ), v AS (
            SELECT x.from_status AS status, x.story_id,
                   extract(epoch FROM x.changed_at - x.entered_at)::double precision / 86400 AS days
            FROM (SELECT c.story_id, c.from_status, c.changed_at, c.entered_status, c.entered_at
                  FROM c WHERE c.entered_at IS NOT NULL
                  UNION ALL
                  SELECT f.story_id, f.from_status, f.changed_at, (f.p).to_status, (f.p).changed_at FROM f) AS x
            WHERE x.from_status IS NOT NULL AND x.entered_status = x.from_status
        )
        SELECT (SELECT count(*) FROM c),
               jsonb_build_object(
            'report', 'time-in-status', 'from', lower(win), 'to', upper(win) - 1, 'projects', to_jsonb(keys),
            'statuses', coalesce((SELECT jsonb_agg(jsonb_build_object(
                                             'status', g.status, 'category', st.category,
                                             'visits', g.visits, 'stories', g.stories, 'days', g.days)
                                         ORDER BY st.position, g.status)
                                  FROM (SELECT v.status, count(*) AS visits, count(DISTINCT v.story_id) AS stories,
                                               planpipe_report_stats(array_agg(v.days)) AS days
                                        FROM v GROUP BY v.status) AS g
                                  JOIN statuses st ON st.key = g.status), '[]'))
        INTO n_seen, result;
        EXIT WHEN n_seen = n_rows OR pass = 2;
        SELECT array_agg(x.id), array_agg(x.at) INTO cand, cand_at
        FROM (SELECT u.id, u.at FROM unnest(cand, cand_at) AS u(id, at)
              UNION ALL
              SELECT DISTINCT h.story_id, t1 FROM status_history h
              WHERE h.project_id = ANY (ids) AND h.changed_at >= t0 AND h.changed_at < t1
                AND h.story_id NOT IN (SELECT unnest(cand))) AS x;
    END LOOP;
    RETURN result;
END
$$;

-- ---------------------------------------------------------------------------
-- epics (0019): unchanged results; the stories from
-- stories_project_id_status_cover_idx and stories_project_id_epic_idx, the
-- blocked ones from
-- planpipe_report_open_blocked_in().
-- ---------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION planpipe_report_epics(p_projects text[] DEFAULT NULL) RETURNS jsonb
LANGUAGE plpgsql STABLE SECURITY INVOKER SET search_path = public, pg_temp
SET jit = off SET plan_cache_mode = force_custom_plan
AS $$
DECLARE
    ids bigint[];
    keys text[];
    result jsonb;
BEGIN
    SELECT coalesce(array_agg(p.id ORDER BY p.key), '{}'), coalesce(array_agg(p.key ORDER BY p.key), '{}')
    INTO ids, keys FROM planpipe_report_projects(p_projects) p;

    WITH s AS MATERIALIZED (
        -- status and points from stories_project_id_status_cover_idx, the epic
        -- from stories_project_id_epic_idx (none there: no epic), both alone,
        -- matched by id
        SELECT s.id, s.project_id, e.epic, s.estimate_points AS points, st.category, st.blocked
        FROM stories s
        LEFT JOIN stories e ON e.id = s.id AND e.project_id = ANY (ids) AND e.archived_at IS NULL
                           AND e.epic IS NOT NULL
        JOIN statuses st ON st.key = s.status
        WHERE s.project_id = ANY (ids) AND s.archived_at IS NULL
    ), dep AS MATERIALIZED (
        SELECT d.story_id
        FROM planpipe_report_open_blocked_in(ids) AS d
    ), x AS (
        SELECT s.*, s.category IN ('todo', 'active') AS open, d.story_id IS NOT NULL AS by_dep
        FROM s LEFT JOIN dep d ON d.story_id = s.id
    ), g AS (
        SELECT pr.key AS project_key, x.epic, GROUPING(pr.key, x.epic) AS level,
               count(*) FILTER (WHERE x.category <> 'cancelled') AS stories,
               coalesce(sum(x.points) FILTER (WHERE x.category <> 'cancelled'), 0) AS points,
               count(*) FILTER (WHERE x.category = 'done') AS done_stories,
               coalesce(sum(x.points) FILTER (WHERE x.category = 'done'), 0) AS done_points,
               count(*) FILTER (WHERE x.open) AS open,
               count(*) FILTER (WHERE x.category = 'cancelled') AS cancelled,
               count(*) FILTER (WHERE x.category <> 'cancelled' AND x.points IS NULL) AS unestimated,
               count(*) FILTER (WHERE x.open AND x.by_dep) AS by_dep,
               count(*) FILTER (WHERE x.open AND x.blocked) AS by_status,
               count(*) FILTER (WHERE x.open AND (x.by_dep OR x.blocked)) AS blocked
        FROM x JOIN projects pr ON pr.id = x.project_id
        GROUP BY GROUPING SETS ((pr.key, x.epic), (pr.key), ())
    ), rows AS (
        SELECT g.project_key, g.epic, g.level,
               jsonb_build_object(
                   'stories', g.stories, 'points', trim_scale(g.points),
                   'done_stories', g.done_stories, 'done_points', trim_scale(g.done_points),
                   'done_percent_points', CASE WHEN g.points > 0
                                               THEN round(100.0 * g.done_points / g.points, 1) END,
                   'done_percent_stories', CASE WHEN g.stories > 0
                                                THEN round(100.0 * g.done_stories / g.stories, 1) END,
                   'open', g.open, 'cancelled', g.cancelled, 'unestimated', g.unestimated,
                   'blocked', g.blocked, 'blocked_by_dependency', g.by_dep,
                   'blocked_by_status', g.by_status) AS body
        FROM g
    ), zero AS (
        SELECT jsonb_build_object('stories', 0, 'points', 0, 'done_stories', 0, 'done_points', 0,
                                  'done_percent_points', NULL, 'done_percent_stories', NULL,
                                  'open', 0, 'cancelled', 0, 'unestimated', 0, 'blocked', 0,
                                  'blocked_by_dependency', 0, 'blocked_by_status', 0) AS body
    )
    SELECT jsonb_build_object(
        'report', 'epics', 'projects', to_jsonb(keys),
        'by_epic', (SELECT coalesce(jsonb_agg(jsonb_build_object('project', r.project_key, 'epic', r.epic) || r.body
                                              ORDER BY r.project_key, r.epic NULLS LAST), '[]')
                    FROM rows r WHERE r.level = 0),
        'by_project', (SELECT coalesce(jsonb_agg(jsonb_build_object('project', pk.key)
                                                 || coalesce(r.body, (SELECT z.body FROM zero z))
                                                 ORDER BY pk.key), '[]')
                       FROM unnest(keys) AS pk(key) LEFT JOIN rows r ON r.project_key = pk.key AND r.level = 1),
        'total', coalesce((SELECT r.body FROM rows r WHERE r.level = 3), (SELECT z.body FROM zero z)))
    INTO result;
    RETURN result;
END
$$;

-- ---------------------------------------------------------------------------
-- Documentation and privileges, as in 0019.
-- ---------------------------------------------------------------------------
COMMENT ON FUNCTION planpipe_report_time_in_status(text[], date, date) IS
    'Report time-in-status: visits per status ended in the window, days spent (median, p85, p95)';
COMMENT ON FUNCTION planpipe_report_epics(text[]) IS
    'Report epics: stories, points, done % and blocked stories per epic, per project and total';
COMMENT ON FUNCTION planpipe_report_open_blocked_in(bigint[]) IS
    'Of the open stories of the projects the caller may see, those with an open blocker in any project (reports)';

DO $$
DECLARE
    f regprocedure;
BEGIN
    FOR f IN SELECT p.oid::regprocedure FROM pg_proc p
             WHERE p.pronamespace = 'public'::regnamespace
               AND p.proname IN ('planpipe_report_open_blocked_in', 'planpipe_report_time_in_status',
                                 'planpipe_report_epics')
    LOOP
        EXECUTE format('REVOKE EXECUTE ON FUNCTION %s FROM PUBLIC', f);
        EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO planpipe_app', f);
    END LOOP;
END
$$;
