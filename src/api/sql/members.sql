-- A project's members (src/api/members.c), after tx.sql's begin and auth.

-- fragment: member_json
-- A membership m of user u as JSON.
json_build_object('handle', u.handle, 'display_name', u.display_name, 'role', m.role,
    'disabled', u.disabled_at IS NOT NULL, 'created_at', m.created_at,
    'updated_at', m.updated_at)

-- name: members_list
-- GET /v1/projects/{project}/members: $1 the project's key. Runs after
-- tx.sql's guard of the project, in the request's transaction.
SELECT coalesce(json_agg({{member_json}} ORDER BY m.role DESC, u.handle), '[]') AS body
FROM project_members m JOIN users u ON u.id = m.user_id
WHERE m.project_id = (SELECT id FROM projects WHERE key = $1)

-- name: member_put
-- PUT /v1/projects/{project}/members/{handle}: $1 the project's key, $2 the
-- handle, $3 the role. An upsert; xmax = 0 tells a new row from an updated
-- one. Setting the role a member already has is suppressed by a trigger (no
-- row returned): the membership as it is is the answer. Runs after tx.sql's
-- guard of the project, in the request's transaction.
WITH u AS (SELECT * FROM planpipe_user_by_handle($2)),
up AS (
  INSERT INTO project_members AS m (project_id, user_id, role)
  SELECT (SELECT id FROM projects WHERE key = $1), u.id, $3::member_role FROM u
  ON CONFLICT (project_id, user_id) DO UPDATE SET role = EXCLUDED.role
  RETURNING m.*, (xmax = 0) AS created)
SELECT CASE
    WHEN NOT EXISTS (SELECT FROM u) THEN planpipe_api_fail('PP404', 'no user ' || $2)
    WHEN EXISTS (SELECT FROM up) THEN (SELECT {{member_json}} FROM up m, u)
    ELSE (SELECT {{member_json}} FROM project_members m, u
          WHERE m.project_id = (SELECT id FROM projects WHERE key = $1) AND m.user_id = u.id)
  END AS body,
  CASE WHEN (SELECT created FROM up) THEN 201 ELSE 200 END AS status,
  CASE WHEN (SELECT created FROM up) THEN '/v1/projects/' || $1 || '/members/' || $2
  END AS location

-- name: member_remove_guard
-- DELETE /v1/projects/{project}/members/{handle}, its guard (instead of
-- tx.sql's): $1 the project's key, $2 the handle. Leaving needs no role
-- beyond membership; removing someone else needs maintainer.
SELECT planpipe_api_project($1,
  CASE WHEN $2 = (SELECT handle FROM users WHERE id = planpipe_setting_user_id())
    THEN 'viewer' ELSE 'maintainer' END::member_role)

-- name: member_remove
-- DELETE /v1/projects/{project}/members/{handle}: $1 the project's key, $2
-- the handle; after member_remove_guard. Row-level security hides an owner
-- from a maintainer's DELETE: tell that (403) from absence.
WITH d AS (
  DELETE FROM project_members m USING users u
  WHERE m.project_id = (SELECT id FROM projects WHERE key = $1)
    AND m.user_id = u.id AND u.handle = $2
  RETURNING 1)
SELECT CASE
    WHEN EXISTS (SELECT FROM d) THEN NULL
    WHEN EXISTS (SELECT FROM project_members m JOIN users u ON u.id = m.user_id
                 WHERE m.project_id = (SELECT id FROM projects WHERE key = $1)
                   AND u.handle = $2) THEN
      planpipe_api_fail('PP403', 'only an owner removes an owner')
    ELSE planpipe_api_fail('PP404', $2 || ' is not a member of ' || $1)
  END AS body
