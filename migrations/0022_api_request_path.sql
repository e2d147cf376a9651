-- 0022: the API's request path (issue 16). First, its identity comes from
-- its token, not from a setting anyone
-- may write (issue 16, docs/api.md "Authentication and row-level security").
--
-- Until now row-level security keyed on the setting planpipe.user_id, which
-- every session may set: with the API's database login alone,
-- `SELECT set_config('planpipe.user_id', '1', false)` read every project.
-- From here on, a login that is a member of planpipe_app (the API's, not
-- the schema owner, not a superuser) acts as a user only through the
-- SHA-256 of that user's API token, in the setting planpipe.token_hash
-- (64 hex digits), which planpipe_api_authenticate() sets for the request's
-- transaction; planpipe.user_id is ignored for it. Without a valid token hash
-- such a session acts as nobody: the policies give it no project, and the
-- SECURITY DEFINER helpers that treat "no acting user" as the schema owner
-- (labels, visibility) treat it as a stranger. The token hashes themselves
-- are not readable by planpipe_app (0007 grants users' other columns only),
-- so a stolen database password reads nothing without a valid token.
--
-- The owner (the importer, migrations, maintenance) and superusers keep
-- planpipe.user_id, as the triggers and tests use it.

-- ---------------------------------------------------------------------------
-- The acting user. The token's user is looked up in users_api_token_hash_key:
-- directly when the caller may read users.api_token_hash (the owner, and
-- every SECURITY DEFINER helper of the schema, which is where the policies
-- and triggers ask: planpipe_project_ids() and the like), else through
-- planpipe_token_user_id(), SECURITY DEFINER. A SECURITY DEFINER call costs
-- ~30 times the lookup itself (measured: docs/performance.md, "The API's
-- SQL"), so the common path makes none. The policies ask once per statement
-- (planpipe_project_ids() in an InitPlan).
-- ---------------------------------------------------------------------------
CREATE FUNCTION planpipe_token_user_id(p_token_hash bytea) RETURNS bigint
LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER SET search_path = public, pg_temp
AS $$ SELECT u.id FROM users u WHERE u.api_token_hash = p_token_hash AND u.disabled_at IS NULL $$;
COMMENT ON FUNCTION planpipe_token_user_id(bytea) IS
    'The enabled user holding the token whose SHA-256 is given, or NULL';

CREATE OR REPLACE FUNCTION planpipe_setting_user_id() RETURNS bigint
LANGUAGE plpgsql STABLE PARALLEL SAFE
AS $$
DECLARE
    hash text := nullif(btrim(current_setting('planpipe.token_hash', true)), '');
    raw text;
BEGIN
    IF hash IS NOT NULL THEN
        -- length only: decode() refuses what is not hex (22023), and a regular
        -- expression here cost more than the lookup.
        IF length(hash) <> 64 THEN
            RAISE EXCEPTION 'planpipe.token_hash must be 64 hex digits (a SHA-256)'
                USING ERRCODE = '22023';
        END IF;
        IF has_column_privilege('public.users', 'api_token_hash', 'SELECT') THEN
            RETURN (SELECT u.id FROM public.users u
                    WHERE u.api_token_hash = decode(hash, 'hex') AND u.disabled_at IS NULL);
        END IF;
        RETURN public.planpipe_token_user_id(decode(hash, 'hex'));
    END IF;
    IF NOT public.planpipe_setting_trusted_writer() THEN
        -- The API's login: only a token names a user.
        RETURN NULL;
    END IF;
    raw := nullif(btrim(current_setting('planpipe.user_id', true)), '');
    IF raw IS NULL THEN
        RETURN NULL;
    END IF;
    IF raw !~ '^[0-9]{1,18}$' THEN
        RAISE EXCEPTION 'planpipe.user_id must be a users.id, got "%"', raw
            USING ERRCODE = '22023';
    END IF;
    RETURN raw::bigint;
END
$$;
COMMENT ON FUNCTION planpipe_setting_user_id() IS
    'The acting user: the holder of the token whose hash is planpipe.token_hash; else, for the owner and superusers only, planpipe.user_id; else NULL';

-- Whether the session acts with no user restriction: no acting user, and a
-- login that is not the API's (the owner, the importer, a superuser).
CREATE FUNCTION planpipe_unrestricted() RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE
AS $$ SELECT planpipe_setting_user_id() IS NULL AND planpipe_setting_trusted_writer() $$;
COMMENT ON FUNCTION planpipe_unrestricted() IS
    'No acting user and not the API''s login: the schema owner''s view (labels, visibility)';

-- planpipe_authenticate() (0002) for the API, setting the token hash as well:
-- the statements after it act as the token's user.
CREATE OR REPLACE FUNCTION planpipe_api_authenticate(p_token_hash bytea) RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
DECLARE
    uid bigint := planpipe_authenticate(p_token_hash);
BEGIN
    IF uid IS NULL THEN
        PERFORM set_config('planpipe.token_hash', '', true);
        RAISE EXCEPTION 'the API token is not valid'
            USING ERRCODE = 'PP401',
                  HINT = 'Tokens are created with planpipe user add and rotated with planpipe user token.';
    END IF;
    PERFORM set_config('planpipe.token_hash', encode(p_token_hash, 'hex'), true);
    RETURN uid;
END
$$;

-- ---------------------------------------------------------------------------
-- The helpers of 0005 and 0016 read "no acting user" as the owner. For the
-- API's login that is now a session without a valid token: a stranger.
-- ---------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION planpipe_story_label(p_story_id bigint) RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
    SELECT CASE WHEN planpipe_unrestricted()
                  OR s.project_id = ANY (planpipe_project_ids('viewer'))
                THEN p.key || ':' || s.key ELSE '(hidden)' END
    FROM stories s JOIN projects p ON p.id = s.project_id
    WHERE s.id = p_story_id
$$;

CREATE OR REPLACE FUNCTION planpipe_project_label(p_project_id bigint) RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
    SELECT CASE WHEN planpipe_unrestricted()
                  OR p.id = ANY (planpipe_project_ids('viewer'))
                THEN p.key ELSE '(hidden)' END
    FROM projects p WHERE p.id = p_project_id
$$;

CREATE OR REPLACE FUNCTION planpipe_story_visible(p_story_id bigint) RETURNS boolean
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
BEGIN
    RETURN planpipe_unrestricted()
        OR (SELECT project_id FROM stories WHERE id = p_story_id) = ANY (planpipe_project_ids('viewer'));
END
$$;

CREATE OR REPLACE FUNCTION planpipe_project_visible(p_project_id bigint) RETURNS boolean
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
BEGIN
    RETURN planpipe_unrestricted() OR p_project_id = ANY (planpipe_project_ids('viewer'));
END
$$;

-- ---------------------------------------------------------------------------
-- One statement per request (issue 16): a route's SQL as one invoker-rights
-- function, called in autocommit as the one statement of the request
-- (src/api/sql/*.sql). It authenticates the token (PP401), sets what the
-- rest of the statement runs under (the token hash, source, time zone, and
-- the role planpipe_app, so that row-level security applies whoever the
-- login is), and returns the caller's id (for the access log), the response
-- body and the version (the ETag). Row-level security stays the
-- enforcement: nothing here is SECURITY DEFINER but the token lookup and
-- the 404/403 guard, which reads no story.
--
-- Measured beside the five statements of a pipelined transaction (BEGIN;
-- authenticate and set; guard; read; COMMIT) with pgbench: about twice the
-- reads per second (docs/performance.md, "The API's SQL").
-- ---------------------------------------------------------------------------

-- The start of every route's function: authenticates the token (PP401) and
-- sets, for the rest of the statement's transaction, the token hash (the
-- acting user: planpipe_setting_user_id()), the source of history rows, UTC
-- and the lock timeout, and the role planpipe_app, last, so that the
-- login may be the schema owner (tests) or a member of planpipe_app alike.
-- Returns the caller's id. The statement's own timeout cannot be set from
-- inside it: the server's connections keep their default.
CREATE FUNCTION planpipe_api_begin(p_token_hash bytea) RETURNS bigint
LANGUAGE plpgsql VOLATILE
AS $$
DECLARE
    uid bigint := planpipe_api_authenticate(p_token_hash);
BEGIN
    PERFORM set_config('planpipe.source', 'api', true), set_config('TimeZone', 'UTC', true),
            set_config('lock_timeout', '10s', true), set_config('role', 'planpipe_app', true);
    RETURN uid;
END
$$;
COMMENT ON FUNCTION planpipe_api_begin(bytea) IS
    'Authenticates an API request''s token and sets what its one statement runs under; returns the caller';

-- GET /v1/projects/{project}/stories/{story}. A story found is readable (the
-- policies let it through), so the project guard runs only when none is: a
-- project the caller cannot see is "no project" (PP404, as every route), a
-- missing story of a visible one "no story".
CREATE FUNCTION planpipe_api_story_get(p_token_hash bytea, p_project text, p_key text)
RETURNS TABLE (user_id bigint, body json, version integer)
LANGUAGE plpgsql VOLATILE
AS $$
DECLARE
    uid bigint := planpipe_api_begin(p_token_hash);
BEGIN
    RETURN QUERY
    SELECT uid, json_build_object(
               'project', p.key, 'key', s.key, 'ref', p.key || ':' || s.key, 'title', s.title,
               'status', s.status, 'category', st.category,
               'priority', s.priority, 'priority_rank', s.priority_rank,
               'estimate_points', s.estimate_points,
               'estimate_raw', s.estimate_raw, 'epic', s.epic, 'labels', s.labels, 'owner', s.owner,
               'author', s.author, 'branch_name', s.branch_name, 'checklist_total', s.checklist_total,
               'checklist_done', s.checklist_done, 'backlog', s.backlog_id, 'rank', s.rank,
               'source_path', s.source_path, 'source_blob_id', s.source_blob_id,
               'metadata', s.metadata, 'last_updated', s.last_updated,
               'created_at', s.created_at, 'updated_at', s.updated_at,
               'started_at', s.started_at, 'completed_at', s.completed_at,
               'archived_at', s.archived_at, 'version', s.version, 'body', s.body),
           s.version
    FROM public.stories s
    JOIN public.projects p ON p.id = s.project_id
    JOIN public.statuses st ON st.key = s.status
    WHERE p.key = p_project AND s.key = p_key;
    IF NOT FOUND THEN
        PERFORM planpipe_api_project(p_project, 'viewer');
        RAISE EXCEPTION 'no story %:%', p_project, p_key USING ERRCODE = 'PP404';
    END IF;
END
$$;
COMMENT ON FUNCTION planpipe_api_story_get(bytea, text, text) IS
    'GET /v1/projects/{project}/stories/{story} as one statement: the caller, the story as JSON, its version';

-- GET /v1/projects/{project}: the project with the caller's role in it. A
-- project the policies let through is one the caller has a role in.
CREATE FUNCTION planpipe_api_project_get(p_token_hash bytea, p_project text)
RETURNS TABLE (user_id bigint, body json, version integer)
LANGUAGE plpgsql VOLATILE
AS $$
DECLARE
    uid bigint := planpipe_api_begin(p_token_hash);
BEGIN
    RETURN QUERY
    SELECT uid, json_build_object(
               'key', p.key, 'name', p.name, 'description', p.description,
               'story_key_prefix', p.story_key_prefix, 'git_remote_url', p.git_remote_url,
               'git_submodule_path', p.git_submodule_path, 'git_default_branch', p.git_default_branch,
               'git_stories_dir', p.git_stories_dir, 'git_last_synced_commit', p.git_last_synced_commit,
               'git_last_synced_at', p.git_last_synced_at, 'metadata', p.metadata,
               'role', planpipe_project_role(p.id),
               'created_at', p.created_at, 'updated_at', p.updated_at, 'archived_at', p.archived_at,
               'version', p.version),
           p.version
    FROM public.projects p
    WHERE p.key = p_project;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no project %', p_project USING ERRCODE = 'PP404';
    END IF;
END
$$;
COMMENT ON FUNCTION planpipe_api_project_get(bytea, text) IS
    'GET /v1/projects/{project} as one statement: the caller, the project as JSON, its version';

-- GET /v1/projects/{project}/statuses: the workflow (0017's function), with
-- the guard first: an empty list and a project the caller cannot see differ.
CREATE FUNCTION planpipe_api_statuses_list(p_token_hash bytea, p_project text)
RETURNS TABLE (user_id bigint, body json, version integer)
LANGUAGE plpgsql VOLATILE
AS $$
DECLARE
    uid bigint := planpipe_api_begin(p_token_hash);
BEGIN
    PERFORM planpipe_api_project(p_project, 'viewer');
    RETURN QUERY SELECT uid, planpipe_api_project_statuses(p_project), NULL::integer;
END
$$;
COMMENT ON FUNCTION planpipe_api_statuses_list(bytea, text) IS
    'GET /v1/projects/{project}/statuses as one statement: the caller and the workflow as JSON';

DO $$
DECLARE
    f regprocedure;
BEGIN
    FOR f IN SELECT p.oid::regprocedure FROM pg_proc p
             WHERE p.pronamespace = 'public'::regnamespace
               AND p.proname IN ('planpipe_api_begin', 'planpipe_api_story_get', 'planpipe_api_project_get',
                                 'planpipe_api_statuses_list', 'planpipe_token_user_id')
    LOOP
        EXECUTE format('REVOKE EXECUTE ON FUNCTION %s FROM PUBLIC', f);
        EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO planpipe_app', f);
    END LOOP;
END
$$;
