-- Row-level security for planpipe_app: a non-member sees nothing of a
-- project, a viewer cannot write, roles grade what one may change, an admin
-- sees everything, and a new project is visible to (and owned by) its creator.
BEGIN;
SELECT plan(59);

-- Fixture, as the schema owner ------------------------------------------------------
INSERT INTO users (handle, is_admin, disabled_at, api_token_hash)
SELECT h, h = 'root', CASE WHEN h = 'ghost' THEN now() END, sha256(convert_to('token-' || h, 'UTF8'))
FROM unnest(ARRAY['alice', 'vic', 'dev', 'mal', 'bob', 'root', 'ghost', 'carl', 'nina']) AS h;
INSERT INTO projects (key, name) VALUES ('PLAN', 'Planning'), ('OTHER', 'Other'), ('THIRD', 'Third');
\ir lib/members.sql
SELECT pg_temp.add_members(ARRAY[['PLAN', 'alice', 'owner'], ['PLAN', 'vic', 'viewer'],
                                  ['PLAN', 'dev', 'developer'], ['PLAN', 'mal', 'maintainer'],
                                  ['PLAN', 'ghost', 'owner'], ['OTHER', 'bob', 'owner']]);
INSERT INTO backlogs (project_id, name) SELECT id, 'main' FROM projects;
INSERT INTO stories (project_id, key, title)
SELECT p.id, k, 'story ' || k FROM projects p
JOIN (VALUES ('PLAN', 'P-1'), ('PLAN', 'P-2'), ('OTHER', 'O-1')) AS v(pk, k) ON v.pk = p.key;
INSERT INTO story_dependencies (story_id, depends_on_id)
SELECT a.id, b.id FROM stories a, stories b WHERE a.key = 'P-1' AND b.key = 'O-1';
INSERT INTO project_dependencies (project_id, depends_on_project_id)
SELECT a.id, b.id FROM projects a, projects b WHERE a.key = 'PLAN' AND b.key = 'OTHER';

-- Ids fixed now, readable whoever we act as.
\ir lib/ids.sql
\ir lib/act_as.sql
-- Rows a statement changed (0 when the policy hid them all).
CREATE FUNCTION pg_temp.changed(p_sql text) RETURNS bigint LANGUAGE plpgsql
AS $$
DECLARE
    n bigint;
BEGIN
    EXECUTE p_sql;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END
$$;
CREATE FUNCTION pg_temp.count_in(p_table text, p_project text) RETURNS bigint LANGUAGE plpgsql
AS $$
DECLARE
    n bigint;
BEGIN
    EXECUTE format('SELECT count(*) FROM %I WHERE project_id = $1', p_table)
        INTO n USING pg_temp.id('project', p_project);
    RETURN n;
END
$$;

-- A non-member sees nothing of the project ----------------------------------------------
SELECT pg_temp.act_as('bob');
SELECT results_eq($$SELECT key FROM projects ORDER BY key$$, $$VALUES ('OTHER')$$,
                  'bob sees only his own project');
SELECT is(pg_temp.count_in(t, 'PLAN'), 0::bigint, 'bob sees no ' || t || ' of PLAN')
FROM unnest(ARRAY['stories', 'backlogs', 'project_members', 'status_history']) AS t;
SELECT is(pg_temp.count_in(t, 'OTHER'), 1::bigint, 'bob sees the ' || t || ' of OTHER')
FROM unnest(ARRAY['stories', 'backlogs', 'project_members', 'status_history']) AS t;
SELECT results_eq($$SELECT story_id, depends_on_id FROM story_dependencies$$,
                  $$VALUES (pg_temp.id('story', 'P-1'), pg_temp.id('story', 'O-1'))$$,
                  'bob sees that something depends on his story...');
SELECT is((SELECT count(*) FROM stories WHERE id = pg_temp.id('story', 'P-1')), 0::bigint,
          '...but not the story that does');
SELECT results_eq(
    $$SELECT * FROM planpipe_search_story_ids(to_tsquery('english', 'story'))$$,
    $$VALUES (pg_temp.id('story', 'O-1'))$$,
    'the search helper only returns bob''s stories');
SELECT throws_ok(
    format($$INSERT INTO stories (project_id, title) VALUES (%s, 'intruder')$$, pg_temp.id('project', 'PLAN')),
    '42501', NULL, 'bob cannot add a story to PLAN');
SELECT is(pg_temp.changed($$UPDATE stories SET title = 'defaced'$$), 1::bigint,
          'bob''s UPDATE of every story reaches only his own');
SELECT is(planpipe_project_role(pg_temp.id('project', 'PLAN')), NULL, 'bob has no role in PLAN');

-- No user, a disabled user --------------------------------------------------------------
SELECT pg_temp.act_as(NULL);
SELECT is((SELECT count(*) FROM projects) + (SELECT count(*) FROM stories), 0::bigint,
          'without planpipe.user_id nothing is visible');
