-- Point-in-time backup and restore through the server (src/db/pitr.c): COPY
-- ... FROM PROGRAM 'planpipe-pitr ...' into a temporary table (built in C:
-- COPY takes no parameters, the command line is quoted in), then its lines.

-- name: may_run
-- Whether the role may run a program on the server (superuser, or member
-- of pg_execute_server_program). No parameters.
SELECT r.rolsuper OR pg_has_role(current_user, 'pg_execute_server_program', 'MEMBER')
  FROM pg_roles r WHERE r.rolname = current_user

-- name: norm_time
-- UTC with microseconds: exact, and nothing but digits, '-', ':', '.', '+' and a space.
-- $1 the --to-time value: its normalised text, and whether it lies ahead.
SELECT to_char($1::timestamptz AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') || '+00',
  $1::timestamptz > now()

-- name: norm_lsn
-- $1 the --to-lsn value, normalised (fails when it is not an LSN).
SELECT $1::pg_lsn::text

-- name: session
-- The session: no limits on the long COPY, and the table it fills.
-- Several statements in one text (not prepared). No parameters.
SET statement_timeout = 0; SET lock_timeout = 0;
  SET idle_in_transaction_session_timeout = 0;
  CREATE TEMP TABLE pp_pitr_out (n bigserial, line text)

-- name: lines
-- The program's output lines, in order. No parameters.
SELECT coalesce(line, '') FROM pp_pitr_out ORDER BY n
