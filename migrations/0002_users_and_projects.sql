-- 0002: users, projects, project membership, backlogs, and the access helpers
-- that row-level security (0007) is written with.

-- ---------------------------------------------------------------------------
-- users
-- ---------------------------------------------------------------------------
CREATE TABLE users (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    handle          text NOT NULL,
    display_name    text NOT NULL DEFAULT '',
    email           text,
    -- SHA-256 of the API token's UTF-8 bytes; the token itself is shown once
    -- and never stored. NULL: the user has no token (cannot use the API).
    api_token_hash  bytea,
    is_admin        boolean NOT NULL DEFAULT false,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    disabled_at     timestamptz,
    version         integer NOT NULL DEFAULT 1,
    -- Lower case only, so uniqueness is case-insensitive and handles are safe
    -- in URLs (PUT /v1/projects/{project}/members/{handle}).
    CONSTRAINT users_handle_format CHECK (handle ~ '^[a-z0-9][a-z0-9_.-]{0,38}$'),
    CONSTRAINT users_display_name_length CHECK (length(display_name) <= 200),
    CONSTRAINT users_email_format
        CHECK (length(email) <= 320 AND email ~ '^[^@[:space:]]+@[^@[:space:]]+$'),
    CONSTRAINT users_api_token_hash_sha256 CHECK (octet_length(api_token_hash) = 32),
    CONSTRAINT users_version_positive CHECK (version > 0)
);
CREATE UNIQUE INDEX users_handle_key ON users (handle);
CREATE UNIQUE INDEX users_email_key ON users (lower(email));
-- Authentication: every API request looks its caller up by token hash.
CREATE UNIQUE INDEX users_api_token_hash_key ON users (api_token_hash);

COMMENT ON TABLE users IS 'People and agents that use planpipe; disabled, never deleted once they have history';
COMMENT ON COLUMN users.api_token_hash IS 'sha256(convert_to(token, ''UTF8'')): 32 bytes';

CREATE TRIGGER users_10_skip_noop BEFORE UPDATE ON users
    FOR EACH ROW EXECUTE FUNCTION suppress_redundant_updates_trigger();
CREATE TRIGGER users_20_init BEFORE INSERT ON users
    FOR EACH ROW EXECUTE FUNCTION planpipe_init_row();
CREATE TRIGGER users_20_touch BEFORE UPDATE ON users
    FOR EACH ROW EXECUTE FUNCTION planpipe_touch_row();

-- ---------------------------------------------------------------------------
-- projects
-- ---------------------------------------------------------------------------
CREATE TABLE projects (
    id                      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    key                     text NOT NULL,
    name                    text NOT NULL,
    description             text NOT NULL DEFAULT '',
    -- Generated story keys are '<story_key_prefix>-<n>' (e.g. INF-014); it is
    -- the project key unless the project's story files use another prefix.
    story_key_prefix        text NOT NULL,
    git_remote_url          text,
    git_submodule_path      text,
    git_default_branch      text NOT NULL DEFAULT 'main',
    git_stories_dir         text,
    git_last_synced_commit  text,
    git_last_synced_at      timestamptz,
    metadata                jsonb NOT NULL DEFAULT '{}',
    created_by              bigint REFERENCES users ON DELETE SET NULL,
    created_at              timestamptz NOT NULL DEFAULT now(),
    updated_at              timestamptz NOT NULL DEFAULT now(),
    archived_at             timestamptz,
    version                 integer NOT NULL DEFAULT 1,
    CONSTRAINT projects_key_key UNIQUE (key),
    -- No ':' (OTHER:API-003 names a story of project OTHER), no '/' (URLs).
    CONSTRAINT projects_key_format CHECK (key ~ '^[A-Z][A-Z0-9_]{0,19}$'),
    CONSTRAINT projects_story_key_prefix_format
        CHECK (story_key_prefix ~ '^[A-Z][A-Z0-9_]{0,19}$'),
    CONSTRAINT projects_name_length CHECK (btrim(name) <> '' AND length(name) <= 200),
    CONSTRAINT projects_description_length CHECK (length(description) <= 20000),
    CONSTRAINT projects_git_remote_url_format
        CHECK (length(git_remote_url) <= 2048 AND git_remote_url !~ '[[:space:]]'),
    -- Paths inside the planning repository: relative, never climbing out.
    CONSTRAINT projects_git_submodule_path_format
        CHECK (length(git_submodule_path) <= 1024
               AND git_submodule_path !~ '^/' AND git_submodule_path !~ '(^|/)\.\.(/|$)'),
    CONSTRAINT projects_git_stories_dir_format
        CHECK (length(git_stories_dir) <= 1024
               AND git_stories_dir !~ '^/' AND git_stories_dir !~ '(^|/)\.\.(/|$)'),
    -- The subset of git-check-ref-format rules that matter for a branch name.
    CONSTRAINT projects_git_default_branch_format
        CHECK (length(git_default_branch) BETWEEN 1 AND 255
               AND git_default_branch !~ '([[:space:][:cntrl:]~^:?*\\[]|\.\.|@\{|//|^[-/.]|[/.]$|\.lock$)'),
    -- SHA-1 or SHA-256 object name, lower-case hex as git prints it.
    CONSTRAINT projects_git_last_synced_commit_format
        CHECK (git_last_synced_commit ~ '^([0-9a-f]{40}|[0-9a-f]{64})$'),
    CONSTRAINT projects_metadata_object CHECK (jsonb_typeof(metadata) = 'object'),
    CONSTRAINT projects_version_positive CHECK (version > 0)
);

