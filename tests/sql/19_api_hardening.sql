-- 0018 (issue 17): who sees whom in users, who reads is_admin, and the
-- Idempotency-Key store: claim, store, replay, another request, expiry.
BEGIN;
SELECT plan(32);

-- Fixture, as the schema owner ------------------------------------------------------
INSERT INTO users (handle, display_name, is_admin, disabled_at, api_token_hash)
SELECT h, 'User ' || h, h = 'root', CASE WHEN h = 'ghost' THEN now() END,
       sha256(convert_to('token-' || h, 'UTF8'))
FROM unnest(ARRAY['alice', 'bob', 'carol', 'dave', 'root', 'ghost', 'loner']) AS h;
INSERT INTO projects (key, name) VALUES ('ONE', 'One'), ('TWO', 'Two');
\ir lib/members.sql
SELECT pg_temp.add_members(ARRAY[['ONE', 'alice', 'owner'], ['ONE', 'bob', 'viewer'],
                                  ['ONE', 'ghost', 'developer'], ['TWO', 'bob', 'owner'],
                                  ['TWO', 'carol', 'developer'], ['TWO', 'dave', 'viewer']]);

CREATE TEMP TABLE fx AS SELECT handle, id FROM users;
GRANT SELECT ON fx TO planpipe_app;
CREATE FUNCTION pg_temp.uid(p_handle text) RETURNS bigint LANGUAGE sql
AS $$ SELECT id FROM fx WHERE handle = p_handle $$;
\ir lib/act_as.sql
CREATE FUNCTION pg_temp.seen() RETURNS text LANGUAGE sql
AS $$ SELECT string_agg(handle, ',' ORDER BY handle) FROM users $$;

-- users: who sees whom ----------------------------------------------------------------
SELECT pg_temp.act_as('alice');
SELECT is(pg_temp.seen(), 'alice,bob,ghost', 'a member sees the people of its projects and itself');
SELECT pg_temp.act_as('bob');
SELECT is(pg_temp.seen(), 'alice,bob,carol,dave,ghost', 'a member of two projects sees both teams');
SELECT pg_temp.act_as('dave');
SELECT is(pg_temp.seen(), 'bob,carol,dave', 'a viewer sees its project''s people, not the others''');
SELECT pg_temp.act_as('loner');
SELECT is(pg_temp.seen(), 'loner', 'a user in no project sees only itself');
SELECT pg_temp.act_as('root');
SELECT is(pg_temp.seen(), 'alice,bob,carol,dave,ghost,loner,root', 'an admin sees everyone');
SELECT pg_temp.act_as('ghost');
SELECT is(pg_temp.seen(), NULL, 'a disabled user sees nobody');
SELECT pg_temp.act_as(NULL);
SELECT is(pg_temp.seen(), NULL, 'without an acting user nobody is visible');

-- is_admin: only through planpipe_user_is_admin ---------------------------------------
SELECT pg_temp.act_as('alice');
SELECT throws_ok($$SELECT is_admin FROM users$$, '42501', NULL,
                 'planpipe_app cannot read is_admin, even of itself');
SELECT is(planpipe_user_is_admin(pg_temp.uid('alice')), false, 'a user learns its own flag');
SELECT is(planpipe_user_is_admin(pg_temp.uid('root')), NULL, 'a member does not learn another''s');
SELECT pg_temp.act_as('root');
SELECT throws_ok($$SELECT is_admin FROM users$$, '42501', NULL,
                 'not as a column, even for an admin');
SELECT is(planpipe_user_is_admin(pg_temp.uid('root')), true, 'an admin reads its own flag');
SELECT is(planpipe_user_is_admin(pg_temp.uid('alice')), false, 'an admin reads anyone''s');

-- Adding a member names someone not yet visible ----------------------------------------
SELECT pg_temp.act_as('alice');
SELECT is((SELECT handle FROM planpipe_user_by_handle('carol')), 'carol',
          'an exact handle finds a user outside one''s projects');
SELECT is((SELECT count(*) FROM planpipe_user_by_handle('ghost')), 0::bigint,
          'but not a disabled one');
