-- 0017: the words teams write. Status keys as teams spell them
-- ('in-progress', 'In Review', 'backlog'), a built-in vocabulary that maps
-- the common words to categories, a workflow per project (which statuses it
-- uses, their names and order), story keys in any case with slugs, priority
-- ranks, and history rows that come from git (docs/schema.md, docs/import.md).
--
-- A status word keeps one category across the installation: 'review' is
-- active wherever it is used, so reports that count by category stay one
-- join (docs/decisions.md, "Status words are global, workflows per project").

-- ---------------------------------------------------------------------------
-- Status keys as written; unique ignoring case.
-- ---------------------------------------------------------------------------
ALTER TABLE statuses DROP CONSTRAINT statuses_key_format;
ALTER TABLE statuses ADD CONSTRAINT statuses_key_format
    CHECK (key ~ '^[A-Za-z0-9]([A-Za-z0-9 _.''-]{0,62}[A-Za-z0-9])?$' AND key !~ '  ');
CREATE UNIQUE INDEX statuses_key_lower_key ON statuses (lower(key));

ALTER TABLE statuses ADD COLUMN blocked boolean NOT NULL DEFAULT false;
ALTER TABLE statuses ADD COLUMN is_default boolean NOT NULL DEFAULT false;
COMMENT ON COLUMN statuses.blocked IS
    'A story in this status is blocked (the blocked report lists it with its blockers)';
COMMENT ON COLUMN statuses.is_default IS
    'Part of the default workflow a new project starts with';
UPDATE statuses SET is_default = true;

-- ---------------------------------------------------------------------------
-- The vocabulary: common words and their categories, used when a project
-- first meets a word (on import, or a status added through the API without
-- a category).
-- ---------------------------------------------------------------------------
CREATE TABLE status_aliases (
    word      text PRIMARY KEY,
    category  text NOT NULL,
    blocked   boolean NOT NULL DEFAULT false,
    CONSTRAINT status_aliases_word_lower CHECK (word = lower(btrim(word)) AND word <> ''),
    CONSTRAINT status_aliases_category_check
        CHECK (category IN ('todo', 'active', 'done', 'cancelled'))
);
COMMENT ON TABLE status_aliases IS
    'Built-in vocabulary: a status word (lower case) and the category it means';

INSERT INTO status_aliases (word, category, blocked) VALUES
    ('backlog', 'todo', false), ('todo', 'todo', false), ('to do', 'todo', false),
    ('open', 'todo', false), ('new', 'todo', false), ('draft', 'todo', false),
    ('ready', 'todo', false), ('proposed', 'todo', false), ('icebox', 'todo', false),
    ('active', 'active', false), ('in-progress', 'active', false),
    ('in progress', 'active', false), ('in_progress', 'active', false),
    ('doing', 'active', false), ('started', 'active', false), ('wip', 'active', false),
    ('review', 'active', false), ('in-review', 'active', false),
    ('in review', 'active', false), ('testing', 'active', false),
    ('blocked', 'active', true),
    ('done', 'done', false), ('completed', 'done', false), ('complete', 'done', false),
    ('closed', 'done', false), ('resolved', 'done', false), ('shipped', 'done', false),
    ('accepted', 'done', false),
    ('cancelled', 'cancelled', false), ('canceled', 'cancelled', false),
    ('wontfix', 'cancelled', false), ('won''t do', 'cancelled', false),
    ('rejected', 'cancelled', false), ('obsolete', 'cancelled', false),
    ('duplicate', 'cancelled', false);

-- ---------------------------------------------------------------------------
-- Workflows: the statuses a project uses, with its names and order.
-- ---------------------------------------------------------------------------
CREATE TABLE project_statuses (
    project_id  bigint NOT NULL REFERENCES projects ON DELETE CASCADE,
    status      text NOT NULL REFERENCES statuses (key) ON DELETE RESTRICT,
    name        text NOT NULL,
    position    integer NOT NULL,
    PRIMARY KEY (project_id, status),
    CONSTRAINT project_statuses_name_length CHECK (btrim(name) <> '' AND length(name) <= 100),
    CONSTRAINT project_statuses_position_range CHECK (position >= 0)
);
COMMENT ON TABLE project_statuses IS
    'A project''s workflow: the statuses its stories may have, display name and board order';

