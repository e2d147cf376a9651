-- started_at / completed_at follow status categories; updated_at, version
-- and created_at belong to the database; no-op updates change nothing.
BEGIN;
SELECT plan(20);

CREATE FUNCTION pg_temp.times(p_key text) RETURNS TABLE (started_at timestamptz, completed_at timestamptz)
LANGUAGE sql AS $$ SELECT started_at, completed_at FROM stories WHERE key = p_key $$;
CREATE FUNCTION pg_temp.move(p_key text, p_status text) RETURNS void LANGUAGE sql
AS $$ UPDATE stories SET status = p_status WHERE key = p_key $$;

INSERT INTO projects (key, name) VALUES ('PLAN', 'Planning');
INSERT INTO stories (project_id, key, title)
SELECT id, 'L-1', 'lifecycle' FROM projects WHERE key = 'PLAN';

SELECT results_eq($$SELECT * FROM pg_temp.times('L-1')$$,
                  $$VALUES (NULL::timestamptz, NULL::timestamptz)$$, 'a draft has neither');
SELECT pg_temp.move('L-1', 'ready');
SELECT results_eq($$SELECT * FROM pg_temp.times('L-1')$$,
                  $$VALUES (NULL::timestamptz, NULL::timestamptz)$$, 'ready (todo) has neither');
SELECT pg_temp.move('L-1', 'in_progress');
SELECT results_eq($$SELECT * FROM pg_temp.times('L-1')$$,
                  $$VALUES (now(), NULL::timestamptz)$$, 'entering active sets started_at');
SELECT pg_temp.move('L-1', 'done');
SELECT results_eq($$SELECT * FROM pg_temp.times('L-1')$$,
                  $$VALUES (now(), now())$$, 'entering done sets completed_at');

-- The same with a past: an imported story whose work started and ended earlier.
INSERT INTO stories (project_id, key, title, status, started_at, completed_at)
SELECT id, 'L-2', 'imported', 'done', '2025-08-01 09:00+00', '2025-08-20 17:00+00'
FROM projects WHERE key = 'PLAN';
SELECT results_eq($$SELECT * FROM pg_temp.times('L-2')$$,
                  $$VALUES ('2025-08-01 09:00+00'::timestamptz, '2025-08-20 17:00+00'::timestamptz)$$,
                  'on insert, given times of past work are kept');
SELECT pg_temp.move('L-2', 'accepted');
SELECT results_eq($$SELECT * FROM pg_temp.times('L-2')$$,
                  $$VALUES ('2025-08-01 09:00+00'::timestamptz, '2025-08-20 17:00+00'::timestamptz)$$,
                  'done -> accepted (done to done) keeps completed_at');
SELECT pg_temp.move('L-2', 'in_progress');
SELECT results_eq($$SELECT * FROM pg_temp.times('L-2')$$,
                  $$VALUES ('2025-08-01 09:00+00'::timestamptz, NULL::timestamptz)$$,
                  're-opening clears completed_at and keeps the first started_at');
SELECT pg_temp.move('L-2', 'review');
SELECT pg_temp.move('L-2', 'done');
SELECT results_eq($$SELECT * FROM pg_temp.times('L-2')$$,
                  $$VALUES ('2025-08-01 09:00+00'::timestamptz, now())$$,
                  'done again sets a new completed_at');
SELECT pg_temp.move('L-2', 'cancelled');
SELECT results_eq($$SELECT * FROM pg_temp.times('L-2')$$,
                  $$VALUES ('2025-08-01 09:00+00'::timestamptz, NULL::timestamptz)$$,
                  'cancelled is not completed');

INSERT INTO stories (project_id, key, title, status, started_at, completed_at)
SELECT id, k, k, s, NULL, '2025-08-20 17:00+00'
FROM projects, (VALUES ('L-3', 'in_progress'), ('L-4', 'done'), ('L-5', 'ready')) AS v(k, s)
WHERE key = 'PLAN';
SELECT results_eq($$SELECT * FROM pg_temp.times('L-3')$$,
                  $$VALUES (now(), NULL::timestamptz)$$,
                  'inserted active: started now, a completed_at given for it is dropped');
SELECT results_eq($$SELECT * FROM pg_temp.times('L-4')$$,
                  $$VALUES (NULL::timestamptz, '2025-08-20 17:00+00'::timestamptz)$$,
                  'inserted done without a start: never started, completed as given');
SELECT results_eq($$SELECT * FROM pg_temp.times('L-5')$$,
                  $$VALUES (NULL::timestamptz, NULL::timestamptz)$$, 'inserted todo: neither');
INSERT INTO stories (project_id, key, title, status)
SELECT id, 'L-6', 'straight to done', 'done' FROM projects WHERE key = 'PLAN';
SELECT results_eq($$SELECT * FROM pg_temp.times('L-6')$$,
                  $$VALUES (NULL::timestamptz, now())$$, 'inserted done: completed now');

UPDATE stories SET started_at = '2000-01-01', completed_at = '2000-01-02' WHERE key = 'L-5';
SELECT results_eq($$SELECT * FROM pg_temp.times('L-5')$$,
                  $$VALUES (NULL::timestamptz, NULL::timestamptz)$$,
                  'an UPDATE cannot set started_at or completed_at');
SELECT throws_ok(
    $$INSERT INTO stories (project_id, key, title, status, started_at, completed_at)
      SELECT id, 'L-7', 't', 'done', '2025-09-01', '2025-08-01' FROM projects WHERE key = 'PLAN'$$,
    '23514', NULL, 'completed_at cannot precede started_at');

-- Bookkeeping ------------------------------------------------------------------------
INSERT INTO stories (project_id, key, title, created_at, updated_at, version)
SELECT id, 'V-1', 'versioned', '2025-08-28', '1999-01-01', 42 FROM projects WHERE key = 'PLAN';
SELECT results_eq($$SELECT created_at, updated_at, version FROM stories WHERE key = 'V-1'$$,
                  $$VALUES ('2025-08-28'::timestamptz, now(), 1)$$,
                  'insert: created_at may be given (import), updated_at and version are the database''s');
UPDATE stories SET title = 'versioned, edited', created_at = now(), version = 7 WHERE key = 'V-1';
SELECT results_eq($$SELECT created_at, version FROM stories WHERE key = 'V-1'$$,
                  $$VALUES ('2025-08-28'::timestamptz, 2)$$,
                  'update: created_at is kept and version counts the change');
CREATE TEMP TABLE v1_before AS SELECT ctid AS row_version FROM stories WHERE key = 'V-1';
UPDATE stories SET title = 'versioned, edited' WHERE key = 'V-1';
SELECT results_eq($$SELECT ctid, version FROM stories WHERE key = 'V-1'$$,
                  $$SELECT row_version, 2 FROM v1_before$$,
                  'an update that changes nothing writes no row version and is not a change');
UPDATE projects SET description = 'changed' WHERE key = 'PLAN';
SELECT results_eq($$SELECT version, updated_at FROM projects WHERE key = 'PLAN'$$,
                  $$VALUES (2, now())$$, 'projects keep version and updated_at the same way');
UPDATE projects SET description = 'changed' WHERE key = 'PLAN';
SELECT is((SELECT version FROM projects WHERE key = 'PLAN'), 2, 'a no-op project update is not a change');

SELECT * FROM finish();
ROLLBACK;
