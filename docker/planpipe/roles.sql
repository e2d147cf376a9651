-- The API's login role, run by docker-migrate (psql, as the schema owner)
-- after `planpipe migrate up`, on every start of the `migrate` service.
--
-- Idempotent: creates the role when missing, then sets its attributes and
-- password and its membership in planpipe_app (made by migration 0001) every
-- time, so a password changed in .env reaches the database on the next
-- `docker compose up`. See docs/schema.md, "Roles and privileges".
--
-- Name and password come from the environment through \getenv, never from a
-- command line.

\getenv api_user PLANPIPE_API_DB_USER
\getenv api_password PLANPIPE_API_DB_PASSWORD

-- The password is in the ALTER ROLE statement's text: keep it out of the
-- server log, whatever log_statement or log_min_duration_statement say (the
-- owner is the superuser, who may set these for its session).
SET log_statement = 'none';
SET log_min_duration_statement = -1;
SET log_min_error_statement = 'panic';
-- "role ... is already a member of role planpipe_app" on every run after the first.
SET client_min_messages = 'warning';

-- Never take a superuser's powers away by a typo in PLANPIPE_API_DB_USER.
SELECT EXISTS (SELECT FROM pg_roles WHERE rolname = :'api_user' AND rolsuper) AS api_is_superuser
\gset
\if :api_is_superuser
\warn 'PLANPIPE_API_DB_USER names a superuser role: choose a login of its own for the API'
DO $$ BEGIN RAISE EXCEPTION 'refusing to turn a superuser into the API''s login role'; END $$;
\endif

BEGIN;
SELECT format('CREATE ROLE %I', :'api_user')
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'api_user')
\gexec
-- Everything the API must not have, spelled out: no ownership of anything
-- it reaches, no RLS bypass; INHERIT so planpipe_app's privileges and
-- policies apply without SET ROLE.
SELECT format('ALTER ROLE %I WITH LOGIN INHERIT NOSUPERUSER NOCREATEDB NOCREATEROLE '
              'NOREPLICATION NOBYPASSRLS PASSWORD %L', :'api_user', :'api_password')
\gexec
SELECT format('GRANT planpipe_app TO %I', :'api_user')
\gexec
-- /readyz and `planpipe health --readiness` read the schema version from the
-- runner's history table, on which no migration grants anything to
-- planpipe_app: without this the API is never ready. To the login role, not
-- to planpipe_app, whose privileges are the migrations' business; harmless
-- once a migration grants it.
SELECT format('GRANT SELECT ON public.planpipe_schema_migrations TO %I', :'api_user')
\gexec
COMMIT;
