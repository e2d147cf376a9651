-- Workflows per project and the words teams write (0017): the default
-- workflow, the vocabulary, statuses as written, who may add one, history
-- from git and the lifecycle it implies.
BEGIN;
SELECT plan(29);

CREATE FUNCTION pg_temp.pid(p_key text) RETURNS bigint LANGUAGE sql
AS $$ SELECT id FROM projects WHERE key = p_key $$;
CREATE FUNCTION pg_temp.workflow(p_key text) RETURNS text[] LANGUAGE sql
AS $$ SELECT array_agg(status ORDER BY position, status) FROM project_statuses
      WHERE project_id = pg_temp.pid(p_key) $$;

INSERT INTO projects (key, name) VALUES ('WFA', 'a'), ('WFB', 'b');

-- The default workflow -------------------------------------------------------------
SELECT is(pg_temp.workflow('WFA'),
          ARRAY['draft', 'ready', 'in_progress', 'review', 'done', 'accepted', 'cancelled'],
          'a new project starts with the default workflow, in order');

-- The vocabulary ---------------------------------------------------------------------
SELECT is(planpipe_resolve_status(pg_temp.pid('WFA'), 'review'), 'review',
          'a status of the workflow resolves to itself');
SELECT is(planpipe_resolve_status(pg_temp.pid('WFA'), '  DONE '), 'done',
          'matching ignores case and surrounding blanks');
SELECT is(planpipe_resolve_status(pg_temp.pid('WFA'), 'in-progress'), 'in-progress',
          'a vocabulary word becomes a status spelled as written');
SELECT is((SELECT category FROM statuses WHERE key = 'in-progress'), 'active',
          'with the vocabulary''s category');
SELECT ok('in-progress' = ANY (pg_temp.workflow('WFA')), 'and joins the project''s workflow');
SELECT ok(NOT 'in-progress' = ANY (pg_temp.workflow('WFB')), 'of that project only');
SELECT is(planpipe_resolve_status(pg_temp.pid('WFB'), 'In-Progress'), 'in-progress',
          'another project meeting the word gets the same status, however it spells it');
SELECT is(planpipe_resolve_status(pg_temp.pid('WFA'), 'Backlog'), 'Backlog',
          'Backlog (todo) is kept as written');
SELECT is((SELECT category FROM statuses WHERE key = 'Backlog'), 'todo', 'Backlog is todo');
SELECT is(planpipe_resolve_status(pg_temp.pid('WFA'), 'blocked'), 'blocked', 'blocked resolves');
SELECT is((SELECT (category, blocked)::text FROM statuses WHERE key = 'blocked'), '(active,t)',
          'blocked is active, and marked blocked');
SELECT is(planpipe_resolve_status(pg_temp.pid('WFA'), 'won''t do'), 'won''t do',
          'a word with an apostrophe and a space is a status');
SELECT is(planpipe_resolve_status(pg_temp.pid('WFA'), 'in the fridge'), NULL,
          'a word nothing knows resolves to NULL');
SELECT is((SELECT count(*) FROM statuses WHERE key = 'in the fridge'), 0::bigint,
          'and adds nothing');

-- Stories stay inside their project's workflow ---------------------------------------
SELECT lives_ok($$INSERT INTO stories (project_id, key, title, status)
                  VALUES (pg_temp.pid('WFA'), 'wf-1', 'in progress', 'in-progress')$$,
                'a story takes a status of its workflow');
SELECT throws_ok($$INSERT INTO stories (project_id, key, title, status)
                   VALUES (pg_temp.pid('WFB'), 'wf-2', 'x', 'Backlog')$$,
                 '23503', NULL, 'but not one outside it');
SELECT is((SELECT started_at IS NOT NULL FROM stories WHERE key = 'wf-1'), true,
          'a new status''s category drives the lifecycle (in-progress is active)');
SELECT throws_ok($$DELETE FROM project_statuses WHERE project_id = pg_temp.pid('WFA')
                   AND status = 'in-progress'$$,
                 '23503', NULL, 'a status in use cannot leave the workflow');

