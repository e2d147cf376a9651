-- A project's backlogs (src/api/backlogs.c). Each statement runs after
-- tx.sql's begin, auth and guard, in one transaction (tx.h).

-- name: backlogs_list
-- GET /v1/projects/{project}/backlogs: $1 the project's key, $2 whether
-- archived backlogs are listed too. Runs after tx.sql's guard of the project,
-- in the request's transaction.
SELECT coalesce(json_agg(planpipe_backlog_json(b) ORDER BY b.position, b.id), '[]') AS body
FROM backlogs b
WHERE b.project_id = (SELECT id FROM projects WHERE key = $1)
  AND ($2::boolean OR b.archived_at IS NULL)

-- name: backlog_create
-- POST /v1/projects/{project}/backlogs: $1 the project's key, $2 the body
-- (checked by the handler). Runs after tx.sql's guard of the project, in the
-- request's transaction.
WITH b AS (
  INSERT INTO backlogs (project_id, name, kind, position, description, starts_on, ends_on)
  SELECT (SELECT id FROM projects WHERE key = $1), i.b->>'name',
    coalesce(i.b->>'kind', 'backlog'), coalesce((i.b->>'position')::int, 0),
    coalesce(i.b->>'description', ''), (i.b->>'starts_on')::date, (i.b->>'ends_on')::date
  FROM (SELECT $2::jsonb AS b) i
  RETURNING *)
SELECT planpipe_backlog_json(b::backlogs) AS body, b.version,
  '/v1/projects/' || $1 || '/backlogs/' || b.id AS location
FROM b

-- name: backlog_patch
-- PATCH /v1/projects/{project}/backlogs/{backlog}: $1 the project's key, $2
-- the backlog's id, $3 the body, $4 If-Match's version or NULL (see
-- projects.sql, project_patch, for how cur, upd and If-Match work together).
-- Runs after tx.sql's guard of the project, in the request's transaction.
WITH i AS (SELECT $3::jsonb AS b),
cur AS (
  SELECT b.* FROM backlogs b
  WHERE b.project_id = (SELECT id FROM projects WHERE key = $1) AND b.id = $2::bigint
  FOR NO KEY UPDATE),
upd AS (
  UPDATE backlogs t SET
    -- The body merged over the row, as in projects.sql's project_patch.
    (name, kind, position, description, starts_on, ends_on) =
      (SELECT n.name, n.kind, n.position, n.description, n.starts_on, n.ends_on
        FROM jsonb_populate_record(t, i.b) n),
    archived_at = CASE WHEN NOT i.b ? 'archived' THEN t.archived_at
      WHEN (i.b->>'archived')::boolean THEN coalesce(t.archived_at, now()) END
  FROM i, cur
  WHERE t.id = cur.id AND ($4::int IS NULL OR t.version = $4::int)
  RETURNING t.*)
SELECT CASE
    WHEN EXISTS (SELECT FROM upd) THEN (SELECT planpipe_backlog_json(b::backlogs) FROM upd b)
    WHEN NOT EXISTS (SELECT FROM cur) THEN planpipe_api_fail('PP404', 'no backlog ' || $2)
    WHEN $4::int IS NOT NULL AND (SELECT version FROM cur) <> $4::int THEN
      planpipe_api_fail('PP412', format('%s is at version %s; If-Match names %s',
        'backlog ' || $2, (SELECT version FROM cur), $4))
    ELSE (SELECT planpipe_backlog_json(b::backlogs) FROM cur b)
  END AS body,
  coalesce((SELECT version FROM upd), (SELECT version FROM cur)) AS version

-- name: backlog_archive
-- DELETE /v1/projects/{project}/backlogs/{backlog}: $1 the project's key, $2
-- the backlog's id, $3 If-Match's version or NULL. Runs after tx.sql's guard
-- of the project, in the request's transaction.
WITH cur AS (
  SELECT b.* FROM backlogs b
  WHERE b.project_id = (SELECT id FROM projects WHERE key = $1) AND b.id = $2::bigint
  FOR NO KEY UPDATE),
upd AS (
  UPDATE backlogs t SET archived_at = coalesce(t.archived_at, now())
  FROM cur
  WHERE t.id = cur.id AND ($3::int IS NULL OR t.version = $3::int)
  RETURNING t.id)
SELECT CASE
    WHEN NOT EXISTS (SELECT FROM cur) THEN planpipe_api_fail('PP404', 'no backlog ' || $2)
    WHEN NOT EXISTS (SELECT FROM upd) AND $3::int IS NOT NULL
        AND (SELECT version FROM cur) <> $3::int THEN
      planpipe_api_fail('PP412', format('%s is at version %s; If-Match names %s',
        'backlog ' || $2, (SELECT version FROM cur), $3))
  END AS body
