-- 0040: a status word written through the API (a transition's "to", a
-- create's or a PATCH's "status") is matched in the story's project
-- workflow ignoring case, as the list filters and the importer match it;
-- a word only another project's workflow holds is "no status", the same
-- answer as for a word that exists nowhere.
BEGIN;
SELECT plan(9);

-- Fixture, as the schema owner ------------------------------------------------------
INSERT INTO users (handle, api_token_hash) VALUES ('dev', sha256('token-dev'));
INSERT INTO projects (key, name) VALUES ('ONE', 'One'), ('TWO', 'Two');
\ir lib/members.sql
SELECT pg_temp.add_members(ARRAY[['ONE', 'dev', 'developer']]);
INSERT INTO stories (project_id, key, title) SELECT id, 'ONE-1', 'First' FROM projects WHERE key = 'ONE';
-- A word of TWO's workflow only.
INSERT INTO statuses (key, category, position) VALUES ('Parked', 'todo', 900);
INSERT INTO project_statuses (project_id, status, name, position)
SELECT id, 'Parked', 'Parked', 900 FROM projects WHERE key = 'TWO';
-- The owner (the importer's login) too: the workflow's spelling.
INSERT INTO stories (project_id, key, title, status)
SELECT id, 'ONE-2', 'Second', 'Ready' FROM projects WHERE key = 'ONE';
SELECT is((SELECT status FROM stories WHERE key = 'ONE-2'), 'ready',
          'a row written with "Ready" holds the workflow''s "ready"');

CREATE ROLE pp_test_api_login LOGIN IN ROLE planpipe_app;
SET SESSION AUTHORIZATION pp_test_api_login;
CREATE FUNCTION pg_temp.h() RETURNS bytea LANGUAGE sql AS $$ SELECT sha256('token-dev') $$;

SELECT is((SELECT (x.body->>'status', x.version)::text
           FROM planpipe_api_story_transition(pg_temp.h(), 'ONE', 'ONE-1', ' In_Progress ', NULL, NULL, false) x),
          ('in_progress', 2)::text, 'a transition to " In_Progress " is one to in_progress');
RESET ROLE;
SELECT is((SELECT x.version
           FROM planpipe_api_story_transition(pg_temp.h(), 'ONE', 'ONE-1', 'IN_PROGRESS', NULL, NULL, false) x),
          2, '... and again in capitals changes nothing');
RESET ROLE;
SELECT throws_ok($$SELECT * FROM planpipe_api_story_transition(pg_temp.h(), 'ONE', 'ONE-1', 'Parked', NULL, NULL, false)$$,
                 'PP422', 'no status Parked', 'a word of another project''s workflow only: no status');
RESET ROLE;
SELECT throws_ok($$SELECT * FROM planpipe_api_story_transition(pg_temp.h(), 'ONE', 'ONE-1', 'shipped', NULL, NULL, false)$$,
                 'PP422', 'no status shipped', '... the same answer as for a word of no workflow');
RESET ROLE;
SELECT is((SELECT x.body->>'status'
           FROM planpipe_api_story_create(pg_temp.h(), 'ONE', '{"title": "Third", "status": "REVIEW"}') x),
          'review', 'a create with "REVIEW" holds review');
RESET ROLE;
SELECT is((SELECT x.body->>'status'
           FROM planpipe_api_story_patch(pg_temp.h(), 'ONE', 'ONE-2', '{"status": "Draft"}', NULL) x),
          'draft', 'a PATCH with "Draft" holds draft');
RESET ROLE;
SELECT throws_ok($$SELECT * FROM planpipe_api_story_create(pg_temp.h(), 'ONE', '{"title": "x", "status": "Parked"}')$$,
                 '23503', NULL, 'a create with another project''s word is still refused by the workflow');
RESET ROLE;
SELECT is((SELECT string_agg(coalesce(h.from_status, '-') || '>' || h.to_status, ', ' ORDER BY h.changed_at, h.id)
           FROM status_history h JOIN stories s ON s.id = h.story_id WHERE s.key = 'ONE-1'),
          '->draft, draft>in_progress', 'the history holds the workflow''s words, once each');

SELECT * FROM finish();
ROLLBACK;
