-- status_history's partition maintenance, one step per transaction
-- (src/db/maintain.c): tx.sql's begin, limits, step, commit.

-- name: limits
-- The step's transaction's limits, as SET LOCAL would set them: $1 the lock
-- timeout, $2 the statement timeout, both in milliseconds (0: none).
SELECT set_config('lock_timeout', $1, true), set_config('statement_timeout', $2, true)

-- name: step
-- One step (migrations/0015_history_partition_maintenance.sql): $1 how many
-- months ahead partitions are kept. No row: nothing was left to do.
SELECT action, partition_name, rows_moved
FROM public.planpipe_history_maintenance_step($1::integer)
