-- 0004: stories, their keys, rank, labels and lifecycle timestamps.

-- Labels are a small set of lower-case words; planpipe_stories_before_write()
-- normalises them (trim, lower case, no duplicates, first occurrence order)
-- before this check sees them.
CREATE FUNCTION planpipe_labels_valid(p_labels text[]) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT cardinality(p_labels) <= 64
       AND (cardinality(p_labels) = 0 OR array_ndims(p_labels) = 1)
       AND NOT EXISTS (SELECT FROM unnest(p_labels) AS l
                       WHERE l IS NULL OR length(l) NOT BETWEEN 1 AND 64
                          OR l ~ '[[:space:][:cntrl:],]' OR l <> lower(l))
       AND cardinality(p_labels) = (SELECT count(DISTINCT l) FROM unnest(p_labels) AS l)
$$;

-- The number in a key of the form '<prefix>-<digits>', or NULL. INF-013 and
-- INF-13 both give 13: the counter is pushed past either spelling.
CREATE FUNCTION planpipe_story_key_number(p_prefix text, p_key text) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
AS $$
    SELECT CASE WHEN left(p_key, length(p_prefix) + 1) = p_prefix || '-'
                 AND substr(p_key, length(p_prefix) + 2) ~ '^[0-9]{1,18}$'
           THEN substr(p_key, length(p_prefix) + 2)::bigint END
$$;

CREATE TABLE stories (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    project_id       bigint NOT NULL REFERENCES projects ON DELETE CASCADE,
    backlog_id       bigint,
    -- NULL on insert asks for a generated key ('<story_key_prefix>-<n>').
    key              text NOT NULL,
    title            text NOT NULL,
    status           text NOT NULL DEFAULT 'draft' REFERENCES statuses ON DELETE RESTRICT,
    priority         text NOT NULL DEFAULT 'medium',
    estimate_points  numeric(8, 2),
    estimate_raw     text,
    epic             text,
    labels           text[] NOT NULL DEFAULT '{}',
    owner            text,
    author           text,
    branch_name      text,
    body             text NOT NULL DEFAULT '',
    checklist_total  integer NOT NULL DEFAULT 0,
    checklist_done   integer NOT NULL DEFAULT 0,
    source_path      text,
    source_blob_id   text,
    metadata         jsonb NOT NULL DEFAULT '{}',
    -- Position inside the backlog, ascending; NULL exactly when there is no
    -- backlog. numeric so a move can always take the midpoint of neighbours.
    rank             numeric,
    created_by       bigint REFERENCES users ON DELETE SET NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    started_at       timestamptz,
    completed_at     timestamptz,
    archived_at      timestamptz,
    version          integer NOT NULL DEFAULT 1,
    -- Only the first 100,000 characters of the body are indexed: a tsvector
    -- is limited to 1 MB and a story that long is rarely searched by its tail.
    search           tsvector GENERATED ALWAYS AS (
                         setweight(to_tsvector('english'::regconfig, title), 'A') ||
                         setweight(to_tsvector('english'::regconfig, left(body, 100000)), 'B')
                     ) STORED,
    CONSTRAINT stories_project_id_key_key UNIQUE (project_id, key),
    -- The backlog must belong to the story's project. ON DELETE SET NULL
    -- (backlog_id) clears only the backlog, never project_id (PostgreSQL 15).
    CONSTRAINT stories_backlog_fkey FOREIGN KEY (project_id, backlog_id)
        REFERENCES backlogs (project_id, id) ON DELETE SET NULL (backlog_id),
    -- INF-013, TOOL-001, PLAN-7, API-003-B: no ':' (cross-project references)
    -- and no '/' (URLs). Upper case so uniqueness is case-insensitive.
    CONSTRAINT stories_key_format
        CHECK (length(key) <= 64 AND key ~ '^[A-Z][A-Z0-9_]*(-[A-Z0-9_]+)+$'),
    CONSTRAINT stories_title_length CHECK (btrim(title) <> '' AND length(title) <= 500),
    CONSTRAINT stories_priority_check CHECK (priority IN ('critical', 'high', 'medium', 'low')),
    CONSTRAINT stories_estimate_points_range CHECK (estimate_points >= 0),
    CONSTRAINT stories_estimate_raw_length CHECK (btrim(estimate_raw) <> '' AND length(estimate_raw) <= 32),
    CONSTRAINT stories_epic_length CHECK (btrim(epic) <> '' AND length(epic) <= 100),
    CONSTRAINT stories_labels_valid CHECK (planpipe_labels_valid(labels)),
    CONSTRAINT stories_owner_length CHECK (btrim(owner) <> '' AND length(owner) <= 100),
    CONSTRAINT stories_author_length CHECK (btrim(author) <> '' AND length(author) <= 100),
    CONSTRAINT stories_branch_name_format
        CHECK (length(branch_name) BETWEEN 1 AND 255
               AND branch_name !~ '([[:space:][:cntrl:]~^:?*\\[]|\.\.|@\{|//|^[-/.]|[/.]$|\.lock$)'),
    CONSTRAINT stories_body_length CHECK (octet_length(body) <= 4194304),
    CONSTRAINT stories_checklist_range
        CHECK (checklist_total >= 0 AND checklist_done BETWEEN 0 AND checklist_total),
    CONSTRAINT stories_source_path_format
        CHECK (length(source_path) BETWEEN 1 AND 1024
               AND source_path !~ '^/' AND source_path !~ '(^|/)\.\.(/|$)'),
    CONSTRAINT stories_source_blob_id_format CHECK (source_blob_id ~ '^([0-9a-f]{40}|[0-9a-f]{64})$'),
    CONSTRAINT stories_metadata_object CHECK (jsonb_typeof(metadata) = 'object'),
    -- BETWEEN also rules out NaN and the infinities numeric allows.
    CONSTRAINT stories_rank_range CHECK (rank BETWEEN -1e15 AND 1e15),
    CONSTRAINT stories_rank_iff_backlog CHECK ((rank IS NULL) = (backlog_id IS NULL)),
    CONSTRAINT stories_completed_after_started CHECK (completed_at >= started_at),
    CONSTRAINT stories_version_positive CHECK (version > 0)
);