COMMENT ON TABLE projects IS 'A planning project (often a git submodule of the planning repository)';
COMMENT ON COLUMN projects.key IS 'Short unique key used in URLs and cross-project references (PLAN, OTHER:API-003)';
COMMENT ON COLUMN projects.story_key_prefix IS 'Prefix of generated story keys; defaults to key';
COMMENT ON COLUMN projects.git_stories_dir IS 'Directory of the story files inside the repository; NULL is the root';

-- ---------------------------------------------------------------------------
-- project_members
-- ---------------------------------------------------------------------------
-- An enum because the roles are fixed and ordered: role >= 'developer' reads
-- as "developer or better".
CREATE TYPE member_role AS ENUM ('viewer', 'developer', 'maintainer', 'owner');

CREATE TABLE project_members (
    project_id  bigint NOT NULL REFERENCES projects ON DELETE CASCADE,
    user_id     bigint NOT NULL REFERENCES users ON DELETE CASCADE,
    role        member_role NOT NULL DEFAULT 'viewer',
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (project_id, user_id)
);
-- Membership by user: the projects a caller may see (row-level security).
CREATE INDEX project_members_user_id_idx ON project_members (user_id, project_id) INCLUDE (role);

COMMENT ON TABLE project_members IS 'Who may do what in a project: owner > maintainer > developer > viewer';

CREATE FUNCTION planpipe_members_touch() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    NEW.created_at := OLD.created_at;
    NEW.updated_at := now();
    RETURN NEW;
END
$$;
CREATE TRIGGER project_members_10_skip_noop BEFORE UPDATE ON project_members
    FOR EACH ROW EXECUTE FUNCTION suppress_redundant_updates_trigger();
CREATE TRIGGER project_members_20_touch BEFORE UPDATE ON project_members
    FOR EACH ROW EXECUTE FUNCTION planpipe_members_touch();

-- A project always keeps an owner. The project row is locked so that two
-- owners removing each other concurrently cannot both succeed. When the
-- project itself is being deleted (cascade) there is nothing to protect.
CREATE FUNCTION planpipe_keep_an_owner() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
AS $$
BEGIN
    IF OLD.role <> 'owner' OR (TG_OP = 'UPDATE' AND NEW.role = 'owner'
                                AND NEW.project_id = OLD.project_id) THEN
        RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
    END IF;
    PERFORM FROM projects WHERE id = OLD.project_id FOR NO KEY UPDATE;
    IF FOUND AND NOT EXISTS (SELECT FROM project_members
                             WHERE project_id = OLD.project_id AND role = 'owner'
                               AND user_id <> OLD.user_id) THEN
        RAISE EXCEPTION 'project % must keep at least one owner',
                (SELECT key FROM projects WHERE id = OLD.project_id)
            USING ERRCODE = 'PP004',
                  HINT = 'Make another member owner first, or disable the user instead of deleting it.';
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END
$$;
CREATE TRIGGER project_members_30_keep_owner BEFORE UPDATE OR DELETE ON project_members
    FOR EACH ROW EXECUTE FUNCTION planpipe_keep_an_owner();

