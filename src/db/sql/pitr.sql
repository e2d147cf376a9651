
-- name: may_run
-- TODO
SELECT r.rolsuper OR pg_has_role(current_user, 'pg_execute_server_program', 'MEMBER')
  FROM pg_roles r WHERE r.rolname = current_user

-- name: norm_time
-- UTC with microseconds: exact, and nothing but digits, '-', ':', '.', '+' and a space.
-- TODO
SELECT to_char($1::timestamptz AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') || '+00',
  $1::timestamptz > now()

-- name: norm_lsn
-- TODO
SELECT $1::pg_lsn::text

-- name: session
-- TODO
SET statement_timeout = 0; SET lock_timeout = 0;
  SET idle_in_transaction_session_timeout = 0;
  CREATE TEMP TABLE pp_pitr_out (n bigserial, line text)

-- name: lines
-- TODO
SELECT coalesce(line, '') FROM pp_pitr_out ORDER BY n
