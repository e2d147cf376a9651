-- `planpipe export` (src/cli/cmd_export.c): the API's documents, read in
-- one REPEATABLE READ snapshot (begin, commit) with TimeZone UTC (session).
-- A project, a backlog and a story are the documents the API answers with,
-- written by the database (planpipe_project_json(), planpipe_backlog_json(),
-- planpipe_story_fields() and planpipe_story_json(): migrations 0035 and
-- 0036); the export, connected as the schema owner, is every project's
-- owner. $1 is a project's key where there is one.

-- fragment: project_id
-- The id of the project whose key is $1.
(SELECT id FROM projects WHERE key = $1)

-- fragment: change_json
-- One history row h (users u), as GET .../history gives it.
json_build_object('story', planpipe_story_label(h.story_id), 'from', h.from_status,
    'to', h.to_status, 'changed_at', h.changed_at, 'changed_by', u.handle,
    'source', h.source, 'note', h.note)

-- fragment: end_fields
-- One end of an edge e, story o of project op, after its 'ref', as GET
-- .../dependencies gives it.
'project', op.key, 'key', o.key, 'title', o.title, 'status', o.status,
    'kind', e.kind, 'created_at', e.created_at

-- name: session
-- Times as the API writes them (UTC, "+00:00"). No parameters.
SET TimeZone = 'UTC'

-- name: begin
-- One snapshot for every file. No parameters.
BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY

-- name: commit
COMMIT

-- name: now
-- The export's time, for index.json. No parameters.
SELECT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')

-- name: projects
-- The projects as one JSON array: $1 their keys as a JSON array, or NULL
-- for every unarchived project.
SELECT coalesce(json_agg(planpipe_project_json(p, 'owner') ORDER BY p.key), '[]')
FROM projects p
WHERE CASE WHEN $1::jsonb IS NULL THEN p.archived_at IS NULL
  ELSE p.key IN (SELECT jsonb_array_elements_text($1::jsonb)) END

-- name: statuses
-- The workflow of project $1, as GET .../statuses gives it.
SELECT planpipe_api_project_statuses($1)

-- name: backlogs
-- The unarchived backlogs of project $1 as one JSON array.
SELECT coalesce(json_agg(planpipe_backlog_json(b) ORDER BY b.position, b.id), '[]')
FROM backlogs b WHERE b.project_id = {{project_id}} AND b.archived_at IS NULL

-- name: stories
-- The unarchived stories of project $1 as one JSON array, without bodies.
SELECT coalesce(json_agg(planpipe_story_fields(s, p.key) ORDER BY s.rank, s.id), '[]')
FROM stories s JOIN projects p ON p.id = s.project_id
WHERE s.project_id = {{project_id}} AND s.archived_at IS NULL

-- name: story_pages
-- Each unarchived story of project $1: its key, the story with its body,
-- its history, its dependencies (both ways, and the unresolved ones).
SELECT s.key, planpipe_story_json(s, p.key),
  coalesce((SELECT json_agg({{change_json}} ORDER BY h.changed_at, h.id)
    FROM status_history h LEFT JOIN users u ON u.id = h.changed_by
    WHERE h.story_id = s.id), '[]'),
  json_build_object(
    'depends_on', coalesce((SELECT json_agg(json_build_object(
        'ref', planpipe_story_label(e.depends_on_id), {{end_fields}})
      ORDER BY planpipe_story_label(e.depends_on_id))
      FROM story_dependencies e LEFT JOIN stories o ON o.id = e.depends_on_id
      LEFT JOIN projects op ON op.id = o.project_id WHERE e.story_id = s.id), '[]'),
    'dependents', coalesce((SELECT json_agg(json_build_object(
        'ref', planpipe_story_label(e.story_id), {{end_fields}})
      ORDER BY planpipe_story_label(e.story_id))
      FROM story_dependencies e LEFT JOIN stories o ON o.id = e.story_id
      LEFT JOIN projects op ON op.id = o.project_id WHERE e.depends_on_id = s.id), '[]'),
    'unresolved', coalesce((SELECT json_agg(r.project_key || ':' || r.story_key
      ORDER BY r.project_key, r.story_key) FROM story_dependency_refs r
      WHERE r.story_id = s.id), '[]'))
FROM stories s JOIN projects p ON p.id = s.project_id
WHERE s.project_id = {{project_id}} AND s.archived_at IS NULL
ORDER BY s.id

-- name: graph
-- The graph of story $2 of project $1 in direction $3 ('down': what it
-- depends on; 'up': what depends on it), 5 steps: GET .../graph's document.
WITH RECURSIVE st AS (
  SELECT s.id FROM stories s WHERE s.project_id = {{project_id}} AND s.key = $2),
walk(id, depth) AS (
  SELECT id, 0 FROM st
  UNION
  SELECT CASE WHEN $3 = 'down' THEN e.depends_on_id ELSE e.story_id END, w.depth + 1
  FROM walk w JOIN story_dependencies e
    ON ($3 = 'down' AND e.story_id = w.id) OR ($3 = 'up' AND e.depends_on_id = w.id)
  WHERE w.depth < 5),
nodes AS (SELECT id, min(depth) AS depth FROM walk GROUP BY id)
SELECT json_build_object('root', $1 || ':' || $2, 'direction', $3, 'depth', 5,
  'nodes', (SELECT json_agg(json_build_object('ref', p.key || ':' || s.key,
      'project', p.key, 'key', s.key, 'title', s.title, 'status', s.status,
      'category', planpipe_status_category(s.status), 'depth', nd.depth)
      ORDER BY nd.depth, p.key, s.key)
    FROM nodes nd JOIN stories s ON s.id = nd.id JOIN projects p ON p.id = s.project_id),
  'edges', coalesce((SELECT json_agg(json_build_object(
      'from', planpipe_story_label(e.story_id), 'to', planpipe_story_label(e.depends_on_id),
      'kind', e.kind) ORDER BY e.story_id, e.depends_on_id)
    FROM story_dependencies e WHERE e.story_id IN (SELECT id FROM nodes)
      AND e.depends_on_id IN (SELECT id FROM nodes)), '[]'))
