-- 0019: the reports teams ask for (issue 18, docs/reports.md): velocity,
-- time-in-status, aging and epics. Like the reports of 0010, each is one
-- STABLE SECURITY INVOKER function returning jsonb, so the API and the CLI
-- print the same numbers, and row-level security narrows it to the caller's
-- projects (planpipe_report_projects). The one SECURITY DEFINER helper,
-- planpipe_report_open_blocked(), looks at blockers in any project, as the
-- open-blockers rule (0005) and planpipe_report_blocker_closure() (0010) do.
--
-- A report that depends on "now" (velocity: which sprints are over; aging:
-- how old open work is) takes p_as_of, a UTC day: the moment is the end of
-- that day, or now() if that is earlier; NULL is now(). Tests pass a day.
--
-- Each reads stories and history through indexes: the stories of the
-- projects (stories_project_id_status_cover_idx) or of the sprints
-- (stories_backlog_id_rank_idx), and the history of those stories as one
-- array (status_history_story_id_changed_at_idx) or of the projects over the
-- window (status_history_project_id_changed_at_idx).

-- ---------------------------------------------------------------------------
-- Helpers
-- ---------------------------------------------------------------------------

-- The moment a report is "as of": the end of the UTC day p_as_of (its next
-- midnight), or now() when that is earlier or p_as_of is NULL.
CREATE FUNCTION planpipe_report_as_of(p_as_of date) RETURNS timestamptz
LANGUAGE plpgsql STABLE SET search_path = public, pg_temp
AS $$
BEGIN
    IF p_as_of IS NULL THEN
        RETURN now();
    END IF;
    IF NOT isfinite(p_as_of) THEN
        RAISE EXCEPTION 'as_of must be a finite date' USING ERRCODE = '22023', COLUMN = 'as_of';
    END IF;
    RETURN least((p_as_of + 1)::timestamp AT TIME ZONE 'UTC', now());
END
$$;

-- Of the given stories, those the caller may see that have at least one
-- open blocker (a 'blocks' dependency on a todo or active, unarchived story)
-- in any project. SECURITY DEFINER with the caller rules of
-- planpipe_report_blocker_closure() (0010): a story blocked by another
-- team's story is blocked whether or not the caller may see that project;
-- the blocker itself is not returned.
CREATE FUNCTION planpipe_report_open_blocked(p_ids bigint[]) RETURNS TABLE (story_id bigint)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp
SET jit = off SET plan_cache_mode = force_custom_plan
AS $$
#variable_conflict use_column
DECLARE
    seen bigint[];
    open_keys text[] := ARRAY(SELECT st.key FROM statuses st WHERE st.category IN ('todo', 'active'));
BEGIN
    IF planpipe_setting_user_id() IS NOT NULL THEN
        seen := planpipe_project_ids('viewer');
    ELSIF pg_has_role(session_user, 'planpipe_app', 'MEMBER')
          AND NOT (SELECT r.rolsuper FROM pg_roles r WHERE r.rolname = session_user) THEN
        RETURN;
    END IF;
    -- story_dependencies_pkey (story_id, ...) per story, the blocker by its key
    RETURN QUERY
    SELECT s.id FROM stories s
    WHERE s.id = ANY (p_ids) AND (seen IS NULL OR s.project_id = ANY (seen))
      AND EXISTS (SELECT FROM story_dependencies e JOIN stories b ON b.id = e.depends_on_id
                  WHERE e.story_id = s.id AND e.kind = 'blocks'
                    AND b.archived_at IS NULL AND b.status = ANY (open_keys));
END
$$;

