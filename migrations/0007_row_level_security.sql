-- 0007: what the application role may see and change.
--
-- planpipe_app owns nothing and is subject to row-level security: it sees
-- only the projects where the acting user (planpipe.user_id) is a member,
-- writes only where the member's role allows, and everything when the user
-- is an admin. The schema owner is not subject to these policies.
--
--   viewer      read the project, its backlogs, stories, dependencies, history
--   developer   + create and edit stories, add and remove story dependencies
--   maintainer  + edit the project and its backlogs, project dependencies,
--                 members below owner
--   owner       + owners
-- Any enabled user may create a project (and becomes its owner); a member
-- may leave a project. Nothing is hard-deleted through the API: projects,
-- backlogs and stories are archived (archived_at).
--
-- Each policy calls planpipe_project_ids() inside a scalar subquery, so it
-- runs once per statement (an InitPlan), and the resulting
-- `project_id = ANY (...)` can be served by the project_id indexes.

ALTER TABLE projects             ENABLE ROW LEVEL SECURITY;
ALTER TABLE project_members      ENABLE ROW LEVEL SECURITY;
ALTER TABLE backlogs             ENABLE ROW LEVEL SECURITY;
ALTER TABLE stories              ENABLE ROW LEVEL SECURITY;
ALTER TABLE story_dependencies   ENABLE ROW LEVEL SECURITY;
ALTER TABLE project_dependencies ENABLE ROW LEVEL SECURITY;
ALTER TABLE status_history       ENABLE ROW LEVEL SECURITY;
-- No policy at all: only SECURITY DEFINER triggers touch the counters.
ALTER TABLE story_key_counters   ENABLE ROW LEVEL SECURITY;

-- projects -------------------------------------------------------------------
-- True while a project has no member at all. That happens only inside the
-- INSERT that creates it: the creator becomes owner in an AFTER trigger, and
-- the last owner cannot leave. SECURITY DEFINER: under the caller's policy
-- every invisible project would look member-less.
CREATE FUNCTION planpipe_project_is_new(p_project_id bigint) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$ SELECT NOT EXISTS (SELECT FROM project_members WHERE project_id = p_project_id) $$;

-- The second branch lets the creator's INSERT ... RETURNING through:
-- PostgreSQL checks RETURNING rows against this policy before the AFTER
-- trigger has made the creator owner.
CREATE POLICY projects_select ON projects FOR SELECT TO planpipe_app
    USING (id = ANY ((SELECT planpipe_project_ids('viewer'))::bigint[])
           OR (created_by = (SELECT planpipe_acting_user_id()) AND planpipe_project_is_new(id)));
CREATE POLICY projects_insert ON projects FOR INSERT TO planpipe_app
    WITH CHECK ((SELECT planpipe_acting_user_id()) IS NOT NULL);
CREATE POLICY projects_update ON projects FOR UPDATE TO planpipe_app
    USING (id = ANY ((SELECT planpipe_project_ids('maintainer'))::bigint[]))
    WITH CHECK (id = ANY ((SELECT planpipe_project_ids('maintainer'))::bigint[]));

-- project_members --------------------------------------------------------------
-- Maintainers manage members below owner; only owners touch owners.
CREATE POLICY project_members_select ON project_members FOR SELECT TO planpipe_app
    USING (project_id = ANY ((SELECT planpipe_project_ids('viewer'))::bigint[]));
CREATE POLICY project_members_insert ON project_members FOR INSERT TO planpipe_app
    WITH CHECK (project_id = ANY ((SELECT planpipe_project_ids('owner'))::bigint[])
                OR (role < 'owner'
                    AND project_id = ANY ((SELECT planpipe_project_ids('maintainer'))::bigint[])));
CREATE POLICY project_members_update ON project_members FOR UPDATE TO planpipe_app
    USING (project_id = ANY ((SELECT planpipe_project_ids('owner'))::bigint[])
           OR (role < 'owner'
               AND project_id = ANY ((SELECT planpipe_project_ids('maintainer'))::bigint[])))
    WITH CHECK (project_id = ANY ((SELECT planpipe_project_ids('owner'))::bigint[])
                OR (role < 'owner'
                    AND project_id = ANY ((SELECT planpipe_project_ids('maintainer'))::bigint[])));
