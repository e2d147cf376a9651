-- 0022 (issue 16): the API's login acts as a user only through that user's
-- token hash. Setting planpipe.user_id gives it nothing; a valid token hash
-- gives exactly the member's projects; the owner keeps planpipe.user_id.
BEGIN;
SELECT plan(28);

-- Fixture, as the schema owner ------------------------------------------------------
INSERT INTO users (handle, display_name, is_admin, disabled_at, api_token_hash)
SELECT h, 'User ' || h, h = 'root', CASE WHEN h = 'ghost' THEN now() END,
       sha256(convert_to('token-' || h, 'UTF8'))
FROM unnest(ARRAY['alice', 'bob', 'root', 'ghost']) AS h;
INSERT INTO projects (key, name) VALUES ('ONE', 'One'), ('TWO', 'Two'), ('THREE', 'Three');
\ir lib/members.sql
SELECT pg_temp.add_members(ARRAY[['ONE', 'alice', 'owner'], ['TWO', 'alice', 'viewer'],
                                  ['THREE', 'bob', 'owner'], ['ONE', 'ghost', 'owner']]);
INSERT INTO stories (project_id, key, title)
SELECT p.id, p.key || '-1', 'A story of ' || p.key FROM projects p;

CREATE TEMP TABLE fx AS
SELECT u.handle, u.id, encode(sha256(convert_to('token-' || u.handle, 'UTF8')), 'hex') AS hash,
       (SELECT min(s.id) FROM stories s JOIN projects p ON p.id = s.project_id WHERE p.key = 'THREE')
           AS three_story,
       (SELECT min(p.id) FROM projects p) AS a_project
FROM users u;
GRANT SELECT ON fx TO planpipe_app;
CREATE FUNCTION pg_temp.fx_id(p_handle text) RETURNS text LANGUAGE sql
AS $$ SELECT id::text FROM fx WHERE handle = p_handle $$;
CREATE FUNCTION pg_temp.fx_hash(p_handle text) RETURNS text LANGUAGE sql
AS $$ SELECT hash FROM fx WHERE handle = p_handle $$;
CREATE FUNCTION pg_temp.projects_seen() RETURNS text LANGUAGE sql
AS $$ SELECT coalesce(string_agg(key, ',' ORDER BY key), '') FROM projects $$;
CREATE FUNCTION pg_temp.stories_seen() RETURNS text LANGUAGE sql
AS $$ SELECT coalesce(string_agg(key, ',' ORDER BY key), '') FROM stories $$;

-- The API's database login: a member of planpipe_app, not the owner -----------------
CREATE ROLE pp_test_api_login LOGIN IN ROLE planpipe_app;
SET SESSION AUTHORIZATION pp_test_api_login;
SET ROLE planpipe_app;

SELECT set_config('planpipe.user_id', pg_temp.fx_id('alice'), false);
SELECT is(pg_temp.projects_seen(), '', 'an arbitrary planpipe.user_id shows the API login no project');
SELECT is(pg_temp.stories_seen(), '', '... and no story');
SELECT is(planpipe_setting_user_id(), NULL, '... and names no acting user');
SELECT set_config('planpipe.user_id', pg_temp.fx_id('root'), false);
SELECT is(pg_temp.projects_seen(), '', 'not even an admin''s id opens anything');
SELECT is(planpipe_story_label((SELECT three_story FROM fx LIMIT 1)), '(hidden)',
          'the SECURITY DEFINER labels hide every story from a session without a token');
SELECT is(planpipe_project_label((SELECT a_project FROM fx LIMIT 1)), '(hidden)',
          '... and every project');

SELECT set_config('planpipe.token_hash', pg_temp.fx_hash('alice'), true);
SELECT is(pg_temp.projects_seen(), 'ONE,TWO', 'alice''s token hash gives exactly her projects');
SELECT is(pg_temp.stories_seen(), 'ONE-1,TWO-1', '... and their stories');
SELECT is(planpipe_setting_user_id()::text, pg_temp.fx_id('alice'), '... acting as alice');
SELECT set_config('planpipe.user_id', pg_temp.fx_id('bob'), true);
SELECT is(pg_temp.projects_seen(), 'ONE,TWO', 'planpipe.user_id beside a token hash changes nothing');

