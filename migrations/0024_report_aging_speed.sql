-- 0024: aging (0019) at the large scale (issue 18): the same report, without
-- reading all history of every open story.
--
-- 0019 fetched every history row of every candidate story (all monthly
-- partitions of status_history, story_id = ANY (...)) and kept the latest
-- per story: about 1.2 s for a project with 3,000 open stories. Now each
-- candidate, straight from stories_project_id_status_idx (0013's covering
-- index (project_id, status) INCLUDE (id, estimate_points, archived_at,
-- updated_at)), looks up only its latest history row at or before the
-- moment, through status_history_story_id_changed_at_idx:
--
--   bound = least(moment, updated_at): updated_at is never behind a
--           story's history (0019), so no row after it exists; it only
--           lets run-time pruning skip the partitions after it.
--   probe 1: rows in [start of bound's UTC month, bound]: one monthly
--           partition, where the latest row of nearly every open story is
--           (a status change updates updated_at).
--   probe 2: only when probe 1 found nothing: the month before (one
--           partition; the story edited without a status change since).
--   probe 3: only when probe 2 found nothing: all rows before that (every
--           earlier partition and the default one, a Merge Append).
--   (The month before is computed with the session's time zone: that can
--   only move the boundary between probes 2 and 3, never what the three
--   cover together.)
--
-- The probes are the branches of a UNION ALL under LIMIT 1, so a later
-- one runs only when those before found nothing; together they cover all
-- rows at or before the moment, so the row is the one 0019 picked: the
-- latest changed_at, of rows with equal changed_at (one transaction) the
-- highest id. Whatever the partitions (monthly or not, the default
-- partition), the result is the same; only the number of index probes
-- differs. A story without a row at or before the moment is in its status
-- since its creation (created_at is read from the table only for those).
-- Only the 10 oldest stories' keys and titles are read.
--
-- Unlike 0019 (force_custom_plan), the plans are generic: the lookup's
-- three probes over every partition made planning each call cost a
-- quarter of the report (about 15 ms for 3,000 open stories, warm). The
-- plan does not depend on the values: candidates by the index, one lookup
-- each; the moment prunes the partitions after it when the plan starts
-- (initial pruning) instead of when it is made, updated_at per story.
--
-- Semantics, output and privileges are those of 0019 (docs/reports.md).

CREATE OR REPLACE FUNCTION planpipe_report_aging(p_projects text[] DEFAULT NULL, p_as_of date DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql STABLE SECURITY INVOKER SET search_path = public, pg_temp
SET jit = off SET plan_cache_mode = force_generic_plan
AS $$
DECLARE
    ids bigint[];
    keys text[];
    at timestamptz := planpipe_report_as_of(p_as_of);
    open_keys text[] := ARRAY(SELECT st.key FROM statuses st WHERE st.category IN ('todo', 'active'));
    result jsonb;
BEGIN
    SELECT coalesce(array_agg(p.id ORDER BY p.key), '{}'), coalesce(array_agg(p.key ORDER BY p.key), '{}')
    INTO ids, keys FROM planpipe_report_projects(p_projects) p;

    WITH w AS MATERIALIZED (
        SELECT x.id, x.project_id, x.estimate_points, x.status, x.since,
               extract(epoch FROM at - x.since)::double precision / 86400 AS age
        FROM (SELECT c.id, c.project_id, c.estimate_points,
                     coalesce(l.to_status, c.status) AS status,
                     coalesce(l.changed_at, (SELECT s.created_at FROM stories s WHERE s.id = c.id)) AS since
              -- Candidates from stories_project_id_status_idx alone: open
              -- now, or changed since the moment (a status change and
              -- archiving update updated_at, so a story not updated since
              -- has today's status then).
              FROM stories c
              LEFT JOIN LATERAL (
                  SELECT y.to_status, y.changed_at
                  FROM ((SELECT h.to_status, h.changed_at FROM status_history h
                         WHERE h.story_id = c.id AND h.changed_at <= at
                           AND h.changed_at <= least(at, c.updated_at)
                           AND h.changed_at >= date_trunc('month', least(at, c.updated_at), 'UTC')
                         ORDER BY h.changed_at DESC, h.id DESC LIMIT 1)
                        UNION ALL
                        (SELECT h.to_status, h.changed_at FROM status_history h
                         WHERE h.story_id = c.id AND h.changed_at <= at
                           AND h.changed_at < date_trunc('month', least(at, c.updated_at), 'UTC')
                           AND h.changed_at >= date_trunc('month', least(at, c.updated_at), 'UTC')
                                               - interval '1 month'
                         ORDER BY h.changed_at DESC, h.id DESC LIMIT 1)
                        UNION ALL
                        (SELECT h.to_status, h.changed_at FROM status_history h
                         WHERE h.story_id = c.id AND h.changed_at <= at
                           AND h.changed_at < date_trunc('month', least(at, c.updated_at), 'UTC')
                                              - interval '1 month'
                         ORDER BY h.changed_at DESC, h.id DESC LIMIT 1)) AS y
                  LIMIT 1) AS l ON true
              WHERE c.project_id = ANY (ids) AND (c.archived_at IS NULL OR c.archived_at > at)
                AND (c.status = ANY (open_keys) OR c.updated_at >= at)) AS x
        -- since is the latest row's changed_at (at or before the moment) or,
        -- without one, created_at: a story created after the moment is out.
        WHERE x.status = ANY (open_keys) AND x.since <= at
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
    ), tenth AS (
        -- the 10th oldest since: the 10 oldest are among the stories up to it
        SELECT coalesce((SELECT w.since FROM w ORDER BY w.since OFFSET 9 LIMIT 1), 'infinity') AS since
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
                            FROM (SELECT w.*, pr.key AS project_key, s.key, s.title
                                  FROM w JOIN projects pr ON pr.id = w.project_id
                                  JOIN stories s ON s.id = w.id
                                  WHERE w.since <= (SELECT t.since FROM tenth t)
                                  ORDER BY w.since, pr.key, s.key LIMIT 10) AS o), '[]'))
    INTO result;
    RETURN result;
END
$$;

COMMENT ON FUNCTION planpipe_report_aging(text[], date) IS
    'Report aging: open work by age in its current status, in buckets, with the oldest stories';
REVOKE EXECUTE ON FUNCTION planpipe_report_aging(text[], date) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION planpipe_report_aging(text[], date) TO planpipe_app;