CREATE POLICY project_members_delete ON project_members FOR DELETE TO planpipe_app
    USING (user_id = (SELECT planpipe_acting_user_id())
           OR project_id = ANY ((SELECT planpipe_project_ids('owner'))::bigint[])
           OR (role < 'owner'
               AND project_id = ANY ((SELECT planpipe_project_ids('maintainer'))::bigint[])));

-- backlogs -----------------------------------------------------------------------
CREATE POLICY backlogs_select ON backlogs FOR SELECT TO planpipe_app
    USING (project_id = ANY ((SELECT planpipe_project_ids('viewer'))::bigint[]));
CREATE POLICY backlogs_insert ON backlogs FOR INSERT TO planpipe_app
    WITH CHECK (project_id = ANY ((SELECT planpipe_project_ids('maintainer'))::bigint[]));
CREATE POLICY backlogs_update ON backlogs FOR UPDATE TO planpipe_app
    USING (project_id = ANY ((SELECT planpipe_project_ids('maintainer'))::bigint[]))
    WITH CHECK (project_id = ANY ((SELECT planpipe_project_ids('maintainer'))::bigint[]));

-- stories ------------------------------------------------------------------------
CREATE POLICY stories_select ON stories FOR SELECT TO planpipe_app
    USING (project_id = ANY ((SELECT planpipe_project_ids('viewer'))::bigint[]));
CREATE POLICY stories_insert ON stories FOR INSERT TO planpipe_app
    WITH CHECK (project_id = ANY ((SELECT planpipe_project_ids('developer'))::bigint[]));
-- WITH CHECK also covers a move to another project: developer in both.
CREATE POLICY stories_update ON stories FOR UPDATE TO planpipe_app
    USING (project_id = ANY ((SELECT planpipe_project_ids('developer'))::bigint[]))
    WITH CHECK (project_id = ANY ((SELECT planpipe_project_ids('developer'))::bigint[]));

-- story_dependencies ---------------------------------------------------------------
-- An edge is visible when either end is: the subqueries read stories under
-- the caller's own policy. Adding one needs developer on the dependent story
-- and sight of the story it depends on.
CREATE POLICY story_dependencies_select ON story_dependencies FOR SELECT TO planpipe_app
    USING (EXISTS (SELECT FROM stories s WHERE s.id = story_id)
           OR EXISTS (SELECT FROM stories s WHERE s.id = depends_on_id));
CREATE POLICY story_dependencies_insert ON story_dependencies FOR INSERT TO planpipe_app
    WITH CHECK (EXISTS (SELECT FROM stories s WHERE s.id = story_id
                          AND s.project_id = ANY ((SELECT planpipe_project_ids('developer'))::bigint[]))
                AND EXISTS (SELECT FROM stories s WHERE s.id = depends_on_id));
CREATE POLICY story_dependencies_update ON story_dependencies FOR UPDATE TO planpipe_app
    USING (EXISTS (SELECT FROM stories s WHERE s.id = story_id
                     AND s.project_id = ANY ((SELECT planpipe_project_ids('developer'))::bigint[])))
    WITH CHECK (EXISTS (SELECT FROM stories s WHERE s.id = story_id
                          AND s.project_id = ANY ((SELECT planpipe_project_ids('developer'))::bigint[]))
                AND EXISTS (SELECT FROM stories s WHERE s.id = depends_on_id));
CREATE POLICY story_dependencies_delete ON story_dependencies FOR DELETE TO planpipe_app
    USING (EXISTS (SELECT FROM stories s WHERE s.id = story_id
                     AND s.project_id = ANY ((SELECT planpipe_project_ids('developer'))::bigint[])));

-- project_dependencies ---------------------------------------------------------------
CREATE POLICY project_dependencies_select ON project_dependencies FOR SELECT TO planpipe_app
    USING (project_id = ANY ((SELECT planpipe_project_ids('viewer'))::bigint[])
           OR depends_on_project_id = ANY ((SELECT planpipe_project_ids('viewer'))::bigint[]));
