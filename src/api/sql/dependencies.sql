-- Dependencies between stories and between projects (src/api/dependencies.c).
-- An edge (A, B) reads "A depends on B". A story of a project the caller
-- cannot see shows as "(hidden)" (planpipe_story_label) and is never walked
-- through. Each statement runs after tx.sql's begin, auth and guard.

-- name: story_deps_list
-- GET /v1/projects/{project}/stories/{story}/dependencies: $1 the project's
-- key, $2 the story's. Runs after tx.sql's guard of the project, in the
-- request's transaction.
WITH st AS (
  SELECT s.id FROM stories s
  WHERE s.project_id = (SELECT id FROM projects WHERE key = $1) AND s.key = $2 COLLATE planpipe_ci),
-- Both directions, each edge's far end as "other".
edges AS (
  SELECT 'depends_on' AS dir, e.depends_on_id AS other, e.kind, e.created_at
  FROM story_dependencies e WHERE e.story_id = (SELECT id FROM st)
  UNION ALL
  SELECT 'dependents', e.story_id, e.kind, e.created_at
  FROM story_dependencies e WHERE e.depends_on_id = (SELECT id FROM st)),
items AS (
  SELECT x.dir, l.ref,
    json_build_object('ref', l.ref, 'project', op.key, 'key', o.key, 'title', o.title,
      'status', o.status, 'kind', x.kind, 'created_at', x.created_at) AS j
  FROM edges x
    CROSS JOIN LATERAL (SELECT planpipe_story_label(x.other) AS ref) l
    LEFT JOIN stories o ON o.id = x.other
    LEFT JOIN projects op ON op.id = o.project_id)
SELECT CASE
    WHEN NOT EXISTS (SELECT FROM st) THEN planpipe_api_fail('PP404', 'no story ' || $1 || ':' || $2)
    ELSE json_build_object(
      'depends_on', coalesce((
        SELECT json_agg(j ORDER BY ref) FROM items WHERE dir = 'depends_on'), '[]'),
      'dependents', coalesce((
        SELECT json_agg(j ORDER BY ref) FROM items WHERE dir = 'dependents'), '[]'),
      'unresolved', coalesce((
        SELECT json_agg(r.project_key || ':' || r.story_key
          ORDER BY r.project_key, r.story_key)
        FROM story_dependency_refs r
        WHERE r.story_id = (SELECT id FROM st)), '[]'))
  END AS body

-- name: story_dep_add
-- POST /v1/projects/{project}/stories/{story}/dependencies: $1 the project's
-- key, $2 the story's, $3 the body. The cycle check is an AFTER trigger: it
-- runs, and may raise PP001, at the end of this statement. Runs after
-- tx.sql's guard of the project, in the request's transaction.
WITH i AS (SELECT $3::jsonb AS b),
st AS (
  SELECT s.id FROM stories s
  WHERE s.project_id = (SELECT id FROM projects WHERE key = $1) AND s.key = $2 COLLATE planpipe_ci),
dep AS (
  SELECT o.id FROM stories o JOIN projects op ON op.id = o.project_id, i
  -- From $3 itself, not i.b: a condition on o must not read another
  -- relation's column through a function that is not LEAKPROOF (->>), or
  -- row-level security keeps it from being an index condition (0029).
  WHERE op.key = coalesce($3::jsonb->>'project', $1)
    AND o.key = ($3::jsonb->>'story') COLLATE planpipe_ci),
ins AS (
  INSERT INTO story_dependencies (story_id, depends_on_id, kind)
  SELECT st.id, dep.id, coalesce(i.b->>'kind', 'blocks') FROM st, dep, i
  RETURNING *)
SELECT CASE
    WHEN NOT EXISTS (SELECT FROM st) THEN planpipe_api_fail('PP404', 'no story ' || $1 || ':' || $2)
    WHEN NOT EXISTS (SELECT FROM dep) THEN
      planpipe_api_fail('PP422',
        'no story ' || coalesce(i.b->>'project', $1) || ':' || (i.b->>'story'), 'story')
    ELSE (SELECT json_build_object('story', $1 || ':' || $2,
            'depends_on', planpipe_story_label(ins.depends_on_id), 'kind', ins.kind,
            'created_at', ins.created_at)
          FROM ins)
  END AS body
FROM i

-- name: story_dep_remove
-- DELETE
-- /v1/projects/{project}/stories/{story}/dependencies/{other_project}/{other_story}:
-- $1 and $2 the story, $3 and $4 the other. Runs after tx.sql's guard of the
-- project, in the request's transaction.
WITH st AS (
  SELECT s.id FROM stories s
  WHERE s.project_id = (SELECT id FROM projects WHERE key = $1) AND s.key = $2 COLLATE planpipe_ci),
del AS (
  DELETE FROM story_dependencies e USING stories o, projects op
  WHERE e.story_id = (SELECT id FROM st) AND e.depends_on_id = o.id
    AND o.project_id = op.id AND op.key = $3 AND o.key = $4 COLLATE planpipe_ci
  RETURNING 1)
SELECT CASE
    WHEN NOT EXISTS (SELECT FROM st) THEN planpipe_api_fail('PP404', 'no story ' || $1 || ':' || $2)
    WHEN NOT EXISTS (SELECT FROM del) THEN
      planpipe_api_fail('PP404', $1 || ':' || $2 || ' does not depend on ' || $3 || ':' || $4)
  END AS body

