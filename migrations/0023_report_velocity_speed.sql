-- 0023: velocity at the large scale (issue 18, docs/performance.md).
--
-- 0019's velocity joined materialized CTEs of every story of the sprints
-- and of their history with row estimates off by a hundredfold: seconds for
-- one project of the large data set (p95 1.4 s, max 37 s). It now reads:
--   - the sprints' stories once, from stories_backlog_id_rank_idx alone:
--     the index carries, after its key, the columns velocity reads
--     (an index-only scan instead of a heap fetch per story);
--   - the history of only those stories updated since the earliest sprint
--     began: updated_at is never behind a story's history (0004's trigger,
--     bench/check.sql), so a story not updated since has no row since, and
--     its status at each sprint edge is its status now (or none before its
--     creation), as 0019 defines it;
--   - that history in one pass grouped by story (first row at or after each
--     edge), kept in arrays the stories are joined to by hash, not a join of
--     CTE scans (the row estimates of grouped CTEs sent 0019 into nested
--     loops over tens of thousands of rows, minutes for a caller's projects).
-- project_id is in the index for row-level security: the policy on stories
-- (project_id = ANY (the caller's projects)) is checked from the index too.
-- The report's definition and output are unchanged (tests/sql/20_team_reports.sql).
--
-- Rebuilding the index takes an exclusive lock on stories for as long as
-- the build: about 10 s for the large data set's 1,000,000 stories.

DROP INDEX stories_backlog_id_rank_idx;
CREATE INDEX stories_backlog_id_rank_idx ON stories (backlog_id, rank, id)
    INCLUDE (project_id, status, estimate_points, archived_at, created_at, updated_at);

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
    cids bigint[];
    cbls bigint[];
    f_ids bigint[];
    f_has0 boolean[];
    f_from0 text[];
    f_has1 boolean[];
    f_from1 text[];
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
    -- stories_backlog_id_rank_idx alone: the sprints' stories; of them, only
    -- those updated since the earliest sprint began can have history rows
    -- since (updated_at is never behind a story's history), so only theirs
    -- is read.
    SELECT coalesce(array_agg(s.id), '{}'), coalesce(array_agg(s.backlog_id), '{}')
    INTO cids, cbls
    FROM stories s WHERE s.backlog_id = ANY (sprint_ids) AND s.updated_at >= t_min;

    -- Per such story, the first history row at or after its sprint's start
    -- (edge 0) and end (edge 1), in one pass grouped by story. Kept as
    -- arrays: unnest() of a constant array is estimated at its length, so
    -- the join below is planned for the real number of stories.
    SELECT coalesce(array_agg(x.story_id), '{}'), array_agg(x.has0), array_agg(x.from0),
           array_agg(x.has1), array_agg(x.from1)
    INTO f_ids, f_has0, f_from0, f_has1, f_from1
    FROM (SELECT h.story_id,
                 count(*) FILTER (WHERE h.changed_at >= e.t0) > 0 AS has0,
                 (array_agg(h.from_status ORDER BY h.changed_at, h.id)
                      FILTER (WHERE h.changed_at >= e.t0))[1] AS from0,
                 count(*) FILTER (WHERE h.changed_at >= e.t1) > 0 AS has1,
                 (array_agg(h.from_status ORDER BY h.changed_at, h.id)
                      FILTER (WHERE h.changed_at >= e.t1))[1] AS from1
          -- MATERIALIZED: read once by story_id = ANY, never per story in a
          -- loop (row-level security's project filter makes that a bitmap
          -- scan of the project's history per story)
          FROM (WITH h AS MATERIALIZED (
                    SELECT h.story_id, h.changed_at, h.id, h.from_status FROM status_history h
                    WHERE h.story_id = ANY (cids) AND h.changed_at >= t_min)
                SELECT * FROM h) AS h
          JOIN (SELECT c.id, b.starts_on::timestamp AT TIME ZONE 'UTC' AS t0,
                       least((b.ends_on + 1)::timestamp AT TIME ZONE 'UTC', at) AS t1
                FROM unnest(cids, cbls) AS c(id, backlog_id)
                JOIN backlogs b ON b.id = c.backlog_id) AS e ON e.id = h.story_id
          GROUP BY h.story_id) AS x;

    WITH sp AS MATERIALIZED (
        SELECT b.id, b.project_id, b.name, b.starts_on, b.ends_on,
               b.starts_on::timestamp AT TIME ZONE 'UTC' AS t0,
               least((b.ends_on + 1)::timestamp AT TIME ZONE 'UTC', at) AS t1,
               (b.ends_on + 1)::timestamp AT TIME ZONE 'UTC' <= at AS finished
        FROM backlogs b WHERE b.id = ANY (sprint_ids)
    ), x AS (
        -- each story's status at its sprint's start (st0) and end (st1)
        SELECT s.backlog_id AS sprint_id, coalesce(s.estimate_points, 0) AS points, s.archived_at,
               sp.t0, sp.t1,
               CASE WHEN f.has0 THEN f.from0 WHEN s.created_at < sp.t0 THEN s.status END AS st0,
               CASE WHEN f.has1 THEN f.from1 WHEN s.created_at < sp.t1 THEN s.status END AS st1
        FROM stories s
        JOIN sp ON sp.id = s.backlog_id
        LEFT JOIN unnest(f_ids, f_has0, f_from0, f_has1, f_from1) AS f(story_id, has0, from0, has1, from1)
            ON f.story_id = s.id
        WHERE s.backlog_id = ANY (sprint_ids)
    ), per_story AS (
        SELECT x.sprint_id, x.points,
               x.st0 = ANY (open_keys) AND (x.archived_at IS NULL OR x.archived_at > x.t0) AS committed,
               x.st1 = ANY (done_keys) AND (x.archived_at IS NULL OR x.archived_at > x.t1)
                   AND NOT coalesce(x.st0 = ANY (done_keys), false) AS done
        FROM x
    ), agg AS (
        -- grouped before the join to the sprints: computed once
        SELECT y.sprint_id,
               count(*) FILTER (WHERE y.committed) AS committed_stories,
               coalesce(sum(y.points) FILTER (WHERE y.committed), 0) AS committed_points,
               count(*) FILTER (WHERE y.done) AS done_stories,
               coalesce(sum(y.points) FILTER (WHERE y.done), 0) AS done_points
        FROM per_story y GROUP BY y.sprint_id
    ), per_sprint AS (
        SELECT sp.*,
               coalesce(a.committed_stories, 0) AS committed_stories,
               coalesce(a.committed_points, 0) AS committed_points,
               coalesce(a.done_stories, 0) AS done_stories,
               coalesce(a.done_points, 0) AS done_points
        FROM sp LEFT JOIN agg a ON a.sprint_id = sp.id
    ), remaining AS (
        -- stories_project_id_status_cover_idx: open work, from the index alone
        SELECT s.project_id, count(*) AS stories, coalesce(sum(s.estimate_points), 0) AS points,
               count(*) FILTER (WHERE s.estimate_points IS NULL) AS unestimated
        FROM stories s
        WHERE s.project_id = ANY (ids) AND s.archived_at IS NULL
          AND s.status = ANY (open_keys)
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