-- Who may add a status through the vocabulary -----------------------------------------
INSERT INTO users (handle, display_name) VALUES ('wf_dev', 'dev'), ('wf_maint', 'maint');
INSERT INTO project_members (project_id, user_id, role)
SELECT pg_temp.pid('WFB'), u.id, r::member_role
FROM (VALUES ('wf_dev', 'developer'), ('wf_maint', 'maintainer')) AS v(h, r)
JOIN users u ON u.handle = v.h;
-- The ids as the owner: planpipe_app sees only users who share a project with it (0018).
SELECT set_config('planpipe.test_wf_dev', (SELECT id::text FROM users WHERE handle = 'wf_dev'), true),
       set_config('planpipe.test_wf_maint', (SELECT id::text FROM users WHERE handle = 'wf_maint'), true);
SET LOCAL ROLE planpipe_app;
SELECT set_config('planpipe.user_id', current_setting('planpipe.test_wf_dev'), true);
SELECT is(planpipe_resolve_status(pg_temp.pid('WFB'), 'doing'), NULL,
          'a developer cannot add a status');
SELECT set_config('planpipe.user_id', current_setting('planpipe.test_wf_maint'), true);
SELECT is(planpipe_resolve_status(pg_temp.pid('WFB'), 'doing'), 'doing', 'a maintainer can');
RESET ROLE;

-- History from git ----------------------------------------------------------------------
SELECT set_config('planpipe.history', 'external', true);
INSERT INTO stories (project_id, key, title, status)
VALUES (pg_temp.pid('WFA'), 'wf-git', 'from git', 'done');
SELECT is((SELECT count(*) FROM status_history h JOIN stories s ON s.id = h.story_id
           WHERE s.key = 'wf-git'), 0::bigint,
          'with planpipe.history = external the triggers write no history');
INSERT INTO status_history (story_id, project_id, from_status, to_status, changed_at, source,
                            actor, commit_id)
SELECT s.id, s.project_id, v.f, v.t, v.at::timestamptz, 'git', 'Ada <ada@example.org>', v.c
FROM stories s,
     (VALUES (NULL, 'Backlog', '2025-08-28 10:00:00+00', repeat('a', 40)),
             ('Backlog', 'in-progress', '2025-09-01 09:00:00+00', repeat('b', 40)),
             ('in-progress', 'done', '2025-09-03 17:30:00+00', repeat('c', 40))) AS v(f, t, at, c)
WHERE s.key = 'wf-git';
SELECT is((SELECT array_agg(commit_id ORDER BY changed_at) FROM status_history h
           JOIN stories s ON s.id = h.story_id WHERE s.key = 'wf-git'),
          ARRAY[repeat('a', 40), repeat('b', 40), repeat('c', 40)],
          'git rows keep their commits, at the commits'' times');
SELECT set_config('planpipe.history', '', true);
SELECT is(planpipe_story_lifecycle_from_history(ARRAY[(SELECT id FROM stories WHERE key = 'wf-git')]), 1,
          'the lifecycle is read from the history');
SELECT is((SELECT (started_at, completed_at)::text FROM stories WHERE key = 'wf-git'),
          ('2025-09-01 09:00:00+00'::timestamptz, '2025-09-03 17:30:00+00'::timestamptz)::text,
          'started at the first active commit, completed at the done commit');
SELECT throws_ok($$INSERT INTO status_history (story_id, project_id, to_status, source, commit_id)
                   SELECT id, project_id, 'done', 'git', 'not-a-sha' FROM stories WHERE key = 'wf-git'$$,
                 '23514', NULL, 'a commit id is 40 or 64 hex digits');
SELECT set_config('planpipe.source', 'sql', true);
UPDATE stories SET status = 'review' WHERE key = 'wf-git';
SELECT is((SELECT (h.source, h.from_status, h.to_status)::text FROM status_history h
           JOIN stories s ON s.id = h.story_id WHERE s.key = 'wf-git'
           ORDER BY h.id DESC LIMIT 1), '(sql,done,review)',
          'outside external mode the triggers write history again');

-- The API's login cannot switch history off or set the lifecycle by hand.
CREATE ROLE wf_api_login LOGIN IN ROLE planpipe_app;
SET SESSION AUTHORIZATION wf_api_login;
SET ROLE planpipe_app;
SELECT set_config('planpipe.history', 'external', true);
SELECT is(planpipe_setting_history_external(), false,
          'planpipe.history = external is ignored for a login of planpipe_app');
SELECT throws_ok($$SELECT planpipe_story_lifecycle_from_history(ARRAY[1::bigint])$$, '42501', NULL,
                 'and it cannot run planpipe_story_lifecycle_from_history');
RESET ROLE;
RESET SESSION AUTHORIZATION;

SELECT * FROM finish();
ROLLBACK;
