-- Constraints: the composite backlog foreign key, keys unique per project,
-- value ranges and formats, immutable statuses, a project keeps an owner.
BEGIN;
SELECT plan(52);

CREATE FUNCTION pg_temp.pid(p_key text) RETURNS bigint LANGUAGE sql
AS $$ SELECT id FROM projects WHERE key = p_key $$;
CREATE FUNCTION pg_temp.bid(p_key text, p_name text) RETURNS bigint LANGUAGE sql
AS $$ SELECT b.id FROM backlogs b JOIN projects p ON p.id = b.project_id
      WHERE p.key = p_key AND b.name = p_name $$;

INSERT INTO projects (key, name) VALUES ('PLAN', 'Planning'), ('OTHER', 'Other');
INSERT INTO backlogs (project_id, name) VALUES
    (pg_temp.pid('PLAN'), 'main'), (pg_temp.pid('OTHER'), 'ideas');

-- Composite backlog foreign key ----------------------------------------------
SELECT throws_ok(
    $$INSERT INTO stories (project_id, backlog_id, key, title)
      VALUES (pg_temp.pid('PLAN'), pg_temp.bid('OTHER', 'ideas'), 'INF-001', 'wrong backlog')$$,
    '23503', NULL, 'a story cannot sit in a backlog of another project');
SELECT lives_ok(
    $$INSERT INTO stories (project_id, backlog_id, key, title)
      VALUES (pg_temp.pid('PLAN'), pg_temp.bid('PLAN', 'main'), 'INF-001', 'right backlog')$$,
    'a story can sit in a backlog of its own project');
SELECT throws_ok(
    $$UPDATE stories SET backlog_id = pg_temp.bid('OTHER', 'ideas') WHERE key = 'INF-001'$$,
    '23503', NULL, 'a story cannot be moved into a backlog of another project');
SELECT throws_ok(
    $$UPDATE backlogs SET project_id = pg_temp.pid('OTHER') WHERE id = pg_temp.bid('PLAN', 'main')$$,
    '23503', NULL, 'a backlog holding stories cannot move to another project');
DELETE FROM backlogs WHERE id = pg_temp.bid('PLAN', 'main');
SELECT results_eq(
    $$SELECT project_id, backlog_id, rank FROM stories WHERE key = 'INF-001'$$,
    $$SELECT pg_temp.pid('PLAN'), NULL::bigint, NULL::numeric$$,
    'deleting a backlog clears backlog_id and rank, never project_id');

-- Keys unique per project -------------------------------------------------------
SELECT throws_ok(
    $$INSERT INTO stories (project_id, key, title) VALUES (pg_temp.pid('PLAN'), 'INF-001', 'again')$$,
    '23505', NULL, 'a duplicate key in one project is rejected');
SELECT lives_ok(
    $$INSERT INTO stories (project_id, key, title) VALUES (pg_temp.pid('OTHER'), 'INF-001', 'twin')$$,
    'the same key in two projects is accepted');
SELECT throws_ok(
    $$INSERT INTO projects (key, name) VALUES ('PLAN', 'Again')$$,
    '23505', NULL, 'project keys are unique');

-- Formats and ranges ---------------------------------------------------------------
SELECT throws_ok(
    format($$INSERT INTO stories (project_id, key, title) VALUES (%s, %L, 't')$$, pg_temp.pid('PLAN'), k),
    '23514', NULL, 'story key ' || k || ' is rejected')
FROM unnest(ARRAY['OTHER:INF-2', 'INF-2/3', '-INF-2', 'INF 2', 'INF-2:x', '', repeat('K', 65)]) AS k;
-- Keys as teams write them (0017): any case, no dash needed, slugs.
SELECT lives_ok(
    format($$INSERT INTO stories (project_id, key, title) VALUES (%s, %L, 't')$$, pg_temp.pid('PLAN'), k),
    'story key ' || k || ' is accepted')
FROM unnest(ARRAY['inf-102', 'INF102', 'INF-', 'LLM-007-sales-pitch-personalization', 'adh-001',
                  'SCHEDULING_AUTOMATION', 'v1.2', repeat('K', 64)]) AS k;
SELECT throws_ok(
    format($$INSERT INTO stories (project_id, key, title) VALUES (%s, 'ADH-001', 't')$$, pg_temp.pid('PLAN')),
    '23505', NULL, 'keys are unique per project ignoring case (adh-001 exists)');
SELECT throws_ok(
    format($$INSERT INTO projects (key, name) VALUES (%L, 'x')$$, k),
    '23514', NULL, 'project key ' || k || ' is rejected')
FROM unnest(ARRAY['plan', 'P:X', 'TOOLONGPROJECTKEY_ABCDEFG']) AS k;
SELECT throws_ok(
    format($$INSERT INTO stories (project_id, title, %s) VALUES (pg_temp.pid('PLAN'), 't', %s)$$, col, val),
    '23514', NULL, 'stories.' || col || ' = ' || val || ' is rejected')
