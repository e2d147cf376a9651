-- Read routing's statements (src/api/read_route.c; docs/operations.md,
-- "Reads on the standby"). They run outside any request, as the login user.

-- name: standby_state
-- The probe, on the standby, once a second: whether it is in recovery, what
-- it has replayed, and its replay lag in seconds as `planpipe health
-- --replica` judges it: 0 while a WAL receiver runs and everything received
-- is replayed (an idle primary sends nothing, and the standby is current
-- however old its last commit), else the age of the last replayed commit;
-- NULL when nothing was replayed since it started.
SELECT pg_is_in_recovery() AS in_recovery,
       pg_last_wal_replay_lsn() AS replay_lsn,
       CASE
           WHEN NOT pg_is_in_recovery() THEN NULL
           WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn()
                AND EXISTS (SELECT FROM pg_stat_wal_receiver) THEN 0
           ELSE extract(epoch FROM now() - pg_last_xact_replay_timestamp())
       END::float8 AS lag_s

-- name: write_lsn
-- On the primary, after a request's write committed: a WAL position at or
-- after its commit record (pp_lsn_replay_target turns it into what a
-- standby must have replayed).
SELECT pg_current_wal_insert_lsn() AS lsn
