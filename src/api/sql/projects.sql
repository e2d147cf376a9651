-- The projects' statements (src/api/projects.c, sql.h). project_get runs
-- as one statement (as in stories.sql: $1 the token's SHA-256; columns
-- user_id, body, version); the others run after tx.sql's begin and auth,
-- in one transaction (tx.h), with $1 the project's key where there is one.

-- name: project_get
-- GET /v1/projects/{project}: $2 the project's key.
SELECT user_id, body, version
FROM planpipe_api_project_get($1::bytea, $2)

-- name: projects_list
-- GET /v1/projects: $1 whether archived projects are listed too, $2 the
-- cursor's key (or NULL), $3 the limit. Row-level security: the caller's
-- projects (all of them for an admin).
SELECT coalesce(json_agg(j ORDER BY key) FILTER (WHERE n <= $3::int), '[]') AS items,
  count(*) > $3::int AS more,
  max(key) FILTER (WHERE n = $3::int) AS last
FROM (
  SELECT p.key, planpipe_project_json(p, planpipe_project_role(p.id)) AS j, row_number() OVER (ORDER BY p.key) AS n
  FROM projects p
  WHERE ($1::boolean OR p.archived_at IS NULL) AND ($2::text IS NULL OR p.key > $2)
  ORDER BY p.key
  LIMIT $3::int + 1) x

-- name: project_create
-- POST /v1/projects: $1 the body (checked by the handler). The creator
-- becomes owner in an AFTER trigger, after this statement's RETURNING: its
-- role is written here.
WITH ins AS (
  INSERT INTO projects (key, name, description, story_key_prefix, git_remote_url,
    git_submodule_path, git_default_branch, git_stories_dir, git_last_synced_commit,
    git_last_synced_at, metadata)
  SELECT b->>'key', b->>'name', coalesce(b->>'description', ''), b->>'story_key_prefix',
    b->>'git_remote_url', b->>'git_submodule_path', coalesce(b->>'git_default_branch', 'main'),
    b->>'git_stories_dir', b->>'git_last_synced_commit',
    (b->>'git_last_synced_at')::timestamptz, coalesce(b->'metadata', '{}')
  FROM (SELECT $1::jsonb AS b) i
  RETURNING *)
SELECT json_build_object('key', p.key, 'name', p.name, 'description', p.description,
    'story_key_prefix', p.story_key_prefix, 'git_remote_url', p.git_remote_url,
    'git_submodule_path', p.git_submodule_path, 'git_default_branch', p.git_default_branch,
    'git_stories_dir', p.git_stories_dir, 'git_last_synced_commit', p.git_last_synced_commit,
    'git_last_synced_at', p.git_last_synced_at, 'metadata', p.metadata,
    'role', 'owner',
    'created_at', p.created_at, 'updated_at', p.updated_at, 'archived_at', p.archived_at,
    'version', p.version) AS body,
  p.version, '/v1/projects/' || p.key AS location
FROM ins p

-- name: project_patch
-- PATCH /v1/projects/{project}: $1 the project's key, $2 the body, $3
-- If-Match's version or NULL. cur locks the newest version of the row (READ
-- COMMITTED re-reads it after a concurrent update), so If-Match is judged
-- against what is committed. An update that changes nothing is suppressed by
-- a trigger: upd is empty and cur is the answer. Runs after tx.sql's guard of
-- the project, in the request's transaction.
WITH i AS (SELECT $2::jsonb AS b),
cur AS (SELECT p.* FROM projects p WHERE p.key = $1 FOR NO KEY UPDATE),
upd AS (
  UPDATE projects t SET
    -- The body merged over the row: a field the body names replaces the
    -- column, one it leaves out keeps it (input.c checked the fields' types).
    (name, description, story_key_prefix, git_remote_url, git_submodule_path, git_default_branch,
        git_stories_dir, git_last_synced_commit, git_last_synced_at, metadata) =
      (SELECT n.name, n.description, n.story_key_prefix, n.git_remote_url, n.git_submodule_path,
          n.git_default_branch, n.git_stories_dir, n.git_last_synced_commit, n.git_last_synced_at,
          n.metadata
        FROM jsonb_populate_record(t, i.b) n),
    archived_at = CASE WHEN NOT i.b ? 'archived' THEN t.archived_at
      WHEN (i.b->>'archived')::boolean THEN coalesce(t.archived_at, now()) END
  FROM i, cur
  WHERE t.id = cur.id AND ($3::int IS NULL OR t.version = $3::int)
  RETURNING t.*)
SELECT CASE
    WHEN EXISTS (SELECT FROM upd) THEN (SELECT planpipe_project_json(p::projects, planpipe_project_role(p.id)) FROM upd p)
    WHEN $3::int IS NOT NULL AND (SELECT version FROM cur) <> $3::int THEN
      planpipe_api_fail('PP412', format('%s is at version %s; If-Match names %s',
        'project ' || $1, (SELECT version FROM cur), $3))
    ELSE (SELECT planpipe_project_json(p::projects, planpipe_project_role(p.id)) FROM cur p)
  END AS body,
  coalesce((SELECT version FROM upd), (SELECT version FROM cur)) AS version

-- name: project_archive
-- DELETE /v1/projects/{project}: $1 the project's key, $2 If-Match's version
-- or NULL. Runs after tx.sql's guard of the project, in the request's
-- transaction.
WITH cur AS (SELECT p.* FROM projects p WHERE p.key = $1 FOR NO KEY UPDATE),
upd AS (
  UPDATE projects t SET archived_at = coalesce(t.archived_at, now())
  FROM cur
  WHERE t.id = cur.id AND ($2::int IS NULL OR t.version = $2::int)
  RETURNING t.id)
SELECT CASE
    WHEN NOT EXISTS (SELECT FROM upd) AND $2::int IS NOT NULL
        AND (SELECT version FROM cur) <> $2::int THEN
      planpipe_api_fail('PP412', format('%s is at version %s; If-Match names %s',
        'project ' || $1, (SELECT version FROM cur), $2))
  END AS body
