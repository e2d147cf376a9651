-- The small reference routes (src/api/ops.c), after tx.sql's begin and auth.

-- name: me
-- GET /v1/me: no parameters; the user that tx.sql's auth authenticated.
SELECT json_build_object('id', u.id, 'handle', u.handle, 'display_name', u.display_name,
    'is_admin', planpipe_user_is_admin(u.id), 'created_at', u.created_at) AS body
FROM users u
WHERE u.id = planpipe_setting_user_id()

-- name: statuses
-- GET /v1/statuses: no parameters; the statuses planpipe knows.
SELECT json_agg(json_build_object('key', key, 'category', category, 'position', position,
    'description', description) ORDER BY position, key) AS body
FROM statuses
