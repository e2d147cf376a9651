-- 0021: what issue 15 left for the API (docs/api.md, docs/reports.md).
--
--   * Story lists filter by the numeric priority rank (priority_rank, 0017)
--     and sort by it or by the named priority; status filters match a
--     status as teams spell it, ignoring case ('In Review', 'in-progress').
--   * The blocked report lists the open stories in a status marked blocked
--     (statuses.blocked, 0017), not only those with open blockers.

-- ---------------------------------------------------------------------------
-- One page of a story list (0014's planpipe_story_page, which stays for its
-- callers), with two more filters and a sort:
--   p_rank_min, p_rank_max  priority_rank within [min, max] (unranked stories
--                           never match a bound)
--   p_sort                  'id'; 'rank' (the backlog's order); 'priority_rank'
--                           (1 first, unranked last); 'priority' (critical,
--                           high, medium, low, each by priority_rank, unranked
--                           last)
-- Each page is ordered by (sort_key, id), sort_key NULL for 'id'; the cursor
-- is the last row's (sort_key, id). The key of 'priority_rank' and
-- 'priority' is one number so that a cursor stays two fields: ranks are at
-- most 1,000,000 (stories_priority_rank_range), unranked is 2,000,000, and a
-- level counts 10,000,000.
-- ---------------------------------------------------------------------------
CREATE FUNCTION planpipe_story_sort_key(p_sort text, p_rank numeric, p_priority text,
                                        p_priority_rank integer) RETURNS numeric
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT CASE p_sort
        WHEN 'rank' THEN p_rank
        WHEN 'priority_rank' THEN coalesce(p_priority_rank, 2000000)::numeric
        WHEN 'priority' THEN (CASE p_priority WHEN 'critical' THEN 0 WHEN 'high' THEN 1
                                              WHEN 'medium' THEN 2 ELSE 3 END) * 10000000::numeric
                             + coalesce(p_priority_rank, 2000000)
    END
$$;
COMMENT ON FUNCTION planpipe_story_sort_key(text, numeric, text, integer) IS
    'The key a story list sorts by (then id): rank, priority_rank or priority; NULL for id order';

CREATE FUNCTION planpipe_story_page(p_project_ids bigint[], p_statuses text[], p_categories text[],
                                    p_backlog_id bigint, p_labels text[], p_epics text[],
                                    p_priorities text[], p_owners text[], p_query tsquery,
                                    p_archived boolean, p_after_id bigint, p_after_key numeric,
                                    p_sort text, p_limit integer, p_rank_min integer,
                                    p_rank_max integer)
RETURNS TABLE (id bigint, sort_key numeric)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp ROWS 50
AS $$
DECLARE
    visible bigint[] := planpipe_project_ids('viewer');
    k text;
    q text;
    missing text;
BEGIN
    IF p_sort IS NULL OR p_sort NOT IN ('id', 'rank', 'priority_rank', 'priority') THEN
        RAISE EXCEPTION 'sort must be id, rank, priority_rank or priority, not %', p_sort
            USING ERRCODE = '22023', COLUMN = 'sort';
    END IF;
    k := CASE p_sort WHEN 'id' THEN 'NULL::numeric' WHEN 'rank' THEN 's.rank'
         ELSE format('public.planpipe_story_sort_key(%L, NULL, s.priority, s.priority_rank)', p_sort) END;
    q := 'SELECT s.id, ' || k || ' FROM public.stories s WHERE s.project_id = ANY ($1)';
    IF p_project_ids IS NOT NULL THEN
        visible := ARRAY(SELECT unnest(visible) INTERSECT SELECT unnest(p_project_ids));
    END IF;
    -- Only the filters given, so that the statement is planned for them.
    IF p_statuses IS NOT NULL THEN
        -- A word no status has is a mistake to name, not an empty page.
        SELECT string_agg(DISTINCT x, ', ') INTO missing FROM unnest(p_statuses) AS x
        WHERE NOT EXISTS (SELECT FROM public.statuses st WHERE lower(st.key) = lower(btrim(x)));
        IF missing IS NOT NULL THEN
            RAISE EXCEPTION 'no status %', missing USING ERRCODE = 'PP422', COLUMN = 'status';
        END IF;
        q := q || ' AND s.status = ANY (ARRAY(SELECT st.key FROM public.statuses st'
               || ' WHERE lower(st.key) = ANY ($2)))';
    END IF;
    IF p_categories IS NOT NULL THEN
        q := q || ' AND s.status IN (SELECT st.key FROM public.statuses st WHERE st.category = ANY ($3))';
    END IF;
    IF p_backlog_id IS NOT NULL THEN q := q || ' AND s.backlog_id = $4'; END IF;
    IF p_labels IS NOT NULL THEN q := q || ' AND s.labels @> $5'; END IF;
    IF p_epics IS NOT NULL THEN q := q || ' AND s.epic = ANY ($6)'; END IF;
    IF p_priorities IS NOT NULL THEN q := q || ' AND s.priority = ANY ($7)'; END IF;
    IF p_owners IS NOT NULL THEN q := q || ' AND s.owner = ANY ($8)'; END IF;
    IF p_query IS NOT NULL THEN q := q || ' AND s.search @@ $9'; END IF;
    IF NOT coalesce(p_archived, false) THEN q := q || ' AND s.archived_at IS NULL'; END IF;
    IF p_rank_min IS NOT NULL THEN q := q || ' AND s.priority_rank >= $13'; END IF;
    IF p_rank_max IS NOT NULL THEN q := q || ' AND s.priority_rank <= $14'; END IF;
    IF p_sort = 'id' THEN
        IF p_after_id IS NOT NULL THEN q := q || ' AND s.id > $10'; END IF;
        q := q || ' ORDER BY s.id';
    ELSE
        IF p_after_id IS NOT NULL THEN
            q := q || ' AND (' || k || ', s.id) > ($11, $10)';
        END IF;
        q := q || ' ORDER BY ' || k || ', s.id';
    END IF;
    RETURN QUERY EXECUTE q || ' LIMIT $12'
        USING visible, ARRAY(SELECT lower(btrim(x)) FROM unnest(p_statuses) AS x), p_categories,
              p_backlog_id, ARRAY(SELECT lower(btrim(l)) FROM unnest(p_labels) AS l), p_epics,
              p_priorities, p_owners, p_query, p_after_id, p_after_key, p_limit, p_rank_min,
              p_rank_max;
END
$$;
REVOKE EXECUTE ON FUNCTION planpipe_story_page(bigint[], text[], text[], bigint, text[], text[], text[],
                                               text[], tsquery, boolean, bigint, numeric, text, integer,
                                               integer, integer)
    FROM PUBLIC;
GRANT EXECUTE ON FUNCTION planpipe_story_page(bigint[], text[], text[], bigint, text[], text[], text[],
                                              text[], tsquery, boolean, bigint, numeric, text, integer,
                                              integer, integer)
    TO planpipe_app;
COMMENT ON FUNCTION planpipe_story_page(bigint[], text[], text[], bigint, text[], text[], text[],
                                        text[], tsquery, boolean, bigint, numeric, text, integer,
                                        integer, integer) IS
    'One page of the caller''s stories matching the filters, with each row''s sort key, after a cursor';

-- ---------------------------------------------------------------------------
-- blocked: the stories with open blockers (0013's report, renamed) and the
-- open, unarchived stories whose status is marked blocked. Those have
-- depth 0 and no blockers unless they also have open blockers; their
-- blocked_since is when they last entered that status (their creation when
-- no history says). A story that is both comes once, blocked since the
-- earlier of the two. Oldest blockage first, then project and key, as before.
-- ---------------------------------------------------------------------------
ALTER FUNCTION planpipe_report_blocked(text[]) RENAME TO planpipe_report_blocked_by_dependency;
COMMENT ON FUNCTION planpipe_report_blocked_by_dependency(text[]) IS
    'The blocked report''s stories with open blockers (any project), with their chains';

CREATE FUNCTION planpipe_report_blocked(p_projects text[] DEFAULT NULL) RETURNS jsonb
LANGUAGE plpgsql STABLE SECURITY INVOKER SET search_path = public, pg_temp
SET jit = off SET plan_cache_mode = force_custom_plan
AS $$
DECLARE
    dep jsonb := planpipe_report_blocked_by_dependency(p_projects);
    ids bigint[];
    blocked_keys text[] := ARRAY(SELECT st.key FROM statuses st
                                 WHERE st.blocked AND st.category IN ('todo', 'active'));
    result jsonb;
BEGIN
    IF cardinality(blocked_keys) = 0 THEN
        RETURN dep;
    END IF;
    SELECT coalesce(array_agg(p.id), '{}') INTO ids FROM planpipe_report_projects(p_projects) p;

    WITH by_status AS (
        -- stories_project_id_status_cover_idx; the entry into the status from
        -- status_history_story_id_changed_at_idx
        SELECT p.key AS project, s.key, s.title, s.status,
               coalesce((SELECT max(h.changed_at) FROM status_history h
                         WHERE h.story_id = s.id AND h.to_status = s.status), s.created_at) AS since
        FROM stories s JOIN projects p ON p.id = s.project_id
        WHERE s.project_id = ANY (ids) AND s.status = ANY (blocked_keys) AND s.archived_at IS NULL
    ), by_dep AS (
        SELECT d.j, d.i, d.j->>'project' AS project, d.j->>'key' AS key
        FROM jsonb_array_elements(dep->'stories') WITH ORDINALITY AS d(j, i)
    ), merged AS (
        SELECT d.i, CASE WHEN b.key IS NULL THEN d.j
                    WHEN d.key IS NULL THEN
                        jsonb_build_object('project', b.project, 'key', b.key, 'title', b.title,
                                           'status', b.status,
                                           'blocked_since', planpipe_report_ts(b.since),
                                           'depth', 0, 'blockers', '[]'::jsonb)
                    ELSE jsonb_set(d.j, '{blocked_since}',
                                   to_jsonb(least(d.j->>'blocked_since', planpipe_report_ts(b.since))))
               END AS j
        FROM by_dep d FULL JOIN by_status b ON b.project = d.project AND b.key = d.key
    )
    SELECT jsonb_set(dep, '{stories}',
                     coalesce(jsonb_agg(m.j ORDER BY m.j->>'blocked_since', m.i, m.j->>'project',
                                                  m.j->>'key'),
                              '[]'))
    INTO result
    FROM merged m;
    RETURN result;
END
$$;
COMMENT ON FUNCTION planpipe_report_blocked(text[]) IS
    'Report blocked: open stories with open blockers (any project) or in a blocked status, oldest first';
REVOKE EXECUTE ON FUNCTION planpipe_report_blocked(text[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION planpipe_report_blocked(text[]) TO planpipe_app;
