-- status_history: one row per status change (insert, update, bulk update),
-- in the right monthly partition, with actor, source and note; append-only;
-- partitions created ahead, idempotently, rows rescued from the default.
BEGIN;
SELECT plan(28);

CREATE FUNCTION pg_temp.pid(p_key text) RETURNS bigint LANGUAGE sql
AS $$ SELECT id FROM projects WHERE key = p_key $$;
CREATE FUNCTION pg_temp.sid(p_key text) RETURNS bigint LANGUAGE sql
AS $$ SELECT id FROM stories WHERE key = p_key $$;
CREATE FUNCTION pg_temp.uid(p_handle text) RETURNS bigint LANGUAGE sql
AS $$ SELECT id FROM users WHERE handle = p_handle $$;
CREATE FUNCTION pg_temp.act_as(p_handle text) RETURNS void LANGUAGE sql
AS $$ SELECT set_config('planpipe.user_id', pg_temp.uid(p_handle)::text, true) $$;
CREATE FUNCTION pg_temp.history_of(p_key text) RETURNS bigint LANGUAGE sql
AS $$ SELECT count(*) FROM status_history WHERE story_id = pg_temp.sid(p_key) $$;
CREATE FUNCTION pg_temp.this_partition() RETURNS text LANGUAGE sql
AS $$ SELECT 'status_history_p' || to_char(now() AT TIME ZONE 'UTC', 'YYYYMM') $$;

INSERT INTO users (handle) VALUES ('alice');
INSERT INTO projects (key, name) VALUES ('PLAN', 'Planning'), ('OTHER', 'Other');

-- Insert ------------------------------------------------------------------------
SELECT pg_temp.act_as('alice');
SET LOCAL planpipe.source = 'api';
SET LOCAL planpipe.note = 'created from the API';
INSERT INTO stories (project_id, key, title) VALUES (pg_temp.pid('PLAN'), 'H-1', 'one');
SELECT results_eq(
    $$SELECT story_id, project_id, from_status, to_status, changed_by,
             changed_at BETWEEN now() AND clock_timestamp(), source, note
      FROM status_history WHERE story_id = pg_temp.sid('H-1')$$,
    $$SELECT pg_temp.sid('H-1'), pg_temp.pid('PLAN'), NULL::text, 'draft'::text,
             pg_temp.uid('alice'), true, 'api'::text, 'created from the API'::text$$,
    'an insert writes one row: from NULL to the status, by whom, when, from where, why');
SELECT is(
    (SELECT tableoid::regclass::text FROM status_history WHERE story_id = pg_temp.sid('H-1')),
    pg_temp.this_partition(), 'the row is in this month''s partition');

-- Update --------------------------------------------------------------------------
SET LOCAL planpipe.note = 'picked up';
UPDATE stories SET status = 'in_progress' WHERE key = 'H-1';
SELECT results_eq(
    $$SELECT from_status, to_status, changed_by, source, note FROM status_history
      WHERE story_id = pg_temp.sid('H-1') AND from_status IS NOT NULL$$,
    $$VALUES ('draft', 'in_progress', pg_temp.uid('alice'), 'api', 'picked up')$$,
    'a status change writes one row with from and to');
UPDATE stories SET title = 'one, renamed', labels = ARRAY['x'] WHERE key = 'H-1';
SELECT is(pg_temp.history_of('H-1'), 2::bigint, 'an update that leaves the status alone writes nothing');
UPDATE stories SET status = 'in_progress' WHERE key = 'H-1';
SELECT is(pg_temp.history_of('H-1'), 2::bigint, 'setting the same status again writes nothing');

-- Bulk ----------------------------------------------------------------------------------
SET LOCAL planpipe.user_id = '';
SET LOCAL planpipe.source = 'import';
SET LOCAL planpipe.note = '';
INSERT INTO stories (project_id, key, title)
SELECT pg_temp.pid('PLAN'), 'BULK-' || g, 'bulk ' || g FROM generate_series(1, 10) AS g;
SELECT is((SELECT count(*) FROM status_history h JOIN stories s ON s.id = h.story_id
           WHERE s.key LIKE 'BULK-%' AND h.from_status IS NULL),
          10::bigint, 'a multi-row insert writes one row per story');
UPDATE stories SET status = 'ready' WHERE key IN ('BULK-1', 'BULK-2', 'BULK-3');
UPDATE stories SET status = 'ready' WHERE key LIKE 'BULK-%';
SELECT results_eq(
    $$SELECT s.key, count(*) FROM status_history h JOIN stories s ON s.id = h.story_id
      WHERE s.key LIKE 'BULK-%' AND h.to_status = 'ready' GROUP BY s.key ORDER BY s.key$$,
    $$SELECT 'BULK-' || g, 1::bigint FROM generate_series(1, 10) AS g ORDER BY 1$$,
    'a bulk update writes exactly one row for each story whose status changed');
SELECT results_eq(
    $$SELECT DISTINCT changed_by, source, note FROM status_history h JOIN stories s ON s.id = h.story_id
      WHERE s.key LIKE 'BULK-%'$$,
    $$VALUES (NULL::bigint, 'import', NULL::text)$$,
    'without planpipe.user_id the actor is NULL; the source is recorded');
