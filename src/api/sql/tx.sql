-- The statements around a request's own (src/api/tx.c, tx.h): a request
-- that is not one statement runs, in libpq pipeline mode, begin, auth, its
-- statements (guard first, mostly) and commit; a keyed write adds
-- idem_claim and idem_store. rollback ends a transaction that failed.

-- name: begin
-- Every request that runs several statements (tx.h): first.
BEGIN

-- name: auth
-- Then: $1 the SHA-256 of the bearer token. Authenticates (PP401 aborts the
-- pipeline) and sets what the rest of the transaction runs under.
-- statement_timeout bounds every statement of the request; the role is
-- switched last, so the login user may be the schema owner (tests) or a
-- member of planpipe_app (production) alike.
SELECT set_config('planpipe.user_id', planpipe_api_authenticate($1::bytea)::text, true),
  set_config('planpipe.source', 'api', true),
  set_config('statement_timeout', '30s', true),
  set_config('lock_timeout', '10s', true),
  set_config('TimeZone', 'UTC', true),
  set_config('role', 'planpipe_app', true)

-- name: guard
-- The access check of a project (pp_tx_guard): $1 the project's key, $2 the
-- least role. PP404 when the caller cannot see it, PP403 below the role.
SELECT planpipe_api_project($1, $2::member_role)

-- name: idem_claim
-- A write with an Idempotency-Key, after auth: $1 the key, $2 the method, $3
-- the path, $4 the body's SHA-256 (migrations/0018_api_hardening.sql).
SELECT status, etag, location, body
FROM planpipe_api_idem_claim($1, $2, $3, $4::bytea)

-- name: idem_store
-- Its answer stored, before commit: $1 to $4 as idem_claim, $5 the status, $6
-- the ETag, $7 the Location, $8 the body.
SELECT planpipe_api_idem_store($1, $2, $3, $4::bytea, $5::int, $6, $7, $8)

-- name: commit
-- Last.
COMMIT

-- name: rollback
-- After a failure, when the transaction is still open (end_failed).
ROLLBACK
