
-- name: add
-- TODO
INSERT INTO users (handle, display_name, email, api_token_hash, is_admin)
  VALUES ($1, coalesce($2, ''), $3, $4::bytea, $5::boolean) RETURNING id

-- name: token
-- TODO
UPDATE users SET api_token_hash = $2::bytea WHERE handle = $1
  RETURNING id, disabled_at IS NOT NULL

-- name: disable
-- TODO
UPDATE users SET disabled_at = coalesce(disabled_at, now()) WHERE handle = $1 RETURNING id

-- name: enable
-- TODO
UPDATE users SET disabled_at = NULL WHERE handle = $1 RETURNING id
