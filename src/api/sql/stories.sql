-- The stories' statements (src/api/stories.c, story_list.c,
-- story_actions.c; sql.h). Reads and writes of one story run as one
-- statement; the lists after tx.sql's begin, auth and guard, in one
-- transaction (tx.h). The one-statement routes each call an
-- invoker-rights function (migrations 0022, 0035 and 0037) in autocommit,
-- prepared once per connection. $1 is always the SHA-256 of the request's
-- bearer token; the result's columns are user_id (the access log), body and
-- version (ETag). A write's *_in_tx twin runs with an Idempotency-Key,
-- inside the key's transaction, without the token hash.

-- name: story_get
-- GET /v1/projects/{project}/stories/{story}: $2 the project's key, $3 the
-- story's.
SELECT user_id, body, version
FROM planpipe_api_story_get($1::bytea, $2, $3)

-- name: story_create
-- POST /v1/projects/{project}/stories as one statement
-- (migrations/0035_story_writes_one_statement.sql): $2 the project's key, $3
-- the body. The answer adds the Location.
SELECT user_id, body, version, location
FROM planpipe_api_story_create($1::bytea, $2, $3::jsonb)

-- name: story_create_in_tx
-- The same with an Idempotency-Key, in the transaction tx.sql's auth
-- began: $1 and $2 as story_create's $2 and $3.
SELECT body, version, location
FROM planpipe_api_story_create(NULL, $1, $2::jsonb)

-- name: story_patch
-- PATCH /v1/projects/{project}/stories/{story} as one statement
-- (migrations/0037_story_patch_archive_one_statement.sql): $2 the project's
-- key, $3 the story's, $4 the body, $5 If-Match's version or NULL.
SELECT user_id, body, version
FROM planpipe_api_story_patch($1::bytea, $2, $3, $4::jsonb, $5::int)

-- name: story_patch_in_tx
-- The same with an Idempotency-Key: $1 to $4 as story_patch's $2 to $5.
SELECT body, version
FROM planpipe_api_story_patch(NULL, $1, $2, $3::jsonb, $4::int)

-- name: story_archive
-- DELETE /v1/projects/{project}/stories/{story} as one statement (0037): $2
-- the project's key, $3 the story's, $4 If-Match's version or NULL. No body.
SELECT user_id, body
FROM planpipe_api_story_archive($1::bytea, $2, $3, $4::int)

-- name: story_archive_in_tx
-- The same with an Idempotency-Key: $1 to $3 as story_archive's $2 to $4.
SELECT body
FROM planpipe_api_story_archive(NULL, $1, $2, $3::int)

-- name: story_transition
-- POST /v1/projects/{project}/stories/{story}/transitions as one statement
-- (migrations/0035_story_writes_one_statement.sql): $2 the project's key, $3
-- the story's, $4 the new status, $5 If-Match's version or NULL, $6 the note
-- or NULL, $7 force.
SELECT user_id, body, version
FROM planpipe_api_story_transition($1::bytea, $2, $3, $4, $5::int, $6, $7::boolean)

-- name: story_transition_in_tx
-- The same with an Idempotency-Key, in the transaction tx.sql's auth
-- began: $1 to $6 as story_transition's $2 to $7.
SELECT body, version
FROM planpipe_api_story_transition(NULL, $1, $2, $3, $4::int, $5, $6::boolean)

-- name: story_move
-- POST /v1/projects/{project}/stories/{story}/move as one statement (0037):
-- $2 the project's key, $3 the story's, $4 the body, $5 If-Match's version
-- or NULL.
SELECT user_id, body, version
FROM planpipe_api_story_move($1::bytea, $2, $3, $4::jsonb, $5::int)

-- name: story_move_in_tx
-- The same with an Idempotency-Key: $1 to $4 as story_move's $2 to $5.
SELECT body, version
FROM planpipe_api_story_move(NULL, $1, $2, $3::jsonb, $4::int)

-- name: stories_list
-- GET /v1/projects/{project}/stories and GET /v1/stories: $1 project keys
-- (NULL: every project the caller sees), $2 statuses, $3 categories, $4
-- backlog id, $5 labels (all of them), $6 epics, $7 priorities, $8 owners, $9
-- text query, $10 archived too, $11 limit, $12 and $13 the cursor's id and
-- sort key, $14 the sort, $15 and $16 the priority_rank bounds; NULL where
-- not asked. planpipe_story_page (migration 0021) picks the page's ids and
-- sort keys with the caller's projects known, so that the planner can walk an
-- index in the page's order or use a GIN index, whichever the filters favour;
-- the page is then read and ordered here, under the policies.
SELECT coalesce(json_agg(j ORDER BY n) FILTER (WHERE n <= $11::int), '[]') AS items,
  count(*) > $11::int AS more,
  max(id) FILTER (WHERE n = $11::int) AS last_id,
  max(k) FILTER (WHERE n = $11::int) AS last_key
FROM (
  SELECT s.id, pg.sort_key AS k, planpipe_story_fields(s, p.key) AS j,
    row_number() OVER (ORDER BY pg.sort_key, s.id) AS n
  FROM planpipe_story_page(
      CASE WHEN $1::text[] IS NULL THEN NULL
        ELSE ARRAY(SELECT id FROM projects WHERE key = ANY ($1::text[])) END,
      $2::text[], $3::text[], $4::bigint, $5::text[], $6::text[], $7::text[], $8::text[],
      websearch_to_tsquery('english', $9::text), $10::boolean, $12::bigint, $13::numeric,
      $14::text, $11::int + 1, $15::int, $16::int) pg
    JOIN stories s ON s.id = pg.id
    JOIN projects p ON p.id = s.project_id) x

-- name: stories_projects_known
-- GET /v1/stories?project=A&project=B, before stories_list: $1 the project
-- keys. Every project named must exist and be visible: else 404, the same for
-- both and the same as every route that names a project (the API never tells
-- that a project exists).
SELECT planpipe_api_fail('PP404', 'no project ' || k)
FROM unnest($1::text[]) k
WHERE NOT EXISTS (SELECT FROM projects p WHERE p.key = k)
