-- 0013: the reports over the 200 ms p95 budget at the large scale (issue 10,
-- docs/performance.md "Reports"), made cheaper. Same signatures, same JSON;
-- the one change of a result is the blocked list's chains, now listed up to
-- three steps (docs/reports.md, "blocked").
--
--   * stories_project_id_status_idx becomes a covering index (same key
--     columns, same name): the status summary, the blocked list's candidates
--     and the cumulative flow's stories are index-only scans instead of
--     reading every story row of the projects;
--   * cumulative flow: a story not updated since the window's start has no
--     history since then (its status changes and archiving update it: see
--     the function), so it is counted from the index, by status, and only
--     the stories updated since then have their history read;
--   * blocked: one walk over the union of the chains (each story expanded
--     once, not once per blocked story and distance), the longest chain from
--     that graph, and each story's blockers listed up to three steps.

-- ---------------------------------------------------------------------------
-- The covering index. Its key is unchanged, so every query that used
-- stories_project_id_status_idx still can; the included columns let the
-- reports count and filter without visiting the table. updated_at and
-- estimate_points in an index make an update of only those columns no longer
-- HOT; every story update already sets updated_at, and the common ones
-- (status, body, title, labels, backlog) change indexed columns anyway.
-- Built under a new name and swapped at the end, so that the ACCESS
-- EXCLUSIVE lock of DROP INDEX is held only for the rest of the transaction.
-- ---------------------------------------------------------------------------
CREATE INDEX stories_project_id_status_cover_idx ON stories (project_id, status)
    INCLUDE (id, estimate_points, archived_at, updated_at);

-- ---------------------------------------------------------------------------
-- The open blockers of blocked stories, for the blocked list.
--
-- For each root story the caller may see that has at least one open blocker:
-- its open transitive blockers up to p_depth steps away, each at its shortest
-- distance (depth), one row per blocking edge into such a blocker from the
-- root or from another listed blocker; and chain, the length of the root's
-- longest chain of open blockers however long (the same for all of a root's
-- rows). Visibility, masking and the caller rules are those of
-- planpipe_report_blocker_closure() (0010), and so is SECURITY DEFINER.
--
-- The closure walks every (root, blocker, distance) on its own: on a large
-- graph a project's blocked stories share most of their chains and reach
-- the same blockers along paths of many lengths, and the walk grew to a
-- million rows for 3,000 roots. Here the union of the chains is walked once
-- (each story expanded once, story_dependencies_pkey), the longest chains
-- come from that graph, and the per-root listing joins arrays in memory.
-- ---------------------------------------------------------------------------
CREATE FUNCTION planpipe_report_blocked_chains(p_roots bigint[], p_depth integer)
RETURNS TABLE (root_id bigint, story_id bigint, depends_on_id bigint, depth integer, chain integer,
               edge_created_at timestamptz, visible boolean, project_key text, story_key text,
               title text, status text, open_since timestamptz, root_open_since timestamptz)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp
SET jit = off SET plan_cache_mode = force_custom_plan
AS $$
#variable_conflict use_column
DECLARE
    seen bigint[];
    open_keys text[] := ARRAY(SELECT st.key FROM statuses st WHERE st.category IN ('todo', 'active'));
    roots bigint[];
    -- the union of the chains: every open blocking edge reachable from a root
    e_from bigint[] := '{}';
    e_to bigint[] := '{}';
    e_created timestamptz[] := '{}';
    visited bigint[];
    frontier bigint[];
    l_from bigint[];
    l_to bigint[];
    l_created timestamptz[];
    -- longest chains: h_node is in H_k (a chain of k or more) once per k
    k_from bigint[];
    k_to bigint[];
    k_set bigint[];
    h_node bigint[] := '{}';
    h_k integer[] := '{}';
    k integer := 0;
    -- the per-root listing: (root, blocker, distance), distance 0 the root
    p_root bigint[];
    p_node bigint[];
    p_dist integer[];
    f_root bigint[];
    f_node bigint[];
    d integer := 0;
    opened jsonb;
    chains jsonb;
