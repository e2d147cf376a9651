-- 0035 and 0037 (issue 16): a story's transition, create, PATCH and
-- archiving as one statement each (planpipe_api_story_transition(),
-- _create(), _patch(), _archive()), as the API's database login calls
-- them. The transition: It authenticates by token hash
-- (without one, only a transaction whose authentication set a valid token
-- hash: an Idempotency-Key's), guards the project (developer; maintainer to
-- force), checks the status, the story and If-Match, and answers with the
-- story as planpipe_story_json() builds it.
BEGIN;
SELECT plan(34);

-- Fixture, as the schema owner ------------------------------------------------------
INSERT INTO users (handle, api_token_hash)
SELECT h, sha256(convert_to('token-' || h, 'UTF8'))
FROM unnest(ARRAY['dev', 'lead', 'watcher', 'outsider']) AS h;
INSERT INTO projects (key, name) VALUES ('ONE', 'One'), ('TWO', 'Two');
\ir lib/members.sql
SELECT pg_temp.add_members(ARRAY[['ONE', 'dev', 'developer'], ['ONE', 'lead', 'maintainer'],
                                  ['ONE', 'watcher', 'viewer'], ['TWO', 'outsider', 'owner']]);
INSERT INTO stories (project_id, key, title) SELECT id, 'ONE-1', 'First' FROM projects WHERE key = 'ONE';
INSERT INTO stories (project_id, key, title) SELECT id, 'ONE-2', 'Blocker' FROM projects WHERE key = 'ONE';
INSERT INTO story_dependencies (story_id, depends_on_id, kind)
SELECT a.id, b.id, 'blocks' FROM stories a, stories b WHERE a.key = 'ONE-1' AND b.key = 'ONE-2';
-- A backlog with two ranked stories, for the moves (keys that do not push
-- ONE's numbering).
INSERT INTO backlogs (project_id, name) SELECT id, 'Next' FROM projects WHERE key = 'ONE';
INSERT INTO stories (project_id, key, title, backlog_id, rank)
SELECT p.id, k, 'ranked ' || k, b.id, r FROM projects p JOIN backlogs b ON b.project_id = p.id AND b.name = 'Next',
       (VALUES ('RANK-A', 1.0), ('RANK-B', 2.0)) AS v(k, r)
WHERE p.key = 'ONE';
CREATE TEMP TABLE next_backlog AS SELECT id FROM backlogs WHERE name = 'Next';
GRANT SELECT ON next_backlog TO planpipe_app;
CREATE FUNCTION pg_temp.h(p_handle text) RETURNS bytea LANGUAGE sql
AS $$ SELECT sha256(convert_to('token-' || p_handle, 'UTF8')) $$;

-- planpipe_story_json(): the fields and the body, written as one
-- json_build_object() with 'body' last would write them (the API's bytes).
UPDATE stories SET body = E'Line one\n"quoted" \\ tab\there \u00e9' WHERE key = 'ONE-2';
SELECT is((SELECT planpipe_story_json(s, 'ONE')::jsonb FROM stories s WHERE key = 'ONE-2'),
          (SELECT planpipe_story_fields(s, 'ONE')::jsonb || jsonb_build_object('body', s.body)
           FROM stories s WHERE key = 'ONE-2'),
          'planpipe_story_json is planpipe_story_fields with the body');
SELECT is(json_build_object('k', 1, 'body', E'a"\n')::text, '{"k" : 1, "body" : "a\"\n"}',
          'json_build_object writes " : " and ", " as planpipe_story_json appends the body');

-- The API's database login ------------------------------------------------------------
CREATE ROLE pp_test_api_login LOGIN IN ROLE planpipe_app;
SET SESSION AUTHORIZATION pp_test_api_login;
SET ROLE planpipe_app;

-- Without a token hash: only what a transaction's authentication set.
SELECT throws_ok($$SELECT * FROM planpipe_api_story_transition(NULL, 'ONE', 'ONE-1', 'ready', NULL, NULL, false)$$,
                 'PP401', NULL, 'no token hash and no authentication: 401');
SELECT set_config('planpipe.user_id', (SELECT id FROM users WHERE handle = 'lead')::text, true);
SELECT throws_ok($$SELECT * FROM planpipe_api_story_transition(NULL, 'ONE', 'ONE-1', 'ready', NULL, NULL, false)$$,
                 'PP401', NULL, '... nor with planpipe.user_id set by hand');
SELECT set_config('planpipe.token_hash', repeat('ab', 32), true);
SELECT throws_ok($$SELECT * FROM planpipe_api_story_transition(NULL, 'ONE', 'ONE-1', 'ready', NULL, NULL, false)$$,
                 'PP401', NULL, '... nor with a token hash that is no user''s');
SELECT set_config('planpipe.token_hash', encode(pg_temp.h('dev'), 'hex'), true);
SELECT is((SELECT (x.body->>'status', x.version)::text
           FROM planpipe_api_story_transition(NULL, 'ONE', 'ONE-1', 'ready', NULL, 'in tx', false) x),
          ('ready', 2)::text,
          'in a transaction authenticated as a developer (an Idempotency-Key''s), it transitions');
RESET ROLE;
SELECT set_config('planpipe.token_hash', '', true);

-- With the token hash: one statement.
SELECT is((SELECT (x.user_id = (SELECT id FROM users WHERE handle = 'dev'), x.body->>'ref',
                   x.body->>'status', x.body->>'category', x.version)::text
           FROM planpipe_api_story_transition(pg_temp.h('dev'), 'ONE', 'one-1', 'in_progress', 2, 'started', false) x),
          (true, 'ONE:ONE-1', 'in_progress', 'active', 3)::text,
          'a developer moves a story on: the caller, the story (key in any case), its new version');
SELECT is((SELECT string_agg(coalesce(h.from_status, '-') || '>' || h.to_status || ' ' || coalesce(h.note, ''), ', '
                             ORDER BY h.changed_at, h.id)
           FROM status_history h JOIN stories s ON s.id = h.story_id WHERE s.key = 'ONE-1'),
          '-' || '>draft , draft>ready in tx, ready>in_progress started',
          'each transition wrote its history row, with its note');
SELECT is((SELECT x.version FROM planpipe_api_story_transition(pg_temp.h('dev'), 'ONE', 'ONE-1', 'in_progress', NULL, NULL, false) x),
          3, 'to the status it has: no change, the story as it is');
SELECT is((SELECT x.body->>'title' FROM planpipe_api_story_transition(pg_temp.h('dev'), 'ONE', 'ONE-1', 'in_progress', NULL, NULL, false) x),
          'First', '... with its body and fields');
RESET ROLE;
SELECT throws_ok($$SELECT * FROM planpipe_api_story_transition(pg_temp.h('dev'), 'ONE', 'ONE-1', 'review', 1, NULL, false)$$,
                 'PP412', 'story ONE:ONE-1 is at version 3; If-Match names 1', 'If-Match of another version: 412');
RESET ROLE;
SELECT throws_ok($$SELECT * FROM planpipe_api_story_transition(pg_temp.h('dev'), 'ONE', 'ONE-1', 'shipped', NULL, NULL, false)$$,
                 'PP422', 'no status shipped', 'an unknown status: 422');
RESET ROLE;
SELECT throws_ok($$SELECT * FROM planpipe_api_story_transition(pg_temp.h('dev'), 'ONE', 'ONE-9', 'done', NULL, NULL, false)$$,
                 'PP404', 'no story ONE:ONE-9', 'a missing story: 404');
RESET ROLE;
SELECT throws_ok($$SELECT * FROM planpipe_api_story_transition(pg_temp.h('dev'), 'TWO', 'TWO-1', 'done', NULL, NULL, false)$$,
                 'PP404', 'no project TWO', 'a project she is not in: no project');
RESET ROLE;
SELECT throws_ok($$SELECT * FROM planpipe_api_story_transition(pg_temp.h('watcher'), 'ONE', 'ONE-1', 'done', NULL, NULL, false)$$,
                 'PP403', NULL, 'a viewer: 403');
RESET ROLE;
SELECT throws_ok($$SELECT * FROM planpipe_api_story_transition(pg_temp.h('dev'), 'ONE', 'ONE-1', 'done', NULL, NULL, true)$$,
                 'PP403', NULL, 'force from a developer: 403');
RESET ROLE;
SELECT throws_ok($$SELECT * FROM planpipe_api_story_transition(pg_temp.h('dev'), 'ONE', 'ONE-1', 'done', NULL, NULL, false)$$,
                 'PP002', NULL, 'done over an open blocker without force: the blockers'' rule refuses');
RESET ROLE;
SELECT is((SELECT x.body->>'status' FROM planpipe_api_story_transition(pg_temp.h('lead'), 'ONE', 'ONE-1', 'done', NULL, 'anyway', true) x),
          'done', 'a maintainer forces it past the blocker');


-- The create: the guard, the insert under the policies, the Location.
RESET ROLE;
SELECT set_config('planpipe.token_hash', '', true);
SELECT throws_ok($$SELECT * FROM planpipe_api_story_create(NULL, 'ONE', '{"title": "x"}')$$,
                 'PP401', NULL, 'create without a token hash or authentication: 401');
RESET ROLE;
SELECT is((SELECT (x.user_id = (SELECT id FROM users WHERE handle = 'dev'), x.body->>'key',
                   x.body->>'title', (x.body->'labels')::jsonb, x.body->>'category', x.version, x.location)::text
           FROM planpipe_api_story_create(pg_temp.h('dev'), 'ONE',
                                          '{"title": "Made", "labels": [" API", "api", "db"]}') x),
          (true, 'ONE-003', 'Made', '["api", "db"]'::jsonb, 'todo', 1,
           '/v1/projects/ONE/stories/ONE-003')::text,
          'a developer creates a story: a generated key, labels normalised, its version and Location');
RESET ROLE;
SELECT throws_ok($$SELECT * FROM planpipe_api_story_create(pg_temp.h('dev'), 'ONE', '{"key": "one-1", "title": "again"}')$$,
                 '23505', NULL, 'a key taken in another case: the unique violation the API answers 409 to');
RESET ROLE;
SELECT throws_ok($$SELECT * FROM planpipe_api_story_create(pg_temp.h('watcher'), 'ONE', '{"title": "x"}')$$,
                 'PP403', NULL, 'a viewer creates nothing: 403');
RESET ROLE;
SELECT throws_ok($$SELECT * FROM planpipe_api_story_create(pg_temp.h('dev'), 'TWO', '{"title": "x"}')$$,
                 'PP404', 'no project TWO', 'nor in a project she is not in: no project');

-- PATCH and archive (0037).
RESET ROLE;
SELECT set_config('planpipe.token_hash', '', true);
SELECT throws_ok($$SELECT * FROM planpipe_api_story_patch(NULL, 'ONE', 'ONE-2', '{"title": "x"}', NULL)$$,
                 'PP401', NULL, 'PATCH without a token hash or authentication: 401');
RESET ROLE;
SELECT is((SELECT (x.body->>'title', x.body->>'priority', x.body->>'owner', x.version)::text
           FROM planpipe_api_story_patch(pg_temp.h('dev'), 'ONE', 'one-2',
                                         '{"title": "Renamed", "owner": "ann"}', NULL) x),
          ('Renamed', 'medium', 'ann', 3)::text,
          'a developer patches: the fields given change, the others stay, a new version');
RESET ROLE;
SELECT throws_ok($$SELECT * FROM planpipe_api_story_patch(pg_temp.h('dev'), 'ONE', 'ONE-2', '{"title": "y"}', 1)$$,
                 'PP412', 'story ONE:ONE-2 is at version 3; If-Match names 1', 'PATCH with a stale If-Match: 412');
RESET ROLE;
SELECT throws_ok($$SELECT * FROM planpipe_api_story_patch(pg_temp.h('watcher'), 'ONE', 'ONE-2', '{"title": "y"}', NULL)$$,
                 'PP403', NULL, 'a viewer patches nothing: 403');
RESET ROLE;
SELECT is((SELECT x.body FROM planpipe_api_story_archive(pg_temp.h('dev'), 'ONE', 'ONE-2', 3) x)::text,
          NULL, 'archiving answers no body');
SELECT is((SELECT archived_at IS NOT NULL FROM stories WHERE key = 'ONE-2'), true, '... and archives the story');
RESET ROLE;
SELECT throws_ok($$SELECT * FROM planpipe_api_story_archive(pg_temp.h('dev'), 'ONE', 'ONE-77', NULL)$$,
                 'PP404', 'no story ONE:ONE-77', 'archiving a missing story: 404');

-- Move (0037): to the end of a backlog, next to an anchor, refused anchors.
RESET ROLE;
SELECT set_config('planpipe.token_hash', '', true);
SELECT is((SELECT x.body->>'rank' FROM planpipe_api_story_move(pg_temp.h('dev'), 'ONE', 'ONE-1',
               jsonb_build_object('backlog', (SELECT id FROM next_backlog)), NULL) x),
          '3.0', 'moved to a backlog without an anchor: after its last story');
RESET ROLE;
SELECT is((SELECT x.body->>'rank' FROM planpipe_api_story_move(pg_temp.h('dev'), 'ONE', 'ONE-1',
               '{"after": "rank-a"}', NULL) x),
          '1.50', '... after RANK-A (any case): halfway to its neighbour');
RESET ROLE;
SELECT throws_ok($$SELECT * FROM planpipe_api_story_move(pg_temp.h('dev'), 'ONE', 'ONE-1', '{"before": "ONE-99"}', NULL)$$,
                 'PP422', 'no story ONE-99 in that backlog to move next to', 'an anchor not in the backlog: 422');
RESET ROLE;
SELECT throws_ok($$SELECT * FROM planpipe_api_story_move(pg_temp.h('watcher'), 'ONE', 'ONE-1', '{"after": "RANK-A"}', NULL)$$,
                 'PP403', NULL, 'a viewer moves nothing: 403');

SELECT * FROM finish();
ROLLBACK;
