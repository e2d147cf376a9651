-- 0033: a story's search vector in a table of its own, story_search, so
-- that an update that leaves the title and body alone writes nothing to the
-- full-text index (issue 16; docs/decisions.md, "The search vector in a
-- table of its own").
--
-- 0031 stopped computing stories.search on such updates, but a status
-- change is not a HOT update (status is indexed), so every index of
-- stories still took an entry for the new row version, the GIN index of
-- search among them: a few hundred lexemes of an unchanged body. At the
-- large scale 500 status updates took 458-648 ms with that index and
-- 72-101 ms without it (triggers off). story_search is written when a
-- story is inserted (one statement for all the inserted rows) and when an
-- update changes its title, body or project (a row trigger whose WHEN
-- clause costs an update that changes neither nothing more). Both fire
-- whatever session_replication_role is, as 0031's trigger did.

-- No story may be written between the copy below and the triggers that
-- keep story_search afterwards (a story created in between would have no
-- vector): writes of stories wait for this migration (the copy and the
-- GIN index take minutes at a million stories), reads go on.
LOCK TABLE stories IN SHARE ROW EXCLUSIVE MODE;

CREATE TABLE story_search (
    story_id   bigint PRIMARY KEY REFERENCES stories ON DELETE CASCADE,
    project_id bigint NOT NULL REFERENCES projects ON DELETE CASCADE,
    search     tsvector NOT NULL
);
COMMENT ON TABLE story_search IS
    'A story''s full-text search vector, planpipe_story_search(title, body), kept by the stories triggers *_search';

INSERT INTO story_search (story_id, project_id, search)
SELECT id, project_id, coalesce(search, planpipe_story_search(title, body)) FROM stories;

CREATE INDEX story_search_search_idx ON story_search USING gin (search);

ALTER TABLE story_search ENABLE ROW LEVEL SECURITY;
CREATE POLICY story_search_select ON story_search FOR SELECT TO planpipe_app
    USING (project_id = ANY ((SELECT planpipe_project_ids('viewer'))::bigint[]));
GRANT SELECT ON story_search TO planpipe_app;

DROP TRIGGER stories_25_search ON stories;
DROP FUNCTION planpipe_stories_search();
ALTER TABLE stories DROP COLUMN search;

-- The inserted stories' vectors, in one statement.
CREATE FUNCTION planpipe_stories_search_insert() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
AS $$
BEGIN
    INSERT INTO story_search (story_id, project_id, search)
    SELECT n.id, n.project_id, planpipe_story_search(n.title, n.body) FROM new_rows n;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION planpipe_stories_search_insert() IS
    'Writes story_search for the stories a statement inserted';
CREATE TRIGGER stories_80_search_insert AFTER INSERT ON stories
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION planpipe_stories_search_insert();
ALTER TABLE stories ENABLE ALWAYS TRIGGER stories_80_search_insert;

-- A story whose title, body or project changed: its vector again.
CREATE FUNCTION planpipe_stories_search_update() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
AS $$
BEGIN
    UPDATE story_search
    SET project_id = NEW.project_id,
        search = CASE WHEN NEW.title IS DISTINCT FROM OLD.title OR NEW.body IS DISTINCT FROM OLD.body
                      THEN planpipe_story_search(NEW.title, NEW.body) ELSE search END
    WHERE story_id = NEW.id;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION planpipe_stories_search_update() IS
    'Writes story_search again for a story whose title, body or project an update changed';
CREATE TRIGGER stories_80_search_update AFTER UPDATE OF title, body, project_id ON stories
    FOR EACH ROW
    WHEN (OLD.title IS DISTINCT FROM NEW.title OR OLD.body IS DISTINCT FROM NEW.body
          OR OLD.project_id IS DISTINCT FROM NEW.project_id)
    EXECUTE FUNCTION planpipe_stories_search_update();
ALTER TABLE stories ENABLE ALWAYS TRIGGER stories_80_search_update;

CREATE OR REPLACE FUNCTION planpipe_search_story_ids(p_query tsquery DEFAULT NULL,
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
    IF p_query IS NOT NULL THEN
        q := q || ' AND s.id IN (SELECT x.story_id FROM public.story_search x WHERE x.search @@ $3)';
    END IF;
    IF p_labels IS NOT NULL THEN q := q || ' AND s.labels @> $4'; END IF;
    IF p_metadata IS NOT NULL THEN q := q || ' AND s.metadata @> $5'; END IF;
    RETURN QUERY EXECUTE q
        USING planpipe_project_ids('viewer'), p_project_ids, p_query,
              ARRAY(SELECT lower(btrim(l)) FROM unnest(p_labels) AS l), p_metadata;
END
$$;
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
    IF p_query IS NOT NULL THEN
        q := q || ' AND s.id IN (SELECT x.story_id FROM public.story_search x WHERE x.search @@ $9)';
    END IF;
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

-- 0014's page, which stays for its callers, searches the same way.
CREATE OR REPLACE FUNCTION planpipe_story_page(p_project_ids bigint[], p_statuses text[], p_categories text[],
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
    IF p_query IS NOT NULL THEN
        q := q || ' AND s.id IN (SELECT x.story_id FROM public.story_search x WHERE x.search @@ $9)';
    END IF;
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