BEGIN
    IF planpipe_setting_user_id() IS NOT NULL THEN
        seen := planpipe_project_ids('viewer');
    ELSIF pg_has_role(session_user, 'planpipe_app', 'MEMBER')
          AND NOT (SELECT r.rolsuper FROM pg_roles r WHERE r.rolname = session_user) THEN
        RETURN;
    END IF;
    roots := ARRAY(SELECT s.id FROM stories s
                   WHERE s.id = ANY (p_roots) AND (seen IS NULL OR s.project_id = ANY (seen)));
    visited := roots;
    frontier := roots;
    -- Breadth first over stories, not (root, story) pairs: each story's open
    -- blockers are looked up once, one statement per step (see 0010 on why
    -- not a recursive query). The walk ends because visited only grows.
    WHILE cardinality(frontier) > 0 LOOP
        SELECT array_agg(e.story_id), array_agg(e.depends_on_id), array_agg(e.created_at)
        INTO l_from, l_to, l_created
        FROM unnest(frontier) AS f(n)
        JOIN story_dependencies e ON e.story_id = f.n AND e.kind = 'blocks'
        JOIN stories b ON b.id = e.depends_on_id
        WHERE b.archived_at IS NULL AND b.status = ANY (open_keys);
        EXIT WHEN l_from IS NULL;
        e_from := e_from || l_from;
        e_to := e_to || l_to;
        e_created := e_created || l_created;
        frontier := ARRAY(SELECT DISTINCT u.n FROM unnest(l_to) AS u(n)
                          WHERE NOT EXISTS (SELECT FROM unnest(visited) AS v(n) WHERE v.n = u.n));
        visited := visited || frontier;
    END LOOP;

    -- H_1: the stories with an open blocker; H_k+1: those with an open
    -- blocker in H_k. A story's longest chain is the last k it is in. The
    -- edges into stories outside H_k drop out at each step. Blocking edges
    -- are acyclic (0005); a cycle slipped in otherwise fails, not loops.
    k_from := e_from;
    k_to := e_to;
    WHILE cardinality(k_from) > 0 LOOP
        k := k + 1;
        IF k > 1000 THEN
            RAISE EXCEPTION 'blocking chains longer than 1000 stories: is there a dependency cycle?'
                USING ERRCODE = '54001';
        END IF;
        k_set := ARRAY(SELECT DISTINCT u.n FROM unnest(k_from) AS u(n));
        h_node := h_node || k_set;
        h_k := h_k || array_fill(k, ARRAY[cardinality(k_set)]);
        SELECT coalesce(array_agg(x.f), '{}'), coalesce(array_agg(x.t), '{}') INTO k_from, k_to
        FROM unnest(k_from, k_to) AS x(f, t)
        WHERE EXISTS (SELECT FROM unnest(k_set) AS s(n) WHERE s.n = x.t);
    END LOOP;
    SELECT jsonb_object_agg(x.n::text, x.k) INTO chains
    FROM (SELECT u.n, max(u.k) AS k FROM unnest(h_node, h_k) AS u(n, k)
          WHERE u.n = ANY (roots) GROUP BY u.n) AS x;

    -- Each root's blockers up to p_depth steps, breadth first in memory.
    p_root := roots;
    p_node := roots;
    p_dist := array_fill(0, ARRAY[cardinality(roots)]);
    f_root := roots;
    f_node := roots;
    WHILE d < p_depth AND cardinality(f_root) > 0 LOOP
        d := d + 1;
        SELECT coalesce(array_agg(y.r), '{}'), coalesce(array_agg(y.n), '{}') INTO f_root, f_node
        FROM (SELECT DISTINCT f.r, x.t AS n
              FROM unnest(f_root, f_node) AS f(r, n)
              JOIN unnest(e_from, e_to) AS x(f, t) ON x.f = f.n) AS y
        WHERE NOT EXISTS (SELECT FROM unnest(p_root, p_node) AS v(r, n) WHERE v.r = y.r AND v.n = y.n);
        p_root := p_root || f_root;
        p_node := p_node || f_node;
        p_dist := p_dist || array_fill(d, ARRAY[cardinality(f_root)]);
    END LOOP;

    -- When each blocked root and each direct blocker last became open (its
    -- insert or a re-opening), as a map; the ids as an array, so that the
    -- planner sees how many (status_history_story_id_changed_at_idx).
    SELECT jsonb_object_agg(x.story_id::text, x.at) INTO opened
    FROM (SELECT h.story_id, max(h.changed_at) AS at
          FROM status_history h
          WHERE h.story_id = ANY (ARRAY(SELECT u.n FROM unnest(p_root, p_node, p_dist) AS u(r, n, d)
                                        WHERE u.d = 1
                                        UNION
                                        SELECT u.r FROM unnest(p_root, p_node, p_dist) AS u(r, n, d)
                                        WHERE u.d = 1))
            AND h.to_status = ANY (open_keys)
            AND (h.from_status IS NULL OR NOT h.from_status = ANY (open_keys))
          GROUP BY h.story_id) AS x;

    RETURN QUERY
    WITH listed AS (
        SELECT u.r, u.n, u.d FROM unnest(p_root, p_node, p_dist) AS u(r, n, d)
    ), edges AS (
        SELECT DISTINCT x.f, x.t, x.c FROM unnest(e_from, e_to, e_created) AS x(f, t, c)
    ), rows AS (
        -- every edge from the root or a listed blocker into a listed blocker
        SELECT y.r AS root_id, x.f AS story_id, x.t AS depends_on_id, z.d AS depth, x.c AS created_at
        FROM listed y
        JOIN edges x ON x.f = y.n
        JOIN listed z ON z.r = y.r AND z.n = x.t AND z.d >= 1
    )
    SELECT w.root_id, w.story_id, w.depends_on_id, w.depth, (chains ->> w.root_id::text)::integer,
           -- the edge itself is visible to the caller when its story is the root
           CASE WHEN v.visible OR w.story_id = w.root_id THEN w.created_at END, v.visible,
           CASE WHEN v.visible THEN p.key END, CASE WHEN v.visible THEN b.key END,
           CASE WHEN v.visible THEN b.title END, b.status,
           CASE WHEN v.visible AND w.depth = 1
                THEN (opened ->> w.depends_on_id::text)::timestamptz END,
           (opened ->> w.root_id::text)::timestamptz
    FROM rows w
    JOIN stories b ON b.id = w.depends_on_id
    JOIN projects p ON p.id = b.project_id
    CROSS JOIN LATERAL (SELECT seen IS NULL OR b.project_id = ANY (seen) AS visible) AS v;
