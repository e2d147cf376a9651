-- Status history (src/api/history.c), after tx.sql's begin, auth and guard.

-- fragment: change_json
-- A status change h by user u as JSON.
json_build_object('story', planpipe_story_label(h.story_id), 'from', h.from_status,
    'to', h.to_status, 'changed_at', h.changed_at, 'changed_by', u.handle,
    'source', h.source, 'note', h.note)

-- name: story_history
-- GET /v1/projects/{project}/stories/{story}/history: $1 the project's key,
-- $2 the story's; all of it, oldest first. Runs after tx.sql's guard of the
-- project, in the request's transaction.
WITH st AS (
  SELECT s.id FROM stories s
  WHERE s.project_id = (SELECT id FROM projects WHERE key = $1) AND s.key = $2 COLLATE planpipe_ci)
SELECT CASE
    WHEN NOT EXISTS (SELECT FROM st) THEN planpipe_api_fail('PP404', 'no story ' || $1 || ':' || $2)
    ELSE coalesce((
      SELECT json_agg({{change_json}} ORDER BY h.changed_at, h.id)
      FROM status_history h LEFT JOIN users u ON u.id = h.changed_by
      WHERE h.story_id = (SELECT id FROM st)), '[]')
  END AS body

-- name: project_history
-- GET /v1/projects/{project}/history: $1 the project's key, $2 since (or
-- NULL), $3 the limit, $4 and $5 the cursor's changed_at and id (or NULL).
-- Runs after tx.sql's guard of the project, in the request's transaction.
SELECT coalesce(json_agg(j ORDER BY n) FILTER (WHERE n <= $3::int), '[]') AS items,
  count(*) > $3::int AS more,
  max(ts) FILTER (WHERE n = $3::int) AS last_ts,
  max(id) FILTER (WHERE n = $3::int) AS last_id
FROM (
  SELECT h.id,
    to_char(h.changed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS ts,
    {{change_json}} AS j,
    row_number() OVER (ORDER BY h.changed_at, h.id) AS n
  FROM status_history h LEFT JOIN users u ON u.id = h.changed_by
  WHERE h.project_id = (SELECT id FROM projects WHERE key = $1)
    AND ($2::timestamptz IS NULL OR h.changed_at >= $2::timestamptz)
    AND ($4::timestamptz IS NULL OR (h.changed_at, h.id) > ($4::timestamptz, $5::bigint))
  ORDER BY h.changed_at, h.id
  LIMIT $3::int + 1) x
