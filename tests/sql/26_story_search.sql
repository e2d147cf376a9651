-- A story's search vector lives in story_search (migration 0033; 0031 had
-- made stories.search a trigger-kept column): written when a story is
-- inserted and when its title, body or project changes, and only then, so
-- that a transition writes nothing to the full-text index. It holds nothing
-- but planpipe_story_search(title, body), whoever writes the story.
BEGIN;
SELECT plan(14);

INSERT INTO projects (key, name) VALUES ('SRCH', 'search'), ('SRCH2', 'search two');
INSERT INTO stories (project_id, key, title, body)
SELECT id, 'SRCH-1', 'Zebracorn parade', 'The lanterns glow along the river.' FROM projects
WHERE key = 'SRCH';
CREATE FUNCTION pg_temp.search_ok(p_key text) RETURNS boolean LANGUAGE sql
AS $$ SELECT x.search = planpipe_story_search(s.title, s.body) AND x.project_id = s.project_id
      FROM stories s JOIN story_search x ON x.story_id = s.id WHERE s.key = p_key $$;
CREATE FUNCTION pg_temp.vec(p_key text) RETURNS tsvector LANGUAGE sql
AS $$ SELECT x.search FROM stories s JOIN story_search x ON x.story_id = s.id WHERE s.key = p_key $$;
CREATE FUNCTION pg_temp.xmin_of(p_key text) RETURNS text LANGUAGE sql
AS $$ SELECT x.xmin::text FROM stories s JOIN story_search x ON x.story_id = s.id WHERE s.key = p_key $$;

SELECT ok(pg_temp.search_ok('SRCH-1'), 'an inserted story''s vector is its title''s and body''s');
SELECT ok(pg_temp.vec('SRCH-1') @@ to_tsquery('english', 'lantern'),
          'the body is searchable, stemmed (lanterns -> lantern)');
SELECT ok(ts_rank(pg_temp.vec('SRCH-1'), to_tsquery('english', 'zebracorn')) >
          ts_rank(pg_temp.vec('SRCH-1'), to_tsquery('english', 'river')),
          'the title weighs more than the body');

-- Not written again when neither text nor project changes: with
-- planpipe_story_search made to fail (rolled back with the test), these
-- updates still pass, and the row of story_search is the same version.
SAVEPOINT before_writes;
CREATE TEMP TABLE seen AS SELECT pg_temp.xmin_of('SRCH-1') AS x;
CREATE OR REPLACE FUNCTION planpipe_story_search(p_title text, p_body text) RETURNS tsvector
LANGUAGE plpgsql IMMUTABLE
AS $$ BEGIN RAISE EXCEPTION 'search computed again' USING ERRCODE = 'P0001'; END $$;
SELECT lives_ok($$UPDATE stories SET status = 'ready' WHERE key = 'SRCH-1'$$,
                'a transition does not compute the vector');
SELECT lives_ok($$UPDATE stories SET owner = 'ana', labels = '{x}', priority = 'high' WHERE key = 'SRCH-1'$$,
                'nor does a change of other fields');
SELECT lives_ok($$UPDATE stories SET title = title, body = body WHERE key = 'SRCH-1'$$,
                'nor setting the texts to what they are');
SELECT is(pg_temp.xmin_of('SRCH-1'), (SELECT x FROM seen), 'story_search''s row was not written');
SELECT throws_ok($$UPDATE stories SET body = body || ' More.' WHERE key = 'SRCH-1'$$,
                 'P0001', 'search computed again', 'a change of the body computes it');
SELECT throws_ok($$UPDATE stories SET title = 'Zebracorn march' WHERE key = 'SRCH-1'$$,
                 'P0001', 'search computed again', 'a change of the title computes it');
ROLLBACK TO SAVEPOINT before_writes;

UPDATE stories SET body = 'Lighthouses blink at dusk.', title = 'Harbour lights' WHERE key = 'SRCH-1';
SELECT ok(pg_temp.search_ok('SRCH-1') AND pg_temp.vec('SRCH-1') @@ to_tsquery('english', 'lighthouse')
          AND NOT pg_temp.vec('SRCH-1') @@ to_tsquery('english', 'lantern'),
          'after a change of the texts the vector is theirs, the old words gone');

UPDATE stories SET project_id = (SELECT id FROM projects WHERE key = 'SRCH2') WHERE key = 'SRCH-1';
SELECT ok(pg_temp.search_ok('SRCH-1'), 'a story moved to another project takes its vector''s project along');

INSERT INTO stories (project_id, key, title, body)
SELECT id, 'SRCH-' || g, 'Batch ' || g, 'row ' || g FROM projects, generate_series(2, 40) AS g
WHERE key = 'SRCH';
SELECT is((SELECT count(*) FROM stories s JOIN story_search x ON x.story_id = s.id
           WHERE s.key ~ '^SRCH-' AND x.search = planpipe_story_search(s.title, s.body)),
          40::bigint, 'one statement''s 39 inserts each get their vector');

SET LOCAL session_replication_role = replica;
INSERT INTO stories (project_id, key, title, body)
SELECT id, 'SRCH-99', 'Loaded', 'without triggers' FROM projects WHERE key = 'SRCH';
SET LOCAL session_replication_role = origin;
SELECT ok(pg_temp.search_ok('SRCH-99'), 'a load that skips the other triggers still gets its vector');

DELETE FROM stories WHERE key = 'SRCH-99';
SELECT is((SELECT count(*) FROM story_search x WHERE NOT EXISTS (SELECT FROM stories s WHERE s.id = x.story_id)),
          0::bigint, 'a deleted story takes its vector with it');

SELECT * FROM finish();
ROLLBACK;