-- Every existing project: the default workflow, and whatever its stories
-- and history already use.
INSERT INTO project_statuses (project_id, status, name, position)
SELECT p.id, s.key, s.key, s.position
FROM projects p CROSS JOIN statuses s
WHERE s.is_default
UNION
SELECT u.project_id, s.key, s.key, 1000 + s.position
FROM (SELECT DISTINCT project_id, status FROM stories
      UNION SELECT DISTINCT project_id, to_status FROM status_history) AS u(project_id, status)
JOIN statuses s ON s.key = u.status AND NOT s.is_default;

-- A new project starts with the default workflow. A row trigger, queued
-- as each project row is written, so that a statement that inserts a
-- project and then its stories (a CTE) finds the workflow when the stories'
-- foreign keys are checked. SECURITY DEFINER: the creator is not yet a
-- member when this runs.
CREATE FUNCTION planpipe_projects_default_workflow() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
AS $$
BEGIN
    INSERT INTO project_statuses (project_id, status, name, position)
    SELECT NEW.id, s.key, s.key, s.position
    FROM statuses s
    WHERE s.is_default
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$$;
CREATE TRIGGER projects_20_default_workflow AFTER INSERT ON projects
    FOR EACH ROW EXECUTE FUNCTION planpipe_projects_default_workflow();

-- A story's status must be in its project's workflow.
ALTER TABLE stories ADD CONSTRAINT stories_status_workflow_fkey
    FOREIGN KEY (project_id, status) REFERENCES project_statuses (project_id, status);

-- The status a word means in a project, as the importer and the API resolve
-- it: the project's own status (ignoring case), else a known status added
-- to the project's workflow, else a vocabulary word added as a new status
-- (spelled as written) and to the workflow. NULL when nothing knows the
-- word. Adding needs maintainer in the project when called by the API role
-- (the importer runs as the owner). Serialised per project.
CREATE FUNCTION planpipe_resolve_status(p_project_id bigint, p_word text) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
AS $$
DECLARE
    w text := btrim(p_word);
    found_key text;
    alias status_aliases;
BEGIN
    IF w IS NULL OR w = '' THEN
        RETURN NULL;
    END IF;
    SELECT ps.status INTO found_key FROM project_statuses ps
    WHERE ps.project_id = p_project_id AND lower(ps.status) = lower(w);
    IF found_key IS NOT NULL THEN
        RETURN found_key;
    END IF;

    -- An acting user (the API) needs maintainer; a login of the API's role
    -- with no acting user, nothing; the owner (the importer) may.
    IF planpipe_setting_user_id() IS NOT NULL THEN
        IF coalesce(planpipe_project_role(p_project_id) >= 'maintainer', false) IS NOT TRUE THEN
            RETURN NULL;
        END IF;
    ELSIF pg_has_role(session_user, 'planpipe_app', 'MEMBER')
          AND NOT (SELECT r.rolsuper FROM pg_roles r WHERE r.rolname = session_user) THEN
        RETURN NULL;
    END IF;
    PERFORM pg_advisory_xact_lock(1886154352, 4);

    SELECT s.key INTO found_key FROM statuses s WHERE lower(s.key) = lower(w);
    IF found_key IS NULL THEN
        SELECT * INTO alias FROM status_aliases a WHERE a.word = lower(w);
        IF alias.word IS NULL THEN
            RETURN NULL;
        END IF;
        INSERT INTO statuses (key, category, position, description, blocked)
        VALUES (w, alias.category,
                coalesce((SELECT max(position) FROM statuses), 0) + 10,
                'Added for the word teams write (' || alias.category || ')', alias.blocked)
        RETURNING key INTO found_key;
    END IF;
    INSERT INTO project_statuses (project_id, status, name, position)
    VALUES (p_project_id, found_key, found_key,
            coalesce((SELECT max(position) FROM project_statuses
                      WHERE project_id = p_project_id), 0) + 10)
    ON CONFLICT DO NOTHING;
    RETURN found_key;