-- name: story_graph
-- GET /v1/projects/{project}/stories/{story}/graph: $1 and $2 the story, $3
-- the direction (down: what it depends on; up: what depends on it), $4 the
-- depth. The stories reachable at most $4 steps through visible stories only;
-- each at its shortest depth, and every edge between them. The direction is a
-- parameter of a custom plan, so the OR folds away and the right index serves
-- each step. Runs after tx.sql's guard of the project, in the request's
-- transaction.
WITH RECURSIVE st AS (
  SELECT s.id FROM stories s
  WHERE s.project_id = (SELECT id FROM projects WHERE key = $1) AND s.key = $2 COLLATE planpipe_ci),
walk(id, depth) AS (
  SELECT id, 0 FROM st
  UNION
  SELECT CASE WHEN $3 = 'down' THEN e.depends_on_id ELSE e.story_id END, w.depth + 1
  FROM walk w
    JOIN story_dependencies e
      ON ($3 = 'down' AND e.story_id = w.id) OR ($3 = 'up' AND e.depends_on_id = w.id)
    JOIN stories n ON n.id = CASE WHEN $3 = 'down' THEN e.depends_on_id ELSE e.story_id END
  WHERE w.depth < $4::int),
nodes AS (SELECT id, min(depth) AS depth FROM walk GROUP BY id)
SELECT CASE
    WHEN NOT EXISTS (SELECT FROM st) THEN planpipe_api_fail('PP404', 'no story ' || $1 || ':' || $2)
    ELSE json_build_object('root', $1 || ':' || $2, 'direction', $3, 'depth', $4::int,
      'nodes', (
        SELECT json_agg(json_build_object('ref', p.key || ':' || s.key,
            'project', p.key, 'key', s.key, 'title', s.title, 'status', s.status,
            'category', planpipe_status_category(s.status), 'depth', nd.depth)
          ORDER BY nd.depth, p.key, s.key)
        FROM nodes nd
          JOIN stories s ON s.id = nd.id
          JOIN projects p ON p.id = s.project_id),
      'edges', coalesce((
        SELECT json_agg(json_build_object('from', planpipe_story_label(e.story_id),
            'to', planpipe_story_label(e.depends_on_id), 'kind', e.kind)
          ORDER BY e.story_id, e.depends_on_id)
        FROM story_dependencies e
        WHERE e.story_id IN (SELECT id FROM nodes)
          AND e.depends_on_id IN (SELECT id FROM nodes)), '[]'))
  END AS body

-- name: project_deps_list
-- GET /v1/projects/{project}/dependencies: $1 the project's key. Runs after
-- tx.sql's guard of the project, in the request's transaction.
WITH p AS (SELECT id FROM projects WHERE key = $1),
-- Both directions, each edge's far end as "other", as in story_deps_list.
items AS (
  SELECT x.dir, l.label,
    json_build_object('project', l.label, 'kind', x.kind, 'note', x.note,
      'created_at', x.created_at) AS j
  FROM (
      SELECT 'depends_on' AS dir, e.depends_on_project_id AS other, e.kind, e.note, e.created_at
      FROM project_dependencies e WHERE e.project_id = (SELECT id FROM p)
      UNION ALL
      SELECT 'dependents', e.project_id, e.kind, e.note, e.created_at
      FROM project_dependencies e WHERE e.depends_on_project_id = (SELECT id FROM p)) x
    CROSS JOIN LATERAL (SELECT planpipe_project_label(x.other) AS label) l)
SELECT json_build_object(
    'depends_on', coalesce((
      SELECT json_agg(j ORDER BY label) FROM items WHERE dir = 'depends_on'), '[]'),
    'dependents', coalesce((
      SELECT json_agg(j ORDER BY label) FROM items WHERE dir = 'dependents'), '[]'))
  AS body

-- name: project_dep_add
-- POST /v1/projects/{project}/dependencies: $1 the project's key, $2 the
-- body. Runs after tx.sql's guard of the project, in the request's
-- transaction.
WITH i AS (SELECT $2::jsonb AS b),
dep AS (SELECT op.id FROM projects op, i WHERE op.key = i.b->>'project'),
ins AS (
  INSERT INTO project_dependencies (project_id, depends_on_project_id, kind, note)
  SELECT (SELECT id FROM projects WHERE key = $1), dep.id,
    coalesce(i.b->>'kind', 'blocks'), i.b->>'note'
  FROM dep, i
  RETURNING *)
SELECT CASE
    WHEN NOT EXISTS (SELECT FROM dep) THEN
      planpipe_api_fail('PP422', 'no project ' || (i.b->>'project'), 'project')
    ELSE (SELECT json_build_object('project', $1, 'depends_on', i.b->>'project',
            'kind', ins.kind, 'note', ins.note, 'created_at', ins.created_at)
          FROM ins)
  END AS body
FROM i

-- name: project_dep_remove
-- DELETE /v1/projects/{project}/dependencies/{other_project}: $1 the
-- project's key, $2 the other's. Runs after tx.sql's guard of the project, in
-- the request's transaction.
WITH del AS (
  DELETE FROM project_dependencies e USING projects op
  WHERE e.project_id = (SELECT id FROM projects WHERE key = $1)
    AND e.depends_on_project_id = op.id AND op.key = $2
  RETURNING 1)
SELECT CASE
    WHEN NOT EXISTS (SELECT FROM del) THEN
      planpipe_api_fail('PP404', $1 || ' does not depend on ' || $2)
  END AS body
