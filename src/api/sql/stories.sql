-- The stories' statements, one per route that runs as one statement
-- (src/api/sql.h). Each calls an invoker-rights function of
-- migrations/0022_api_request_path.sql in autocommit, prepared once per
-- connection. $1 is always the SHA-256 of the request's bearer token; the
-- result's columns are user_id (the access log), body and version (ETag).

-- name: story_get
-- GET /v1/projects/{project}/stories/{story}: $2 the project's key, $3 the story's.
SELECT user_id, body, version
FROM planpipe_api_story_get($1::bytea, $2, $3)
