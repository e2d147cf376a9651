-- A story named by its key in any case is found through an index under
-- row-level security (migration 0029). 0028 matched lower(s.key) =
-- lower($key): lower() is not LEAKPROOF, so under the policies it could not
-- be an index condition and the API's story read scanned the project's
-- stories (86 ms at the large scale). s.key = $key COLLATE planpipe_ci is
-- texteq on the column, served by stories_key_ci_project_id_idx.
BEGIN;
SELECT plan(12);

\ir lib/plan.sql

-- 20 projects, one user a member of the first 10; 20,000 stories in K1,
-- keys in mixed case as teams write them, 1,000 in each other project.
INSERT INTO users (handle, api_token_hash) VALUES ('keyer', sha256(convert_to('token-keyer', 'UTF8')));
INSERT INTO projects (key, name) SELECT 'K' || g, 'project ' || g FROM generate_series(1, 20) AS g;
INSERT INTO project_members (project_id, user_id, role)
SELECT p.id, u.id, 'viewer' FROM projects p, users u
WHERE u.handle = 'keyer' AND p.key ~ '^K([1-9]|10)$';
INSERT INTO stories (project_id, key, title, status)
SELECT p.id, CASE WHEN g % 2 = 0 THEN 'Story-' ELSE 'STORY-' END || g, 'story ' || g,
       (ARRAY['draft', 'ready', 'in_progress', 'done'])[1 + g % 4]
FROM projects p, generate_series(1, 20000) AS g
WHERE p.key = 'K1' OR g <= 1000;
ANALYZE users, projects, project_members, stories;

-- The characters a key may hold: the collation's equality is lower()'s.
SELECT is((SELECT count(*) FROM
             (SELECT chr(a) AS x FROM generate_series(32, 126) AS a) x,
             (SELECT chr(b) AS y FROM generate_series(32, 126) AS b) y
           WHERE x ~ '^[A-Za-z0-9._-]$' AND y ~ '^[A-Za-z0-9._-]$'
             AND (x = y COLLATE planpipe_ci) <> (lower(x) = lower(y))),
          0::bigint, 'planpipe_ci: equal exactly when lower() is, over the characters of a key');
SELECT is('PLAN-007.b_c' = 'plan-007.B_C' COLLATE planpipe_ci, true, 'planpipe_ci: case is ignored');
SELECT is('a-b' = 'ab' COLLATE planpipe_ci, false, 'planpipe_ci: punctuation counts');
SELECT is('a.b' = 'a_b' COLLATE planpipe_ci, false, 'planpipe_ci: each punctuation mark is itself');

-- As the API: a member of planpipe_app under the policies.
DO $$
BEGIN
    PERFORM set_config('planpipe.user_id', (SELECT id FROM users WHERE handle = 'keyer')::text, true);
END
$$;
SET LOCAL ROLE planpipe_app;
SELECT matches(pg_temp.plan_of($$SELECT id FROM stories
                                 WHERE project_id = (SELECT id FROM projects WHERE key = 'K1')
                                   AND key = 'story-12345' COLLATE planpipe_ci$$),
               'Index (Only )?Scan using stories_key_ci_project_id_idx',
               'as planpipe_app: a key in any case is an index condition');
SELECT doesnt_match(pg_temp.plan_of($$SELECT id FROM stories
                                      WHERE project_id = (SELECT id FROM projects WHERE key = 'K1')
                                        AND lower(key) = lower('story-12345')$$),
                    'Index Cond: [^\n]*lower\(key\)',
                    'as planpipe_app: lower(key) is no index condition (why 0029 exists)');
SELECT is((SELECT key FROM stories
           WHERE project_id = (SELECT id FROM projects WHERE key = 'K1')
             AND key = 'story-12345' COLLATE planpipe_ci),
          'STORY-12345', 'as planpipe_app: the key as stored');
SELECT is((SELECT count(*) FROM stories
           WHERE project_id = (SELECT id FROM projects WHERE key = 'K15')
             AND key = 'story-12' COLLATE planpipe_ci),
          0::bigint, 'as planpipe_app: another project''s story stays hidden');
SELECT is(planpipe_report_story_id('K1', 'story-12346'),
          (SELECT id FROM stories WHERE key = 'Story-12346'), 'critical-path''s story in any case');
SELECT throws_ok($$SELECT planpipe_report_story_id('K1', 'story-99999')$$, 'PP404', NULL,
                 'critical-path: a story that is not there is a 404');
RESET ROLE;

-- Nothing that names a story by its key matches through lower() under the
-- policies again.
SELECT is((SELECT count(*) FROM pg_proc
           WHERE proname IN ('planpipe_api_story_get', 'planpipe_report_story_id')
             AND prosrc ~ 'lower\(s\.key\)'),
          0::bigint, 'the story read and critical-path match with planpipe_ci');
SELECT is((SELECT count(*) FROM pg_proc
           WHERE proname IN ('planpipe_api_story_get', 'planpipe_report_story_id')
             AND prosrc ~ 'COLLATE planpipe_ci'),
          2::bigint, 'both use the collation');

SELECT * FROM finish();
ROLLBACK;