-- ---------------------------------------------------------------------------
-- story_key_counters: one row per project, the last number handed out.
-- A separate table so that locking it (UPDATE ... RETURNING) serialises key
-- generation without blocking edits of the project row. Only triggers touch it.
-- ---------------------------------------------------------------------------
CREATE TABLE story_key_counters (
    project_id   bigint PRIMARY KEY REFERENCES projects ON DELETE CASCADE,
    last_number  bigint NOT NULL DEFAULT 0,
    CONSTRAINT story_key_counters_last_number_range CHECK (last_number >= 0)
);
COMMENT ON TABLE story_key_counters IS
    'Per-project story number counter; row-locked while a key is generated, pushed past imported keys';

-- ---------------------------------------------------------------------------
-- backlogs
-- ---------------------------------------------------------------------------
CREATE TABLE backlogs (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    project_id   bigint NOT NULL REFERENCES projects ON DELETE CASCADE,
    name         text NOT NULL,
    kind         text NOT NULL DEFAULT 'backlog',
    position     integer NOT NULL DEFAULT 0,
    description  text NOT NULL DEFAULT '',
    starts_on    date,
    ends_on      date,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    archived_at  timestamptz,
    version      integer NOT NULL DEFAULT 1,
    CONSTRAINT backlogs_project_id_name_key UNIQUE (project_id, name),
    -- Target of the composite foreign key stories(project_id, backlog_id):
    -- a story can only sit in a backlog of its own project.
    CONSTRAINT backlogs_project_id_id_key UNIQUE (project_id, id),
    CONSTRAINT backlogs_name_length CHECK (btrim(name) <> '' AND length(name) <= 100),
    CONSTRAINT backlogs_kind_check CHECK (kind IN ('backlog', 'sprint', 'kanban', 'icebox')),
    CONSTRAINT backlogs_position_range CHECK (position >= 0),
    CONSTRAINT backlogs_description_length CHECK (length(description) <= 20000),
    CONSTRAINT backlogs_dates_ordered CHECK (ends_on >= starts_on),
    CONSTRAINT backlogs_version_positive CHECK (version > 0)
);
COMMENT ON TABLE backlogs IS 'Ordered lists of stories inside a project (backlog, sprint, kanban, icebox)';

CREATE TRIGGER backlogs_10_skip_noop BEFORE UPDATE ON backlogs
    FOR EACH ROW EXECUTE FUNCTION suppress_redundant_updates_trigger();
CREATE TRIGGER backlogs_20_init BEFORE INSERT ON backlogs
    FOR EACH ROW EXECUTE FUNCTION planpipe_init_row();
CREATE TRIGGER backlogs_20_touch BEFORE UPDATE ON backlogs
    FOR EACH ROW EXECUTE FUNCTION planpipe_touch_row();

-- ---------------------------------------------------------------------------
-- Access helpers. SECURITY DEFINER so that they read users and memberships
-- as the owner, not through the caller's row-level security (a policy that
-- queried project_members under its own policy would recurse).
-- ---------------------------------------------------------------------------

-- The acting user if it exists and is not disabled, else NULL.
CREATE FUNCTION planpipe_acting_user_id() RETURNS bigint
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
    SELECT id FROM users WHERE id = planpipe_setting_user_id() AND disabled_at IS NULL
$$;

CREATE FUNCTION planpipe_is_admin() RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
    SELECT coalesce((SELECT is_admin FROM users
                     WHERE id = planpipe_setting_user_id() AND disabled_at IS NULL), false)
$$;

