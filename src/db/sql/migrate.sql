-- The migration runner (src/db/migrate.c): its lock, its history table
-- public.planpipe_schema_migrations, and what it checks after a migration.
-- 8100956956692934757 is PP_MIG_LOCK_KEY (migrate.h), 1886151022 and
-- 1885958245 its halves as pg_locks shows them; tests/unit/db/migrate.c
-- holds them equal.

-- name: try_lock
-- Takes the runners' advisory lock, or answers false at once. No parameters.
SELECT pg_try_advisory_lock(8100956956692934757)

-- name: unlock
-- Gives the lock back. No parameters.
SELECT pg_advisory_unlock(8100956956692934757)

-- name: lock_holder
-- Who holds the lock. pg_locks has no acquisition time, so: since its connection started.
-- No parameters.
SELECT a.pid, coalesce(nullif(a.application_name, ''), '(none)'),
  coalesce(a.usename::text, '?'), coalesce(host(a.client_addr), 'local socket'),
  to_char(a.backend_start, 'YYYY-MM-DD HH24:MI:SS TZ'),
  extract(epoch FROM now() - a.backend_start)::bigint,
  coalesce(a.state, '?')
FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
  AND l.classid = 1886151022 AND l.objid = 1885958245
  AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())

-- name: has_history
-- Whether the history table exists. No parameters.
SELECT to_regclass('public.planpipe_schema_migrations') IS NOT NULL

-- name: db_version
-- The highest applied migration (0: none). No parameters.
SELECT coalesce(max(version), 0) FROM public.planpipe_schema_migrations

-- name: create_history
-- The history table, created by the first run. No parameters.
CREATE TABLE public.planpipe_schema_migrations (
  version integer PRIMARY KEY CHECK (version > 0),
  name text NOT NULL CHECK (name ~ '^[a-z0-9_]+$'),
  checksum text NOT NULL CHECK (checksum ~ '^[0-9a-f]{64}$'),
  applied_at timestamptz NOT NULL DEFAULT now(),
  applied_by text NOT NULL,
  duration_ms integer NOT NULL CHECK (duration_ms >= 0),
  runner_version text NOT NULL,
  kind text NOT NULL DEFAULT 'applied' CHECK (kind IN ('applied', 'baseline')))

-- name: comment_history
-- No parameters.
COMMENT ON TABLE public.planpipe_schema_migrations IS
  'Applied migrations, written by planpipe migrate. Do not edit by hand.'

-- name: read_history
-- Every applied migration, oldest first, applied_at in UTC. No parameters.
SELECT version, name, checksum,
       to_char(applied_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
       applied_by, duration_ms, kind
  FROM public.planpipe_schema_migrations ORDER BY version

-- name: insert_history
-- Records a migration: $1 version, $2 name, $3 checksum, $4 the runner's
-- OS user and host, $5 milliseconds taken, $6 planpipe's version, $7 kind
-- (applied or baseline).
INSERT INTO public.planpipe_schema_migrations
  (version, name, checksum, applied_by, duration_ms, runner_version, kind)
  VALUES ($1, $2, $3, current_user || ' (' || $4 || ')', $5, $6, $7)

-- name: invalid_indexes
-- Indexes left invalid, e.g. by a failed CREATE INDEX CONCURRENTLY, as one
-- comma-separated text (NULL: none). No parameters.
SELECT string_agg(format('%I.%I', n.nspname, c.relname), ', ')
   FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
   JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE NOT i.indisvalid AND n.nspname <> 'pg_catalog' AND n.nspname NOT LIKE 'pg_toast%'

-- name: has_maintenance
-- Whether the schema has planpipe_maintenance() (migrations/0015). No
-- parameters.
SELECT to_regprocedure('public.planpipe_maintenance()') IS NOT NULL

-- name: maintenance
-- Runs it after the migrations: its report as text. No parameters.
SELECT public.planpipe_maintenance()::text

-- name: set_local
-- A setting for the migration's transaction only: $1 its name, $2 its value.
SELECT set_config($1, $2, true)

-- name: set_session
-- A setting for the session (a migration that runs outside a transaction):
-- $1 its name, $2 its value.
SELECT set_config($1, $2, false)

-- name: reset_lock_timeout
-- Back to the session's lock_timeout after a migration outside a
-- transaction (set_session). No parameters.
RESET lock_timeout

-- name: reset_statement_timeout
-- Back to the session's statement_timeout, as reset_lock_timeout.
RESET statement_timeout
