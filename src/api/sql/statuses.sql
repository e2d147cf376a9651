-- A project's workflow (src/api/statuses.c, sql.h). statuses_list runs as
-- one statement (as in stories.sql: $1 the token's SHA-256; columns
-- user_id, body, version); the others after tx.sql's begin, auth and guard.

-- name: statuses_list
-- GET /v1/projects/{project}/statuses: $2 the project's key.
SELECT user_id, body, version
FROM planpipe_api_statuses_list($1::bytea, $2)

-- name: status_add
-- POST /v1/projects/{project}/statuses: $1 the project's key, $2 the body.
-- Runs after tx.sql's guard of the project, in the request's transaction.
WITH a AS (
  SELECT planpipe_api_project_status_add($1, $2::json->>'key', $2::json->>'category',
    $2::json->>'name', ($2::json->>'position')::int) AS j)
SELECT j AS body,
  '/v1/projects/' || planpipe_url_segment($1) || '/statuses/'
    || planpipe_url_segment(j->>'key') AS location
FROM a

-- name: status_patch
-- PATCH /v1/projects/{project}/statuses/{status}: $1 the project's key, $2
-- the status, $3 the body. Runs after tx.sql's guard of the project, in the
-- request's transaction.
SELECT planpipe_api_project_status_patch($1, $2, $3::json->>'name',
    ($3::json->>'position')::int) AS body
