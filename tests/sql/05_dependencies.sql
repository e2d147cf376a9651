-- Dependency cycles of length 1, 2 and 5 across two projects are rejected
-- with an error naming the cycle; relates edges may form cycles; the same for
-- projects; a story cannot close while a blocker is open.
BEGIN;
SELECT plan(25);

\ir lib/labels.sql
CREATE FUNCTION pg_temp.act_as(p_handle text) RETURNS void LANGUAGE sql
AS $$ SELECT set_config('planpipe.user_id', (SELECT id FROM users WHERE handle = p_handle)::text, true) $$;
-- The SQL that adds "a depends on b".
CREATE FUNCTION pg_temp.dep(a text, b text, kind text DEFAULT 'blocks') RETURNS text LANGUAGE sql
AS $$ SELECT format('INSERT INTO story_dependencies (story_id, depends_on_id, kind) VALUES (%s, %s, %L)',
                    pg_temp.sid(a), pg_temp.sid(b), kind) $$;

INSERT INTO projects (key, name) VALUES ('PLAN', 'Planning'), ('OTHER', 'Other'), ('HIDDEN', 'Hidden');
INSERT INTO stories (project_id, key, title)
SELECT pg_temp.pid(p), k, p || ' ' || k
FROM (VALUES ('PLAN', 'A-1'), ('PLAN', 'A-2'), ('PLAN', 'A-3'), ('PLAN', 'A-4'), ('PLAN', 'A-5'),
             ('OTHER', 'B-1'), ('OTHER', 'B-2'), ('OTHER', 'B-3'), ('HIDDEN', 'H-1')) AS v(p, k);

-- Length 1 ------------------------------------------------------------------
SELECT throws_ok(pg_temp.dep('PLAN:A-1', 'PLAN:A-1'), '23514', NULL,
                 'a story cannot depend on itself');

-- Length 2, across projects ----------------------------------------------------
SELECT lives_ok(pg_temp.dep('PLAN:A-1', 'OTHER:B-1'), 'PLAN:A-1 depends on OTHER:B-1');
SELECT throws_ok(pg_temp.dep('OTHER:B-1', 'PLAN:A-1'), 'PP001',
                 'dependency cycle: OTHER:B-1 -> PLAN:A-1 -> OTHER:B-1',
                 'a cycle of length 2 across projects is rejected and named');

-- Length 5, across two projects ----------------------------------------------------
SELECT lives_ok(pg_temp.dep('OTHER:B-1', 'PLAN:A-2'), 'OTHER:B-1 depends on PLAN:A-2');
SELECT lives_ok(pg_temp.dep('PLAN:A-2', 'OTHER:B-2'), 'PLAN:A-2 depends on OTHER:B-2');
SELECT lives_ok(pg_temp.dep('OTHER:B-2', 'PLAN:A-3'), 'OTHER:B-2 depends on PLAN:A-3');
SELECT throws_ok(pg_temp.dep('PLAN:A-3', 'PLAN:A-1'), 'PP001',
                 'dependency cycle: PLAN:A-3 -> PLAN:A-1 -> OTHER:B-1 -> PLAN:A-2 -> OTHER:B-2 -> PLAN:A-3',
                 'a cycle of length 5 across two projects is rejected and named');
SELECT lives_ok(pg_temp.dep('PLAN:A-1', 'PLAN:A-3'),
                'a shortcut in the same direction is no cycle');
SELECT throws_ok(
    format('INSERT INTO story_dependencies (story_id, depends_on_id) VALUES (%s, %s), (%s, %s)',
           pg_temp.sid('PLAN:A-4'), pg_temp.sid('PLAN:A-5'), pg_temp.sid('PLAN:A-5'), pg_temp.sid('PLAN:A-4')),
    'PP001', NULL, 'a cycle inside one multi-row insert is rejected');
SELECT throws_ok(pg_temp.dep('PLAN:A-1', 'OTHER:B-1'), '23505', NULL,
                 'an edge is unique per pair');

-- relates -------------------------------------------------------------------------
SELECT lives_ok(pg_temp.dep('PLAN:A-3', 'PLAN:A-1', 'relates'),
                'a relates edge against the blocking direction is accepted');
SELECT lives_ok(pg_temp.dep('OTHER:B-3', 'PLAN:A-4', 'relates'), 'relates B-3 -> A-4');
SELECT lives_ok(pg_temp.dep('PLAN:A-4', 'OTHER:B-3', 'relates'), 'relates A-4 -> B-3: a relates cycle');
SELECT throws_ok(
    format($$UPDATE story_dependencies SET kind = 'blocks' WHERE story_id = %s AND depends_on_id = %s$$,
           pg_temp.sid('PLAN:A-3'), pg_temp.sid('PLAN:A-1')),
    'PP001', NULL, 'turning a relates edge into a blocking one is checked too');