SELECT pg_temp.act_as('ghost');
SELECT is((SELECT count(*) FROM projects) + (SELECT count(*) FROM stories), 0::bigint,
          'a disabled user sees nothing, owner or not');

-- A viewer reads but cannot write ----------------------------------------------------------
SELECT pg_temp.act_as('vic');
SELECT is(pg_temp.count_in('stories', 'PLAN'), 2::bigint, 'the viewer sees the stories');
SELECT is(pg_temp.count_in('status_history', 'PLAN'), 2::bigint, 'and their history');
SELECT throws_ok(
    format($$INSERT INTO stories (project_id, title) VALUES (%s, 'by a viewer')$$, pg_temp.id('project', 'PLAN')),
    '42501', NULL, 'a viewer cannot add a story');
SELECT is(pg_temp.changed($$UPDATE stories SET status = 'ready'$$), 0::bigint,
          'a viewer''s UPDATE changes no story');
SELECT is(pg_temp.changed($$UPDATE projects SET name = 'renamed'$$), 0::bigint,
          'a viewer''s UPDATE changes no project');
SELECT throws_ok(
    format($$INSERT INTO backlogs (project_id, name) VALUES (%s, 'mine')$$, pg_temp.id('project', 'PLAN')),
    '42501', NULL, 'a viewer cannot add a backlog');
SELECT throws_ok(
    format('INSERT INTO story_dependencies (story_id, depends_on_id) VALUES (%s, %s)',
           pg_temp.id('story', 'P-2'), pg_temp.id('story', 'P-1')),
    '42501', NULL, 'a viewer cannot add a dependency');
SELECT throws_ok(
    format($$INSERT INTO project_members (project_id, user_id) VALUES (%s, %s)$$,
           pg_temp.id('project', 'PLAN'), pg_temp.id('user', 'nina')),
    '42501', NULL, 'a viewer cannot add members');
SELECT is(pg_temp.changed($$DELETE FROM story_dependencies$$), 0::bigint,
          'a viewer''s DELETE removes no dependency');
SELECT is(planpipe_project_role(pg_temp.id('project', 'PLAN')), 'viewer'::member_role,
          'planpipe_project_role tells the API the viewer''s role');

-- A developer writes stories and dependencies ---------------------------------------------
SELECT pg_temp.act_as('dev');
SET LOCAL planpipe.source = 'api';
SELECT is(pg_temp.changed(format($$INSERT INTO stories (project_id, title) VALUES (%s, 'by dev')$$,
                                 pg_temp.id('project', 'PLAN'))), 1::bigint,
          'a developer adds a story');
-- PLAN-003: the stranger's and the viewer's refused inserts above used 001 and 002 (keys
-- come from a sequence, migration 0030: a refused insert leaves a gap).
SELECT is((SELECT key FROM stories WHERE title = 'by dev'), 'PLAN-003', 'its key is generated');
SELECT is(pg_temp.changed(format($$UPDATE stories SET status = 'in_progress' WHERE id = %s$$,
                                 pg_temp.id('story', 'P-2'))), 1::bigint,
          'a developer changes a status');
SELECT results_eq(
    format($$SELECT changed_by, source FROM status_history WHERE story_id = %s AND to_status = 'in_progress'$$,
           pg_temp.id('story', 'P-2')),
    format($$VALUES (%s::bigint, 'api')$$, pg_temp.id('user', 'dev')),
    'the change is in the history with its actor and source');
SELECT lives_ok(
    format('INSERT INTO story_dependencies (story_id, depends_on_id) VALUES (%s, %s)',
           pg_temp.id('story', 'P-2'), pg_temp.id('story', 'P-1')),
    'a developer adds a dependency');
SELECT throws_ok(
    format('INSERT INTO story_dependencies (story_id, depends_on_id) VALUES (%s, %s)',
           pg_temp.id('story', 'P-2'), pg_temp.id('story', 'O-1')),
    '42501', NULL, 'but not on a story they cannot see');
SELECT throws_ok(
    format($$INSERT INTO backlogs (project_id, name) VALUES (%s, 'sprint 1')$$, pg_temp.id('project', 'PLAN')),
    '42501', NULL, 'a developer cannot add a backlog');
SELECT is(pg_temp.changed($$UPDATE projects SET name = 'renamed'$$), 0::bigint,
          'a developer cannot edit the project');

-- A maintainer runs the project, below owner -----------------------------------------------
SELECT pg_temp.act_as('mal');
SELECT lives_ok(
    format($$INSERT INTO backlogs (project_id, name, kind) VALUES (%s, 'sprint 1', 'sprint')$$,
           pg_temp.id('project', 'PLAN')),
    'a maintainer adds a backlog');
