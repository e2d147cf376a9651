-- 0032: a story list filtered by status in id order (GET /v1/stories?status=
-- ...&label=..., the API's default order without a backlog) walks an index
-- per project and status instead of the caller's whole projects (issue 16,
-- "the slow routes").
--
-- planpipe_story_page (0021) ran one statement over all the caller's
-- projects: the planner either walked stories_pkey in id order, filtering
-- every story of every project (5,715 rows removed for 51 at the large
-- scale), or took every story of the projects in that status and with that
-- label by a BitmapAnd and sorted them (1,200 heap pages for 51 rows):
-- 13-71 ms a page, 170 lists/s at 16 connections. Now, for each (project,
-- status) of the filter, the stories come in id order from
-- stories_project_id_status_idx, at most a page of each, a label checked in
-- the index, and the pages are merged: a few hundred index entries a page.
-- Other sorts, and filters without a status, keep 0021's statement.
--
-- stories_project_id_status_idx gains id as its last key column (the order
-- within a project and status) and labels among its included columns. It is
-- rebuilt under its own name rather than joined by a second index led by
-- (project_id, status), which the reports' plans would then choose between
-- (they read it index-only for the status summary, blocked candidates,
-- cumulative flow and acceptance; tests/sql/11_reports.sql).
CREATE INDEX stories_project_id_status_id_idx ON stories (project_id, status, id)
    INCLUDE (estimate_points, archived_at, updated_at, labels);
DROP INDEX stories_project_id_status_idx;
ALTER INDEX stories_project_id_status_id_idx RENAME TO stories_project_id_status_idx;

CREATE OR REPLACE FUNCTION planpipe_story_page(p_project_ids bigint[], p_statuses text[],
                                               p_categories text[], p_backlog_id bigint, p_labels text[], p_epics text[],
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
    q := '';
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
        IF p_sort <> 'id' THEN
            q := q || ' AND s.status = ANY (ARRAY(SELECT st.key FROM public.statuses st'
                   || ' WHERE lower(st.key) = ANY ($2)))';
        END IF;
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
    IF p_sort = 'id' AND p_statuses IS NOT NULL THEN
        -- In id order by status (GET /v1/stories?status=...): each project's
        -- stories of each status in id order from
        -- stories_project_id_status_idx, the other filters applied on the
        -- way, the first $12 of each merged. The walk is ordered by the
        -- index's whole key (project and status are fixed in it), so that
        -- no plan walks stories_pkey in id order instead.
        IF p_after_id IS NOT NULL THEN q := q || ' AND s.id > $10'; END IF;
        q := 'SELECT x.id, NULL::numeric FROM unnest($1) AS vp(pid),'
             || ' unnest(ARRAY(SELECT st.key FROM public.statuses st WHERE lower(st.key) = ANY ($2))) AS vs(st),'
             || ' LATERAL (SELECT s.id FROM public.stories s WHERE s.project_id = vp.pid AND s.status = vs.st'
             || q || ' ORDER BY s.project_id, s.status, s.id LIMIT $12) x ORDER BY x.id';
    ELSE
        q := 'SELECT s.id, ' || k || ' FROM public.stories s WHERE s.project_id = ANY ($1)' || q;
        IF p_sort = 'id' THEN
            IF p_after_id IS NOT NULL THEN q := q || ' AND s.id > $10'; END IF;
            q := q || ' ORDER BY s.id';
        ELSE
            IF p_after_id IS NOT NULL THEN
                q := q || ' AND (' || k || ', s.id) > ($11, $10)';
            END IF;
            q := q || ' ORDER BY ' || k || ', s.id';
        END IF;
    END IF;
    RETURN QUERY EXECUTE q || ' LIMIT $12'
        USING visible, ARRAY(SELECT lower(btrim(x)) FROM unnest(p_statuses) AS x), p_categories,
              p_backlog_id, ARRAY(SELECT lower(btrim(l)) FROM unnest(p_labels) AS l), p_epics,
              p_priorities, p_owners, p_query, p_after_id, p_after_key, p_limit, p_rank_min,
              p_rank_max;
END
$$;