-- The message hides stories the acting user cannot see ----------------------------
INSERT INTO users (handle) VALUES ('dora');
INSERT INTO project_members (project_id, user_id, role)
SELECT pg_temp.pid('PLAN'), id, 'developer' FROM users WHERE handle = 'dora';
INSERT INTO story_dependencies (story_id, depends_on_id) VALUES
    (pg_temp.sid('PLAN:A-4'), pg_temp.sid('HIDDEN:H-1')),
    (pg_temp.sid('HIDDEN:H-1'), pg_temp.sid('PLAN:A-5'));
SELECT pg_temp.act_as('dora');
SET LOCAL ROLE planpipe_app;
SELECT throws_ok(
    format('INSERT INTO story_dependencies (story_id, depends_on_id) VALUES (%s, %s)',
           pg_temp.sid('PLAN:A-5'), pg_temp.sid('PLAN:A-4')),
    'PP001', 'dependency cycle: PLAN:A-5 -> PLAN:A-4 -> (hidden) -> PLAN:A-5',
    'a cycle through a project the user cannot see is rejected without naming its story');
RESET ROLE;
SET LOCAL planpipe.user_id = '';

-- Project dependencies --------------------------------------------------------------
SELECT throws_ok(
    format('INSERT INTO project_dependencies (project_id, depends_on_project_id) VALUES (%s, %1$s)',
           pg_temp.pid('PLAN')),
    '23514', NULL, 'a project cannot depend on itself');
SELECT lives_ok(
    format('INSERT INTO project_dependencies (project_id, depends_on_project_id) VALUES (%s, %s), (%2$s, %s)',
           pg_temp.pid('PLAN'), pg_temp.pid('OTHER'), pg_temp.pid('HIDDEN')),
    'PLAN depends on OTHER, OTHER on HIDDEN');
SELECT throws_ok(
    format('INSERT INTO project_dependencies (project_id, depends_on_project_id) VALUES (%s, %s)',
           pg_temp.pid('HIDDEN'), pg_temp.pid('PLAN')),
    'PP001', 'project dependency cycle: HIDDEN -> PLAN -> OTHER -> HIDDEN',
    'a project dependency cycle is rejected and named');
SELECT lives_ok(
    format($$INSERT INTO project_dependencies (project_id, depends_on_project_id, kind) VALUES (%s, %s, 'relates')$$,
           pg_temp.pid('HIDDEN'), pg_temp.pid('PLAN')),
    'project relates edges may form cycles');

-- No closing while blocked ------------------------------------------------------------
-- PLAN:A-1 depends on OTHER:B-1 (blocks) and PLAN:A-3 (blocks), A-3 relates...
UPDATE stories SET status = 'in_progress' WHERE id = pg_temp.sid('OTHER:B-1');
SELECT throws_ok(
    format($$UPDATE stories SET status = 'done' WHERE id = %s$$, pg_temp.sid('PLAN:A-1')),
    'PP002', 'story PLAN:A-1 has open blockers: PLAN:A-3 (draft), OTHER:B-1 (in_progress)',
    'a story cannot be done while its blockers are open');
UPDATE stories SET status = 'done' WHERE id = pg_temp.sid('PLAN:A-3');
UPDATE stories SET status = 'cancelled' WHERE id = pg_temp.sid('OTHER:B-1');
SELECT lives_ok(
    format($$UPDATE stories SET status = 'done' WHERE id = %s$$, pg_temp.sid('PLAN:A-1')),
    'done and cancelled blockers no longer block');
SELECT lives_ok(
    format($$UPDATE stories SET status = 'done' WHERE id = %s$$, pg_temp.sid('OTHER:B-3')),
    'relates edges never block');
-- PLAN:A-4 is blocked by HIDDEN:H-1 (draft).
SET LOCAL planpipe.source = 'import';
SELECT lives_ok(
    format($$UPDATE stories SET status = 'done' WHERE id = %s$$, pg_temp.sid('PLAN:A-4')),
    'the importer records the files'' statuses as they are');
SET LOCAL planpipe.source = 'api';
UPDATE stories SET status = 'in_progress' WHERE id = pg_temp.sid('PLAN:A-4');
SELECT pg_temp.act_as('dora');
SET LOCAL planpipe.force = on;
SELECT throws_ok(
    format($$UPDATE stories SET status = 'done' WHERE id = %s$$, pg_temp.sid('PLAN:A-4')),
    'PP002', 'story PLAN:A-4 has open blockers: (hidden) (draft)',
    'a developer cannot force it, and does not learn the hidden blocker''s name');
UPDATE project_members SET role = 'maintainer' WHERE user_id = planpipe_setting_user_id();
SELECT lives_ok(
    format($$UPDATE stories SET status = 'done' WHERE id = %s$$, pg_temp.sid('PLAN:A-4')),
    'a maintainer can force it');

SELECT * FROM finish();
ROLLBACK;
