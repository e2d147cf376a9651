-- Transaction control, shared by the database layer's runners (migrate.c,
-- maintain.c, backup_restore.c, pool_conn.c). No parameters.

-- name: begin
BEGIN

-- name: commit
COMMIT

-- name: rollback
ROLLBACK
