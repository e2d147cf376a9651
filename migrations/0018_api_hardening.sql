-- 0018: API hardening (issue 17).
--
-- Idempotent writes. A write (POST, PUT, PATCH, DELETE) that carries an
-- Idempotency-Key header stores its answer in api_idempotency_keys, in the
-- transaction of the write itself: a committed write always has its stored
-- answer and a rolled-back one never has. A retry with the same key and the
-- same request (method, path, SHA-256 of the body) gets the stored answer
-- again instead of writing twice; another request under the same key is
-- refused; a retry while the first is still running is refused too. Keys
-- belong to a user: two users' keys never meet. Answers are kept 24 hours.
--
-- The API (src/api/idempotency.c) runs, in one transaction:
--   BEGIN; authenticate; planpipe_api_idem_claim(...)       -- round trip 1
--   the handler's statements                                 -- round trip 2
--   planpipe_api_idem_store(...); COMMIT                     -- round trip 3
-- New SQLSTATEs (class PP, beside PP001-PP005 and 0009's):
--   PP006  the key's first request is still running (HTTP 409)
--   PP007  the key was used for another request (HTTP 422)

CREATE TABLE api_idempotency_keys (
    user_id      bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    key          text        NOT NULL,
    method       text        NOT NULL,
    path         text        NOT NULL,
    request_hash bytea       NOT NULL,
    status       integer     NOT NULL,
    etag         text,
    location     text,
    body         text,
    created_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL DEFAULT now() + interval '24 hours',
    PRIMARY KEY (user_id, key),
    -- Mirrors the API's check (src/api/idempotency.c): 1 to 255 printable
    -- ASCII characters.
    CONSTRAINT api_idempotency_keys_key_format CHECK (key ~ '^[\x20-\x7e]{1,255}$'),
    CONSTRAINT api_idempotency_keys_status_range CHECK (status BETWEEN 100 AND 599),
    CONSTRAINT api_idempotency_keys_hash_length CHECK (octet_length(request_hash) = 32)
);
CREATE INDEX api_idempotency_keys_expires_at ON api_idempotency_keys (expires_at);
COMMENT ON TABLE api_idempotency_keys IS
    'The stored answers of API writes sent with an Idempotency-Key, per user, for 24 hours';

-- Only the SECURITY DEFINER functions below touch the table; row-level
-- security with no policy keeps planpipe_app out even if it were granted.
ALTER TABLE api_idempotency_keys ENABLE ROW LEVEL SECURITY;

-- The advisory lock that marks (user, key) as in flight, held by the
-- transaction of the first request until it ends. Class 1886154352 is the
-- project's (0005); keys 3, 4 and 100+ are taken, this uses the 64-bit form
-- so a collision between two users' keys is beyond practical reach.
CREATE FUNCTION planpipe_api_idem_lock_id(p_user_id bigint, p_key text) RETURNS bigint
LANGUAGE sql IMMUTABLE
AS $$ SELECT hashtextextended('planpipe.idempotency:' || p_user_id || ':' || p_key, 1886154352) $$;
COMMENT ON FUNCTION planpipe_api_idem_lock_id(bigint, text) IS
    'The advisory lock id of an Idempotency-Key of a user, held while its first request runs';

-- Claims key p_key of the acting user for the request (p_method, p_path,
-- p_hash). Returns no row when the request is to run now (the claim holds
-- until the transaction ends); the stored answer when it already ran.
-- Raises PP006 while another transaction holds the key, PP007 when the key
-- was used for another request, PP422 for a malformed key.
--
-- The lookup runs after the lock is taken and, in READ COMMITTED, with a
-- fresh snapshot: a first request that committed just before the lock was
-- granted is seen. Each claim also sweeps up to 100 expired answers (of any
-- user), skipping rows another sweep holds, so the table stays bounded
-- without a job of its own.
CREATE FUNCTION planpipe_api_idem_claim(p_key text, p_method text, p_path text, p_hash bytea)
RETURNS TABLE (status integer, etag text, location text, body text)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
DECLARE
    uid bigint := planpipe_setting_user_id();
    r api_idempotency_keys;
BEGIN
    IF uid IS NULL THEN
        RAISE EXCEPTION 'no acting user' USING ERRCODE = 'PP401';
    END IF;
    IF p_key IS NULL OR p_key !~ '^[\x20-\x7e]{1,255}$' THEN
        RAISE EXCEPTION 'Idempotency-Key must be 1 to 255 printable ASCII characters'
            USING ERRCODE = 'PP422', COLUMN = 'Idempotency-Key';
    END IF;
    IF NOT pg_try_advisory_xact_lock(planpipe_api_idem_lock_id(uid, p_key)) THEN
        RAISE EXCEPTION 'a request with Idempotency-Key "%" is still being processed', p_key
            USING ERRCODE = 'PP006',
                  HINT = 'Retry after it has finished: the retry gets its answer.';
    END IF;
    DELETE FROM api_idempotency_keys k
     WHERE k.ctid = ANY (ARRAY(SELECT x.ctid FROM api_idempotency_keys x
                                WHERE x.expires_at <= now()
                                ORDER BY x.expires_at LIMIT 100
                                FOR UPDATE SKIP LOCKED));
    SELECT * INTO r FROM api_idempotency_keys k
     WHERE k.user_id = uid AND k.key = p_key AND k.expires_at > now();
    IF NOT FOUND THEN
        RETURN;
    END IF;
    IF r.method <> p_method OR r.path <> p_path OR r.request_hash <> p_hash THEN
        RAISE EXCEPTION 'Idempotency-Key "%" was already used for another request (% %)',
                        p_key, r.method, r.path
            USING ERRCODE = 'PP007', COLUMN = 'Idempotency-Key',
                  DETAIL = 'a key names one request: the same method, path and body';
    END IF;
    RETURN QUERY SELECT r.status, r.etag, r.location, r.body;
END
$$;
COMMENT ON FUNCTION planpipe_api_idem_claim(text, text, text, bytea) IS
    'Claims an Idempotency-Key for this transaction: no row (run the request) or its stored answer; PP006 in flight, PP007 another request';

-- Stores the answer of the request that claimed p_key in this transaction.
-- An expired answer under the same key is replaced.
CREATE FUNCTION planpipe_api_idem_store(p_key text, p_method text, p_path text, p_hash bytea,
                                        p_status integer, p_etag text, p_location text,
                                        p_body text)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
DECLARE
    uid bigint := planpipe_setting_user_id();
BEGIN
    INSERT INTO api_idempotency_keys AS k (user_id, key, method, path, request_hash, status,
                                           etag, location, body)
    VALUES (uid, p_key, p_method, p_path, p_hash, p_status, p_etag, p_location, p_body)
    ON CONFLICT (user_id, key) DO UPDATE
       SET method = excluded.method, path = excluded.path,
           request_hash = excluded.request_hash, status = excluded.status,
           etag = excluded.etag, location = excluded.location, body = excluded.body,
           created_at = excluded.created_at, expires_at = excluded.expires_at
     WHERE k.expires_at <= now();
    IF NOT FOUND THEN
        RAISE EXCEPTION 'Idempotency-Key "%" already has an answer', p_key
            USING ERRCODE = 'PP006';
    END IF;
END
$$;
COMMENT ON FUNCTION planpipe_api_idem_store(text, text, text, bytea, integer, text, text, text) IS
    'Stores the answer of the write that claimed an Idempotency-Key, in its transaction';

REVOKE ALL ON FUNCTION planpipe_api_idem_claim(text, text, text, bytea) FROM PUBLIC;
REVOKE ALL ON FUNCTION planpipe_api_idem_store(text, text, text, bytea, integer, text, text, text)
    FROM PUBLIC;
GRANT EXECUTE ON FUNCTION planpipe_api_idem_claim(text, text, text, bytea) TO planpipe_app;
GRANT EXECUTE ON FUNCTION planpipe_api_idem_store(text, text, text, bytea, integer, text, text, text)
    TO planpipe_app;

-- users ----------------------------------------------------------------------
-- Row-level security on users: the acting user sees itself and the people
-- who share a project with it (the handles the API shows as members, owners,
-- authors of changes); an admin sees everyone. is_admin is no longer
-- readable by planpipe_app at all: planpipe_user_is_admin() tells it to an
-- admin, and to each user about itself (GET /v1/me).

-- The users the acting user shares a project with, itself included; NULL
-- without an enabled acting user. SECURITY DEFINER: it reads memberships
-- beyond the caller's own policies. Called once per statement (InitPlan).
CREATE FUNCTION planpipe_visible_user_ids() RETURNS bigint[]
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
    SELECT CASE WHEN planpipe_acting_user_id() IS NULL THEN NULL
        ELSE array_append(ARRAY(SELECT DISTINCT m.user_id FROM project_members m
                                 WHERE m.project_id = ANY (planpipe_project_ids('viewer'))),
                          planpipe_acting_user_id()) END
$$;
COMMENT ON FUNCTION planpipe_visible_user_ids() IS
    'The users the acting user shares a project with, itself included (users_select)';

ALTER TABLE users ENABLE ROW LEVEL SECURITY;
CREATE POLICY users_select ON users FOR SELECT TO planpipe_app
    USING ((SELECT planpipe_is_admin())
           OR id = ANY ((SELECT planpipe_visible_user_ids())::bigint[]));

REVOKE SELECT (is_admin) ON users FROM planpipe_app;

-- Whether user p_user_id is an admin: told to admins and to the user itself,
-- NULL to anyone else.
CREATE FUNCTION planpipe_user_is_admin(p_user_id bigint) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
    SELECT u.is_admin FROM users u
     WHERE u.id = p_user_id
       AND (p_user_id = planpipe_acting_user_id() OR planpipe_is_admin())
$$;
COMMENT ON FUNCTION planpipe_user_is_admin(bigint) IS
    'users.is_admin, for admins and for the user itself; NULL otherwise';

-- The enabled user with handle p_handle (id, handle, display name), whoever
-- shares a project with whom: adding a member names someone not yet
-- visible. One exact handle at a time: it tells what the handle already
-- says, and lists nobody.
CREATE FUNCTION planpipe_user_by_handle(p_handle text)
RETURNS TABLE (id bigint, handle text, display_name text, disabled_at timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
    SELECT u.id, u.handle, u.display_name, u.disabled_at FROM users u
     WHERE u.handle = p_handle AND u.disabled_at IS NULL AND planpipe_acting_user_id() IS NOT NULL
$$;
COMMENT ON FUNCTION planpipe_user_by_handle(text) IS
    'An enabled user by exact handle, for adding members; no row when none';

REVOKE ALL ON FUNCTION planpipe_visible_user_ids() FROM PUBLIC;
REVOKE ALL ON FUNCTION planpipe_user_is_admin(bigint) FROM PUBLIC;
REVOKE ALL ON FUNCTION planpipe_user_by_handle(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION planpipe_visible_user_ids() TO planpipe_app;
GRANT EXECUTE ON FUNCTION planpipe_user_is_admin(bigint) TO planpipe_app;
GRANT EXECUTE ON FUNCTION planpipe_user_by_handle(text) TO planpipe_app;

-- Archiving a project ---------------------------------------------------------
-- One rule, wherever it is asked: only an owner (or an admin) archives a
-- project or brings it back, by DELETE or by PATCH {"archived": ...} alike.
-- projects_update lets maintainers edit the row; this trigger keeps
-- archived_at to owners for every role the policies bind (not the schema
-- owner, superusers or BYPASSRLS roles: the CLI and imports). 42501, as a
-- refused policy.
CREATE FUNCTION planpipe_projects_archive_owner() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    IF NEW.archived_at IS DISTINCT FROM OLD.archived_at
       AND pg_has_role(current_user, 'planpipe_app', 'MEMBER')
       AND NOT EXISTS (SELECT FROM pg_roles r
                        WHERE r.rolname = current_user AND (r.rolsuper OR r.rolbypassrls))
       AND current_user <> (SELECT c.relowner::regrole::text FROM pg_class c
                             WHERE c.oid = TG_RELID)
       AND coalesce(planpipe_project_role(NEW.id) < 'owner', true) THEN
        RAISE EXCEPTION 'only an owner archives or restores project %', NEW.key
            USING ERRCODE = '42501';
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION planpipe_projects_archive_owner() IS
    'Only an owner (or admin) changes projects.archived_at under row-level security';
CREATE TRIGGER projects_35_archive_owner BEFORE UPDATE OF archived_at ON projects
    FOR EACH ROW EXECUTE FUNCTION planpipe_projects_archive_owner();