END
$$;

-- ---------------------------------------------------------------------------
-- blocked: as in 0010, with the chains from planpipe_report_blocked_chains():
-- blockers up to three steps away, depth the longest chain however long.
-- ---------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION planpipe_report_blocked(p_projects text[] DEFAULT NULL) RETURNS jsonb
LANGUAGE plpgsql STABLE SECURITY INVOKER SET search_path = public, pg_temp
SET jit = off SET plan_cache_mode = force_custom_plan
AS $$
DECLARE
    ids bigint[];
    keys text[];
    open_keys text[] := ARRAY(SELECT st.key FROM statuses st WHERE st.category IN ('todo', 'active'));
    candidates bigint[];
    info jsonb;
    result jsonb;
BEGIN
    SELECT coalesce(array_agg(p.id ORDER BY p.key), '{}'), coalesce(array_agg(p.key ORDER BY p.key), '{}')
    INTO ids, keys FROM planpipe_report_projects(p_projects) p;
    -- Candidates: open stories with a blocking edge (stories_project_id_status_idx
    -- alone, story_dependencies_pkey); the walk decides whether a blocker is open.
    candidates := ARRAY(SELECT s.id FROM stories s
                        WHERE s.project_id = ANY (ids) AND s.status = ANY (open_keys)
                          AND s.archived_at IS NULL
                          AND EXISTS (SELECT FROM story_dependencies e
                                      WHERE e.story_id = s.id AND e.kind = 'blocks'));

    -- The candidates' own fields, as a map: joined to the walk's rows (whose
    -- count the planner cannot know), they were looped over once per story.
    SELECT jsonb_object_agg(s.id::text, jsonb_build_object('project', p.key, 'key', s.key,
                                                           'title', s.title, 'status', s.status))
    INTO info
    FROM stories s JOIN projects p ON p.id = s.project_id
    WHERE s.id = ANY (candidates);

    WITH c AS MATERIALIZED (
        SELECT * FROM planpipe_report_blocked_chains(candidates, 3)
    ), node AS MATERIALIZED (
        -- each listed blocker once per root (its rows share its distance)
        SELECT DISTINCT ON (c.root_id, c.depends_on_id) c.*,
               CASE WHEN c.visible THEN c.project_key || ':' || c.story_key ELSE '(hidden)' END AS label
        FROM c ORDER BY c.root_id, c.depends_on_id
    ), blocks AS (
        -- the stories of the listed chain each blocker blocks directly
        SELECT c.root_id, c.depends_on_id,
               jsonb_agg(DISTINCT coalesce(m.label, (info -> c.root_id::text ->> 'project') || ':'
                                                    || (info -> c.root_id::text ->> 'key'))) AS labels
        FROM c
        LEFT JOIN node m ON m.root_id = c.root_id AND m.depends_on_id = c.story_id
        GROUP BY c.root_id, c.depends_on_id
    ), per_root AS (
        SELECT n.root_id, min(n.chain) AS depth, min(n.root_open_since) AS open_since,
               min(greatest(n.edge_created_at, n.open_since)) FILTER (WHERE n.depth = 1) AS first_blocked,
               jsonb_agg(jsonb_build_object(
                             'project', n.project_key, 'key', n.story_key, 'title', n.title,
                             'status', n.status, 'hidden', NOT n.visible, 'depth', n.depth,
                             'blocks', b.labels)
                         ORDER BY n.depth, n.project_key NULLS LAST, n.story_key NULLS LAST,
                                  n.depends_on_id) AS blockers
        FROM node n
        JOIN blocks b ON b.root_id = n.root_id AND b.depends_on_id = n.depends_on_id
        GROUP BY n.root_id
    ), story AS (
        SELECT x.root_id AS id, info -> x.root_id::text ->> 'project' AS project_key,
               info -> x.root_id::text ->> 'key' AS story_key, info -> x.root_id::text ->> 'title' AS title,
               info -> x.root_id::text ->> 'status' AS status,
               greatest(x.open_since, x.first_blocked) AS blocked_since, x.depth, x.blockers
        FROM per_root x
    )
    SELECT jsonb_build_object(
               'report', 'blocked',
               'projects', to_jsonb(keys),
               'stories', coalesce(jsonb_agg(jsonb_build_object(
                                       'project', r.project_key, 'key', r.story_key,
                                       'title', r.title, 'status', r.status,
                                       'blocked_since', planpipe_report_ts(r.blocked_since),
                                       'depth', r.depth, 'blockers', r.blockers)
                                   ORDER BY r.blocked_since, r.project_key, r.story_key), '[]'))
    INTO result
    FROM story r;
    RETURN result;
