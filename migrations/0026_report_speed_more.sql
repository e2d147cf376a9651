-- 0026: velocity over a caller's projects and time-in-status at the large
-- scale (issue 18: 100 ms at p95; docs/performance.md). Same signatures,
-- definitions and results as 0019 (docs/reports.md); only the way to the
-- rows changes.
--
-- status_history_story_id_changed_at_idx is rebuilt as (story_id,
-- changed_at, id) INCLUDE (project_id, from_status, to_status):
--   - its order is the reports' order, changed_at then id, so "the latest
--     row before t" (ORDER BY changed_at DESC, id DESC LIMIT 1) stops at the
--     first row it finds, in the first monthly partition that has one;
--     before, an incremental sort on id read one row further, which meant a
--     probe of the next (older) partition for nearly every story;
--   - it covers what the reports read of a story's history (time-in-status,
--     aging, velocity, the story's history): index-only scans, no heap fetch
--     per row. project_id is there for row-level security's filter.
-- It keeps its name and remains an index on (story_id, changed_at) for every
-- other query. Size: about 700 MB for the large data set's 9.9 M rows
-- instead of 300 MB; the rebuild locks status_history against writes while
-- it runs (6.5 s for the whole migration there, cache warm).
--
-- time-in-status (0025) looks up the row before each story's first row in
-- the window as the branches of a UNION ALL under LIMIT 1 (the month
-- before, the year before, earlier), each ordered as the index: about
-- 11,800 index probes and 1,200 heap fetches become 9,900 index-only probes
-- for a project of 15,000 stories, and the window's 14,000 rows are read
-- from the index alone.
--
-- velocity (0023) read every story of the sprints twice (once to find those
-- written since the earliest sprint began, once to join all of them to the
-- history found for those) and sorted them; for a caller in 20 projects
-- (82,000 sprint stories) that was most of its 165-190 ms. Now:
--   - one pass over each sprint's stories (stories_backlog_id_rank_idx
--     alone) counts committed and done of those not written since t_min
--     without any join (their status at both edges is their status now, or
--     none before their creation), and keeps the few written since as
--     arrays;
--   - only those are joined to their history, whose first row at or after
--     each edge comes from one sort (DISTINCT ON), not an ordered
--     array_agg per story; the read is bounded above by the latest
--     updated_at, so later (empty) partitions are not planned;
--   - the open work of each project is counted per open status
--     (stories_project_id_status_idx bounded by project and status), not by
--     reading every story of the project and filtering.

DROP INDEX status_history_story_id_changed_at_idx;
CREATE INDEX status_history_story_id_changed_at_idx ON status_history (story_id, changed_at, id)
    INCLUDE (project_id, from_status, to_status);

-- ---------------------------------------------------------------------------
-- velocity (0019, 0023): unchanged results.
-- ---------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION planpipe_report_velocity(p_projects text[] DEFAULT NULL, p_last integer DEFAULT 3,
                                         p_as_of date DEFAULT NULL) RETURNS jsonb
LANGUAGE plpgsql STABLE SECURITY INVOKER SET search_path = public, pg_temp
SET jit = off SET plan_cache_mode = force_custom_plan
AS $$
DECLARE
    ids bigint[];
    keys text[];
    n integer := coalesce(p_last, 3);
    at timestamptz;
    sprint_ids bigint[];
    open_keys text[] := ARRAY(SELECT st.key FROM statuses st WHERE st.category IN ('todo', 'active'));
    done_keys text[] := ARRAY(SELECT st.key FROM statuses st WHERE st.category = 'done');
    t_min timestamptz;
    -- per sprint: committed and done of its stories not written since t_min
    a_ids bigint[];
    a_cs bigint[];
    a_cp numeric[];
    a_ds bigint[];
    a_dp numeric[];
    -- the sprints' stories written since t_min, one element each
    c_ids bigint[];
    c_bls bigint[];
    c_status text[];
    c_points numeric[];
    c_created timestamptz[];
    c_archived timestamptz[];
    c_until timestamptz;
    f_ids bigint[];
    f_has0 boolean[];
    f_from0 text[];
    f_has1 boolean[];
    f_from1 text[];
    result jsonb;