SELECT set_config('planpipe.token_hash', pg_temp.fx_hash('root'), true);
SELECT is(pg_temp.projects_seen(), 'ONE,THREE,TWO', 'an admin''s token hash shows every project');
SELECT set_config('planpipe.token_hash', pg_temp.fx_hash('ghost'), true);
SELECT is(pg_temp.projects_seen(), '', 'a disabled user''s token hash shows nothing');
SELECT set_config('planpipe.token_hash', encode(sha256('not a token'::bytea), 'hex'), true);
SELECT is(pg_temp.projects_seen(), '', 'a hash no user holds shows nothing');
SELECT set_config('planpipe.token_hash', 'alice', true);
SELECT throws_ok($$SELECT pg_temp.projects_seen()$$, '22023', NULL, 'a malformed hash is an error');
SELECT set_config('planpipe.token_hash', '', true);
SELECT set_config('planpipe.user_id', '', false);

-- planpipe_api_authenticate(): the API's first statement sets the hash -------------
SELECT is(planpipe_api_authenticate(sha256(convert_to('token-bob', 'UTF8')))::text,
          pg_temp.fx_id('bob'), 'authenticating returns the token''s user');
SELECT is(pg_temp.projects_seen(), 'THREE', 'and the statements after it see that user''s projects');
RESET ROLE;
SELECT set_config('planpipe.token_hash', '', true);

-- planpipe_api_story_get(): GET story as one statement, under the policies ----------
SELECT is((SELECT (x.user_id::text, x.body->>'ref', x.body->>'category', x.version)::text
           FROM planpipe_api_story_get(sha256(convert_to('token-alice', 'UTF8')), 'ONE', 'ONE-1') x),
          (pg_temp.fx_id('alice'), 'ONE:ONE-1', 'todo', 1)::text,
          'a member reads a story of her project: who, the story, its version');
RESET ROLE;
SELECT is(current_setting('TimeZone'), 'UTC', 'the request runs in UTC');
SELECT set_config('planpipe.token_hash', '', true);
SELECT throws_ok($$SELECT * FROM planpipe_api_story_get(sha256(convert_to('token-alice', 'UTF8')), 'THREE', 'THREE-1')$$,
                 'PP404', 'no project THREE', 'another project''s story: no project, as every route says');
SELECT throws_ok($$SELECT * FROM planpipe_api_story_get(sha256(convert_to('token-alice', 'UTF8')), 'ONE', 'NOPE')$$,
                 'PP404', 'no story ONE:NOPE', 'a missing story of a visible project: no story');
SELECT throws_ok($$SELECT * FROM planpipe_api_story_get(sha256(convert_to('token-nobody', 'UTF8')), 'ONE', 'ONE-1')$$,
                 'PP401', NULL, 'an unknown token: 401');
SELECT throws_ok($$SELECT * FROM planpipe_api_story_get(sha256(convert_to('token-ghost', 'UTF8')), 'ONE', 'ONE-1')$$,
                 'PP401', NULL, 'a disabled user''s token: 401');
SELECT is((SELECT (x.user_id::text, x.body->>'key', x.body->>'role', x.version)::text
           FROM planpipe_api_project_get(sha256(convert_to('token-alice', 'UTF8')), 'TWO') x),
          (pg_temp.fx_id('alice'), 'TWO', 'viewer', 1)::text,
          'a member reads her project, with her role in it');
RESET ROLE;
SELECT set_config('planpipe.token_hash', '', true);
SELECT throws_ok($$SELECT * FROM planpipe_api_project_get(sha256(convert_to('token-alice', 'UTF8')), 'THREE')$$,
                 'PP404', 'no project THREE', 'a project she is not in: no project');
SELECT throws_ok($$SELECT * FROM planpipe_api_project_get(sha256(convert_to('token-alice', 'UTF8')), 'NONE')$$,
                 'PP404', 'no project NONE', 'the same for one that does not exist');
SELECT is((SELECT x.body->0->>'key' FROM planpipe_api_statuses_list(sha256(convert_to('token-alice', 'UTF8')), 'ONE') x),
          'draft', 'a member reads her project''s workflow');
RESET ROLE;
SELECT set_config('planpipe.token_hash', '', true);
SELECT throws_ok($$SELECT * FROM planpipe_api_statuses_list(sha256(convert_to('token-alice', 'UTF8')), 'THREE')$$,
                 'PP404', 'no project THREE', 'another project''s workflow: no project');
RESET SESSION AUTHORIZATION;

-- The owner (importer, maintenance, tests) keeps planpipe.user_id -----------------
SELECT set_config('planpipe.token_hash', '', true);
SELECT set_config('planpipe.user_id', pg_temp.fx_id('bob'), true);
SET LOCAL ROLE planpipe_app;
SELECT is(pg_temp.projects_seen(), 'THREE', 'for the owner''s login planpipe.user_id still names the user');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