END
$$;

-- ---------------------------------------------------------------------------
-- cumulative-flow: the same figures as in 0010, computed backwards from now
-- and reading history only for the stories updated since the window's start.
--
-- The end of day D is now with every later event undone: a change undone
-- (its to_status loses the story, its from_status gets it back; an insert
-- undone removes it), a story archived later counted again with its status
-- at its archiving. That needs no status at the window's start, so no
-- ordering of each story's history: the changes are only counted per (day,
-- from_status, to_status). Now is the unarchived stories by status.
--
-- Every status change of a story is an UPDATE of it, which sets updated_at
-- to the transaction's time, the changed_at of the history row it writes
-- (0001, 0006); so a story with updated_at before the window's start has no
-- history from then on, and only the others' history is read, with every
-- story archived since the window's start (archived_at may be set to any
-- time). Both sets and the counts now come from stories_project_id_status_idx,
-- which includes updated_at and archived_at. Before, every story of the
-- projects had its history probed in each of the window's partitions and
-- sorted per story.
-- ---------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION planpipe_report_cumulative_flow(p_projects text[] DEFAULT NULL, p_from date DEFAULT NULL,
                                                           p_to date DEFAULT NULL) RETURNS jsonb
LANGUAGE plpgsql STABLE SECURITY INVOKER SET search_path = public, pg_temp
SET jit = off SET plan_cache_mode = force_custom_plan
AS $$
DECLARE
    ids bigint[];
    keys text[];
    win daterange := planpipe_report_window(p_from, p_to, false);
    first_day date := lower(win);
    last_day date := least(upper(win) - 1, (now() AT TIME ZONE 'UTC')::date);
    t0 timestamptz := first_day::timestamp AT TIME ZONE 'UTC';
    sids bigint[];
    result jsonb;
