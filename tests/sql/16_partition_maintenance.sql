-- History partitions maintain themselves (migration 0015): rows of months
-- without a partition, past or future, leave the default partition for their
-- own; partitions are created twelve months ahead; every row is kept, the
-- append-only guard holds, and a step is one month.
--
-- Everything is relative to a pinned moment, T = 2150-06-15 12:00 UTC, far
-- from the partitions `migrate up` made around today: no result depends on
-- the date the test runs.
BEGIN;
SELECT plan(30);

CREATE FUNCTION pg_temp.t0() RETURNS timestamptz LANGUAGE sql
AS $$ SELECT '2150-06-15 12:00:00+00'::timestamptz $$;
CREATE FUNCTION pg_temp.parts_after(p timestamptz) RETURNS SETOF text LANGUAGE sql
AS $$ SELECT c.relname::text FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
      WHERE i.inhparent = 'status_history'::regclass AND c.relname >= 'status_history_p' || to_char(p, 'YYYYMM')
        AND c.relname <> 'status_history_default' ORDER BY 1 $$;

-- dblink connects from inside the server: pg_temp.conninfo.
\ir lib/dblink.sql

INSERT INTO projects (key, name) VALUES ('PLAN', 'Planning');
INSERT INTO stories (project_id, key, title) SELECT id, 'M-1', 'one' FROM projects;

-- Six months back (two rows), two years ahead, and one at 00:30 UTC on
-- 2150-01-01 (still December west of Greenwich: months are UTC months).
INSERT INTO status_history (story_id, project_id, from_status, to_status, changed_at, note)
-- Written as instants, not t0() plus intervals: month and day arithmetic on
-- timestamptz follows the session's time zone (the clock tests run this
-- file in Europe/Berlin).
SELECT s.id, s.project_id, v.f, v.t, v.at::timestamptz, v.note
FROM stories s,
     (VALUES ('draft', 'ready', '2149-12-15 12:00:00+00', 'six months back'),
             ('ready', 'draft', '2149-12-15 13:00:00+00', 'six months back, later'),
             ('draft', 'ready', '2152-06-15 12:00:00+00', 'two years ahead'),
             ('ready', 'draft', '2150-01-01 00:30:00+00', 'first of January, UTC'))
     AS v(f, t, at, note);
CREATE TEMP TABLE before AS SELECT * FROM status_history;

SELECT is((SELECT count(*) FROM status_history_default), 4::bigint,
          'the four changes of months without a partition are in the default partition');
SELECT is((SELECT count(*) FROM status_history_default
           WHERE changed_at = '2150-01-01 00:30:00+00'), 1::bigint,
          'the fixture: one change is at 00:30 UTC on 2150-01-01');

-- Privileges and bad input -------------------------------------------------------
SELECT ok(has_function_privilege('planpipe_app', 'planpipe_history_maintenance_step(integer)', 'EXECUTE'),
          'planpipe_app may run a maintenance step as of now (serve)');
SELECT ok(NOT has_function_privilege('planpipe_app', 'planpipe_history_maintenance_step_at(timestamptz, integer)', 'EXECUTE')
          AND NOT has_function_privilege('planpipe_app', 'planpipe_maintain_history(timestamptz, integer)', 'EXECUTE')
          AND NOT has_function_privilege('planpipe_app', 'planpipe_history_partition_month(date)', 'EXECUTE'),
          'but not one as of another moment, nor the rest');
SELECT throws_ok($$SELECT * FROM planpipe_history_maintenance_step_at(pg_temp.t0(), 121)$$, '22023', NULL,
                 'more than 120 months ahead is refused');
SELECT throws_ok($$SELECT * FROM planpipe_history_maintenance_step(-1)$$, '22023', NULL,
                 'fewer than 0 too');

-- Another session running a step -------------------------------------------------
SELECT is(dblink_connect('other', pg_temp.conninfo()), 'OK', 'another session connects');
SELECT is((SELECT x FROM dblink('other', 'SELECT pg_try_advisory_lock(1886154352, 4)') AS t(x boolean)),
          true, 'and takes the step''s lock');
SELECT results_eq($$SELECT action, partition_name, rows_moved FROM planpipe_history_maintenance_step_at(pg_temp.t0())$$,
                  $$VALUES ('busy'::text, NULL::text, NULL::bigint)$$,
                  'while another session runs a step, a step answers busy and does nothing');
SELECT is((SELECT count(*) FROM status_history_default), 4::bigint, 'nothing moved');
-- Released on purpose, not by the disconnect: a backend's session locks go a
-- moment after dblink_disconnect returns, which made the next step flaky.
SELECT is((SELECT x FROM dblink('other', 'SELECT pg_advisory_unlock(1886154352, 4)') AS t(x boolean)),
          true, 'the other session releases the step''s lock');