BEGIN
    IF n < 1 OR n > 100 THEN
        RAISE EXCEPTION 'last must be 1 to 100 sprints, not %', n USING ERRCODE = '22023', COLUMN = 'last';
    END IF;
    at := planpipe_report_as_of(p_as_of);
    SELECT coalesce(array_agg(p.id ORDER BY p.key), '{}'), coalesce(array_agg(p.key ORDER BY p.key), '{}')
    INTO ids, keys FROM planpipe_report_projects(p_projects) p;

    -- backlogs_project_id_name_key: the projects' backlogs, a few each
    SELECT coalesce(array_agg(x.id), '{}'), min(x.starts_on)::timestamp AT TIME ZONE 'UTC'
    INTO sprint_ids, t_min
    FROM (SELECT b.id, b.starts_on,
                 row_number() OVER (PARTITION BY b.project_id, b.finished
                                    ORDER BY b.ends_on DESC, b.starts_on DESC, b.name) AS rn,
                 b.finished
          FROM (SELECT b.*, (b.ends_on + 1)::timestamp AT TIME ZONE 'UTC' <= at AS finished
                FROM backlogs b
                WHERE b.project_id = ANY (ids) AND b.kind = 'sprint'
                  AND b.starts_on IS NOT NULL AND b.ends_on IS NOT NULL
                  AND b.starts_on::timestamp AT TIME ZONE 'UTC' < at) AS b) AS x
    WHERE NOT x.finished OR x.rn <= n;

    -- One pass over each sprint's stories (stories_backlog_id_rank_idx
    -- alone). A story not written since the earliest sprint began (t_min)
    -- has no history row since (updated_at is never behind its history):
    -- its status at each edge of its sprint is its status now if it existed
    -- then, else none. So it is committed when created before the start,
    -- open now and not archived by the start, and done when created during
    -- the sprint, done now and not archived by the end (created before the
    -- start, it was done at the start too, or not done at the end; backlogs
    -- end on or after they start): counted here, per sprint, without a join.
    -- The stories written since are kept, one element each, for their history.
    WITH g AS MATERIALIZED (
        SELECT sp.id, x.*
        FROM (SELECT b.id, b.starts_on::timestamp AT TIME ZONE 'UTC' AS t0,
                     least((b.ends_on + 1)::timestamp AT TIME ZONE 'UTC', at) AS t1
              FROM backlogs b WHERE b.id = ANY (sprint_ids)) AS sp
        CROSS JOIN LATERAL (
            SELECT count(*) FILTER (WHERE s.updated_at < t_min AND s.created_at < sp.t0
                                      AND s.status = ANY (open_keys)
                                      AND (s.archived_at IS NULL OR s.archived_at > sp.t0)) AS cs,
                   coalesce(sum(s.estimate_points)
                                FILTER (WHERE s.updated_at < t_min AND s.created_at < sp.t0
                                          AND s.status = ANY (open_keys)
                                          AND (s.archived_at IS NULL OR s.archived_at > sp.t0)), 0) AS cp,
                   count(*) FILTER (WHERE s.updated_at < t_min AND s.created_at >= sp.t0 AND s.created_at < sp.t1
                                      AND s.status = ANY (done_keys)
                                      AND (s.archived_at IS NULL OR s.archived_at > sp.t1)) AS ds,
                   coalesce(sum(s.estimate_points)
                                FILTER (WHERE s.updated_at < t_min AND s.created_at >= sp.t0 AND s.created_at < sp.t1
                                          AND s.status = ANY (done_keys)
                                          AND (s.archived_at IS NULL OR s.archived_at > sp.t1)), 0) AS dp,
                   array_agg(s.id) FILTER (WHERE s.updated_at >= t_min) AS c_ids,
                   array_agg(s.status) FILTER (WHERE s.updated_at >= t_min) AS c_status,
                   array_agg(s.estimate_points) FILTER (WHERE s.updated_at >= t_min) AS c_points,
                   array_agg(s.created_at) FILTER (WHERE s.updated_at >= t_min) AS c_created,
                   array_agg(s.archived_at) FILTER (WHERE s.updated_at >= t_min) AS c_archived,
                   max(s.updated_at) AS c_until
            FROM stories s WHERE s.backlog_id = sp.id) AS x
    )
    SELECT (SELECT coalesce(array_agg(g.id), '{}') FROM g), (SELECT array_agg(g.cs) FROM g),
           (SELECT array_agg(g.cp) FROM g), (SELECT array_agg(g.ds) FROM g), (SELECT array_agg(g.dp) FROM g),
           coalesce(array_agg(u.id), '{}'), array_agg(u.backlog_id), array_agg(u.status), array_agg(u.points),
           array_agg(u.created_at), array_agg(u.archived_at), (SELECT max(g.c_until) FROM g)
    INTO a_ids, a_cs, a_cp, a_ds, a_dp, c_ids, c_bls, c_status, c_points, c_created, c_archived, c_until
    FROM g CROSS JOIN LATERAL unnest(g.c_ids, g.c_status, g.c_points, g.c_created, g.c_archived)
                              AS u0(id, status, points, created_at, archived_at)
           CROSS JOIN LATERAL (SELECT u0.*, g.id AS backlog_id) AS u;

    -- Per story written since, the first history row at or after its
    -- sprint's start (edge 0) and end (edge 1), kept as arrays (as 0023).
    -- No row is later than the latest updated_at of the sprints' stories:
    -- that bound, a constant, leaves the partitions after it out of the plan
    -- (planning story_id = ANY of thousands of ids over every later, empty,
    -- monthly partition cost more than reading the rows).
    WITH h AS MATERIALIZED (
        -- read once by story_id = ANY, never per story in a loop (row-level
        -- security's project filter makes that a bitmap scan of the
        -- project's history per story)
        SELECT h.story_id, h.changed_at, h.id, h.from_status FROM status_history h
        WHERE h.story_id = ANY (c_ids) AND h.changed_at >= t_min AND h.changed_at <= c_until
    ), e AS MATERIALIZED (
        SELECT h.story_id, h.changed_at, h.id, h.from_status, c.t0, c.t1
        FROM h JOIN (SELECT c.id, b.starts_on::timestamp AT TIME ZONE 'UTC' AS t0,
                            least((b.ends_on + 1)::timestamp AT TIME ZONE 'UTC', at) AS t1
                     FROM unnest(c_ids, c_bls) AS c(id, backlog_id)
                     JOIN backlogs b ON b.id = c.backlog_id) AS c ON c.id = h.story_id
        WHERE h.changed_at >= c.t0
    ), x AS (
        -- the first row at or after each edge: one sort each, not one per story
        SELECT e0.story_id, true AS has0, e0.from_status AS from0, e1.story_id IS NOT NULL AS has1,
               e1.from_status AS from1
        FROM (SELECT DISTINCT ON (e.story_id) e.story_id, e.from_status FROM e
              ORDER BY e.story_id, e.changed_at, e.id) AS e0
        LEFT JOIN (SELECT DISTINCT ON (e.story_id) e.story_id, e.from_status FROM e
                   WHERE e.changed_at >= e.t1
                   ORDER BY e.story_id, e.changed_at, e.id) AS e1 ON e1.story_id = e0.story_id
    )
    SELECT coalesce(array_agg(x.story_id), '{}'), array_agg(x.has0), array_agg(x.from0),
           array_agg(x.has1), array_agg(x.from1)
    INTO f_ids, f_has0, f_from0, f_has1, f_from1
    FROM x;

    WITH sp AS MATERIALIZED (
        SELECT b.id, b.project_id, b.name, b.starts_on, b.ends_on,
               b.starts_on::timestamp AT TIME ZONE 'UTC' AS t0,
               least((b.ends_on + 1)::timestamp AT TIME ZONE 'UTC', at) AS t1,
               (b.ends_on + 1)::timestamp AT TIME ZONE 'UTC' <= at AS finished
        FROM backlogs b WHERE b.id = ANY (sprint_ids)
    ), x AS (
        -- each story written since: its status at its sprint's start (st0) and end (st1)
        SELECT c.backlog_id AS sprint_id, coalesce(c.points, 0) AS points, c.archived_at,
               sp.t0, sp.t1,
               CASE WHEN f.has0 THEN f.from0 WHEN c.created_at < sp.t0 THEN c.status END AS st0,
               CASE WHEN f.has1 THEN f.from1 WHEN c.created_at < sp.t1 THEN c.status END AS st1
        FROM unnest(c_ids, c_bls, c_status, c_points, c_created, c_archived)
                 AS c(id, backlog_id, status, points, created_at, archived_at)
        JOIN sp ON sp.id = c.backlog_id
        LEFT JOIN unnest(f_ids, f_has0, f_from0, f_has1, f_from1) AS f(story_id, has0, from0, has1, from1)
            ON f.story_id = c.id
    ), per_story AS (
        SELECT x.sprint_id, x.points,
               x.st0 = ANY (open_keys) AND (x.archived_at IS NULL OR x.archived_at > x.t0) AS committed,
               x.st1 = ANY (done_keys) AND (x.archived_at IS NULL OR x.archived_at > x.t1)
                   AND NOT coalesce(x.st0 = ANY (done_keys), false) AS done
        FROM x
    ), agg AS (
        -- the stories written since, and those not (counted above), per sprint
        SELECT y.sprint_id,
               sum(y.committed_stories) AS committed_stories, sum(y.committed_points) AS committed_points,
               sum(y.done_stories) AS done_stories, sum(y.done_points) AS done_points
        FROM (SELECT y.sprint_id,
                     count(*) FILTER (WHERE y.committed) AS committed_stories,
                     coalesce(sum(y.points) FILTER (WHERE y.committed), 0) AS committed_points,
                     count(*) FILTER (WHERE y.done) AS done_stories,
                     coalesce(sum(y.points) FILTER (WHERE y.done), 0) AS done_points
              FROM per_story y GROUP BY y.sprint_id
              UNION ALL
              SELECT a.* FROM unnest(a_ids, a_cs, a_cp, a_ds, a_dp) AS a) AS y
        GROUP BY y.sprint_id
    ), per_sprint AS (
        SELECT sp.*,
               coalesce(a.committed_stories, 0) AS committed_stories,
               coalesce(a.committed_points, 0) AS committed_points,
               coalesce(a.done_stories, 0) AS done_stories,
               coalesce(a.done_points, 0) AS done_points
        FROM sp LEFT JOIN agg a ON a.sprint_id = sp.id
    ), remaining AS (
        -- stories_project_id_status_idx alone, per project and open status:
        -- only the open stories' entries are read, not the project's (mostly
        -- done) others
        SELECT pr.id AS project_id, sum(r.stories) AS stories, sum(r.points) AS points,
               sum(r.unestimated) AS unestimated
        FROM unnest(ids) AS pr(id) CROSS JOIN unnest(open_keys) AS st(key)
        CROSS JOIN LATERAL (
            SELECT count(*) AS stories, coalesce(sum(s.estimate_points), 0) AS points,
                   count(*) FILTER (WHERE s.estimate_points IS NULL) AS unestimated
            FROM stories s
            WHERE s.project_id = pr.id AND s.status = st.key AND s.archived_at IS NULL) AS r
        GROUP BY pr.id
    ), per_project AS (
        SELECT pr.id, pr.key,
               count(ps.id) FILTER (WHERE ps.finished) AS k,
               sum(ps.done_stories) FILTER (WHERE ps.finished) AS done_stories,
               sum(ps.done_points) FILTER (WHERE ps.finished) AS done_points,
               coalesce(jsonb_agg(jsonb_build_object(
                            'backlog', ps.name, 'starts_on', ps.starts_on, 'ends_on', ps.ends_on,
                            'finished', ps.finished,
                            'committed', jsonb_build_object('stories', ps.committed_stories,
                                                            'points', trim_scale(ps.committed_points)),
                            'done', jsonb_build_object('stories', ps.done_stories,
                                                       'points', trim_scale(ps.done_points)))
                        ORDER BY ps.starts_on, ps.ends_on, ps.name) FILTER (WHERE ps.id IS NOT NULL),
                        '[]') AS sprints
        FROM unnest(ids, keys) AS pr(id, key) LEFT JOIN per_sprint ps ON ps.project_id = pr.id
        GROUP BY pr.id, pr.key
    )
    SELECT jsonb_build_object(
        'report', 'velocity', 'as_of', planpipe_report_ts(at), 'last', n, 'projects', to_jsonb(keys),
        'by_project', coalesce(jsonb_agg(jsonb_build_object(
            'project', pp.key, 'sprints', pp.sprints,
            'mean', jsonb_build_object(
                'sprints', pp.k,
                'stories', CASE WHEN pp.k > 0 THEN trim_scale(round(pp.done_stories::numeric / pp.k, 2)) END,
                'points', CASE WHEN pp.k > 0 THEN trim_scale(round(pp.done_points / pp.k, 2)) END),
            'remaining', jsonb_build_object('stories', coalesce(r.stories, 0),
                                            'points', trim_scale(coalesce(r.points, 0)),
                                            'unestimated', coalesce(r.unestimated, 0)),
            'forecast_sprints', CASE WHEN pp.k > 0 AND pp.done_points > 0
                                     THEN ceil(coalesce(r.points, 0) * pp.k / pp.done_points)::bigint END)
            ORDER BY pp.key), '[]'))
    INTO result
    FROM per_project pp LEFT JOIN remaining r ON r.project_id = pp.id;
    RETURN result;
END
$$;

-- ---------------------------------------------------------------------------
-- time-in-status (0019, 0025): unchanged results.
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
            -- before, then earlier: the branches of a UNION ALL under LIMIT 1,
            -- so a later one runs only when those before found nothing. Each
            -- is ordered as status_history_story_id_changed_at_idx is (0026:
            -- changed_at, then id, covering the columns read), so it stops at
            -- the first row it finds, in the first partition that has one,
            -- from the index alone.
            SELECT c.story_id, c.from_status, c.changed_at, p.changed_at AS p_changed_at, p.to_status AS p_to_status
            FROM c
            LEFT JOIN LATERAL (
                (SELECT h.changed_at, h.to_status FROM status_history h
                 WHERE h.story_id = c.story_id AND h.changed_at >= b1 AND h.changed_at < t0
                 ORDER BY h.changed_at DESC, h.id DESC LIMIT 1)
                UNION ALL
                (SELECT h.changed_at, h.to_status FROM status_history h
                 WHERE h.story_id = c.story_id AND h.changed_at >= b2 AND h.changed_at < b1
                 ORDER BY h.changed_at DESC, h.id DESC LIMIT 1)
                UNION ALL
                (SELECT h.changed_at, h.to_status FROM status_history h
                 WHERE h.story_id = c.story_id AND h.changed_at < b2
                 ORDER BY h.changed_at DESC, h.id DESC LIMIT 1)
                LIMIT 1) AS p ON true
            WHERE c.entered_at IS NULL AND c.from_status IS NOT NULL
        ), v AS (
            SELECT x.from_status AS status, x.story_id,
                   extract(epoch FROM x.changed_at - x.entered_at)::double precision / 86400 AS days
            FROM (SELECT c.story_id, c.from_status, c.changed_at, c.entered_status, c.entered_at
                  FROM c WHERE c.entered_at IS NOT NULL
                  UNION ALL
                  SELECT f.story_id, f.from_status, f.changed_at, f.p_to_status, f.p_changed_at FROM f) AS x
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
