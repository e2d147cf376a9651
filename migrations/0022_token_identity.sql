-- 0022: the API's identity comes from its token, not from a setting anyone
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
-- The acting user. SECURITY DEFINER to read users.api_token_hash; STABLE,
-- one index probe (users_api_token_hash_key) per call, and the policies call
-- it once per statement (through planpipe_project_ids() in an InitPlan).
-- ---------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION planpipe_setting_user_id() RETURNS bigint
LANGUAGE plpgsql STABLE PARALLEL SAFE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
DECLARE
    hash text := nullif(btrim(current_setting('planpipe.token_hash', true)), '');
    raw text;
BEGIN
    IF hash IS NOT NULL THEN
        IF hash !~ '^[0-9a-f]{64}$' THEN
            RAISE EXCEPTION 'planpipe.token_hash must be 64 lower-case hex digits (a SHA-256)'
                USING ERRCODE = '22023';
        END IF;
        RETURN (SELECT u.id FROM users u
                WHERE u.api_token_hash = decode(hash, 'hex') AND u.disabled_at IS NULL);
    END IF;
    IF NOT planpipe_setting_trusted_writer() THEN
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