END
$$;
COMMENT ON FUNCTION planpipe_resolve_status(bigint, text) IS
    'The status key a word means in a project, adding it from the vocabulary when new; NULL if unknown';

-- The category of a word through the vocabulary alone (for messages).
CREATE FUNCTION planpipe_status_alias_category(p_word text) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE
AS $$ SELECT category FROM status_aliases WHERE word = lower(btrim(p_word)) $$;

-- ---------------------------------------------------------------------------
-- Story keys as teams write them: any case, digits, '-', '_', '.', no dash
-- required; still no ':' (cross-project references) or '/' (URLs). Unique
-- per project ignoring case.
-- ---------------------------------------------------------------------------
ALTER TABLE stories DROP CONSTRAINT stories_key_format;
ALTER TABLE stories ADD CONSTRAINT stories_key_format
    CHECK (length(key) <= 64 AND key ~ '^[A-Za-z0-9][A-Za-z0-9._-]*$');
-- lower(key) first: an index led by project_id would compete with
-- stories_project_id_status_idx for a project's stories (the reports').
CREATE UNIQUE INDEX stories_lower_key_project_id_key ON stories (lower(key), project_id);

-- ---------------------------------------------------------------------------
-- Priority as a rank (1 = first) beside the level; the file's last_updated.
-- ---------------------------------------------------------------------------
ALTER TABLE stories ADD COLUMN priority_rank integer;
ALTER TABLE stories ADD CONSTRAINT stories_priority_rank_range
    CHECK (priority_rank BETWEEN 1 AND 1000000);
ALTER TABLE stories ADD COLUMN last_updated timestamptz;
COMMENT ON COLUMN stories.priority_rank IS 'Rank as the team numbers it, 1 = first; NULL when none';
COMMENT ON COLUMN stories.last_updated IS 'The story file''s own last_updated, as written (UTC when no zone)';
CREATE INDEX stories_project_id_priority_rank_idx ON stories (project_id, priority_rank)
    WHERE priority_rank IS NOT NULL;

-- ---------------------------------------------------------------------------
-- History from git: rows at the commits' times, with their authors and ids.
-- ---------------------------------------------------------------------------
ALTER TABLE status_history DROP CONSTRAINT status_history_source_check;
ALTER TABLE status_history ADD CONSTRAINT status_history_source_check
    CHECK (source IN ('api', 'import', 'sql', 'git'));
ALTER TABLE status_history ADD COLUMN commit_id text;
ALTER TABLE status_history ADD COLUMN actor text;
ALTER TABLE status_history ADD CONSTRAINT status_history_commit_id_format
    CHECK (commit_id ~ '^([0-9a-f]{40}|[0-9a-f]{64})$');
ALTER TABLE status_history ADD CONSTRAINT status_history_actor_length
    CHECK (length(actor) <= 300);
COMMENT ON COLUMN status_history.commit_id IS 'The git commit that made the change (source git)';
COMMENT ON COLUMN status_history.actor IS 'Who made the change outside planpipe: the commit''s author';

-- The importer writes a git-tracked story's history itself, at the commits'
-- times (SET LOCAL planpipe.history = 'external'); the triggers then write
-- nothing, and started_at/completed_at are the importer's to set as well.
-- Never for a login of the API's role: a session of the API must not be able
-- to write stories without history, or set their lifecycle by hand.
CREATE FUNCTION planpipe_setting_trusted_writer() RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT NOT pg_has_role(session_user, 'planpipe_app', 'MEMBER')
        OR (SELECT r.rolsuper FROM pg_roles r WHERE r.rolname = session_user)