CREATE POLICY project_dependencies_insert ON project_dependencies FOR INSERT TO planpipe_app
    WITH CHECK (project_id = ANY ((SELECT planpipe_project_ids('maintainer'))::bigint[])
                AND depends_on_project_id = ANY ((SELECT planpipe_project_ids('viewer'))::bigint[]));
CREATE POLICY project_dependencies_update ON project_dependencies FOR UPDATE TO planpipe_app
    USING (project_id = ANY ((SELECT planpipe_project_ids('maintainer'))::bigint[]))
    WITH CHECK (project_id = ANY ((SELECT planpipe_project_ids('maintainer'))::bigint[])
                AND depends_on_project_id = ANY ((SELECT planpipe_project_ids('viewer'))::bigint[]));
CREATE POLICY project_dependencies_delete ON project_dependencies FOR DELETE TO planpipe_app
    USING (project_id = ANY ((SELECT planpipe_project_ids('maintainer'))::bigint[]));

-- status_history -------------------------------------------------------------------
CREATE POLICY status_history_select ON status_history FOR SELECT TO planpipe_app
    USING (project_id = ANY ((SELECT planpipe_project_ids('viewer'))::bigint[]));

-- ---------------------------------------------------------------------------
-- Privileges. Row-level security narrows these; it never widens them.
-- ---------------------------------------------------------------------------
-- users: no secrets (token hash, e-mail) and no writes; user management is
-- the CLI's, as the schema owner.
GRANT SELECT (id, handle, display_name, is_admin, created_at, disabled_at) ON users TO planpipe_app;
GRANT SELECT ON statuses TO planpipe_app;
GRANT SELECT, INSERT, UPDATE ON projects, backlogs, stories TO planpipe_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON project_members, story_dependencies, project_dependencies
    TO planpipe_app;
-- History is written by triggers only; the API reads it.
GRANT SELECT ON status_history TO planpipe_app;

-- ---------------------------------------------------------------------------
-- Searching by label, front matter or text as planpipe_app.
--
-- Under row-level security PostgreSQL will not use an index for an operator
-- that is not LEAKPROOF (@> on arrays and jsonb, @@ on tsvector are not),
-- so `WHERE labels @> ...` scans the caller's projects instead of using the
-- GIN indexes. This function applies the same visibility itself (the
-- caller's projects, narrowed by p_project_ids) and runs as the owner, so
-- the GIN indexes serve it; the API joins its ids back to stories, where the
-- policies still apply:
--   SELECT ... FROM stories WHERE id IN (SELECT planpipe_search_story_ids($1, $2, $3))
-- ---------------------------------------------------------------------------
CREATE FUNCTION planpipe_search_story_ids(p_query tsquery DEFAULT NULL,
                                          p_labels text[] DEFAULT NULL,
                                          p_metadata jsonb DEFAULT NULL,
                                          p_project_ids bigint[] DEFAULT NULL)
RETURNS SETOF bigint
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp ROWS 100
AS $$
DECLARE
    q text := 'SELECT s.id FROM public.stories s WHERE s.project_id = ANY ($1)';
BEGIN
    IF p_query IS NULL AND p_labels IS NULL AND p_metadata IS NULL THEN
        RAISE EXCEPTION 'planpipe_search_story_ids needs a query, labels or metadata'
            USING ERRCODE = '22023';
    END IF;
    -- Only the filters given, so each call is planned for what it asks.
    IF p_project_ids IS NOT NULL THEN q := q || ' AND s.project_id = ANY ($2)'; END IF;
    IF p_query IS NOT NULL THEN q := q || ' AND s.search @@ $3'; END IF;
    IF p_labels IS NOT NULL THEN q := q || ' AND s.labels @> $4'; END IF;
    IF p_metadata IS NOT NULL THEN q := q || ' AND s.metadata @> $5'; END IF;
    RETURN QUERY EXECUTE q
        USING planpipe_project_ids('viewer'), p_project_ids, p_query,
              ARRAY(SELECT lower(btrim(l)) FROM unnest(p_labels) AS l), p_metadata;
END
$$;
COMMENT ON FUNCTION planpipe_search_story_ids(tsquery, text[], jsonb, bigint[]) IS
    'Ids of the caller''s stories matching text, labels and metadata, using the GIN indexes under RLS';