SELECT is(pg_temp.changed($$UPDATE projects SET description = 'maintained'$$), 1::bigint,
          'a maintainer edits the project');
SELECT lives_ok(
    format($$INSERT INTO project_members (project_id, user_id, role) VALUES (%s, %s, 'developer')$$,
           pg_temp.id('project', 'PLAN'), pg_temp.id('user', 'nina')),
    'a maintainer adds a developer');
SELECT throws_ok(
    format($$INSERT INTO project_members (project_id, user_id, role) VALUES (%s, %s, 'owner')$$,
           pg_temp.id('project', 'PLAN'), pg_temp.id('user', 'carl')),
    '42501', NULL, 'a maintainer cannot make an owner');
SELECT throws_ok(
    format($$UPDATE project_members SET role = 'owner' WHERE user_id = %s$$, pg_temp.id('user', 'nina')),
    '42501', NULL, 'nor promote someone to owner');
SELECT is(pg_temp.changed(format($$DELETE FROM project_members WHERE user_id = %s$$, pg_temp.id('user', 'alice'))),
          0::bigint, 'nor remove an owner');
SELECT throws_ok(
    format('INSERT INTO project_dependencies (project_id, depends_on_project_id) VALUES (%s, %s)',
           pg_temp.id('project', 'OTHER'), pg_temp.id('project', 'PLAN')),
    '42501', NULL, 'a maintainer cannot add dependencies to a project of others, even cyclic ones');
SELECT throws_ok(
    format('INSERT INTO project_dependencies (project_id, depends_on_project_id) VALUES (%s, %s)',
           pg_temp.id('project', 'PLAN'), pg_temp.id('project', 'THIRD')),
    '42501', NULL, 'nor make the project depend on one they cannot see');

-- An owner manages owners; a member may leave ---------------------------------------------------
SELECT pg_temp.act_as('alice');
SELECT is(pg_temp.changed(format($$UPDATE project_members SET role = 'owner' WHERE user_id = %s$$,
                                 pg_temp.id('user', 'mal'))), 1::bigint, 'an owner promotes an owner');
SELECT pg_temp.act_as('vic');
SELECT is(pg_temp.changed(format($$DELETE FROM project_members WHERE user_id = %s$$, pg_temp.id('user', 'vic'))),
          1::bigint, 'a viewer may leave the project');
SELECT is((SELECT count(*) FROM projects), 0::bigint, 'and then sees it no more');

-- An admin sees everything ------------------------------------------------------------------------
SELECT pg_temp.act_as('root');
SELECT results_eq($$SELECT key FROM projects ORDER BY key$$, $$VALUES ('OTHER'), ('PLAN'), ('THIRD')$$,
                  'an admin sees every project');
SELECT is((SELECT count(*) FROM stories), 4::bigint, 'and every story');
SELECT is((SELECT count(*) FROM status_history), 5::bigint, 'and all history');
SELECT is(planpipe_project_role(pg_temp.id('project', 'OTHER')), 'owner'::member_role,
          'an admin acts as owner everywhere');

-- Creating a project -------------------------------------------------------------------------------
SELECT pg_temp.act_as('carl');
SELECT results_eq($$INSERT INTO projects (key, name) VALUES ('CARL', 'Carl''s') RETURNING key, created_by$$,
                  format($$VALUES ('CARL', %s::bigint)$$, pg_temp.id('user', 'carl')),
                  'any user creates a project, INSERT ... RETURNING included');
SELECT results_eq($$SELECT p.key, m.role FROM projects p JOIN project_members m ON m.project_id = p.id$$,
                  $$VALUES ('CARL', 'owner'::member_role)$$,
                  'the creator owns it and sees only it');
SELECT pg_temp.act_as(NULL);
SELECT throws_ok($$INSERT INTO projects (key, name) VALUES ('ANON', 'Nobody''s')$$, '42501', NULL,
                 'without a user no project can be created');

-- Secrets and internals ------------------------------------------------------------------------------
SELECT throws_ok($$SELECT api_token_hash FROM users$$, '42501', NULL, 'token hashes are not readable');
SELECT throws_ok($$SELECT * FROM story_key_counters$$, '42501', NULL, 'key counters are not readable');
SELECT is(planpipe_authenticate(sha256(convert_to('token-dev', 'UTF8'))), pg_temp.id('user', 'dev'),
          'planpipe_authenticate finds the user by token hash');
SELECT is(current_setting('planpipe.user_id'), pg_temp.id('user', 'dev')::text,
          '...and sets planpipe.user_id for the transaction');
SELECT is(planpipe_authenticate(sha256(convert_to('token-ghost', 'UTF8'))), NULL,
          'a disabled user''s token is refused');
SELECT is(current_setting('planpipe.user_id'), '', '...and the acting user is cleared');

RESET ROLE;
SELECT * FROM finish();
ROLLBACK;
