-- 0014: one page of a story list, chosen with the caller's projects known.
--
-- The API's story lists (GET /v1/projects/{p}/stories, GET /v1/stories)
-- filter by status, category, backlog, labels, epic, priority, owner and
-- text, and page by id or, within a backlog, by (rank, id). As planpipe_app
-- their row-level security policy is `project_id = ANY (planpipe_project_ids())`,
-- an InitPlan whose array the planner does not know: it estimates a few
-- percent of the rows, and with filters whose operators are not LEAKPROOF
-- (@> on labels, @@ on text) it may not use their GIN indexes at all. At the
-- large benchmark scale a page of a big backlog after a cursor took 760 ms
-- (the backlog sorted instead of its index walked in order) and a page of
-- stories with a common label across three projects 50-270 ms.
--
-- planpipe_story_page() applies the same visibility itself, with the
-- caller's projects as a known array, and every filter, the order and the
-- limit in one dynamic statement planned for these values: the planner can
-- then walk an index in the page's order when matches are common, or use a
-- GIN index when they are rare. It returns the page's ids in order; the API
-- joins them back to stories, where the policies apply again.
CREATE FUNCTION planpipe_story_page(p_project_ids bigint[], p_statuses text[], p_categories text[],
                                    p_backlog_id bigint, p_labels text[], p_epics text[],
                                    p_priorities text[], p_owners text[], p_query tsquery,
                                    p_archived boolean, p_after_id bigint, p_after_rank numeric,
                                    p_by_rank boolean, p_limit integer)
RETURNS SETOF bigint
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp ROWS 50
AS $$
DECLARE
    visible bigint[] := planpipe_project_ids('viewer');
    q text := 'SELECT s.id FROM public.stories s WHERE s.project_id = ANY ($1)';
BEGIN
    IF p_project_ids IS NOT NULL THEN
        visible := ARRAY(SELECT unnest(visible) INTERSECT SELECT unnest(p_project_ids));
    END IF;
    -- Only the filters given, so that the statement is planned for them.
    IF p_statuses IS NOT NULL THEN q := q || ' AND s.status = ANY ($2)'; END IF;
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
    IF p_by_rank THEN
        IF p_after_id IS NOT NULL THEN q := q || ' AND (s.rank, s.id) > ($11, $10)'; END IF;
        q := q || ' ORDER BY s.rank, s.id';
    ELSE
        IF p_after_id IS NOT NULL THEN q := q || ' AND s.id > $10'; END IF;
        q := q || ' ORDER BY s.id';
    END IF;
    RETURN QUERY EXECUTE q || ' LIMIT $12'
        USING visible, p_statuses, p_categories, p_backlog_id,
              ARRAY(SELECT lower(btrim(l)) FROM unnest(p_labels) AS l), p_epics, p_priorities,
              p_owners, p_query, p_after_id, p_after_rank, p_limit;
END
$$;
REVOKE EXECUTE ON FUNCTION planpipe_story_page(bigint[], text[], text[], bigint, text[], text[], text[],
                                               text[], tsquery, boolean, bigint, numeric, boolean, integer)
    FROM PUBLIC;
GRANT EXECUTE ON FUNCTION planpipe_story_page(bigint[], text[], text[], bigint, text[], text[], text[],
                                              text[], tsquery, boolean, bigint, numeric, boolean, integer)
    TO planpipe_app;
COMMENT ON FUNCTION planpipe_story_page(bigint[], text[], text[], bigint, text[], text[], text[],
                                        text[], tsquery, boolean, bigint, numeric, boolean, integer) IS
    'Ids of one page of the caller''s stories matching the filters, in id or (rank, id) order after a cursor';
