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
--     edge), joined by hash, not a join of CTE scans.
-- The report's definition and output are unchanged (tests/sql/20_team_reports.sql).
--
-- Rebuilding the index takes an exclusive lock on stories for as long as
-- the build: about 10 s for the large data set's 1,000,000 stories.

DROP INDEX stories_backlog_id_rank_idx;
CREATE INDEX stories_backlog_id_rank_idx ON stories (backlog_id, rank, id)
    INCLUDE (status, estimate_points, archived_at, created_at, updated_at);

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
    cids bigint[];
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
    -- stories_backlog_id_rank_idx: the sprints' stories; of them, only those
    -- updated since the earliest sprint began can have history rows since
    -- (updated_at is never behind a story's history), so only theirs is read.
    cids := ARRAY(SELECT s.id FROM stories s
                  WHERE s.backlog_id = ANY (sprint_ids) AND s.updated_at >= t_min);

    WITH sp AS MATERIALIZED (
        SELECT b.id, b.project_id, b.name, b.starts_on, b.ends_on,
               b.starts_on::timestamp AT TIME ZONE 'UTC' AS t0,
               least((b.ends_on + 1)::timestamp AT TIME ZONE 'UTC', at) AS t1,
               (b.ends_on + 1)::timestamp AT TIME ZONE 'UTC' <= at AS finished
        FROM backlogs b WHERE b.id = ANY (sprint_ids)
    ), f AS (
        -- per changed story, the first history row at or after its sprint's
        -- start (edge 0) and end (edge 1): one pass, grouped by story
        SELECT h.story_id,
               count(*) FILTER (WHERE h.changed_at >= sp.t0) > 0 AS has0,
               (array_agg(h.from_status ORDER BY h.changed_at, h.id)
                    FILTER (WHERE h.changed_at >= sp.t0))[1] AS from0,
               count(*) FILTER (WHERE h.changed_at >= sp.t1) > 0 AS has1,
               (array_agg(h.from_status ORDER BY h.changed_at, h.id)
                    FILTER (WHERE h.changed_at >= sp.t1))[1] AS from1
        FROM status_history h
        JOIN stories s ON s.id = h.story_id
        JOIN sp ON sp.id = s.backlog_id
        WHERE h.story_id = ANY (cids) AND h.changed_at >= t_min
        GROUP BY h.story_id
    ), per_story AS (
        SELECT s.backlog_id AS sprint_id, coalesce(s.estimate_points, 0) AS points,
               c0.category IN ('todo', 'active') AND (s.archived_at IS NULL OR s.archived_at > sp.t0)
                   AS committed,
               c1.category = 'done' AND (s.archived_at IS NULL OR s.archived_at > sp.t1)
                   AND c0.category IS DISTINCT FROM 'done' AS done
        FROM stories s
        JOIN sp ON sp.id = s.backlog_id
        LEFT JOIN f ON f.story_id = s.id
        LEFT JOIN statuses c0 ON c0.key = CASE WHEN f.has0 THEN f.from0
                                               WHEN s.created_at < sp.t0 THEN s.status END
        LEFT JOIN statuses c1 ON c1.key = CASE WHEN f.has1 THEN f.from1
                                               WHEN s.created_at < sp.t1 THEN s.status END
        WHERE s.backlog_id = ANY (sprint_ids)
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
