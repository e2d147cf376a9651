-- `planpipe health` and the readiness probe (src/db/health.c, health.h).
-- None takes parameters. Each check runs after SET LOCAL statement_timeout
-- and lock_timeout in the same text (health.c's query), so that the server
-- ends it at the deadline. The schema's version is migrate.sql's has_history
-- and db_version.

-- name: ping
-- The bare round trip (liveness).
SELECT 1

-- name: server
-- In recovery, read-only, the server's version as text and as a number.
SELECT pg_is_in_recovery(), current_setting('transaction_read_only'),
  current_setting('server_version'), current_setting('server_version_num')

-- name: ready
-- The readiness facts in one row: in recovery, transaction_read_only, the
-- schema version. Fails with 42P01 on a database never migrated (health.h).
SELECT pg_is_in_recovery(), current_setting('transaction_read_only'),
  coalesce((SELECT max(version) FROM public.planpipe_schema_migrations), 0)

-- name: uptime
-- Seconds since the server started.
SELECT extract(epoch FROM now() - pg_postmaster_start_time())::float8

-- name: connections
-- Non-superusers can use max_connections less the reserved slots.
-- Client sessions, max_connections, the slots reserved for superusers.
SELECT count(*) FILTER (WHERE backend_type = 'client backend'),
       current_setting('max_connections')::int,
       current_setting('superuser_reserved_connections')::int
  FROM pg_stat_activity

-- name: oldest_xact
-- Prepared transactions hold back vacuum just like open ones.
-- The age in seconds of the oldest open or prepared transaction, and
-- whether the role sees every session's (else others' show as NULL).
SELECT greatest((SELECT extract(epoch FROM now() - min(xact_start))
              FROM pg_stat_activity
             WHERE pid <> pg_backend_pid() AND backend_type = 'client backend'),
           (SELECT extract(epoch FROM now() - min(prepared)) FROM pg_prepared_xacts),
           0)::float8,
  (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)
  OR pg_has_role(current_user, 'pg_read_all_stats', 'MEMBER')

-- name: wraparound
-- The server stops assigning IDs at 2^31 less a safety margin.
-- How far the oldest database is toward transaction ID wraparound, in percent.
SELECT greatest(max(age(datfrozenxid)), max(mxid_age(datminmxid)))::float8
       / 2147483648 * 100
  FROM pg_database

-- name: size
-- The database's size in bytes.
SELECT pg_database_size(current_database())::float8

-- name: standby_lag
-- When everything received is replayed, a standby is current however old the last commit.
-- On a standby: bytes received but not replayed, and seconds behind.
SELECT pg_wal_lsn_diff(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn())::float8,
  CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
       ELSE extract(epoch FROM now() - pg_last_xact_replay_timestamp()) END::float8

-- name: replicas
-- On a primary: standbys, the most bytes and seconds one is behind.
SELECT count(*), coalesce(max(pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)), 0)::float8,
       coalesce(max(extract(epoch FROM replay_lag)), 0)::float8
  FROM pg_stat_replication

-- name: archiver
-- archive_mode, failures, the last failed WAL file and time (UTC),
-- and whether the last attempt failed.
SELECT current_setting('archive_mode'), a.failed_count, coalesce(a.last_failed_wal, ''),
       coalesce(to_char(a.last_failed_time AT TIME ZONE 'UTC',
                        'YYYY-MM-DD"T"HH24:MI:SS"Z"'), ''),
       a.last_failed_time IS NOT NULL
       AND (a.last_archived_time IS NULL OR a.last_failed_time > a.last_archived_time)
  FROM pg_stat_archiver a

-- name: partitions
-- status_history's monthly partitions (migrations/0006): how many lie wholly
-- ahead, whether one covers now, the default partition's name.
SELECT to_regclass('public.status_history') IS NOT NULL,
       count(*) FILTER (WHERE b.lo > now()),
       count(*) FILTER (WHERE b.lo <= now() AND b.hi > now()),
       coalesce(to_char(max(b.hi) AT TIME ZONE 'UTC', 'YYYY-MM-DD'), ''),
       (SELECT format('%I.%I', n.nspname, c.relname)
          FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
          JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE i.inhparent = to_regclass('public.status_history')
           AND pg_get_expr(c.relpartbound, c.oid) = 'DEFAULT')
  FROM (SELECT m[1]::timestamptz AS lo, m[2]::timestamptz AS hi
          FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid,
               regexp_match(pg_get_expr(c.relpartbound, c.oid),
                            'FROM \(''([^'']*)''\) TO \(''([^'']*)''\)') AS m
         WHERE i.inhparent = to_regclass('public.status_history')) b