FROM (VALUES ('priority', $$'urgent'$$), ('estimate_points', '-1'), ('labels', $$ARRAY['two words']$$),
             ('metadata', $$'[1, 2]'$$), ('checklist_done', '1'), ('source_blob_id', $$'abc'$$),
             ('branch_name', $$'feature/../x'$$), ('source_path', $$'/etc/passwd'$$)) AS c(col, val);
SELECT throws_ok(
    $$INSERT INTO stories (project_id, backlog_id, title, rank)
      VALUES (pg_temp.pid('OTHER'), pg_temp.bid('OTHER', 'ideas'), 't', 'NaN')$$,
    '23514', NULL, 'a NaN rank is rejected');
SELECT throws_ok(
    $$INSERT INTO stories (project_id, title) VALUES (pg_temp.pid('PLAN'), '   ')$$,
    '23514', NULL, 'a blank title is rejected');
SELECT throws_ok(
    $$INSERT INTO stories (project_id, title, status) VALUES (pg_temp.pid('PLAN'), 't', 'wip')$$,
    '23503', NULL, 'an unknown status is rejected');
INSERT INTO stories (project_id, title, labels)
VALUES (pg_temp.pid('PLAN'), 'labels', ARRAY[' Database', 'database', 'Docker', '']);
SELECT is((SELECT labels FROM stories WHERE title = 'labels'), ARRAY['database', 'docker'],
          'labels are trimmed, lower-cased and deduplicated in order');
SELECT throws_ok(
    $$INSERT INTO backlogs (project_id, name, starts_on, ends_on)
      VALUES (pg_temp.pid('PLAN'), 'sprint 1', '2025-09-14', '2025-09-01')$$,
    '23514', NULL, 'a backlog cannot end before it starts');
SELECT throws_ok(
    $$INSERT INTO backlogs (project_id, name) VALUES (pg_temp.pid('OTHER'), 'ideas')$$,
    '23505', NULL, 'backlog names are unique per project');
SELECT throws_ok(
    $$INSERT INTO users (handle) VALUES ('Alice')$$,
    '23514', NULL, 'user handles are lower case');
SELECT throws_ok(
    $$INSERT INTO users (handle, api_token_hash) VALUES ('alice', '\x0102')$$,
    '23514', NULL, 'a token hash is 32 bytes');
SELECT throws_ok(
    $$UPDATE projects SET git_last_synced_commit = 'HEAD' WHERE key = 'PLAN'$$,
    '23514', NULL, 'the last synced commit is an object name');

-- A story's creator may be deleted (if it has no history): the reference goes.
INSERT INTO users (handle) VALUES ('temp'), ('keeper');
INSERT INTO stories (project_id, title, created_by)
SELECT pg_temp.pid('OTHER'), 'created by temp', id FROM users WHERE handle = 'temp';
DELETE FROM users WHERE handle = 'temp';
SELECT is((SELECT created_by FROM stories WHERE title = 'created by temp'), NULL,
          'deleting a story''s creator clears created_by');
UPDATE stories SET created_by = (SELECT id FROM users WHERE handle = 'keeper')
WHERE title = 'created by temp';
SELECT is((SELECT created_by FROM stories WHERE title = 'created by temp'), NULL,
          'an UPDATE cannot rewrite created_by');

-- Statuses are history ------------------------------------------------------------
SELECT throws_ok(
    $$UPDATE statuses SET category = 'active' WHERE key = 'done'$$,
    'PP005', NULL, 'a status category cannot change');
SELECT lives_ok(
    $$UPDATE statuses SET description = 'Finished, really' WHERE key = 'done'$$,
    'a status description can change');

-- A project keeps an owner -----------------------------------------------------------
INSERT INTO users (handle) VALUES ('olga'), ('otto');
INSERT INTO project_members (project_id, user_id, role)
SELECT pg_temp.pid('PLAN'), id, 'owner' FROM users WHERE handle = 'olga';
SELECT throws_ok(
    $$DELETE FROM project_members WHERE user_id = (SELECT id FROM users WHERE handle = 'olga')$$,
    'PP004', 'project PLAN must keep at least one owner', 'the last owner cannot leave');
SELECT throws_ok(
    $$UPDATE project_members SET role = 'maintainer'
      WHERE user_id = (SELECT id FROM users WHERE handle = 'olga')$$,
    'PP004', NULL, 'the last owner cannot be demoted');
INSERT INTO project_members (project_id, user_id, role)
SELECT pg_temp.pid('PLAN'), id, 'owner' FROM users WHERE handle = 'otto';
SELECT lives_ok(
    $$UPDATE project_members SET role = 'maintainer'
      WHERE user_id = (SELECT id FROM users WHERE handle = 'olga')$$,
    'an owner can step down when another owner remains');
SELECT lives_ok(
    $$DELETE FROM projects WHERE key = 'PLAN'$$,
    'deleting a project takes its members, owners included');

SELECT * FROM finish();
ROLLBACK;
