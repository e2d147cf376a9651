-- 0001: the application role, schema privileges, and the helpers that read the
-- transaction-local settings the API sets per request.
--
-- The runner applies this file in one transaction, as the schema owner.

-- The API's role. It owns nothing, cannot log in (the API's login user is made
-- a member of it) and is subject to row-level security. Roles are cluster-wide,
-- so another database of the same cluster may have created it already.
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'planpipe_app') THEN
        CREATE ROLE planpipe_app NOLOGIN NOBYPASSRLS NOSUPERUSER NOCREATEDB NOCREATEROLE;
    ELSIF EXISTS (SELECT FROM pg_roles WHERE rolname = 'planpipe_app'
                                         AND (rolsuper OR rolbypassrls)) THEN
        -- Row-level security is the last line of defence: refuse to carry on
        -- with a role that would silently bypass it.
        RAISE EXCEPTION 'role planpipe_app exists but is SUPERUSER or BYPASSRLS'
            USING ERRCODE = '42501',
                  HINT = 'ALTER ROLE planpipe_app NOSUPERUSER NOBYPASSRLS';
    END IF;
END
$$;

COMMENT ON ROLE planpipe_app IS
    'planpipe API role: owns nothing, subject to row-level security; the API login user is a member';

-- PostgreSQL 15 already denies CREATE on public to PUBLIC; older images and
-- hand-made databases may not, and a role that can create objects in public
-- could shadow ours.
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO planpipe_app;

-- ---------------------------------------------------------------------------
-- Transaction-local settings.
--
-- The API runs each request in one transaction and sets, with
-- set_config(name, value, true):
--   planpipe.user_id  users.id of the acting user (row-level security, history)
--   planpipe.source   'api' | 'import' | 'sql' (history; 'sql' when unset)
--   planpipe.note     free text stored with the status change (history)
--   planpipe.force    'on' lets a maintainer close a story with open blockers
-- Once a placeholder has been set in a session it reads as '' (not NULL) in
-- later transactions, so '' means unset everywhere.
-- ---------------------------------------------------------------------------

CREATE FUNCTION planpipe_setting_user_id() RETURNS bigint
LANGUAGE plpgsql STABLE PARALLEL SAFE
AS $$
DECLARE
    raw text := nullif(btrim(current_setting('planpipe.user_id', true)), '');
BEGIN
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
    'The acting user (setting planpipe.user_id) or NULL when unset';

CREATE FUNCTION planpipe_setting_source() RETURNS text
LANGUAGE plpgsql STABLE PARALLEL SAFE
AS $$
DECLARE
    raw text := coalesce(nullif(btrim(current_setting('planpipe.source', true)), ''), 'sql');
BEGIN
    IF raw NOT IN ('api', 'import', 'sql') THEN
        RAISE EXCEPTION 'planpipe.source must be api, import or sql, got "%"', raw
            USING ERRCODE = '22023';
    END IF;
    RETURN raw;
END
$$;
COMMENT ON FUNCTION planpipe_setting_source() IS
    'Where a change comes from (setting planpipe.source): api, import or sql (default)';

CREATE FUNCTION planpipe_setting_note() RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE
AS $$ SELECT nullif(current_setting('planpipe.note', true), '') $$;
COMMENT ON FUNCTION planpipe_setting_note() IS
    'The note recorded with status changes (setting planpipe.note) or NULL';

CREATE FUNCTION planpipe_setting_force() RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT coalesce(lower(nullif(btrim(current_setting('planpipe.force', true)), ''))
                    IN ('on', 'true', '1', 'yes'), false)
$$;
COMMENT ON FUNCTION planpipe_setting_force() IS
    'True when planpipe.force is on (close a story despite open blockers, maintainers only)';

-- ---------------------------------------------------------------------------
-- Generic trigger functions shared by the tables of later migrations.
-- ---------------------------------------------------------------------------

-- updated_at and the optimistic-concurrency version (the API's ETag) are the
-- database's, not the client's; created_at never changes after insert.
-- Runs after suppress_redundant_updates_trigger(), so a no-op UPDATE changes
-- neither.
CREATE FUNCTION planpipe_touch_row() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    NEW.created_at := OLD.created_at;
    NEW.updated_at := now();
    NEW.version := OLD.version + 1;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION planpipe_touch_row() IS
    'BEFORE UPDATE: keeps created_at, sets updated_at = now(), increments version';

-- On insert the database sets the bookkeeping columns whatever the client sent.
CREATE FUNCTION planpipe_init_row() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    NEW.updated_at := now();
    NEW.version := 1;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION planpipe_init_row() IS
    'BEFORE INSERT: updated_at = now(), version = 1';