$$;
CREATE FUNCTION planpipe_setting_history_external() RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT coalesce(current_setting('planpipe.history', true), '') = 'external'
       AND planpipe_setting_trusted_writer()
$$;

CREATE OR REPLACE FUNCTION planpipe_stories_history_insert() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
AS $$
BEGIN
    IF planpipe_setting_history_external() THEN
        RETURN NULL;
    END IF;
    INSERT INTO status_history (story_id, project_id, from_status, to_status,
                                changed_by, source, note)
    SELECT n.id, n.project_id, NULL, n.status,
           planpipe_setting_user_id(), planpipe_setting_source(), planpipe_setting_note()
    FROM new_rows n
    ORDER BY n.id;
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION planpipe_stories_history_update() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
AS $$
BEGIN
    IF planpipe_setting_history_external() THEN
        RETURN NULL;
    END IF;
    INSERT INTO status_history (story_id, project_id, from_status, to_status,
                                changed_by, source, note)
    SELECT n.id, n.project_id, o.status, n.status,
           planpipe_setting_user_id(), planpipe_setting_source(), planpipe_setting_note()
    FROM new_rows n JOIN old_rows o ON o.id = n.id
    WHERE o.status <> n.status
    ORDER BY n.id;
    RETURN NULL;
END
$$;

-- The lifecycle timestamps of 0004, except under planpipe.lifecycle =
-- 'client' (set only by planpipe_story_lifecycle_from_history below), when
-- an UPDATE's started_at and completed_at are taken as given.
CREATE OR REPLACE FUNCTION planpipe_stories_before_write() RETURNS trigger
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
        IF coalesce(current_setting('planpipe.lifecycle', true), '') = 'client'
           AND planpipe_setting_trusted_writer() THEN
            -- planpipe_story_lifecycle_from_history(): the history says.
            RETURN NEW;
        END IF;
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

-- started_at / completed_at from a story's whole history (the importer calls
-- it after writing git history): the first entry into an active or done
-- status, and the last entry into done while the story is done.
CREATE FUNCTION planpipe_story_lifecycle_from_history(p_story_ids bigint[]) RETURNS integer
LANGUAGE plpgsql SET search_path = public, pg_temp
AS $$
DECLARE
    n integer;
    saved_history text := coalesce(current_setting('planpipe.history', true), '');
BEGIN
    PERFORM set_config('planpipe.history', 'external', true);
    PERFORM set_config('planpipe.lifecycle', 'client', true);
    UPDATE stories s
    SET started_at = h.started,
        completed_at = CASE WHEN planpipe_status_category(s.status) = 'done' THEN h.completed END
    FROM (SELECT sh.story_id,
                 min(sh.changed_at) FILTER (WHERE st.category IN ('active', 'done')) AS started,
                 max(sh.changed_at) FILTER (WHERE st.category = 'done') AS completed
          FROM status_history sh JOIN statuses st ON st.key = sh.to_status
          WHERE sh.story_id = ANY (p_story_ids)
          GROUP BY sh.story_id) h
    WHERE s.id = h.story_id
      AND (s.started_at IS DISTINCT FROM h.started
           OR s.completed_at IS DISTINCT FROM
              CASE WHEN planpipe_status_category(s.status) = 'done' THEN h.completed END);
    GET DIAGNOSTICS n = ROW_COUNT;
    PERFORM set_config('planpipe.lifecycle', '', true);
    PERFORM set_config('planpipe.history', saved_history, true);
    RETURN n;
END
$$;

