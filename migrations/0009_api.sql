-- 0009: what the API service (`planpipe serve`, src/api) needs from the
-- database: authentication that aborts the request's pipeline, an access
-- check that tells 404 from 403, and a way for a statement to fail with a
-- SQLSTATE the API maps to an HTTP status.
--
-- Every API request is one pipeline: BEGIN; authenticate and set the
-- transaction-local settings; the request's statements; COMMIT. A statement
-- that raises aborts the rest, so these functions raise rather than return
-- NULL. SQLSTATEs (class PP, beside PP001-PP005 of 0002-0005):
--   PP401  the API token is unknown, or its user is disabled
--   PP403  the caller sees the project but its role there is too low
--   PP404  no such thing, or one the caller may not see (never told apart)
--   PP409  the request conflicts with the current state
--   PP412  If-Match names a version that is no longer current
--   PP422  the request names something that does not exist or is not allowed

-- planpipe_authenticate() (0002), failing instead of returning NULL.
CREATE FUNCTION planpipe_api_authenticate(p_token_hash bytea) RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
DECLARE
    uid bigint := planpipe_authenticate(p_token_hash);
BEGIN
    IF uid IS NULL THEN
        RAISE EXCEPTION 'the API token is not valid'
            USING ERRCODE = 'PP401',
                  HINT = 'Tokens are created with planpipe user add and rotated with planpipe user token.';
    END IF;
    RETURN uid;
END
$$;
COMMENT ON FUNCTION planpipe_api_authenticate(bytea) IS
    'planpipe_authenticate() for the API: raises PP401 for an unknown token or a disabled user';

-- Raises p_sqlstate with the message, and the request field at fault (as the
-- error's column name) when given. Declared to return json so that it can
-- stand in any CASE branch of a statement that builds a response; VOLATILE so
-- that it is never evaluated ahead of its branch.
CREATE FUNCTION planpipe_api_fail(p_sqlstate text, p_message text, p_field text DEFAULT NULL)
RETURNS json
LANGUAGE plpgsql VOLATILE
AS $$
BEGIN
    RAISE EXCEPTION USING ERRCODE = p_sqlstate, MESSAGE = p_message,
                          COLUMN = coalesce(p_field, '');
END
$$;
COMMENT ON FUNCTION planpipe_api_fail(text, text, text) IS
    'Raises the given SQLSTATE (PP404, PP412, ...) with a message and a field; for CASE branches of API statements';

-- The id of project p_key when the acting user holds at least p_min_role in
-- it. A project that does not exist and one the caller cannot see raise the
-- same PP404 (the API never reveals that a project exists); too low a role
-- raises PP403. SECURITY DEFINER: the lookup must not depend on the caller's
-- row-level security (an admin's role is owner everywhere).
CREATE FUNCTION planpipe_api_project(p_key text, p_min_role member_role DEFAULT 'viewer')
RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
DECLARE
    pid bigint;
    caller_role member_role;
BEGIN
    SELECT id INTO pid FROM projects WHERE key = p_key;
    IF pid IS NOT NULL THEN
        caller_role := planpipe_project_role(pid);
    END IF;
    IF caller_role IS NULL THEN
        RAISE EXCEPTION 'no project %', p_key USING ERRCODE = 'PP404';
    END IF;
    IF caller_role < p_min_role THEN
        RAISE EXCEPTION 'this needs the % role in project %; you are %', p_min_role, p_key,
                caller_role
            USING ERRCODE = 'PP403';
    END IF;
    RETURN pid;
END
$$;
COMMENT ON FUNCTION planpipe_api_project(text, member_role) IS
    'Project id by key if the acting user has at least the role; else PP404 (unseen) or PP403';
