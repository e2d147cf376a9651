-- 0010: reports across projects (docs/reports.md defines every figure).
--
-- One function per report, each returning jsonb built here, so the API
-- (GET /v1/reports/{name}) and `planpipe report` print the same numbers.
-- All are STABLE and SECURITY INVOKER: as planpipe_app, row-level security
-- narrows them to the caller's projects; as the schema owner, all projects.
-- The one exception is planpipe_report_blocker_closure(), which walks the
-- blocking graph across projects the way the open-blockers rule (0005) does.
--
-- Shared definitions (docs/reports.md, "Definitions"):
--   * days and ISO weeks are UTC, like the history partitions; a window
--     [from, to] is inclusive: from 00:00 UTC to the end of `to`;
--   * done = a status of category done (done, accepted); open = todo or active;
--   * a story's completion is the first history row that takes it into done.
--     A story re-opened and finished again is not completed twice. A story
--     whose first done row is its insert (imported already finished) has no
--     observed completion and is left out of throughput and cycle time;
--   * event reports (throughput, cycle time) count an event in the project
--     where it happened (status_history.project_id); state reports (status
--     summary, blocked, cumulative flow, burndown, acceptance) count a story
--     in the project it is in now;
--   * an archived story counts until the moment it was archived.
--
-- The functions run with jit = off (compiling a plan costs more than these
-- queries take) and plan_cache_mode = force_custom_plan: a report runs once
-- per request, and its best plan depends on how many projects and stories it
-- covers, which a cached generic plan would only guess.

-- ---------------------------------------------------------------------------
-- Helpers
-- ---------------------------------------------------------------------------

