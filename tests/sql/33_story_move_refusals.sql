-- 0042: a move that cannot do what it asks is a 422 naming the field: a
-- rank or a place next to another story for a story that would be in no
-- backlog, and a place next to itself. Taking a story out of its backlog
-- stays a move.
BEGIN;
SELECT plan(6);

INSERT INTO users (handle, api_token_hash) VALUES ('dev', sha256('token-dev'));
INSERT INTO projects (key, name) VALUES ('MOV', 'Moves');
\ir lib/members.sql
SELECT pg_temp.add_members(ARRAY[['MOV', 'dev', 'developer']]);
INSERT INTO backlogs (project_id, name) SELECT id, 'Next' FROM projects WHERE key = 'MOV';
INSERT INTO stories (project_id, key, title) SELECT id, k, k FROM projects, unnest(ARRAY['MOV-1', 'MOV-2']) k
WHERE key = 'MOV';
INSERT INTO stories (project_id, key, title, backlog_id)
SELECT p.id, 'MOV-3', 'ranked', b.id FROM projects p JOIN backlogs b ON b.project_id = p.id WHERE p.key = 'MOV';

CREATE ROLE pp_test_api_login LOGIN IN ROLE planpipe_app;
SET SESSION AUTHORIZATION pp_test_api_login;
CREATE FUNCTION pg_temp.h() RETURNS bytea LANGUAGE sql AS $$ SELECT sha256('token-dev') $$;

SELECT throws_ok($$SELECT * FROM planpipe_api_story_move(pg_temp.h(), 'MOV', 'MOV-1', '{"before": "MOV-2"}', NULL)$$,
                 'PP422', 'story MOV:MOV-1 would be in no backlog: a rank or a place next to another story needs one',
                 'next to another story, in no backlog: 422');
RESET ROLE;
SELECT throws_ok($$SELECT * FROM planpipe_api_story_move(pg_temp.h(), 'MOV', 'MOV-1', '{"backlog": null, "rank": 5}', NULL)$$,
                 'PP422', NULL, 'a rank out of any backlog: 422');
RESET ROLE;
SELECT throws_ok($$SELECT * FROM planpipe_api_story_move(pg_temp.h(), 'MOV', 'MOV-3', '{"after": "mov-3"}', NULL)$$,
                 'PP422', 'a story cannot move next to itself', 'next to itself: 422');
RESET ROLE;
SELECT is((SELECT x.body->>'backlog' FROM planpipe_api_story_move(pg_temp.h(), 'MOV', 'MOV-3', '{"backlog": null}', NULL) x),
          NULL, 'out of its backlog: a move');
RESET ROLE;
SELECT is((SELECT (x.body->>'rank') IS NULL FROM planpipe_api_story_move(pg_temp.h(), 'MOV', 'MOV-2', '{}', NULL) x),
          true, 'a story in no backlog moved with nothing asked stays where it is');
RESET ROLE;
SELECT is((SELECT x.body->>'rank' FROM planpipe_api_story_move(pg_temp.h(), 'MOV', 'MOV-1',
              json_build_object('backlog', (SELECT id FROM backlogs WHERE name = 'Next'))::jsonb, NULL) x),
          '1', 'into a backlog: at its end');

SELECT * FROM finish();
ROLLBACK;
