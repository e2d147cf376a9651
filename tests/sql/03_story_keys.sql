-- Generated story keys: per-project counter, padding, pushed past imported
-- keys, prefix changes, moves between projects.
BEGIN;
SELECT plan(12);

CREATE FUNCTION pg_temp.pid(p_key text) RETURNS bigint LANGUAGE sql
AS $$ SELECT id FROM projects WHERE key = p_key $$;
-- Inserts a story with a generated key into a project and returns the key.
CREATE FUNCTION pg_temp.new_key(p_project text) RETURNS text LANGUAGE sql
AS $$ INSERT INTO stories (project_id, title) VALUES (pg_temp.pid(p_project), 'generated')
      RETURNING key $$;

INSERT INTO projects (key, name) VALUES ('PLAN', 'Planning'), ('OTHER', 'Other');

SELECT is(pg_temp.new_key('PLAN'), 'PLAN-001', 'the first generated key is <project key>-001');
SELECT is(pg_temp.new_key('PLAN'), 'PLAN-002', 'the next one counts up');
SELECT is(pg_temp.new_key('OTHER'), 'OTHER-001', 'each project has its own counter');

INSERT INTO stories (project_id, key, title) VALUES (pg_temp.pid('PLAN'), 'PLAN-013', 'imported');
SELECT is(pg_temp.new_key('PLAN'), 'PLAN-014', 'an imported key pushes the counter past it');

INSERT INTO stories (project_id, key, title) VALUES (pg_temp.pid('PLAN'), 'PLAN-7', 'imported, lower');
SELECT is(pg_temp.new_key('PLAN'), 'PLAN-015', 'an imported key below the counter does not move it back');

INSERT INTO stories (project_id, key, title) VALUES (pg_temp.pid('PLAN'), 'PLAN-20', 'unpadded');
SELECT is(pg_temp.new_key('PLAN'), 'PLAN-021', 'PLAN-20 counts as 20, however it is padded');

INSERT INTO stories (project_id, key, title) VALUES (pg_temp.pid('PLAN'), 'INF-099', 'other prefix');
SELECT is(pg_temp.new_key('PLAN'), 'PLAN-022', 'a key with another prefix leaves the counter alone');

UPDATE projects SET story_key_prefix = 'INF' WHERE key = 'PLAN';
SELECT is(pg_temp.new_key('PLAN'), 'INF-100',
          'a new prefix continues after the stories already using it');

INSERT INTO stories (project_id, key, title) VALUES (pg_temp.pid('PLAN'), 'INF-999', 'big');
SELECT is(pg_temp.new_key('PLAN'), 'INF-1000', 'numbers past 999 are not truncated');

UPDATE stories SET project_id = pg_temp.pid('OTHER'), key = 'OTHER-050' WHERE key = 'INF-999';
SELECT is(pg_temp.new_key('OTHER'), 'OTHER-051', 'a story moved in with a key pushes the counter');

INSERT INTO stories (project_id, title)
SELECT pg_temp.pid('OTHER'), 'bulk ' || g FROM generate_series(1, 5) AS g;
SELECT results_eq(
    $$SELECT key FROM stories WHERE title LIKE 'bulk %' ORDER BY key$$,
    $$VALUES ('OTHER-052'), ('OTHER-053'), ('OTHER-054'), ('OTHER-055'), ('OTHER-056')$$,
    'a multi-row insert gets consecutive keys');

SELECT throws_ok(
    $$INSERT INTO stories (project_id, key, title) VALUES (pg_temp.pid('OTHER'), 'OTHER-052', 'dup')$$,
    '23505', NULL, 'a generated key is as unique as any other');

SELECT * FROM finish();
ROLLBACK;
