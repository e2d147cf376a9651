-- A story's search vector is computed when its title or body changes, and
-- only then (migration 0031): it was a stored generated column, which
-- PostgreSQL computes on every UPDATE, so a transition parsed and stemmed
-- the whole body again. It still holds nothing but
-- planpipe_story_search(title, body), whoever writes it.
BEGIN;
SELECT plan(12);

INSERT INTO projects (key, name) VALUES ('SRCH', 'search');
INSERT INTO stories (project_id, key, title, body)
SELECT id, 'SRCH-1', 'Zebracorn parade', 'The lanterns glow along the river.' FROM projects
WHERE key = 'SRCH';
CREATE FUNCTION pg_temp.search_ok() RETURNS boolean LANGUAGE sql
AS $$ SELECT search = planpipe_story_search(title, body) FROM stories WHERE key = 'SRCH-1' $$;

SELECT ok(pg_temp.search_ok(), 'an inserted story''s search is its title''s and body''s');
SELECT ok((SELECT search @@ to_tsquery('english', 'lantern') FROM stories WHERE key = 'SRCH-1'),
          'the body is searchable, stemmed (lanterns -> lantern)');
SELECT is((SELECT ts_rank(search, to_tsquery('english', 'zebracorn')) >
                  ts_rank(search, to_tsquery('english', 'river')) FROM stories WHERE key = 'SRCH-1'),
          true, 'the title weighs more than the body');

-- Not computed again when neither text changes: with planpipe_story_search
-- made to fail (rolled back with the test), these updates still pass.
CREATE OR REPLACE FUNCTION planpipe_story_search(p_title text, p_body text) RETURNS tsvector
LANGUAGE plpgsql IMMUTABLE
AS $$ BEGIN RAISE EXCEPTION 'search computed again' USING ERRCODE = 'P0001'; END $$;
SELECT lives_ok($$UPDATE stories SET status = 'ready' WHERE key = 'SRCH-1'$$,
                'a transition does not compute search');
SELECT lives_ok($$UPDATE stories SET owner = 'ana', labels = '{x}', priority = 'high' WHERE key = 'SRCH-1'$$,
                'nor does a change of other fields');
SELECT lives_ok($$UPDATE stories SET title = title, body = body WHERE key = 'SRCH-1'$$,
                'nor setting the texts to what they are');
SELECT throws_ok($$UPDATE stories SET body = body || ' More.' WHERE key = 'SRCH-1'$$,
                 'P0001', 'search computed again', 'a change of the body does');
SELECT throws_ok($$UPDATE stories SET title = 'Zebracorn march' WHERE key = 'SRCH-1'$$,
                 'P0001', 'search computed again', 'a change of the title does');
CREATE OR REPLACE FUNCTION planpipe_story_search(p_title text, p_body text) RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT setweight(to_tsvector('english'::regconfig, p_title), 'A') ||
           setweight(to_tsvector('english'::regconfig, left(p_body, 100000)), 'B')
$$;

UPDATE stories SET body = 'Lighthouses blink at dusk.', title = 'Harbour lights' WHERE key = 'SRCH-1';
SELECT ok(pg_temp.search_ok() AND (SELECT search @@ to_tsquery('english', 'lighthouse')
                                   AND NOT search @@ to_tsquery('english', 'lantern')
                                   FROM stories WHERE key = 'SRCH-1'),
          'after a change of the texts search is theirs, the old words gone');

UPDATE stories SET search = to_tsvector('simple', 'forged') WHERE key = 'SRCH-1';
SELECT ok(pg_temp.search_ok(), 'search written by hand is computed again from the texts');

INSERT INTO stories (project_id, key, title, body, search)
SELECT id, 'SRCH-2', 'Given', 'text', to_tsvector('simple', 'forged') FROM projects WHERE key = 'SRCH';
SELECT is((SELECT search FROM stories WHERE key = 'SRCH-2'), planpipe_story_search('Given', 'text'),
          'an insert''s own search is replaced');

SET LOCAL session_replication_role = replica;
INSERT INTO stories (project_id, key, title, body)
SELECT id, 'SRCH-3', 'Loaded', 'without triggers' FROM projects WHERE key = 'SRCH';
SET LOCAL session_replication_role = origin;
SELECT is((SELECT search FROM stories WHERE key = 'SRCH-3'),
          planpipe_story_search('Loaded', 'without triggers'),
          'a load that skips the other triggers still gets search');

SELECT * FROM finish();
ROLLBACK;