-- A time as UTC ISO 8601 text: reports never depend on the session's TimeZone.
CREATE FUNCTION planpipe_report_ts(p_at timestamptz) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE
AS $$ SELECT to_char(p_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') $$;

-- The projects a report covers, in key order. NULL or an empty array: every
-- project the caller sees that is not archived (row-level security decides
-- what "sees" means). Named keys must all be visible: a project that does not
-- exist and one the caller may not see raise the same PP404, which names them.
CREATE FUNCTION planpipe_report_projects(p_keys text[])
RETURNS TABLE (id bigint, key text, name text)
LANGUAGE plpgsql STABLE SECURITY INVOKER SET search_path = public, pg_temp
AS $$
#variable_conflict use_column
DECLARE
    missing text;
BEGIN
    IF p_keys IS NULL OR cardinality(p_keys) = 0 THEN
        RETURN QUERY SELECT p.id, p.key, p.name FROM projects p
                     WHERE p.archived_at IS NULL ORDER BY p.key;
        RETURN;
    END IF;
    IF array_position(p_keys, NULL) IS NOT NULL THEN
        RAISE EXCEPTION 'a project key is NULL' USING ERRCODE = '22004', COLUMN = 'project';
    END IF;
    SELECT string_agg(u.k, ', ' ORDER BY u.k) INTO missing
    FROM (SELECT DISTINCT k FROM unnest(p_keys) AS k) AS u
    WHERE NOT EXISTS (SELECT FROM projects p WHERE p.key = u.k);
    IF missing IS NOT NULL THEN
        RAISE EXCEPTION 'no project %', missing USING ERRCODE = 'PP404', COLUMN = 'project';
    END IF;
    RETURN QUERY SELECT p.id, p.key, p.name FROM projects p
                 WHERE p.key = ANY (p_keys) ORDER BY p.key;
END
$$;

-- The report window [from, to] as a daterange (upper bound exclusive, i.e.
-- to + 1). Defaults: `to` is today (UTC); `from` is 29 days before `to`, or
-- for weekly reports the Monday 11 weeks before the week of `to` (12 whole
-- ISO weeks). Refuses infinite dates, from after to, and windows over 3660 days.
CREATE FUNCTION planpipe_report_window(p_from date, p_to date, p_weekly boolean)
RETURNS daterange
LANGUAGE plpgsql STABLE SET search_path = public, pg_temp
AS $$
DECLARE
    last_day date := coalesce(p_to, (now() AT TIME ZONE 'UTC')::date);
    first_day date := p_from;
BEGIN
    IF NOT isfinite(last_day) OR NOT isfinite(coalesce(first_day, last_day)) THEN
        RAISE EXCEPTION 'report windows need finite dates'
            USING ERRCODE = '22023', COLUMN = CASE WHEN isfinite(last_day) THEN 'from' ELSE 'to' END;
    END IF;
    IF first_day IS NULL THEN
        first_day := CASE WHEN p_weekly THEN date_trunc('week', last_day::timestamp)::date - 77
                          ELSE last_day - 29 END;
    END IF;
    IF first_day > last_day THEN
        RAISE EXCEPTION 'the window starts (%) after it ends (%)',
                to_char(first_day, 'YYYY-MM-DD'), to_char(last_day, 'YYYY-MM-DD')
            USING ERRCODE = '22023', COLUMN = 'from';
    END IF;
    IF last_day - first_day >= 3660 THEN
        RAISE EXCEPTION 'the window from % to % is longer than 3660 days',
                to_char(first_day, 'YYYY-MM-DD'), to_char(last_day, 'YYYY-MM-DD')
            USING ERRCODE = '22023', COLUMN = 'from';
    END IF;
    RETURN daterange(first_day, last_day, '[]');
END
$$;

-- {"n", "median", "p85", "p95"} of durations in days (NULLs ignored), the
-- percentiles interpolated (percentile_cont) and rounded to 0.01 day.
CREATE FUNCTION planpipe_report_stats(p_days double precision[]) RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT jsonb_build_object('n', s.n,
                              'median', trim_scale(round(s.p[1]::numeric, 2)),
                              'p85', trim_scale(round(s.p[2]::numeric, 2)),
                              'p95', trim_scale(round(s.p[3]::numeric, 2)))
    FROM (SELECT count(x) AS n,
                 percentile_cont(ARRAY[0.5, 0.85, 0.95]) WITHIN GROUP (ORDER BY x) AS p
          FROM unnest(p_days) AS x) AS s
$$;

-- A story by project and story key, or PP404 naming what is missing.
CREATE FUNCTION planpipe_report_story_id(p_project text, p_story text) RETURNS bigint
LANGUAGE plpgsql STABLE SECURITY INVOKER SET search_path = public, pg_temp
AS $$
DECLARE
    sid bigint;
BEGIN
    PERFORM FROM planpipe_report_projects(ARRAY[p_project]);
    SELECT s.id INTO sid FROM stories s JOIN projects p ON p.id = s.project_id
    WHERE p.key = p_project AND s.key = p_story;
    IF sid IS NULL THEN
        RAISE EXCEPTION 'no story %:%', p_project, p_story USING ERRCODE = 'PP404', COLUMN = 'story';
    END IF;
    RETURN sid;
END
$$;

-- ---------------------------------------------------------------------------
-- The open blockers of stories, transitively, across projects.
--
-- For each root story the caller may see: every blocking edge (story_id ->
-- depends_on_id) of its closure of open blockers (todo or active, not
-- archived; a closed blocker ends its branch), with the length of the walk
-- that reached it (an edge reached along several walks appears once per
-- length), and the blocker's details.
--
-- SECURITY DEFINER, like the open-blockers rule (0005): a story blocked by
-- another team's story is blocked whether or not the caller may see that
-- project. Blockers in projects the caller may not see come back with
-- visible = false and only their status (which the open-blockers error
-- already tells); key, title, points and times are NULL. Roots the caller
-- may not see are ignored. "May see" is planpipe_project_ids('viewer') when
-- planpipe.user_id is set; without it, everything for the schema owner in
-- psql, nothing for a login that is a member of planpipe_app (the API).
-- ---------------------------------------------------------------------------
CREATE FUNCTION planpipe_report_blocker_closure(p_roots bigint[])
RETURNS TABLE (root_id bigint, story_id bigint, depends_on_id bigint, depth integer,
               edge_created_at timestamptz, visible boolean, project_key text,
               story_key text, title text, status text, estimate_points numeric,
               open_since timestamptz)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp
SET jit = off SET plan_cache_mode = force_custom_plan
AS $$
#variable_conflict use_column
DECLARE
    seen bigint[];
    open_keys text[] := ARRAY(SELECT st.key FROM statuses st WHERE st.category IN ('todo', 'active'));
    -- the walk so far, one edge per (root, edge, distance), as parallel arrays
    w_root bigint[] := '{}';
    w_from bigint[] := '{}';
    w_to bigint[] := '{}';
    w_depth integer[] := '{}';
    w_created timestamptz[] := '{}';
    -- this step's (root, story) pairs, and the edges leaving them
    f_root bigint[];
    f_node bigint[];
    l_root bigint[];
    l_from bigint[];
    l_to bigint[];
    l_created timestamptz[];
    d integer := 0;
    opened jsonb;
BEGIN
    IF planpipe_setting_user_id() IS NOT NULL THEN
        seen := planpipe_project_ids('viewer');
    ELSIF pg_has_role(session_user, 'planpipe_app', 'MEMBER')
          AND NOT (SELECT r.rolsuper FROM pg_roles r WHERE r.rolname = session_user) THEN
        RETURN;
    END IF;
    SELECT array_agg(s.id), array_agg(s.id) INTO f_root, f_node
    FROM stories s WHERE s.id = ANY (p_roots) AND (seen IS NULL OR s.project_id = ANY (seen));
    -- Breadth first, one statement per step rather than a recursive query:
    -- the planner cannot estimate a recursive walk (it guesses ten times the
    -- first step) and would hash the whole edge table at every step; here
    -- each step is planned for its real frontier (story_dependencies_pkey).
    -- Blocking edges are acyclic (0005), so the walk ends; a cycle slipped in
    -- some other way (a data-only restore without triggers) fails, not loops.
    WHILE f_root IS NOT NULL LOOP
        d := d + 1;
        IF d > 1000 THEN
            RAISE EXCEPTION 'blocking chains longer than 1000 stories: is there a dependency cycle?'
                USING ERRCODE = '54001';
        END IF;
        SELECT array_agg(f.r), array_agg(e.story_id), array_agg(e.depends_on_id),
               array_agg(e.created_at)
        INTO l_root, l_from, l_to, l_created
        FROM unnest(f_root, f_node) AS f(r, n)
        JOIN story_dependencies e ON e.story_id = f.n AND e.kind = 'blocks'
        JOIN stories b ON b.id = e.depends_on_id
        WHERE b.archived_at IS NULL AND b.status = ANY (open_keys);
        EXIT WHEN l_root IS NULL;
        w_root := w_root || l_root;
        w_from := w_from || l_from;
        w_to := w_to || l_to;
        w_depth := w_depth || array_fill(d, ARRAY[cardinality(l_root)]);
        w_created := w_created || l_created;
        SELECT array_agg(x.r), array_agg(x.n) INTO f_root, f_node
        FROM (SELECT DISTINCT u.r, u.n FROM unnest(l_root, l_to) AS u(r, n)) AS x;
    END LOOP;

    -- When each first-step blocker last became open (its insert or a
    -- re-opening), as a map: a join would be planned on a guessed row count.
    SELECT jsonb_object_agg(x.story_id::text, x.at) INTO opened
    FROM (SELECT h.story_id, max(h.changed_at) AS at
          FROM status_history h
          WHERE h.story_id = ANY (ARRAY(SELECT DISTINCT u.t FROM unnest(w_to, w_depth) AS u(t, d)
                                        WHERE u.d = 1))
            AND h.to_status = ANY (open_keys)
            AND (h.from_status IS NULL OR NOT h.from_status = ANY (open_keys))
          GROUP BY h.story_id) AS x;

    RETURN QUERY
    WITH walk AS (
        -- the same edge may be reached twice at one distance (a diamond)
        SELECT DISTINCT u.root_id, u.story_id, u.depends_on_id, u.depth, u.created_at
        FROM unnest(w_root, w_from, w_to, w_depth, w_created)
             AS u(root_id, story_id, depends_on_id, depth, created_at)
    )
    SELECT w.root_id, w.story_id, w.depends_on_id, w.depth,
           -- the edge itself is visible to the caller when its story is the root
           CASE WHEN v.visible OR w.story_id = w.root_id THEN w.created_at END, v.visible,
           CASE WHEN v.visible THEN p.key END, CASE WHEN v.visible THEN b.key END,
           CASE WHEN v.visible THEN b.title END, b.status,
           CASE WHEN v.visible THEN b.estimate_points END,
           CASE WHEN v.visible AND w.depth = 1
                THEN (opened ->> w.depends_on_id::text)::timestamptz END
    FROM walk w
    JOIN stories b ON b.id = w.depends_on_id
    JOIN projects p ON p.id = b.project_id
    CROSS JOIN LATERAL (SELECT seen IS NULL OR b.project_id = ANY (seen) AS visible) AS v;
END
$$;

-- ---------------------------------------------------------------------------
-- status-summary: stories and points per status and category, per project
-- and in total. Archived stories are left out; points are estimate_points
-- (unestimated stories count as stories, with 0 points, and are counted).
-- ---------------------------------------------------------------------------
CREATE FUNCTION planpipe_report_status_summary(p_projects text[] DEFAULT NULL) RETURNS jsonb
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

    WITH counts AS MATERIALIZED (
        SELECT s.project_id, s.status, count(*) AS stories,
               coalesce(sum(s.estimate_points), 0) AS points,
               count(*) FILTER (WHERE s.estimate_points IS NULL) AS unestimated
        FROM stories s
        WHERE s.project_id = ANY (ids) AND s.archived_at IS NULL
        GROUP BY s.project_id, s.status
    ), grid AS MATERIALIZED (
        -- every project with every status, zeros included, so that tables
        -- line up; then the same for the total (project 0)
        SELECT pr.id AS project_id, st.key AS status, st.category, st.position,
               coalesce(c.stories, 0) AS stories, coalesce(c.points, 0) AS points,
               coalesce(c.unestimated, 0) AS unestimated
        FROM unnest(ids) AS pr(id)
        CROSS JOIN statuses st
        LEFT JOIN counts c ON c.project_id = pr.id AND c.status = st.key
        UNION ALL
        SELECT 0, st.key, st.category, st.position, coalesce(sum(c.stories), 0),
               coalesce(sum(c.points), 0), coalesce(sum(c.unestimated), 0)
        FROM statuses st LEFT JOIN counts c ON c.status = st.key
        GROUP BY st.key, st.category, st.position
    ), cats AS (
        SELECT x.project_id,
               jsonb_object_agg(x.category, jsonb_build_object('stories', x.stories,
                                                               'points', trim_scale(x.points))) AS body
        FROM (SELECT pr.id AS project_id, k.category,
                     coalesce(sum(g.stories), 0) AS stories, coalesce(sum(g.points), 0) AS points
              FROM (SELECT unnest(ids) UNION ALL SELECT 0) AS pr(id)
              CROSS JOIN unnest(ARRAY['todo', 'active', 'done', 'cancelled']) AS k(category)
              LEFT JOIN grid g ON g.project_id = pr.id AND g.category = k.category
              GROUP BY pr.id, k.category) AS x
        GROUP BY x.project_id
    ), blocks AS (
        SELECT g.project_id,
               jsonb_build_object(
                   'stories', sum(g.stories),
                   'points', trim_scale(sum(g.points)),
                   'unestimated', sum(g.unestimated),
                   'statuses', jsonb_agg(jsonb_build_object(
                                   'status', g.status, 'category', g.category,
                                   'stories', g.stories, 'points', trim_scale(g.points))
                               ORDER BY g.position, g.status)) AS body
        FROM grid g
        GROUP BY g.project_id
    )
    SELECT jsonb_build_object(
               'report', 'status-summary',
               'projects', to_jsonb(keys),
               'by_project', coalesce((SELECT jsonb_agg(jsonb_build_object('project', p.key, 'name', p.name)
                                                        || b.body || jsonb_build_object('categories', c.body)
                                                        ORDER BY p.key)
                                       FROM blocks b JOIN cats c ON c.project_id = b.project_id
                                       JOIN projects p ON p.id = b.project_id), '[]'),
               'total', (SELECT b.body || jsonb_build_object('categories', c.body)
                         FROM blocks b JOIN cats c ON c.project_id = b.project_id
                         WHERE b.project_id = 0))
    INTO result;
    RETURN result;
END
$$;

-- ---------------------------------------------------------------------------
-- blocked: open, unarchived stories of the projects that have at least one
-- open blocker (in any project), oldest blockage first, each with its
-- blocking chain: every transitive open blocker once, at the shortest
-- distance, with the stories of the chain it blocks directly.
--
-- blocked_since: the story has been blocked since the latest of (it last
-- became open, and the earliest of its direct open blockers started
-- blocking it: the later of the dependency's creation and that blocker last
-- becoming open). depth: the length of its longest chain of open blockers.
-- ---------------------------------------------------------------------------
CREATE FUNCTION planpipe_report_blocked(p_projects text[] DEFAULT NULL) RETURNS jsonb
LANGUAGE plpgsql STABLE SECURITY INVOKER SET search_path = public, pg_temp
SET jit = off SET plan_cache_mode = force_custom_plan
AS $$
DECLARE
    ids bigint[];
    keys text[];
    open_keys text[] := ARRAY(SELECT st.key FROM statuses st WHERE st.category IN ('todo', 'active'));
    roots bigint[];
    opened jsonb;
    result jsonb;
BEGIN
    SELECT coalesce(array_agg(p.id ORDER BY p.key), '{}'), coalesce(array_agg(p.key ORDER BY p.key), '{}')
    INTO ids, keys FROM planpipe_report_projects(p_projects) p;
    -- Candidates: open stories with a blocking edge (stories_project_id_status_idx,
    -- story_dependencies_pkey); the closure decides whether a blocker is open.
    roots := ARRAY(SELECT s.id FROM stories s
                   WHERE s.project_id = ANY (ids) AND s.status = ANY (open_keys)
                     AND s.archived_at IS NULL
                     AND EXISTS (SELECT FROM story_dependencies e
                                 WHERE e.story_id = s.id AND e.kind = 'blocks'));
    -- When each candidate last became open (its insert or a re-opening), as a
    -- map; the ids as an array let the planner see how many there are.
    SELECT jsonb_object_agg(x.story_id::text, x.at) INTO opened
    FROM (SELECT h.story_id, max(h.changed_at) AS at
          FROM status_history h
          WHERE h.story_id = ANY (roots) AND h.to_status = ANY (open_keys)
            AND (h.from_status IS NULL OR NOT h.from_status = ANY (open_keys))
          GROUP BY h.story_id) AS x;

    WITH c AS MATERIALIZED (
        SELECT * FROM planpipe_report_blocker_closure(roots)
    ), root AS MATERIALIZED (
        SELECT s.id, p.key AS project_key, s.key AS story_key, s.title, s.status,
               p.key || ':' || s.key AS label
        FROM stories s JOIN projects p ON p.id = s.project_id
        WHERE s.id = ANY (roots)
    ), node AS MATERIALIZED (
        -- each blocker once per root, at its shortest distance
        SELECT DISTINCT ON (c.root_id, c.depends_on_id) c.*,
               CASE WHEN c.visible THEN c.project_key || ':' || c.story_key ELSE '(hidden)' END AS label
        FROM c ORDER BY c.root_id, c.depends_on_id, c.depth
    ), blocks AS (
        -- the stories of the chain each blocker blocks directly
        SELECT c.root_id, c.depends_on_id, jsonb_agg(DISTINCT coalesce(m.label, r.label)) AS labels
        FROM c
        JOIN root r ON r.id = c.root_id
        LEFT JOIN node m ON m.root_id = c.root_id AND m.depends_on_id = c.story_id
        GROUP BY c.root_id, c.depends_on_id
    ), per_root AS (
        SELECT n.root_id,
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
    ), longest AS (
        SELECT c.root_id, max(c.depth) AS depth FROM c GROUP BY c.root_id
    ), story AS (
        SELECT r.*, greatest((opened ->> r.id::text)::timestamptz, x.first_blocked) AS blocked_since,
               l.depth, x.blockers
        FROM root r
        JOIN per_root x ON x.root_id = r.id
        JOIN longest l ON l.root_id = r.id
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
-- critical-path: the longest chain of open transitive blockers of one story
-- (story -> depends on -> ... ), the chain to finish first. Between chains
-- of the same length: the one whose last story sorts first by project and
-- story key, then the same one step back, and so on. points: the sum over
-- the chain's visible stories.
-- ---------------------------------------------------------------------------
CREATE FUNCTION planpipe_report_critical_path(p_project text, p_story text) RETURNS jsonb
LANGUAGE plpgsql STABLE SECURITY INVOKER SET search_path = public, pg_temp
SET jit = off SET plan_cache_mode = force_custom_plan
AS $$
DECLARE
    sid bigint := planpipe_report_story_id(p_project, p_story);
    result jsonb;
BEGIN
    WITH RECURSIVE c AS MATERIALIZED (
        SELECT * FROM planpipe_report_blocker_closure(ARRAY[sid])
    ), node AS (
        SELECT DISTINCT ON (c.depends_on_id) c.depends_on_id AS id, c.visible, c.project_key,
               c.story_key, c.title, c.status, c.estimate_points
        FROM c ORDER BY c.depends_on_id
    ), back (id, depth) AS (
        -- from the end of a longest chain back to the story: at each step a
        -- story one shorter that depends on the current one
        (SELECT n.id, c.depth FROM c JOIN node n ON n.id = c.depends_on_id
         ORDER BY c.depth DESC, n.project_key NULLS LAST, n.story_key NULLS LAST, n.id LIMIT 1)
        UNION ALL
        SELECT prev.id, b.depth - 1
        FROM back b
        CROSS JOIN LATERAL (
            SELECT n.id FROM c JOIN node n ON n.id = c.story_id
            WHERE c.depends_on_id = b.id AND c.depth = b.depth
            ORDER BY n.project_key NULLS LAST, n.story_key NULLS LAST, n.id LIMIT 1) AS prev
        WHERE b.depth > 1
    )
    SELECT jsonb_build_object(
               'report', 'critical-path',
               'project', p.key, 'story', s.key, 'title', s.title, 'status', s.status,
               'length', (SELECT count(*) FROM back),
               'open_blockers', (SELECT count(*) FROM node),
               'points', (SELECT trim_scale(coalesce(sum(n.estimate_points), 0))
                          FROM back b JOIN node n ON n.id = b.id),
               'path', (SELECT coalesce(jsonb_agg(jsonb_build_object(
                                   'depth', b.depth, 'project', n.project_key, 'key', n.story_key,
                                   'title', n.title, 'status', n.status, 'hidden', NOT n.visible,
                                   'points', trim_scale(n.estimate_points)) ORDER BY b.depth), '[]')
                        FROM back b JOIN node n ON n.id = b.id))
    INTO result
    FROM stories s JOIN projects p ON p.id = s.project_id
    WHERE s.id = sid;
    RETURN result;
END
$$;

-- ---------------------------------------------------------------------------
-- The completions inside a window: one row per story whose first done row
-- (not its insert) falls in [t0, t1), in the project where it happened.
-- status_history_project_id_changed_at_idx finds the window's done rows;
-- status_history_story_id_changed_at_idx proves each is the story's first.
-- A plain SQL function (no SET clause) so that PostgreSQL inlines it into the
-- report that calls it and plans the whole query: a function scan would be
-- guessed at 1,000 rows. It runs as the caller, under the caller's
-- search_path (the reports set theirs) and row-level security.
-- ---------------------------------------------------------------------------
CREATE FUNCTION planpipe_report_completions(p_ids bigint[], p_t0 timestamptz, p_t1 timestamptz)
RETURNS TABLE (story_id bigint, project_id bigint, done_at timestamptz)
LANGUAGE sql STABLE
AS $$
    SELECT h.story_id, h.project_id, h.changed_at
    FROM public.status_history h
    WHERE h.project_id = ANY (p_ids) AND h.changed_at >= p_t0 AND h.changed_at < p_t1
      AND h.to_status = ANY (ARRAY(SELECT st.key FROM public.statuses st WHERE st.category = 'done'))
      AND h.from_status IS NOT NULL
      AND NOT h.from_status = ANY (ARRAY(SELECT st.key FROM public.statuses st WHERE st.category = 'done'))
      AND NOT EXISTS (SELECT FROM public.status_history e
                      WHERE e.story_id = h.story_id AND e.changed_at <= h.changed_at
                        AND (e.changed_at, e.id) < (h.changed_at, h.id)
                        AND e.to_status = ANY (ARRAY(SELECT st.key FROM public.statuses st
                                                     WHERE st.category = 'done')))
$$;

-- ---------------------------------------------------------------------------
-- cycle-time: for the stories completed in the window, cycle time (first
-- active -> completion; only when the story was active before it was first
-- done) and lead time (stories.created_at -> completion), in days: n,
-- median, 85th and 95th percentile, overall, per project (where it was
-- completed), per epic of that project, and per ISO week of completion.
-- ---------------------------------------------------------------------------
CREATE FUNCTION planpipe_report_cycle_time(p_projects text[] DEFAULT NULL, p_from date DEFAULT NULL,
                                           p_to date DEFAULT NULL) RETURNS jsonb
LANGUAGE plpgsql STABLE SECURITY INVOKER SET search_path = public, pg_temp
SET jit = off SET plan_cache_mode = force_custom_plan
AS $$
DECLARE
    ids bigint[];
    keys text[];
    win daterange := planpipe_report_window(p_from, p_to, true);
    t0 timestamptz := lower(win)::timestamp AT TIME ZONE 'UTC';
    t1 timestamptz := upper(win)::timestamp AT TIME ZONE 'UTC';
    active_keys text[] := ARRAY(SELECT st.key FROM statuses st WHERE st.category = 'active');
    result jsonb;
BEGIN
    SELECT coalesce(array_agg(p.id ORDER BY p.key), '{}'), coalesce(array_agg(p.key ORDER BY p.key), '{}')
    INTO ids, keys FROM planpipe_report_projects(p_projects) p;

    WITH d AS MATERIALIZED (
        SELECT x.story_id, x.project_id, pr.key AS project_key, x.done_at, s.key, s.epic,
               date_trunc('week', x.done_at AT TIME ZONE 'UTC')::date AS week,
               extract(epoch FROM x.done_at - a.first_active)::double precision / 86400 AS cycle,
               extract(epoch FROM x.done_at - s.created_at)::double precision / 86400 AS lead
        FROM planpipe_report_completions(ids, t0, t1) x
        JOIN projects pr ON pr.id = x.project_id
        LEFT JOIN stories s ON s.id = x.story_id
        CROSS JOIN LATERAL (SELECT min(h.changed_at) AS first_active FROM status_history h
                            WHERE h.story_id = x.story_id AND h.to_status = ANY (active_keys)
                              AND h.changed_at <= x.done_at) AS a
    ), weeks AS (
        SELECT w::date AS week
        FROM generate_series(date_trunc('week', lower(win)::timestamp), (upper(win) - 1)::timestamp,
                             interval '1 week') AS w
    )
    SELECT jsonb_build_object(
        'report', 'cycle-time', 'from', lower(win), 'to', upper(win) - 1, 'projects', to_jsonb(keys),
        'overall', (SELECT jsonb_build_object('stories', count(*),
                                              'cycle_time', planpipe_report_stats(array_agg(d.cycle)),
                                              'lead_time', planpipe_report_stats(array_agg(d.lead)))
                    FROM d),
        'by_project', (SELECT coalesce(jsonb_agg(jsonb_build_object(
                                  'project', g.key, 'stories', g.n, 'cycle_time', g.cycle,
                                  'lead_time', g.lead) ORDER BY g.key), '[]')
                       FROM (SELECT pk.key, count(d.story_id) AS n,
                                    planpipe_report_stats(array_agg(d.cycle)) AS cycle,
                                    planpipe_report_stats(array_agg(d.lead)) AS lead
                             FROM unnest(keys) AS pk(key) LEFT JOIN d ON d.project_key = pk.key
                             GROUP BY pk.key) AS g),
        'by_epic', (SELECT coalesce(jsonb_agg(jsonb_build_object(
                               'project', g.project_key, 'epic', g.epic, 'stories', g.n,
                               'cycle_time', g.cycle, 'lead_time', g.lead)
                           ORDER BY g.project_key, g.epic NULLS LAST), '[]')
                    FROM (SELECT d.project_key, d.epic, count(*) AS n,
                                 planpipe_report_stats(array_agg(d.cycle)) AS cycle,
                                 planpipe_report_stats(array_agg(d.lead)) AS lead
                          FROM d GROUP BY d.project_key, d.epic) AS g),
        'by_week', (SELECT jsonb_agg(jsonb_build_object(
                               'week', to_char(g.week, 'IYYY-"W"IW'), 'starts_on', g.week,
                               'stories', g.n, 'cycle_time', g.cycle, 'lead_time', g.lead)
                           ORDER BY g.week)
                    FROM (SELECT w.week, count(d.story_id) AS n,
                                 planpipe_report_stats(array_agg(d.cycle)) AS cycle,
                                 planpipe_report_stats(array_agg(d.lead)) AS lead
                          FROM weeks w LEFT JOIN d ON d.week = w.week GROUP BY w.week) AS g),
        'stories', (SELECT coalesce(jsonb_agg(jsonb_build_object(
                               'project', d.project_key, 'key', d.key, 'epic', d.epic,
                               'done_at', planpipe_report_ts(d.done_at),
                               'cycle_days', trim_scale(round(d.cycle::numeric, 2)),
                               'lead_days', trim_scale(round(d.lead::numeric, 2)))
                           ORDER BY d.done_at, d.project_key, d.key), '[]')
                    FROM d))
    INTO result;
    RETURN result;
END
$$;

-- ---------------------------------------------------------------------------
-- throughput: stories and points completed per ISO week of the window, in
-- total and per project (where they were completed). A story counts once,
-- in the week it first reached done. Points are today's estimate_points; a
-- story the caller can no longer see (moved to a project it may not see)
-- counts with its points unknown, as unestimated.
-- ---------------------------------------------------------------------------
CREATE FUNCTION planpipe_report_throughput(p_projects text[] DEFAULT NULL, p_from date DEFAULT NULL,
                                           p_to date DEFAULT NULL) RETURNS jsonb
LANGUAGE plpgsql STABLE SECURITY INVOKER SET search_path = public, pg_temp
SET jit = off SET plan_cache_mode = force_custom_plan
AS $$
DECLARE
    ids bigint[];
    keys text[];
    win daterange := planpipe_report_window(p_from, p_to, true);
    t0 timestamptz := lower(win)::timestamp AT TIME ZONE 'UTC';
    t1 timestamptz := upper(win)::timestamp AT TIME ZONE 'UTC';
    result jsonb;
BEGIN
    SELECT coalesce(array_agg(p.id ORDER BY p.key), '{}'), coalesce(array_agg(p.key ORDER BY p.key), '{}')
    INTO ids, keys FROM planpipe_report_projects(p_projects) p;

    WITH d AS MATERIALIZED (
        SELECT pr.key AS project_key, date_trunc('week', x.done_at AT TIME ZONE 'UTC')::date AS week,
               s.estimate_points AS points
        FROM planpipe_report_completions(ids, t0, t1) x
        JOIN projects pr ON pr.id = x.project_id
        LEFT JOIN stories s ON s.id = x.story_id
    ), weeks AS (
        SELECT w::date AS week
        FROM generate_series(date_trunc('week', lower(win)::timestamp), (upper(win) - 1)::timestamp,
                             interval '1 week') AS w
    ), cells AS (
        SELECT w.week, pk.key, count(d.week) AS stories, coalesce(sum(d.points), 0) AS points
        FROM weeks w CROSS JOIN unnest(keys) AS pk(key)
        LEFT JOIN d ON d.week = w.week AND d.project_key = pk.key
        GROUP BY w.week, pk.key
    )
    SELECT jsonb_build_object(
        'report', 'throughput', 'from', lower(win), 'to', upper(win) - 1, 'projects', to_jsonb(keys),
        'total', (SELECT jsonb_build_object('stories', count(*),
                                            'points', trim_scale(coalesce(sum(d.points), 0)),
                                            'unestimated', count(*) FILTER (WHERE d.points IS NULL))
                  FROM d),
        'weeks', (SELECT coalesce(jsonb_agg(jsonb_build_object(
                             'week', to_char(g.week, 'IYYY-"W"IW'), 'starts_on', g.week,
                             'from', greatest(g.week, lower(win)),
                             'to', least(g.week + 6, upper(win) - 1),
                             'stories', g.stories, 'points', trim_scale(g.points),
                             'by_project', g.by_project)
                         ORDER BY g.week), '[]')
                  FROM (SELECT w.week, coalesce(sum(c.stories), 0) AS stories,
                               coalesce(sum(c.points), 0) AS points,
                               coalesce(jsonb_agg(jsonb_build_object('project', c.key, 'stories', c.stories,
                                                                     'points', trim_scale(c.points))
                                                  ORDER BY c.key) FILTER (WHERE c.key IS NOT NULL),
                                        '[]') AS by_project
                        FROM weeks w LEFT JOIN cells c ON c.week = w.week
                        GROUP BY w.week) AS g))
    INTO result;
    RETURN result;
END
$$;

-- ---------------------------------------------------------------------------
-- cumulative-flow: for each day of the window (up to today), the number of
-- stories of the projects in each category at the end of that day (UTC),
-- reconstructed exactly from status_history.
--
-- A story exists from its insert row, leaves at archived_at, and has at any
-- time T the from_status of its first history row at or after T (history
-- rows chain: each from_status is the previous to_status), or its current
-- status when it has not changed since T. So only history from the window's
-- start on is read (status_history_story_id_changed_at_idx, pruned to the
-- window's partitions and later): a story created before the window counts
-- with its status at that time. Counts go by the story's current project.
-- ---------------------------------------------------------------------------
CREATE FUNCTION planpipe_report_cumulative_flow(p_projects text[] DEFAULT NULL, p_from date DEFAULT NULL,
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
    t1 timestamptz := (last_day + 1)::timestamp AT TIME ZONE 'UTC';
    sids bigint[];
    result jsonb;
BEGIN
    SELECT coalesce(array_agg(p.id ORDER BY p.key), '{}'), coalesce(array_agg(p.key ORDER BY p.key), '{}')
    INTO ids, keys FROM planpipe_report_projects(p_projects) p;
    sids := ARRAY(SELECT s.id FROM stories s
                  WHERE s.project_id = ANY (ids) AND (s.archived_at IS NULL OR s.archived_at >= t0));

    WITH s AS MATERIALIZED (
        SELECT s.id, s.status, s.archived_at FROM stories s WHERE s.id = ANY (sids)
    ), h AS MATERIALIZED (
        -- the stories' ids as an array, so the planner knows how many it
        -- looks up (status_history_story_id_changed_at_idx for a few)
        SELECT h.story_id, h.changed_at, h.id, h.from_status, h.to_status
        FROM status_history h
        WHERE h.story_id = ANY (sids) AND h.changed_at >= t0
    ), first_change AS (
        SELECT DISTINCT ON (h.story_id) h.story_id, h.from_status
        FROM h ORDER BY h.story_id, h.changed_at, h.id
    ), first_after_archive AS (
        SELECT DISTINCT ON (h.story_id) h.story_id, h.from_status
        FROM h JOIN s ON s.id = h.story_id
        WHERE h.changed_at >= s.archived_at
        ORDER BY h.story_id, h.changed_at, h.id
    ), states AS MATERIALIZED (
        -- the status at the window's start (NULL: not yet inserted) and at the archive
        SELECT s.id, s.archived_at,
               CASE WHEN f.story_id IS NOT NULL THEN f.from_status ELSE s.status END AS at_start,
               CASE WHEN g.story_id IS NOT NULL THEN g.from_status ELSE s.status END AS at_archive
        FROM s
        LEFT JOIN first_change f ON f.story_id = s.id
        LEFT JOIN first_after_archive g ON g.story_id = s.id
    ), moves (day, from_status, to_status) AS (
        SELECT first_day - 1, NULL, st.at_start FROM states st WHERE st.at_start IS NOT NULL
        UNION ALL
        SELECT (h.changed_at AT TIME ZONE 'UTC')::date, h.from_status, h.to_status
        FROM h JOIN states st ON st.id = h.story_id
        WHERE h.changed_at < t1 AND (st.archived_at IS NULL OR h.changed_at < st.archived_at)
        UNION ALL
        SELECT (st.archived_at AT TIME ZONE 'UTC')::date, st.at_archive, NULL
        FROM states st WHERE st.archived_at < t1
    ), deltas AS (
        SELECT m.day, x.category, sum(x.n) AS n
        FROM moves m
        CROSS JOIN LATERAL (SELECT f.category, -1 FROM statuses f WHERE f.key = m.from_status
                            UNION ALL
                            SELECT t.category, 1 FROM statuses t WHERE t.key = m.to_status) AS x(category, n)
        GROUP BY m.day, x.category
    ), series AS (
        SELECT d::date AS day, c.category,
               sum(coalesce(x.n, 0)) OVER (PARTITION BY c.category ORDER BY d) AS n
        FROM generate_series((first_day - 1)::timestamp, last_day::timestamp, interval '1 day') AS d
        CROSS JOIN unnest(ARRAY['todo', 'active', 'done', 'cancelled']) AS c(category)
        LEFT JOIN deltas x ON x.day = d::date AND x.category = c.category
    )
    SELECT jsonb_build_object(
        'report', 'cumulative-flow', 'from', lower(win), 'to', upper(win) - 1, 'projects', to_jsonb(keys),
        'categories', jsonb_build_array('todo', 'active', 'done', 'cancelled'),
        'days', coalesce((SELECT jsonb_agg(jsonb_build_object('day', v.day) || v.counts ORDER BY v.day)
                          FROM (SELECT se.day, jsonb_object_agg(se.category, se.n) AS counts
                                FROM series se WHERE se.day >= first_day GROUP BY se.day) AS v), '[]'))
    INTO result;
    RETURN result;
END
$$;

-- ---------------------------------------------------------------------------
-- burndown (and burnup): the points of one backlog per day of the window
-- (default: the backlog's starts_on .. ends_on, else the last 30 days; up to
-- today). The scope is the stories now in the backlog that exist, are not
-- archived and not cancelled at the end of the day; of it, done is what is in
-- a done status, remaining the rest. added / removed: points entering /
-- leaving the scope that day (created or un-cancelled / cancelled or
-- archived); completed / reopened: points going into / out of done.
-- scope = yesterday's scope + added - removed. Points are today's estimates.
-- ---------------------------------------------------------------------------
CREATE FUNCTION planpipe_report_burndown(p_project text, p_backlog text, p_from date DEFAULT NULL,
                                         p_to date DEFAULT NULL) RETURNS jsonb
LANGUAGE plpgsql STABLE SECURITY INVOKER SET search_path = public, pg_temp
SET jit = off SET plan_cache_mode = force_custom_plan
AS $$
DECLARE
    bl backlogs%ROWTYPE;
    win daterange;
    first_day date;
    last_day date;
    t0 timestamptz;
    t1 timestamptz;
    sids bigint[];
    result jsonb;
BEGIN
    PERFORM FROM planpipe_report_projects(ARRAY[p_project]);
    SELECT b.* INTO bl FROM backlogs b JOIN projects p ON p.id = b.project_id
    WHERE p.key = p_project AND b.name = p_backlog;
    IF bl.id IS NULL THEN
        RAISE EXCEPTION 'no backlog "%" in project %', p_backlog, p_project
            USING ERRCODE = 'PP404', COLUMN = 'backlog';
    END IF;
    win := planpipe_report_window(coalesce(p_from, bl.starts_on), coalesce(p_to, bl.ends_on), false);
    first_day := lower(win);
    last_day := least(upper(win) - 1, (now() AT TIME ZONE 'UTC')::date);
    t0 := first_day::timestamp AT TIME ZONE 'UTC';
    t1 := (last_day + 1)::timestamp AT TIME ZONE 'UTC';

    sids := ARRAY(SELECT s.id FROM stories s
                  WHERE s.backlog_id = bl.id AND (s.archived_at IS NULL OR s.archived_at >= t0));

    WITH s AS MATERIALIZED (
        SELECT s.id, s.status, s.archived_at, coalesce(s.estimate_points, 0) AS points,
               s.estimate_points IS NULL AS unestimated
        FROM stories s WHERE s.id = ANY (sids)
    ), h AS MATERIALIZED (
        -- the stories' ids as an array, so the planner knows how many it
        -- looks up (status_history_story_id_changed_at_idx for a few)
        SELECT h.story_id, h.changed_at, h.id, h.from_status, h.to_status
        FROM status_history h
        WHERE h.story_id = ANY (sids) AND h.changed_at >= t0
    ), first_change AS (
        SELECT DISTINCT ON (h.story_id) h.story_id, h.from_status
        FROM h ORDER BY h.story_id, h.changed_at, h.id
    ), first_after_archive AS (
        SELECT DISTINCT ON (h.story_id) h.story_id, h.from_status
        FROM h JOIN s ON s.id = h.story_id
        WHERE h.changed_at >= s.archived_at
        ORDER BY h.story_id, h.changed_at, h.id
    ), states AS MATERIALIZED (
        SELECT s.id, s.archived_at, s.points, s.unestimated,
               CASE WHEN f.story_id IS NOT NULL THEN f.from_status ELSE s.status END AS at_start,
               CASE WHEN g.story_id IS NOT NULL THEN g.from_status ELSE s.status END AS at_archive
        FROM s
        LEFT JOIN first_change f ON f.story_id = s.id
        LEFT JOIN first_after_archive g ON g.story_id = s.id
    ), moves (day, points, from_status, to_status) AS (
        SELECT first_day - 1, st.points, NULL, st.at_start FROM states st WHERE st.at_start IS NOT NULL
        UNION ALL
        SELECT (h.changed_at AT TIME ZONE 'UTC')::date, st.points, h.from_status, h.to_status
        FROM h JOIN states st ON st.id = h.story_id
        WHERE h.changed_at < t1 AND (st.archived_at IS NULL OR h.changed_at < st.archived_at)
        UNION ALL
        SELECT (st.archived_at AT TIME ZONE 'UTC')::date, st.points, st.at_archive, NULL
        FROM states st WHERE st.archived_at < t1
    ), phases AS (
        -- the scope a status puts a story in: open, done, or out (NULL)
        SELECT m.day, m.points,
               CASE f.category WHEN 'todo' THEN 'open' WHEN 'active' THEN 'open' WHEN 'done' THEN 'done' END AS f,
               CASE t.category WHEN 'todo' THEN 'open' WHEN 'active' THEN 'open' WHEN 'done' THEN 'done' END AS t
        FROM moves m
        LEFT JOIN statuses f ON f.key = m.from_status
        LEFT JOIN statuses t ON t.key = m.to_status
    ), per_day AS (
        SELECT p.day,
               sum(p.points) FILTER (WHERE p.f IS NULL AND p.t IS NOT NULL) AS added,
               sum(p.points) FILTER (WHERE p.f IS NOT NULL AND p.t IS NULL) AS removed,
               sum(p.points) FILTER (WHERE p.f = 'open' AND p.t = 'done') AS completed,
               sum(p.points) FILTER (WHERE p.f = 'done' AND p.t = 'open') AS reopened,
               sum(p.points * ((p.t IS NOT DISTINCT FROM 'done')::int - (p.f IS NOT DISTINCT FROM 'done')::int)) AS done,
               sum(p.points * ((p.t IS NOT DISTINCT FROM 'open')::int - (p.f IS NOT DISTINCT FROM 'open')::int)) AS open
        FROM phases p
        GROUP BY p.day
    ), series AS (
        SELECT d::date AS day,
               coalesce(x.added, 0) AS added, coalesce(x.removed, 0) AS removed,
               coalesce(x.completed, 0) AS completed, coalesce(x.reopened, 0) AS reopened,
               sum(coalesce(x.done, 0)) OVER (ORDER BY d) AS done,
               sum(coalesce(x.open, 0)) OVER (ORDER BY d) AS remaining
        FROM generate_series((first_day - 1)::timestamp, last_day::timestamp, interval '1 day') AS d
        LEFT JOIN per_day x ON x.day = d::date
    )
    SELECT jsonb_build_object(
        'report', 'burndown', 'project', p_project, 'backlog', bl.name, 'kind', bl.kind,
        'starts_on', bl.starts_on, 'ends_on', bl.ends_on,
        'from', lower(win), 'to', upper(win) - 1,
        'unestimated', (SELECT count(*) FROM s WHERE s.unestimated),
        'scope_at_start', (SELECT trim_scale(se.done + se.remaining) FROM series se WHERE se.day = first_day - 1),
        'done_at_start', (SELECT trim_scale(se.done) FROM series se WHERE se.day = first_day - 1),
        'days', coalesce((SELECT jsonb_agg(jsonb_build_object(
                                  'day', se.day, 'scope', trim_scale(se.done + se.remaining),
                                  'added', trim_scale(se.added), 'removed', trim_scale(se.removed),
                                  'completed', trim_scale(se.completed), 'reopened', trim_scale(se.reopened),
                                  'done', trim_scale(se.done), 'remaining', trim_scale(se.remaining))
                              ORDER BY se.day)
                          FROM series se WHERE se.day >= first_day), '[]'))
    INTO result;
    RETURN result;
END
$$;

-- ---------------------------------------------------------------------------
-- acceptance: acceptance-criteria progress (checklist_done / checklist_total,
-- the checkboxes the importer counts) per epic of each project, per project
-- and in total. Archived and cancelled stories are left out. complete: the
-- stories with a checklist whose every box is ticked.
-- ---------------------------------------------------------------------------
CREATE FUNCTION planpipe_report_acceptance(p_projects text[] DEFAULT NULL) RETURNS jsonb
LANGUAGE plpgsql STABLE SECURITY INVOKER SET search_path = public, pg_temp
SET jit = off SET plan_cache_mode = force_custom_plan
AS $$
DECLARE
    ids bigint[];
    keys text[];
    live_keys text[] := ARRAY(SELECT st.key FROM statuses st WHERE st.category <> 'cancelled');
    result jsonb;
BEGIN
    SELECT coalesce(array_agg(p.id ORDER BY p.key), '{}'), coalesce(array_agg(p.key ORDER BY p.key), '{}')
    INTO ids, keys FROM planpipe_report_projects(p_projects) p;

    WITH g AS (
        SELECT pr.key AS project_key, s.epic, count(*) AS stories,
               count(*) FILTER (WHERE s.checklist_total > 0) AS with_checklist,
               sum(s.checklist_done) AS checklist_done, sum(s.checklist_total) AS checklist_total,
               count(*) FILTER (WHERE s.checklist_total > 0 AND s.checklist_done = s.checklist_total) AS complete,
               GROUPING(pr.key, s.epic) AS level
        FROM stories s JOIN projects pr ON pr.id = s.project_id
        WHERE s.project_id = ANY (ids) AND s.status = ANY (live_keys) AND s.archived_at IS NULL
        GROUP BY GROUPING SETS ((pr.key, s.epic), (pr.key), ())
    ), rows AS (
        SELECT g.project_key, g.epic, g.level,
               jsonb_build_object('stories', g.stories, 'with_checklist', g.with_checklist,
                                  'checklist_done', g.checklist_done, 'checklist_total', g.checklist_total,
                                  'percent', CASE WHEN g.checklist_total > 0
                                                  THEN round(100.0 * g.checklist_done / g.checklist_total, 1) END,
                                  'complete', g.complete) AS body
        FROM g
    )
    SELECT jsonb_build_object(
        'report', 'acceptance', 'projects', to_jsonb(keys),
        'by_epic', (SELECT coalesce(jsonb_agg(jsonb_build_object('project', r.project_key, 'epic', r.epic) || r.body
                                              ORDER BY r.project_key, r.epic NULLS LAST), '[]')
                    FROM rows r WHERE r.level = 0),
        'by_project', (SELECT coalesce(jsonb_agg(jsonb_build_object('project', pk.key) || coalesce(r.body,
                                                     jsonb_build_object('stories', 0, 'with_checklist', 0,
                                                                        'checklist_done', 0, 'checklist_total', 0,
                                                                        'percent', NULL, 'complete', 0))
                                                 ORDER BY pk.key), '[]')
                       FROM unnest(keys) AS pk(key) LEFT JOIN rows r ON r.project_key = pk.key AND r.level = 1),
        'total', coalesce((SELECT r.body FROM rows r WHERE r.level = 3),
                          jsonb_build_object('stories', 0, 'with_checklist', 0, 'checklist_done', 0,
                                             'checklist_total', 0, 'percent', NULL, 'complete', 0)))
    INTO result;
    RETURN result;
END
$$;

-- ---------------------------------------------------------------------------
-- Documentation and privileges. The reports are the API's (planpipe_app) and
-- the owner's; the helpers they call run as the caller, so planpipe_app may
-- execute those too.
-- ---------------------------------------------------------------------------
COMMENT ON FUNCTION planpipe_report_status_summary(text[]) IS
    'Report status-summary: stories and points per status and category, per project and total (docs/reports.md)';
COMMENT ON FUNCTION planpipe_report_blocked(text[]) IS
    'Report blocked: open stories with open blockers (any project), oldest blockage first, with chains';
COMMENT ON FUNCTION planpipe_report_critical_path(text, text) IS
    'Report critical-path: the longest chain of open transitive blockers of a story';
COMMENT ON FUNCTION planpipe_report_cycle_time(text[], date, date) IS
    'Report cycle-time: cycle and lead time of stories first completed in the window (median, p85, p95)';
COMMENT ON FUNCTION planpipe_report_throughput(text[], date, date) IS
    'Report throughput: stories and points first reaching done per ISO week';
COMMENT ON FUNCTION planpipe_report_cumulative_flow(text[], date, date) IS
    'Report cumulative-flow: stories per category at the end of each day, from status_history';
COMMENT ON FUNCTION planpipe_report_burndown(text, text, date, date) IS
    'Report burndown/burnup: a backlog''s scope, done and remaining points per day, scope changes apart';
COMMENT ON FUNCTION planpipe_report_acceptance(text[]) IS
    'Report acceptance: checklist_done / checklist_total per epic, per project and total';
COMMENT ON FUNCTION planpipe_report_blocker_closure(bigint[]) IS
    'Open transitive blockers of the given stories across projects; hidden projects masked (reports)';

DO $$
DECLARE
    f regprocedure;
BEGIN
    FOR f IN SELECT p.oid::regprocedure FROM pg_proc p
             WHERE p.pronamespace = 'public'::regnamespace AND p.proname LIKE 'planpipe\_report\_%'
    LOOP
        EXECUTE format('REVOKE EXECUTE ON FUNCTION %s FROM PUBLIC', f);
        EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO planpipe_app', f);
    END LOOP;
END
$$;
