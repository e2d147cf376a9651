-- The projects' statements, one per route that runs as one statement
-- (src/api/sql.h; as in stories.sql: $1 the token's SHA-256; columns
-- user_id, body, version).

-- name: project_get
-- GET /v1/projects/{project}: $2 the project's key.
SELECT user_id, body, version
FROM planpipe_api_project_get($1::bytea, $2)