-- ---------------------------------------------------------------------------
-- Who sees and changes a workflow: members see it, maintainers change it
-- (the API's role; the owner, the importer, is not bound by row security).
-- ---------------------------------------------------------------------------
ALTER TABLE project_statuses ENABLE ROW LEVEL SECURITY;
CREATE POLICY project_statuses_select ON project_statuses FOR SELECT TO planpipe_app
    USING (project_id = ANY ((SELECT planpipe_project_ids('viewer'))::bigint[]));
CREATE POLICY project_statuses_insert ON project_statuses FOR INSERT TO planpipe_app
    WITH CHECK (project_id = ANY ((SELECT planpipe_project_ids('maintainer'))::bigint[]));
CREATE POLICY project_statuses_update ON project_statuses FOR UPDATE TO planpipe_app
    USING (project_id = ANY ((SELECT planpipe_project_ids('maintainer'))::bigint[]))
    WITH CHECK (project_id = ANY ((SELECT planpipe_project_ids('maintainer'))::bigint[]));
GRANT SELECT, UPDATE (name, position) ON project_statuses TO planpipe_app;
GRANT SELECT ON status_aliases TO planpipe_app;

-- ---------------------------------------------------------------------------
-- The workflow routes of the API (/v1/projects/{project}/statuses): each
-- one statement, under the caller's row security, answering JSON.
-- ---------------------------------------------------------------------------
CREATE FUNCTION planpipe_project_status_json(p_project_id bigint, p_status text) RETURNS json
LANGUAGE sql STABLE
AS $$
    SELECT json_build_object('key', ps.status, 'name', ps.name, 'category', s.category,
                             'position', ps.position, 'blocked', s.blocked,
                             'stories', (SELECT count(*) FROM stories st
                                         WHERE st.project_id = ps.project_id
                                           AND st.status = ps.status AND st.archived_at IS NULL))
    FROM project_statuses ps JOIN statuses s ON s.key = ps.status
    WHERE ps.project_id = p_project_id AND ps.status = p_status
$$;

CREATE FUNCTION planpipe_api_project_statuses(p_project text) RETURNS json
LANGUAGE sql STABLE
AS $$
    SELECT coalesce(json_agg(planpipe_project_status_json(ps.project_id, ps.status)
                             ORDER BY ps.position, ps.status), '[]')
    FROM project_statuses ps
    WHERE ps.project_id = (SELECT id FROM projects WHERE key = p_project)
$$;

-- Adds a status to a project's workflow: a word planpipe knows (its
-- category, if given, must agree), or a new one with the category given or
-- the vocabulary's. Returns the status key. SECURITY DEFINER (a new word is
-- also a new row of the global statuses), so it checks who calls: an acting
-- user (the API) needs maintainer, a login of the API's role with no acting
-- user nothing, the owner (`planpipe workflow add`) may.
CREATE FUNCTION planpipe_workflow_add(p_project_id bigint, p_key text, p_category text,
                                      p_name text, p_position integer) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
AS $$
DECLARE
    pkey text := (SELECT key FROM projects WHERE id = p_project_id);
    k text := btrim(p_key);
    known statuses;
    cat text;