-- The projects in which the acting user holds at least min_role (all of
-- them for an admin). Policies call it once per query, as an InitPlan:
--   project_id = ANY ((SELECT planpipe_project_ids('viewer'))::bigint[])
-- which an index on project_id can serve.
CREATE FUNCTION planpipe_project_ids(min_role member_role DEFAULT 'viewer') RETURNS bigint[]
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
    SELECT CASE
        WHEN planpipe_is_admin() THEN ARRAY(SELECT id FROM projects)
        ELSE ARRAY(SELECT m.project_id
                   FROM project_members m JOIN users u ON u.id = m.user_id
                   WHERE m.user_id = planpipe_setting_user_id()
                     AND u.disabled_at IS NULL AND m.role >= min_role)
    END
$$;

-- The acting user's role in one project ('owner' for an admin), NULL if none.
-- For the API: a project the caller cannot see is a 404, too low a role a 403.
CREATE FUNCTION planpipe_project_role(p_project_id bigint) RETURNS member_role
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
    SELECT CASE
        WHEN planpipe_is_admin() THEN
            (SELECT 'owner'::member_role FROM projects WHERE id = p_project_id)
        ELSE (SELECT m.role FROM project_members m JOIN users u ON u.id = m.user_id
              WHERE m.project_id = p_project_id AND m.user_id = planpipe_setting_user_id()
                AND u.disabled_at IS NULL)
    END
$$;

-- Authenticates an API request: finds the enabled user holding the token
-- whose SHA-256 is p_token_hash, sets planpipe.user_id for the rest of the
-- transaction, and returns the user's id (NULL, and the setting cleared, if
-- no such user). One statement, so the API's first round trip does it all.
CREATE FUNCTION planpipe_authenticate(p_token_hash bytea) RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
DECLARE
    uid bigint;
BEGIN
    SELECT id INTO uid FROM users
    WHERE api_token_hash = p_token_hash AND disabled_at IS NULL;
    PERFORM set_config('planpipe.user_id', coalesce(uid::text, ''), true);
    RETURN uid;
END
$$;

COMMENT ON FUNCTION planpipe_project_ids(member_role) IS
    'Projects where the acting user has at least min_role; all projects for an admin';
COMMENT ON FUNCTION planpipe_project_role(bigint) IS
    'The acting user''s role in a project (owner for admins), NULL when not a member';
COMMENT ON FUNCTION planpipe_authenticate(bytea) IS
    'Looks up an enabled user by token hash and sets planpipe.user_id transaction-locally';

-- ---------------------------------------------------------------------------
-- Project defaults and the creator's ownership.
-- ---------------------------------------------------------------------------
CREATE FUNCTION planpipe_projects_before_insert() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    NEW.story_key_prefix := coalesce(NEW.story_key_prefix, NEW.key);
    NEW.created_by := coalesce(planpipe_acting_user_id(), NEW.created_by);
    RETURN NEW;
END
$$;

-- The counter row, and the creator becomes the first owner: without it an
-- application user could create a project it could then not see.
CREATE FUNCTION planpipe_projects_after_insert() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
AS $$
DECLARE
    uid bigint := planpipe_acting_user_id();
BEGIN
    INSERT INTO story_key_counters (project_id) VALUES (NEW.id);
    IF uid IS NOT NULL THEN
        INSERT INTO project_members (project_id, user_id, role) VALUES (NEW.id, uid, 'owner');
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER projects_10_skip_noop BEFORE UPDATE ON projects
    FOR EACH ROW EXECUTE FUNCTION suppress_redundant_updates_trigger();
CREATE TRIGGER projects_20_init BEFORE INSERT ON projects
    FOR EACH ROW EXECUTE FUNCTION planpipe_init_row();
CREATE TRIGGER projects_20_touch BEFORE UPDATE ON projects
    FOR EACH ROW EXECUTE FUNCTION planpipe_touch_row();
CREATE TRIGGER projects_30_defaults BEFORE INSERT ON projects
    FOR EACH ROW EXECUTE FUNCTION planpipe_projects_before_insert();
CREATE TRIGGER projects_40_first_owner AFTER INSERT ON projects
    FOR EACH ROW EXECUTE FUNCTION planpipe_projects_after_insert();