COMMENT ON TABLE stories IS 'User stories: one per story file, keyed per project (INF-013)';
COMMENT ON COLUMN stories.key IS 'Unique per project; generated from projects.story_key_prefix when inserted as NULL';
COMMENT ON COLUMN stories.estimate_points IS 'Estimate in points (3 for "3sp"); estimate_raw keeps the text';
COMMENT ON COLUMN stories.metadata IS 'Front-matter fields without a column of their own';
COMMENT ON COLUMN stories.rank IS 'Order inside the backlog (ascending, ties by id); NULL without backlog';
COMMENT ON COLUMN stories.started_at IS 'Set by trigger the first time the story enters an active status';
COMMENT ON COLUMN stories.completed_at IS 'Set by trigger on entering a done status, cleared on leaving it';
COMMENT ON COLUMN stories.version IS 'Incremented on every real change: the API''s ETag';

-- Query patterns (docs/schema.md justifies each):
-- stories of a project by status (lists, status-summary, board columns)
CREATE INDEX stories_project_id_status_idx ON stories (project_id, status);
-- a backlog in rank order; also serves ON DELETE of a backlog
CREATE INDEX stories_backlog_id_rank_idx ON stories (backlog_id, rank, id);
-- label filter: labels @> ARRAY['database']
CREATE INDEX stories_labels_idx ON stories USING gin (labels);
-- front-matter filter: metadata @> '{"layer": "api"}'
CREATE INDEX stories_metadata_idx ON stories USING gin (metadata jsonb_path_ops);
-- full-text search: search @@ websearch_to_tsquery('english', ...)
CREATE INDEX stories_search_idx ON stories USING gin (search);

-- ---------------------------------------------------------------------------
-- Row triggers. PostgreSQL fires triggers of the same kind in name order,
-- hence the numbers.
-- ---------------------------------------------------------------------------

-- Labels, rank, bookkeeping and the lifecycle timestamps.
--
-- started_at: set the first time the story enters an active status, kept
--   afterwards (re-opening does not move it).
-- completed_at: set on entering a done status from a non-done one, cleared on
--   leaving done (re-opening); done -> accepted keeps it.
-- Both belong to the database after insert: an UPDATE cannot set them. On
-- insert a client (the importer) may supply them for past work; a missing
-- one is filled from the status as above.
CREATE FUNCTION planpipe_stories_before_write() RETURNS trigger
LANGUAGE plpgsql
AS $$
DECLARE
    new_category text := planpipe_status_category(NEW.status);
    old_category text;