-- ---------------------------------------------------------------------------
-- velocity: per project, its sprints (backlogs of kind 'sprint' with both
-- dates): the last p_last finished ones (the end of ends_on is before the
-- as-of moment) and those in progress. Per sprint, of the stories now in
-- it (points: today's estimates):
--   committed: open (todo, active) and not archived at the sprint's start
--              (starts_on 00:00 UTC), i.e. burndown's remaining at start;
--   done:      in a done status and not archived at its end (or as of now
--              for a sprint in progress), and not in a done status at its
--              start (work finished before the sprint is not its work).
-- mean: the average done per finished sprint listed (up to p_last);
-- remaining: the project's open, unarchived stories; forecast_sprints:
-- ceil(remaining points / mean points), NULL when the mean is 0 or unknown.
-- A story's status at time T is the from_status of its first history row
-- at or after T, its current status when it has none (0010, cumulative-flow).
-- ---------------------------------------------------------------------------
CREATE FUNCTION planpipe_report_velocity(p_projects text[] DEFAULT NULL, p_last integer DEFAULT 3,
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
    sids bigint[];
    t_min timestamptz;
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
    sids := ARRAY(SELECT s.id FROM stories s WHERE s.backlog_id = ANY (sprint_ids));

    WITH sp AS MATERIALIZED (
        SELECT b.id, b.project_id, b.name, b.starts_on, b.ends_on,
               b.starts_on::timestamp AT TIME ZONE 'UTC' AS t0,
               least((b.ends_on + 1)::timestamp AT TIME ZONE 'UTC', at) AS t1,
               (b.ends_on + 1)::timestamp AT TIME ZONE 'UTC' <= at AS finished
        FROM backlogs b WHERE b.id = ANY (sprint_ids)
    ), s AS MATERIALIZED (
        SELECT s.id, s.backlog_id, s.status, s.archived_at, s.created_at,
               coalesce(s.estimate_points, 0) AS points
        FROM stories s WHERE s.id = ANY (sids)
    ), h AS MATERIALIZED (
        SELECT h.story_id, h.changed_at, h.id, h.from_status
        FROM status_history h
        WHERE h.story_id = ANY (sids) AND h.changed_at >= t_min
    ), probe AS (
        -- each story at its sprint's start (edge 0) and end (edge 1)
        SELECT s.id, s.status, s.created_at, e.edge, CASE e.edge WHEN 0 THEN sp.t0 ELSE sp.t1 END AS t
        FROM s JOIN sp ON sp.id = s.backlog_id CROSS JOIN (VALUES (0), (1)) AS e(edge)
    ), first_after AS (
        SELECT DISTINCT ON (p.id, p.edge) p.id, p.edge, h.from_status
        FROM probe p JOIN h ON h.story_id = p.id AND h.changed_at >= p.t
        ORDER BY p.id, p.edge, h.changed_at, h.id
    ), state AS (
        SELECT p.id, p.edge,
               (SELECT st.category FROM statuses st
                WHERE st.key = CASE WHEN f.id IS NOT NULL THEN f.from_status
                                    WHEN p.created_at < p.t THEN p.status END) AS category
        FROM probe p LEFT JOIN first_after f ON f.id = p.id AND f.edge = p.edge
    ), per_story AS (
        SELECT sp.id AS sprint_id, s.points,
               a.category IN ('todo', 'active') AND (s.archived_at IS NULL OR s.archived_at > sp.t0)
                   AS committed,
               b.category = 'done' AND (s.archived_at IS NULL OR s.archived_at > sp.t1)
                   AND a.category IS DISTINCT FROM 'done' AS done
        FROM s JOIN sp ON sp.id = s.backlog_id
        JOIN state a ON a.id = s.id AND a.edge = 0
        JOIN state b ON b.id = s.id AND b.edge = 1
    ), per_sprint AS (
        SELECT sp.*,
               count(x.sprint_id) FILTER (WHERE x.committed) AS committed_stories,
               coalesce(sum(x.points) FILTER (WHERE x.committed), 0) AS committed_points,
               count(x.sprint_id) FILTER (WHERE x.done) AS done_stories,
               coalesce(sum(x.points) FILTER (WHERE x.done), 0) AS done_points
        FROM sp LEFT JOIN per_story x ON x.sprint_id = sp.id
        GROUP BY sp.id, sp.project_id, sp.name, sp.starts_on, sp.ends_on, sp.t0, sp.t1, sp.finished
    ), remaining AS (
        -- stories_project_id_status_cover_idx: open work, from the index alone
        SELECT s.project_id, count(*) AS stories, coalesce(sum(s.estimate_points), 0) AS points,
               count(*) FILTER (WHERE s.estimate_points IS NULL) AS unestimated
        FROM stories s
        WHERE s.project_id = ANY (ids) AND s.archived_at IS NULL
          AND s.status = ANY (ARRAY(SELECT st.key FROM statuses st WHERE st.category IN ('todo', 'active')))
        GROUP BY s.project_id
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
-- time-in-status: per status, the visits of stories to it that ended in the
-- window (the history row leaving the status falls in [from, to], in the
-- project where it happened): their number, the stories, and the days each
-- lasted (from the row into the status to the row out of it) as n, median
-- (p50), p85 and p95. A visit still going on is aging's, not counted here.
-- A visit whose start the caller cannot see (the story was elsewhere) is
-- left out rather than measured from an earlier row.
-- ---------------------------------------------------------------------------
CREATE FUNCTION planpipe_report_time_in_status(p_projects text[] DEFAULT NULL, p_from date DEFAULT NULL,
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
    sids bigint[];
    result jsonb;
BEGIN
    SELECT coalesce(array_agg(p.id ORDER BY p.key), '{}'), coalesce(array_agg(p.key ORDER BY p.key), '{}')
    INTO ids, keys FROM planpipe_report_projects(p_projects) p;
    -- the stories that left a status in the window (status_history_project_id_changed_at_idx)
    sids := ARRAY(SELECT DISTINCT h.story_id FROM status_history h
                  WHERE h.project_id = ANY (ids) AND h.changed_at >= t0 AND h.changed_at < t1
                    AND h.from_status IS NOT NULL);

    WITH h AS MATERIALIZED (
        -- their history up to the window's end, each row with the one before
        -- (status_history_story_id_changed_at_idx, the ids as an array)
        SELECT h.story_id, h.project_id, h.from_status, h.changed_at,
               lag(h.changed_at) OVER w AS entered_at, lag(h.to_status) OVER w AS entered_status
        FROM status_history h
        WHERE h.story_id = ANY (sids) AND h.changed_at < t1
        WINDOW w AS (PARTITION BY h.story_id ORDER BY h.changed_at, h.id)
    ), v AS (
        SELECT h.from_status AS status, h.story_id,
               extract(epoch FROM h.changed_at - h.entered_at)::double precision / 86400 AS days
        FROM h
        WHERE h.changed_at >= t0 AND h.project_id = ANY (ids) AND h.from_status IS NOT NULL
          AND h.entered_status = h.from_status
    )
    SELECT jsonb_build_object(
        'report', 'time-in-status', 'from', lower(win), 'to', upper(win) - 1, 'projects', to_jsonb(keys),
        'statuses', coalesce((SELECT jsonb_agg(jsonb_build_object(
                                         'status', g.status, 'category', st.category,
                                         'visits', g.visits, 'stories', g.stories, 'days', g.days)
                                     ORDER BY st.position, g.status)
                              FROM (SELECT v.status, count(*) AS visits, count(DISTINCT v.story_id) AS stories,
                                           planpipe_report_stats(array_agg(v.days)) AS days
                                    FROM v GROUP BY v.status) AS g
                              JOIN statuses st ON st.key = g.status), '[]'))
    INTO result;
    RETURN result;
END
$$;

-- ---------------------------------------------------------------------------
-- aging: the projects' open work (todo and active, not archived) as of a
-- moment, by how long each story has been in its status then: since its
-- latest history row at or before the moment (the row into that status),
-- or its creation when it has none. Per status and in total: stories,
-- points and the count in each age bucket (days: [0,1) [1,3) [3,7) [7,14)
-- [14,30) [30,...)), with the 10 oldest stories. Counted in the project
-- each story is in now.
-- ---------------------------------------------------------------------------
CREATE FUNCTION planpipe_report_aging(p_projects text[] DEFAULT NULL, p_as_of date DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql STABLE SECURITY INVOKER SET search_path = public, pg_temp
SET jit = off SET plan_cache_mode = force_custom_plan
AS $$
DECLARE
    ids bigint[];
    keys text[];
    at timestamptz := planpipe_report_as_of(p_as_of);
    open_keys text[] := ARRAY(SELECT st.key FROM statuses st WHERE st.category IN ('todo', 'active'));
    cand bigint[];
    result jsonb;
BEGIN
    SELECT coalesce(array_agg(p.id ORDER BY p.key), '{}'), coalesce(array_agg(p.key ORDER BY p.key), '{}')
    INTO ids, keys FROM planpipe_report_projects(p_projects) p;
    -- Candidates from stories_project_id_status_cover_idx alone: open now, or
    -- changed since the moment (a status change and archiving update
    -- updated_at, so a story not updated since has today's status then).
    cand := ARRAY(SELECT s.id FROM stories s
                  WHERE s.project_id = ANY (ids) AND (s.archived_at IS NULL OR s.archived_at > at)
                    AND (s.status = ANY (open_keys) OR s.updated_at >= at));

    WITH s AS MATERIALIZED (
        SELECT s.id, s.project_id, s.key, s.title, s.status, s.estimate_points, s.created_at
        FROM stories s WHERE s.id = ANY (cand)
    ), last AS (
        SELECT DISTINCT ON (h.story_id) h.story_id, h.to_status, h.changed_at
        FROM status_history h
        WHERE h.story_id = ANY (cand) AND h.changed_at <= at
        ORDER BY h.story_id, h.changed_at DESC, h.id DESC
    ), w AS MATERIALIZED (
        SELECT x.*, extract(epoch FROM at - x.since)::double precision / 86400 AS age
        FROM (SELECT s.id, s.project_id, s.key, s.title, s.estimate_points,
                     coalesce(l.to_status, s.status) AS status, coalesce(l.changed_at, s.created_at) AS since
              FROM s LEFT JOIN last l ON l.story_id = s.id
              WHERE l.story_id IS NOT NULL OR s.created_at <= at) AS x
        WHERE x.status = ANY (open_keys)
    ), b AS (
        SELECT w.*, k.label
        FROM w CROSS JOIN LATERAL (
            SELECT CASE WHEN w.age < 1 THEN '0-1d' WHEN w.age < 3 THEN '1-3d' WHEN w.age < 7 THEN '3-7d'
                        WHEN w.age < 14 THEN '7-14d' WHEN w.age < 30 THEN '14-30d' ELSE '30d+' END) AS k(label)
    ), buckets (label, min_days, max_days, pos) AS (
        VALUES ('0-1d', 0, 1, 1), ('1-3d', 1, 3, 2), ('3-7d', 3, 7, 3), ('7-14d', 7, 14, 4),
               ('14-30d', 14, 30, 5), ('30d+', 30, NULL, 6)
    ), cells AS (
        SELECT x.status, jsonb_object_agg(x.label, x.n) AS counts
        FROM (SELECT st.status, k.label, count(b.id) AS n
              FROM (SELECT DISTINCT b.status FROM b) AS st CROSS JOIN buckets k
              LEFT JOIN b ON b.status = st.status AND b.label = k.label
              GROUP BY st.status, k.label) AS x
        GROUP BY x.status
    ), by_status AS (
        SELECT b.status, count(*) AS stories, coalesce(sum(b.estimate_points), 0) AS points,
               max(b.age) AS oldest, c.counts
        FROM b JOIN cells c ON c.status = b.status
        GROUP BY b.status, c.counts
    )
    SELECT jsonb_build_object(
        'report', 'aging', 'as_of', planpipe_report_ts(at), 'projects', to_jsonb(keys),
        'stories', (SELECT count(*) FROM w),
        'points', (SELECT trim_scale(coalesce(sum(w.estimate_points), 0)) FROM w),
        'buckets', (SELECT jsonb_agg(jsonb_build_object(
                                'bucket', k.label, 'min_days', k.min_days, 'max_days', k.max_days,
                                'stories', (SELECT count(*) FROM b WHERE b.label = k.label),
                                'points', (SELECT trim_scale(coalesce(sum(b.estimate_points), 0))
                                           FROM b WHERE b.label = k.label))
                            ORDER BY k.pos)
                    FROM buckets k),
        'by_status', coalesce((SELECT jsonb_agg(jsonb_build_object(
                                          'status', g.status, 'category', st.category,
                                          'stories', g.stories, 'points', trim_scale(g.points),
                                          'oldest_days', trim_scale(round(g.oldest::numeric, 2)),
                                          'buckets', g.counts)
                                      ORDER BY st.position, g.status)
                               FROM by_status g JOIN statuses st ON st.key = g.status), '[]'),
        'oldest', coalesce((SELECT jsonb_agg(jsonb_build_object(
                                       'project', o.project_key, 'key', o.key, 'title', o.title,
                                       'status', o.status, 'since', planpipe_report_ts(o.since),
                                       'age_days', trim_scale(round(o.age::numeric, 2)),
                                       'points', trim_scale(o.estimate_points))
                                   ORDER BY o.since, o.project_key, o.key)
                            FROM (SELECT w.*, pr.key AS project_key FROM w
                                  JOIN projects pr ON pr.id = w.project_id
                                  ORDER BY w.since, pr.key, w.key LIMIT 10) AS o), '[]'))
    INTO result;
    RETURN result;
END
$$;

-- ---------------------------------------------------------------------------
-- epics: per epic of each project (no epic: epic null), per project and in
-- total, of the unarchived stories: stories and points (cancelled left out
-- of both, counted apart), done stories and points, done percent by points
-- and by count (NULL when there is nothing to divide by), open stories,
-- unestimated stories, and blocked open stories: those with an open blocker
-- in any project (blocked_by_dependency), those in a status marked blocked
-- (statuses.blocked, 0017: blocked_by_status), and either (blocked).
-- ---------------------------------------------------------------------------
CREATE FUNCTION planpipe_report_epics(p_projects text[] DEFAULT NULL) RETURNS jsonb
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
        SELECT s.id, s.project_id, s.epic, s.estimate_points AS points, st.category, st.blocked
        FROM stories s JOIN statuses st ON st.key = s.status
        WHERE s.project_id = ANY (ids) AND s.archived_at IS NULL
    ), dep AS MATERIALIZED (
        SELECT d.story_id
        FROM planpipe_report_open_blocked(ARRAY(SELECT s.id FROM s WHERE s.category IN ('todo', 'active'))) AS d
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
-- Documentation and privileges, as in 0010.
-- ---------------------------------------------------------------------------
COMMENT ON FUNCTION planpipe_report_velocity(text[], integer, date) IS
    'Report velocity: committed vs done per sprint, mean of the last N, forecast of sprints left';
COMMENT ON FUNCTION planpipe_report_time_in_status(text[], date, date) IS
    'Report time-in-status: visits per status ended in the window, days spent (median, p85, p95)';
COMMENT ON FUNCTION planpipe_report_aging(text[], date) IS
    'Report aging: open work by age in its current status, in buckets, with the oldest stories';
COMMENT ON FUNCTION planpipe_report_epics(text[]) IS
    'Report epics: stories, points, done % and blocked stories per epic, per project and total';
COMMENT ON FUNCTION planpipe_report_as_of(date) IS
    'The end of the UTC day as_of, or now() when earlier or NULL (reports)';
COMMENT ON FUNCTION planpipe_report_open_blocked(bigint[]) IS
    'Of the given stories the caller may see, those with an open blocker in any project (reports)';

DO $$
DECLARE
    f regprocedure;
BEGIN
    FOR f IN SELECT p.oid::regprocedure FROM pg_proc p
             WHERE p.pronamespace = 'public'::regnamespace
               AND p.proname IN ('planpipe_report_as_of', 'planpipe_report_open_blocked',
                                 'planpipe_report_velocity', 'planpipe_report_time_in_status',
                                 'planpipe_report_aging', 'planpipe_report_epics')
    LOOP
        EXECUTE format('REVOKE EXECUTE ON FUNCTION %s FROM PUBLIC', f);
        EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO planpipe_app', f);
    END LOOP;
END
$$;
