-- 0014: one page of a backlog in rank order, for the API's backlog lists.
--
-- Under row-level security the planner estimates the policy's
-- `project_id = ANY (planpipe_project_ids())` at a few percent of the rows
-- (the array is an InitPlan's, unknown when planning), so for a big backlog
-- it expects a few hundred visible stories and sorts them rather than walk
-- stories_backlog_id_rank_idx in order: on the large benchmark data set a
-- page after a cursor took 760 ms instead of 0.5 ms. Every story of a
-- backlog belongs to the backlog's project (stories_backlog_fkey), so the
-- policy holds for all of them or none: this function checks it once, for
-- the backlog's project, and then reads the page as the owner, in index
-- order. The API joins the ids back to stories, where the policies apply
-- again.
CREATE FUNCTION planpipe_backlog_page(p_backlog_id bigint, p_after_rank numeric, p_after_id bigint,
                                      p_limit integer, p_archived boolean DEFAULT false)
RETURNS SETOF bigint
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp ROWS 50
AS $$
BEGIN
    IF NOT EXISTS (SELECT FROM backlogs b
                   WHERE b.id = p_backlog_id AND planpipe_project_role(b.project_id) IS NOT NULL) THEN
        RETURN;
    END IF;
    -- Two statements, not one with `p_after_id IS NULL OR ...`: each plan
    -- stays an index range in order.
    IF p_after_id IS NULL THEN
        RETURN QUERY
            SELECT s.id FROM stories s
            WHERE s.backlog_id = p_backlog_id AND (p_archived OR s.archived_at IS NULL)
            ORDER BY s.rank, s.id LIMIT p_limit;
    ELSE
        RETURN QUERY
            SELECT s.id FROM stories s
            WHERE s.backlog_id = p_backlog_id AND (s.rank, s.id) > (p_after_rank, p_after_id)
              AND (p_archived OR s.archived_at IS NULL)
            ORDER BY s.rank, s.id LIMIT p_limit;
    END IF;
END
$$;
REVOKE EXECUTE ON FUNCTION planpipe_backlog_page(bigint, numeric, bigint, integer, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION planpipe_backlog_page(bigint, numeric, bigint, integer, boolean) TO planpipe_app;
COMMENT ON FUNCTION planpipe_backlog_page(bigint, numeric, bigint, integer, boolean) IS
    'Ids of one page of a backlog in (rank, id) order after a cursor, if the caller sees its project';