BEGIN
    IF pkey IS NULL THEN
        RAISE EXCEPTION 'no project with id %', p_project_id USING ERRCODE = 'PP404';
    END IF;
    IF planpipe_setting_user_id() IS NOT NULL THEN
        IF coalesce(planpipe_project_role(p_project_id) >= 'maintainer', false) IS NOT TRUE THEN
            RAISE EXCEPTION 'changing the workflow of % needs maintainer', pkey
                USING ERRCODE = 'PP403';
        END IF;
    ELSIF NOT planpipe_setting_trusted_writer() THEN
        RAISE EXCEPTION 'changing a workflow needs an acting user' USING ERRCODE = 'PP403';
    END IF;
    SELECT * INTO known FROM statuses s WHERE lower(s.key) = lower(k);
    IF known.key IS NOT NULL THEN
        IF p_category IS NOT NULL AND p_category <> known.category THEN
            RAISE EXCEPTION 'status "%" is % wherever it is used: its category cannot be %',
                known.key, known.category, p_category
                USING ERRCODE = 'PP409', COLUMN = 'category';
        END IF;
        k := known.key;
    ELSE
        cat := coalesce(p_category, planpipe_status_alias_category(k));
        IF cat IS NULL THEN
            RAISE EXCEPTION '"%" is a new word: give its category (todo, active, done or cancelled)', k
                USING ERRCODE = 'PP422', COLUMN = 'category';
        END IF;
        PERFORM pg_advisory_xact_lock(1886154352, 4);
        INSERT INTO statuses (key, category, position, description, blocked)
        VALUES (k, cat, coalesce((SELECT max(position) FROM statuses), 0) + 10,
                'Added to project ' || pkey,
                coalesce((SELECT a.blocked FROM status_aliases a WHERE a.word = lower(k)), false));
    END IF;
    IF EXISTS (SELECT FROM project_statuses WHERE project_id = p_project_id AND status = k) THEN
        RAISE EXCEPTION 'project % already has status "%"', pkey, k
            USING ERRCODE = 'PP409', COLUMN = 'key';
    END IF;
    INSERT INTO project_statuses (project_id, status, name, position)
    VALUES (p_project_id, k, coalesce(nullif(btrim(p_name), ''), k),
            coalesce(p_position, (SELECT max(position) FROM project_statuses
                                  WHERE project_id = p_project_id) + 10, 10));
    RETURN k;
END
$$;

-- PL/pgSQL, not SQL: the answer is read by a statement of its own, which
-- sees the row the one before it wrote (a STABLE function called in the
-- same statement would read the statement's older snapshot).
CREATE FUNCTION planpipe_api_project_status_add(p_project text, p_key text, p_category text,
                                                p_name text, p_position integer) RETURNS json
LANGUAGE plpgsql
AS $$
DECLARE
    pid bigint := planpipe_api_project(p_project, 'maintainer');
    k text := planpipe_workflow_add(pid, p_key, p_category, p_name, p_position);
BEGIN
    RETURN planpipe_project_status_json(pid, k);
END
$$;

CREATE FUNCTION planpipe_api_project_status_patch(p_project text, p_status text, p_name text,
                                                  p_position integer) RETURNS json
LANGUAGE plpgsql
AS $$
DECLARE
    pid bigint := planpipe_api_project(p_project, 'maintainer');
    k text;
BEGIN
    SELECT ps.status INTO k FROM project_statuses ps
    WHERE ps.project_id = pid AND lower(ps.status) = lower(p_status);
    IF k IS NULL THEN
        RETURN planpipe_api_fail('PP404', format('project %s has no status "%s"', p_project, p_status));
    END IF;
    UPDATE project_statuses
    SET name = coalesce(nullif(btrim(p_name), ''), name), position = coalesce(p_position, position)
    WHERE project_id = pid AND status = k;
    RETURN planpipe_project_status_json(pid, k);
END
$$;
GRANT EXECUTE ON FUNCTION planpipe_api_project_statuses(text),
    planpipe_api_project_status_add(text, text, text, text, integer),
    planpipe_api_project_status_patch(text, text, text, integer) TO planpipe_app;
REVOKE EXECUTE ON FUNCTION planpipe_story_lifecycle_from_history(bigint[]) FROM PUBLIC;

-- A text as one URL path segment (RFC 3986: unreserved characters stay, every
-- other byte of its UTF-8 is %XX): Location headers of statuses such as
-- "In Review".
CREATE FUNCTION planpipe_url_segment(p text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
AS $$
    SELECT coalesce(string_agg(CASE WHEN b BETWEEN 48 AND 57 OR b BETWEEN 65 AND 90
                                      OR b BETWEEN 97 AND 122 OR b IN (45, 46, 95, 126)
                                    THEN chr(b) ELSE '%' || upper(lpad(to_hex(b), 2, '0')) END,
                               '' ORDER BY i), '')
    FROM (SELECT i, get_byte(convert_to(p, 'UTF8'), i) AS b
          FROM generate_series(0, octet_length(convert_to(p, 'UTF8')) - 1) AS i) AS bytes
$$;
