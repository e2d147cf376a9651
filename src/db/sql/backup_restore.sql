-- `planpipe restore` (src/db/backup_restore.c), run on the maintenance
-- database: the target, its sessions, the fresh database's progress. The
-- CREATE, ALTER and DROP DATABASE statements are built in C: a utility
-- statement takes no parameters, and the names are quoted in at run time.

-- name: sessions
-- Sessions that keep a database from being renamed (autovacuum gives way by itself).
-- $1 the database: how many sessions, and who they are, as text.
SELECT count(*), coalesce(string_agg(format('pid %s (%s)', pid,
          coalesce(nullif(application_name, ''), usename::text, backend_type)),
          ', ' ORDER BY pid), '')
   FROM pg_stat_activity
  WHERE datname = $1 AND pid <> pg_backend_pid()
    AND backend_type NOT IN ('autovacuum worker', 'parallel worker')

-- name: terminate
-- Ends the sessions of database $1 (not our own): how many were signalled.
SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
  WHERE datname = $1 AND pid <> pg_backend_pid()
    AND backend_type NOT IN ('autovacuum worker', 'parallel worker')

-- name: target
-- Whether a database exists, whether we may replace it, and whether it takes connections.
-- $1 the database: no row when it does not exist.
SELECT d.datallowconn,
       coalesce((SELECT rolsuper FROM pg_roles WHERE rolname = current_user), false)
       OR pg_has_role(current_user, d.datdba, 'MEMBER')
  FROM pg_database d WHERE d.datname = $1

-- name: leftovers
-- Databases that an interrupted restore or verify left behind, by name, as
-- one comma-separated text (NULL: none). No parameters.
SELECT string_agg(datname, ', ' ORDER BY datname) FROM pg_database
WHERE datname ~ '^planpipe_(restore|verify)_[0-9]+_[0-9]+$'

-- name: database_size
-- The size in bytes of database $1 (the restore's progress).
SELECT pg_database_size($1)

-- name: maintenance_work_mem
-- The session's maintenance_work_mem in bytes. No parameters.
SELECT pg_size_bytes(current_setting('maintenance_work_mem'))

-- name: now_stamp
-- The time now in UTC as YYYYMMDDTHHMMSS (the replaced database's new
-- name). No parameters.
SELECT to_char(now() AT TIME ZONE 'UTC', 'YYYYMMDD"T"HH24MISS')

-- name: database_exists
-- One row when database $1 exists.
SELECT 1 FROM pg_database WHERE datname = $1

-- name: analyze
-- Planner statistics for the whole restored database. No parameters.
ANALYZE