SELECT is((SELECT count(*) FROM status_history WHERE tableoid::regclass::text <> pg_temp.this_partition()),
          0::bigint, 'every row written so far is in this month''s partition');
SET LOCAL planpipe.source = '';
UPDATE stories SET status = 'done' WHERE key = 'BULK-1';
SELECT is((SELECT source FROM status_history WHERE story_id = pg_temp.sid('BULK-1') AND to_status = 'done'),
          'sql', 'the source defaults to sql');
SET LOCAL planpipe.source = 'cron';
SELECT throws_ok($$UPDATE stories SET status = 'review' WHERE key = 'BULK-2'$$, '22023', NULL,
                 'a status change with an invalid planpipe.source is refused');
SET LOCAL planpipe.source = 'sql';

-- The project of the time ------------------------------------------------------------------
UPDATE stories SET project_id = pg_temp.pid('OTHER') WHERE key = 'BULK-3';
UPDATE stories SET status = 'in_progress' WHERE key = 'BULK-3';
SELECT results_eq(
    $$SELECT to_status, project_id FROM status_history WHERE story_id = pg_temp.sid('BULK-3') ORDER BY id$$,
    $$VALUES ('draft', pg_temp.pid('PLAN')), ('ready', pg_temp.pid('PLAN')),
             ('in_progress', pg_temp.pid('OTHER'))$$,
    'each row keeps the project the story was in at the time');

-- Append-only ------------------------------------------------------------------------------
SELECT ok(NOT has_table_privilege('planpipe_app', 'status_history', 'INSERT')
          AND NOT has_table_privilege('planpipe_app', 'status_history', 'UPDATE')
          AND NOT has_table_privilege('planpipe_app', 'status_history', 'DELETE')
          AND NOT has_table_privilege('planpipe_app', 'status_history', 'TRUNCATE'),
          'planpipe_app may only read history');
SET LOCAL planpipe.user_id = '';
SET LOCAL ROLE planpipe_app;
SELECT throws_ok($$UPDATE status_history SET note = 'rewritten'$$, '42501', NULL,
                 'planpipe_app cannot update history');
SELECT throws_ok($$DELETE FROM status_history$$, '42501', NULL,
                 'planpipe_app cannot delete history');
SELECT throws_ok($$INSERT INTO status_history (story_id, project_id, to_status) VALUES (1, 1, 'done')$$,
                 '42501', NULL, 'planpipe_app cannot write history itself');
RESET ROLE;
SELECT throws_ok($$UPDATE status_history SET note = 'rewritten'$$, 'PP003', NULL,
                 'not even the owner updates history by accident');
SELECT throws_ok($$DELETE FROM status_history WHERE story_id = pg_temp.sid('H-1')$$, 'PP003', NULL,
                 'nor deletes it');
SELECT lives_ok($$DELETE FROM stories WHERE key = 'BULK-10'$$,
                'deleting a story takes its history with it');
SELECT is(pg_temp.history_of('BULK-10'), 0::bigint, 'the deleted story has no history left');
SET LOCAL planpipe.maintenance = on;
SELECT lives_ok($$DELETE FROM status_history WHERE story_id = pg_temp.sid('BULK-9')$$,
                'explicit maintenance may delete history');
SET LOCAL planpipe.maintenance = off;

-- Partitions -------------------------------------------------------------------------------
SELECT is(planpipe_maintenance(), 0, 'maintenance is idempotent: nothing left to create');
SELECT is(
    (SELECT count(*) FROM generate_series(0, 3) AS m
     WHERE to_regclass('status_history_p' || to_char(now() AT TIME ZONE 'UTC' + make_interval(months => m),
                                                     'YYYYMM')) IS NOT NULL),
    4::bigint, 'partitions exist for this month and the next three');
INSERT INTO status_history (story_id, project_id, to_status, changed_at)
VALUES (pg_temp.sid('H-1'), pg_temp.pid('PLAN'), 'done', '2199-01-31 23:30:00+00'),
       (pg_temp.sid('H-1'), pg_temp.pid('PLAN'), 'done', '2199-02-01 00:15:00+01'),
       (pg_temp.sid('H-1'), pg_temp.pid('PLAN'), 'done', '2199-02-01 00:30:00+00');
SELECT is(
    (SELECT count(*) FROM status_history WHERE tableoid = 'status_history_default'::regclass
       AND changed_at >= '2199-01-01'),
    3::bigint, 'a change in a month without a partition lands in the default partition');
SELECT throws_ok($$DELETE FROM status_history_default$$, 'PP003', NULL,
                 'the append-only guard holds on a partition too');
SELECT ok(planpipe_create_history_partition('2199-01-15'), 'a partition for January 2199 is created');
SELECT results_eq(
    $$SELECT tableoid::regclass::text, changed_at FROM status_history
      WHERE changed_at >= '2199-01-01' ORDER BY changed_at$$,
    $$VALUES ('status_history_p219901', '2199-01-31 23:15:00+00'::timestamptz),
             ('status_history_p219901', '2199-01-31 23:30:00+00'::timestamptz),
             ('status_history_default', '2199-02-01 00:30:00+00'::timestamptz)$$,
    'its rows moved out of the default partition; months are UTC months');
SELECT ok(NOT planpipe_create_history_partition('2199-01-01'), 'creating it again does nothing');

SELECT * FROM finish();
ROLLBACK;
