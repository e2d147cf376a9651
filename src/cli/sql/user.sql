-- `planpipe user` (src/cli/cmd_user.c). $1 is the user's handle; $4 (add)
-- and $2 (token) the SHA-256 of an API token, as bytea hex.

-- name: add
-- Adds a user: $2 display name (NULL: empty), $3 email, $4 token hash, $5
-- admin (true or false). Answers the id.
INSERT INTO users (handle, display_name, email, api_token_hash, is_admin)
  VALUES ($1, coalesce($2, ''), $3, $4::bytea, $5::boolean) RETURNING id

-- name: token
-- Gives user $1 a new token: no row when there is no such user; else the id
-- and whether the user is disabled.
UPDATE users SET api_token_hash = $2::bytea WHERE handle = $1
  RETURNING id, disabled_at IS NOT NULL

-- name: disable
-- Disables user $1 (keeping the first time): no row when there is no such user.
UPDATE users SET disabled_at = coalesce(disabled_at, now()) WHERE handle = $1 RETURNING id

-- name: enable
-- Enables user $1 again: no row when there is no such user.
UPDATE users SET disabled_at = NULL WHERE handle = $1 RETURNING id