SELECT is(dblink_disconnect('other'), 'OK', 'and ends');

-- One step: one month with rows ----------------------------------------------------
CREATE TEMP TABLE step1 AS SELECT * FROM planpipe_history_maintenance_step_at(pg_temp.t0());
SELECT is((SELECT action FROM step1), 'moved', 'the first step moves the rows of a month');
SELECT is((SELECT rows_moved FROM step1),
          (SELECT count(*) FROM status_history WHERE tableoid = (SELECT partition_name FROM step1)::regclass),
          'it says how many, and they are all in that month''s partition');
SELECT is((SELECT count(*) FROM status_history_default), 4 - (SELECT rows_moved FROM step1),
          'and only that month left the default partition');

-- All of it ---------------------------------------------------------------------
SELECT results_eq($$SELECT * FROM planpipe_maintain_history(pg_temp.t0(), 12)$$,
                  $$VALUES (2 + 13, 4 - (SELECT rows_moved FROM step1))$$,
                  'the rest: the two other months with rows, then 2150-06 .. 2151-06');
SELECT results_eq(
    $$SELECT tableoid::regclass::text, note FROM status_history WHERE changed_at >= '2149-01-01' ORDER BY changed_at$$,
    $$VALUES ('status_history_p214912', 'six months back'),
             ('status_history_p214912', 'six months back, later'),
             ('status_history_p215001', 'first of January, UTC'),
             ('status_history_p215206', 'two years ahead')$$,
    'every row is in the partition of its UTC month');
SELECT is((SELECT count(*) FROM status_history_default), 0::bigint, 'the default partition is empty');
SELECT set_eq($$SELECT * FROM status_history$$, $$SELECT * FROM before$$,
              'every row is kept, ids and all, and none is added');
SELECT is(array_agg(p), ARRAY['status_history_p214912', 'status_history_p215001'] ||
                        ARRAY(SELECT 'status_history_p' || to_char(pg_temp.t0() + make_interval(months => m), 'YYYYMM')
                              FROM generate_series(0, 12) AS m) ||
                        ARRAY['status_history_p215206'],
          'partitions: the months with rows, and T''s month plus twelve ahead')
FROM pg_temp.parts_after('2149-01-01') AS p;
SELECT is((SELECT obj_description('status_history_p214912'::regclass, 'pg_class')),
          'status_history for 2149-12 (UTC)', 'a new partition says what it holds');
SELECT is(current_setting('planpipe.maintenance', true), '',
          'the append-only switch is back where it was');
SELECT throws_ok($$DELETE FROM status_history_p214912$$, 'PP003', NULL,
                 'and the guard holds on the new partitions');

-- Nothing left ------------------------------------------------------------------
SELECT is_empty($$SELECT * FROM planpipe_history_maintenance_step_at(pg_temp.t0())$$,
                'then a step finds nothing to do');
SELECT results_eq($$SELECT * FROM planpipe_maintain_history(pg_temp.t0(), 12)$$, $$VALUES (0, 0::bigint)$$,
                  'and maintenance is idempotent');
SELECT results_eq($$SELECT * FROM planpipe_maintain_history(pg_temp.t0() + interval '1 month', 12)$$,
                  $$VALUES (1, 0::bigint)$$, 'a month later it creates the one new month ahead');

-- As the API's role, as of now: serve's path ----------------------------------------
INSERT INTO status_history (story_id, project_id, from_status, to_status, changed_at)
SELECT id, project_id, 'draft', 'ready', '2160-03-03 03:00+00' FROM stories;
SET LOCAL ROLE planpipe_app;
SELECT results_eq($$SELECT action, partition_name, rows_moved FROM planpipe_history_maintenance_step()$$,
                  $$VALUES ('moved'::text, 'status_history_p216003'::text, 1::bigint)$$,
                  'planpipe_app moves a month out of the default partition through the definer''s step');
RESET ROLE;
SELECT is((SELECT tableoid::regclass::text FROM status_history WHERE changed_at = '2160-03-03 03:00+00'),
          'status_history_p216003', 'the row is in its partition');

-- 0006's entry points do the whole job too ----------------------------------------
INSERT INTO status_history (story_id, project_id, from_status, to_status, changed_at)
SELECT id, project_id, 'draft', 'ready', '2170-01-01 00:00+00' FROM stories;
SELECT cmp_ok(planpipe_maintenance(), '>=', 1, 'planpipe_maintenance() creates partitions for rows in the default');
SELECT is((SELECT count(*) FROM status_history_default), 0::bigint,
          'and leaves no row in the default partition (it returned 0 and left them before)');

SELECT * FROM finish();
ROLLBACK;