SELECT lives_ok($$INSERT INTO project_members (project_id, user_id, role)
                  SELECT p.id, u.id, 'viewer' FROM projects p, planpipe_user_by_handle('carol') u
                  WHERE p.key = 'ONE'$$, 'an owner adds them');
SELECT is(pg_temp.seen(), 'alice,bob,carol,ghost', 'and sees them from then on');

-- Idempotency keys --------------------------------------------------------------------
SELECT pg_temp.act_as('alice');
SELECT is((SELECT count(*) FROM planpipe_api_idem_claim('k1', 'POST', '/v1/x', sha256('a'))),
          0::bigint, 'a new key: run the request');
SELECT lives_ok($$SELECT planpipe_api_idem_store('k1', 'POST', '/v1/x', sha256('a'), 201, '"1"',
                                                 '/v1/x/1', '{"id":1}')$$,
                'its answer is stored');
SELECT is((SELECT row(status, etag, location, body)::text
           FROM planpipe_api_idem_claim('k1', 'POST', '/v1/x', sha256('a'))),
          row(201, '"1"', '/v1/x/1', '{"id":1}')::text, 'the same request gets the stored answer');
SELECT throws_ok($$SELECT * FROM planpipe_api_idem_claim('k1', 'POST', '/v1/x', sha256('b'))$$,
                 'PP007', NULL, 'another body under the key is refused');
SELECT throws_ok($$SELECT * FROM planpipe_api_idem_claim('k1', 'PATCH', '/v1/x', sha256('a'))$$,
                 'PP007', NULL, 'so is another method');
SELECT throws_ok($$SELECT * FROM planpipe_api_idem_claim(repeat('k', 256), 'POST', '/v1/x',
                                                           sha256('a'))$$,
                 'PP422', NULL, 'a key longer than 255 characters is refused');
SELECT throws_ok($$SELECT * FROM api_idempotency_keys$$, '42501', NULL,
                 'planpipe_app cannot read stored answers directly');
SELECT pg_temp.act_as('bob');
SELECT is((SELECT count(*) FROM planpipe_api_idem_claim('k1', 'POST', '/v1/x', sha256('b'))),
          0::bigint, 'another user''s key of the same name is its own');

-- Expiry: an expired answer is neither replayed nor kept ----------------------------------
SELECT set_config('role', 'none', true);
UPDATE api_idempotency_keys SET expires_at = now() - interval '1 second';
SELECT pg_temp.act_as('alice');
SELECT is((SELECT count(*) FROM planpipe_api_idem_claim('k1', 'POST', '/v1/x', sha256('c'))),
          0::bigint, 'an expired key runs the request anew, whatever it was');
SELECT set_config('role', 'none', true);
SELECT is((SELECT count(*) FROM api_idempotency_keys), 0::bigint,
          'and the claim swept the expired answers');

-- Archiving a project: the owner's, whatever the statement -----------------------------
SELECT set_config('role', 'none', true);
INSERT INTO project_members (project_id, user_id, role)
SELECT id, pg_temp.uid('dave'), 'maintainer' FROM projects WHERE key = 'ONE';
SELECT pg_temp.act_as('dave');
SELECT lives_ok($$UPDATE projects SET description = 'by a maintainer' WHERE key = 'ONE'$$,
                'a maintainer edits the project');
SELECT throws_ok($$UPDATE projects SET archived_at = now() WHERE key = 'ONE'$$, '42501',
                 'only an owner archives or restores project ONE', 'but does not archive it');
SELECT pg_temp.act_as('alice');
SELECT lives_ok($$UPDATE projects SET archived_at = now() WHERE key = 'ONE'$$, 'an owner archives it');
SELECT pg_temp.act_as('dave');
SELECT throws_ok($$UPDATE projects SET archived_at = NULL WHERE key = 'ONE'$$, '42501', NULL,
                 'nor does a maintainer restore it');
SELECT set_config('role', 'none', true);
SELECT lives_ok($$UPDATE projects SET archived_at = NULL WHERE key = 'ONE'$$,
                'the schema owner (CLI, imports) is not bound');

SELECT * FROM finish();
ROLLBACK;