BEGIN
    SELECT coalesce(array_agg(p.id ORDER BY p.key), '{}'), coalesce(array_agg(p.key ORDER BY p.key), '{}')
    INTO ids, keys FROM planpipe_report_projects(p_projects) p;
    -- The stories whose history is read: those updated since the window's
    -- start, and those archived since (stories_project_id_status_idx alone).
    sids := ARRAY(SELECT s.id FROM stories s
                  WHERE s.project_id = ANY (ids)
                    AND ((s.archived_at IS NULL AND s.updated_at >= t0) OR s.archived_at >= t0));

    WITH now_counts AS (
        -- the unarchived stories by status now (from the index)
        SELECT s.status, count(*) AS n FROM stories s
        WHERE s.project_id = ANY (ids) AND s.archived_at IS NULL
        GROUP BY s.status
    ), s AS MATERIALIZED (
        SELECT s.id, s.status, s.archived_at FROM stories s WHERE s.id = ANY (sids)
    ), changes AS (
        -- each change since the window's start, before the story's archiving,
        -- by day; the ids as an array, so the planner knows how many it looks
        -- up (status_history_story_id_changed_at_idx, partitions before t0 pruned)
        SELECT (h.changed_at AT TIME ZONE 'UTC')::date AS day, h.from_status, h.to_status, count(*) AS n
        FROM status_history h JOIN s ON s.id = h.story_id
        WHERE h.story_id = ANY (sids) AND h.changed_at >= t0
          AND (s.archived_at IS NULL OR h.changed_at < s.archived_at)
        GROUP BY 1, 2, 3
    ), archived AS (
        -- stories archived since the window's start: their status then
        SELECT (s.archived_at AT TIME ZONE 'UTC')::date AS day,
               coalesce((SELECT h.from_status FROM status_history h
                         WHERE h.story_id = s.id AND h.changed_at >= s.archived_at
                         ORDER BY h.changed_at, h.id LIMIT 1), s.status) AS status
        FROM s WHERE s.archived_at IS NOT NULL
    ), undo (day, category, n) AS (
        -- going back in time from now: what each day's events add to the
        -- days before it (a change undone, an archived story back)
        SELECT c.day, f.category, c.n FROM changes c JOIN statuses f ON f.key = c.from_status
        UNION ALL
        SELECT c.day, t.category, -c.n FROM changes c JOIN statuses t ON t.key = c.to_status
        UNION ALL
        SELECT a.day, st.category, 1 FROM archived a JOIN statuses st ON st.key = a.status
    ), per_day AS (
        -- events after the window's last day count for all of it alike
        SELECT least(u.day, last_day + 1) AS day, u.category, sum(u.n) AS n
        FROM undo u GROUP BY 1, 2
    ), base AS (
        SELECT c.category, coalesce(sum(x.n), 0) AS n
        FROM unnest(ARRAY['todo', 'active', 'done', 'cancelled']) AS c(category)
        LEFT JOIN (SELECT st.category, nc.n FROM now_counts nc JOIN statuses st ON st.key = nc.status) AS x
               ON x.category = c.category
        GROUP BY c.category
    ), series AS (
        -- the end of day D: now, with every event of a later day undone
        SELECT d::date AS day, b.category,
               b.n + coalesce(sum(x.n) OVER (PARTITION BY b.category ORDER BY d DESC
                                             ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS n
        FROM generate_series(first_day::timestamp, (last_day + 1)::timestamp, interval '1 day') AS d
        CROSS JOIN base b
        LEFT JOIN per_day x ON x.day = d::date AND x.category = b.category
    )
    SELECT jsonb_build_object(
        'report', 'cumulative-flow', 'from', lower(win), 'to', upper(win) - 1, 'projects', to_jsonb(keys),
        'categories', jsonb_build_array('todo', 'active', 'done', 'cancelled'),
        'days', coalesce((SELECT jsonb_agg(jsonb_build_object('day', v.day) || v.counts ORDER BY v.day)
                          FROM (SELECT se.day, jsonb_object_agg(se.category, se.n) AS counts
                                FROM series se WHERE se.day <= last_day GROUP BY se.day) AS v), '[]'))
    INTO result;
    RETURN result;
END
$$;

-- ---------------------------------------------------------------------------
-- Documentation, privileges (as in 0010: the owner's and planpipe_app's
-- only), and the index swap last, so that DROP INDEX's ACCESS EXCLUSIVE lock
-- on stories lasts only until the commit that follows.
-- ---------------------------------------------------------------------------
COMMENT ON FUNCTION planpipe_report_blocked(text[]) IS
    'Report blocked: open stories with open blockers (any project), oldest blockage first, blockers up to 3 steps';
COMMENT ON FUNCTION planpipe_report_blocked_chains(bigint[], integer) IS
    'Open blockers of the given stories up to N steps and their longest chains, across projects; hidden projects masked (reports)';

REVOKE EXECUTE ON FUNCTION planpipe_report_blocked_chains(bigint[], integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION planpipe_report_blocked_chains(bigint[], integer) TO planpipe_app;

DROP INDEX stories_project_id_status_idx;
ALTER INDEX stories_project_id_status_cover_idx RENAME TO stories_project_id_status_idx;
