-- The small reference routes (src/api/ops.c), after tx.sql's begin and auth.

-- name: me
-- GET /v1/me: no parameters; the user that tx.sql's auth authenticated.
SELECT json_build_object('id', u.id, 'handle', u.handle, 'display_name', u.display_name,
    'is_admin', planpipe_user_is_admin(u.id), 'created_at', u.created_at) AS body
FROM users u
WHERE u.id = planpipe_setting_user_id()

-- name: statuses
-- GET /v1/statuses: no parameters; the default workflow's statuses (the
-- workflow a new project starts from, is_default) and the words in the
-- workflow of a project the caller can see (project_statuses' policy), so
-- that a word a hidden project added tells nothing about it (migration 0039).
SELECT json_agg(json_build_object('key', s.key, 'category', s.category, 'position', s.position,
    'description', s.description, 'is_default', s.is_default) ORDER BY s.position, s.key) AS body
FROM statuses s
WHERE s.is_default OR EXISTS (SELECT FROM project_statuses ps WHERE ps.status = s.key)