BEGIN
    NEW.labels := ARRAY(SELECT lower(btrim(l))
                        FROM unnest(NEW.labels) WITH ORDINALITY AS u(l, i)
                        WHERE btrim(l) <> ''
                        GROUP BY lower(btrim(l)) ORDER BY min(i));

    IF TG_OP = 'INSERT' THEN
        NEW.created_by := coalesce(planpipe_acting_user_id(), NEW.created_by);
        NEW.updated_at := now();
        NEW.version := 1;
        IF new_category = 'active' THEN
            NEW.started_at := coalesce(NEW.started_at, now());
        END IF;
        IF new_category = 'done' THEN
            NEW.completed_at := coalesce(NEW.completed_at, now());
        ELSE
            NEW.completed_at := NULL;
        END IF;
    ELSE
        NEW.created_at := OLD.created_at;
        -- created_by may only become NULL: that is the ON DELETE SET NULL of
        -- its user, and restoring it would leave a dangling reference.
        IF NEW.created_by IS NOT NULL THEN
            NEW.created_by := OLD.created_by;
        END IF;
        NEW.updated_at := now();
        NEW.version := OLD.version + 1;
        NEW.started_at := OLD.started_at;
        NEW.completed_at := OLD.completed_at;
        IF NEW.status <> OLD.status THEN
            old_category := planpipe_status_category(OLD.status);
            IF new_category = 'active' AND NEW.started_at IS NULL THEN
                NEW.started_at := now();
            END IF;
            IF new_category = 'done' AND old_category <> 'done' THEN
                NEW.completed_at := now();
            ELSIF new_category <> 'done' THEN
                NEW.completed_at := NULL;
            END IF;
        END IF;
    END IF;

    -- Rank: none outside a backlog; at the end of the backlog when a story
    -- arrives in one without an explicit rank. Concurrent arrivals may tie;
    -- readers order by (rank, id).
    IF NEW.backlog_id IS NULL THEN
        NEW.rank := NULL;
    ELSIF NEW.rank IS NULL
          OR (TG_OP = 'UPDATE' AND NEW.backlog_id IS DISTINCT FROM OLD.backlog_id
              AND NEW.rank IS NOT DISTINCT FROM OLD.rank) THEN
        NEW.rank := coalesce((SELECT max(rank) FROM stories WHERE backlog_id = NEW.backlog_id), 0) + 1;
    END IF;
    RETURN NEW;
END
$$;

-- Keys. A NULL key gets the next number of the project's counter; the
-- UPDATE ... RETURNING row-locks the counter until commit, so concurrent
-- inserts queue instead of reading the same number. An explicit key of the
-- form '<prefix>-<n>' (an imported INF-013) pushes the counter to n, under
-- the same lock, so a later generated key cannot collide with it.
-- SECURITY DEFINER: the application role has no access to the counters.
CREATE FUNCTION planpipe_stories_key() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
AS $$
DECLARE
    prefix text;
    n bigint;
BEGIN
    SELECT story_key_prefix INTO prefix FROM projects WHERE id = NEW.project_id;
    IF NOT FOUND THEN
        RETURN NEW;    -- the foreign key on project_id reports it
    END IF;
    IF NEW.key IS NULL THEN
        UPDATE story_key_counters SET last_number = last_number + 1
        WHERE project_id = NEW.project_id
        RETURNING last_number INTO n;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'project % has no story key counter', NEW.project_id
                USING ERRCODE = 'XX000';
        END IF;
        NEW.key := prefix || '-' || lpad(n::text, greatest(3, length(n::text)), '0');
    ELSE
        n := planpipe_story_key_number(prefix, NEW.key);
        IF n IS NOT NULL THEN
            UPDATE story_key_counters SET last_number = n
            WHERE project_id = NEW.project_id AND last_number < n;
        END IF;
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER stories_10_skip_noop BEFORE UPDATE ON stories
    FOR EACH ROW EXECUTE FUNCTION suppress_redundant_updates_trigger();
CREATE TRIGGER stories_20_write BEFORE INSERT OR UPDATE ON stories
    FOR EACH ROW EXECUTE FUNCTION planpipe_stories_before_write();
CREATE TRIGGER stories_30_key BEFORE INSERT OR UPDATE OF key, project_id ON stories
    FOR EACH ROW EXECUTE FUNCTION planpipe_stories_key();

-- A project's new story_key_prefix may already be in use by its stories
-- (imported before the change): push the counter past them. It never goes
-- back, so a number is never handed out twice.
CREATE FUNCTION planpipe_projects_prefix_changed() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
AS $$
BEGIN
    UPDATE story_key_counters c
    SET last_number = greatest(c.last_number,
            coalesce((SELECT max(planpipe_story_key_number(NEW.story_key_prefix, s.key))
                      FROM stories s WHERE s.project_id = NEW.id), 0))
    WHERE c.project_id = NEW.id;
    RETURN NULL;
END
$$;
CREATE TRIGGER projects_50_prefix_changed AFTER UPDATE OF story_key_prefix ON projects
    FOR EACH ROW WHEN (OLD.story_key_prefix IS DISTINCT FROM NEW.story_key_prefix)
    EXECUTE FUNCTION planpipe_projects_prefix_changed();
