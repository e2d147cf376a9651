-- A project's workflow, the routes that run as one statement (src/api/sql.h;
-- as in stories.sql: $1 the token's SHA-256; columns user_id, body, version).

-- name: statuses_list
-- GET /v1/projects/{project}/statuses: $2 the project's key.
SELECT user_id, body, version
FROM planpipe_api_statuses_list($1::bytea, $2)
