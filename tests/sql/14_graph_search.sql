-- The cycle check's bidirectional search (migration 0012): the path it finds
-- in both directions of walking, the statement-level check with several new
-- edges that meet without a cycle, long cycles named in order, and a graph
-- where one side of the walk is large (the check must still be exact).
BEGIN;
SELECT plan(17);

CREATE FUNCTION pg_temp.sid(p_key text) RETURNS bigint LANGUAGE sql
AS $$ SELECT s.id FROM stories s JOIN projects p ON p.id = s.project_id
      WHERE p.key = 'GRAPH' AND s.key = p_key $$;
CREATE FUNCTION pg_temp.path(a text, b text) RETURNS text LANGUAGE sql
AS $$ SELECT CASE WHEN q.path IS NOT NULL THEN
                 array_to_string(ARRAY(SELECT s.key FROM unnest(q.path) WITH ORDINALITY AS p(id, i)
                                       JOIN stories s ON s.id = p.id ORDER BY i), ' -> ') END
      FROM (SELECT planpipe_graph_path('story_dependencies', 'story_id', 'depends_on_id',
                                       ARRAY[pg_temp.sid(a)], ARRAY[pg_temp.sid(b)]) AS path) q $$;

INSERT INTO projects (key, name) VALUES ('GRAPH', 'Graph');
-- G-1 .. G-400: G-n depends on G-(n-1) and G-(n-2) (a wide, deep ladder:
-- everything below a story is reachable from it), plus G-0 alone.
INSERT INTO stories (project_id, key, title)
SELECT (SELECT id FROM projects WHERE key = 'GRAPH'), 'G-' || n, 'story ' || n
FROM generate_series(0, 400) n;
INSERT INTO story_dependencies (story_id, depends_on_id)
SELECT pg_temp.sid('G-' || n), pg_temp.sid('G-' || (n - d))
FROM generate_series(2, 400) n, (VALUES (1), (2)) v(d)
WHERE n - d >= 1;

SELECT is((SELECT count(*) FROM story_dependencies e JOIN stories s ON s.id = e.story_id
           JOIN projects p ON p.id = s.project_id WHERE p.key = 'GRAPH'),
          797::bigint, 'the ladder has 797 blocking edges');

-- Paths ------------------------------------------------------------------------
SELECT is(pg_temp.path('G-3', 'G-1'), 'G-3 -> G-1', 'a two-step path is found whole');
CREATE TEMP TABLE long_path AS
SELECT p.id, p.i FROM unnest(planpipe_graph_path('story_dependencies', 'story_id', 'depends_on_id',
                                                 ARRAY[pg_temp.sid('G-400')], ARRAY[pg_temp.sid('G-1')]))
                      WITH ORDINALITY AS p(id, i);
SELECT is((SELECT count(*) FROM long_path), 201::bigint,
          'a path across the whole ladder is a shortest one (200 steps)');
SELECT is((SELECT count(*) FROM long_path a JOIN long_path b ON b.i = a.i + 1
           JOIN story_dependencies e ON e.story_id = a.id AND e.depends_on_id = b.id),
          200::bigint, 'and each of its steps is an edge');
SELECT is(pg_temp.path('G-1', 'G-400'), NULL, 'no path against the edges');
SELECT is(pg_temp.path('G-5', 'G-0'), NULL, 'no path to a story outside the graph');
SELECT is(planpipe_graph_path('story_dependencies', 'story_id', 'depends_on_id',
                              ARRAY[pg_temp.sid('G-10'), pg_temp.sid('G-0')], ARRAY[pg_temp.sid('G-0')]),
          ARRAY[pg_temp.sid('G-0')], 'a start that is a target is a path of one');
SELECT is(planpipe_graph_path('story_dependencies', 'story_id', 'depends_on_id', '{}', ARRAY[pg_temp.sid('G-1')]),
          NULL, 'no starts, no path');

-- Relates edges are not walked.
INSERT INTO story_dependencies (story_id, depends_on_id, kind)
VALUES (pg_temp.sid('G-1'), pg_temp.sid('G-0'), 'relates');
SELECT is(pg_temp.path('G-400', 'G-0'), NULL, 'a relates edge is not part of a path');

-- The trigger -------------------------------------------------------------------
SELECT lives_ok(format('INSERT INTO story_dependencies (story_id, depends_on_id) VALUES (%s, %s)',
                       pg_temp.sid('G-400'), pg_temp.sid('G-1')),
                'a shortcut over the whole ladder (upward side: nothing) is no cycle');
SELECT lives_ok(format('INSERT INTO story_dependencies (story_id, depends_on_id) VALUES (%s, %s)',
                       pg_temp.sid('G-0'), pg_temp.sid('G-400')),
                'an edge on top of the ladder from outside it is no cycle');
SELECT throws_ok(format('INSERT INTO story_dependencies (story_id, depends_on_id) VALUES (%s, %s)',
                        pg_temp.sid('G-2'), pg_temp.sid('G-0')),
                 'PP001', NULL, 'closing the loop G-2 -> G-0 -> G-400 -> ... -> G-2 is rejected');
SELECT throws_ok(format('INSERT INTO story_dependencies (story_id, depends_on_id) VALUES (%s, %s)',
                        pg_temp.sid('G-2'), pg_temp.sid('G-6')),
                 'PP001', 'dependency cycle: GRAPH:G-2 -> GRAPH:G-6 -> GRAPH:G-4 -> GRAPH:G-2',
                 'a short cycle in a wide graph is named by a shortest path');
SELECT throws_ok(format('INSERT INTO story_dependencies (story_id, depends_on_id) VALUES (%s, %s)',
                        pg_temp.sid('G-1'), pg_temp.sid('G-11')),
                 'PP001', 'dependency cycle: GRAPH:G-1 -> GRAPH:G-11 -> GRAPH:G-9 -> GRAPH:G-7'
                          ' -> GRAPH:G-5 -> GRAPH:G-3 -> GRAPH:G-1',
                 'a longer cycle is named in order, from the new edge');

-- Several new edges in one statement that meet without forming a cycle: the
-- statement-level search finds a connection, the per-edge one clears it.
INSERT INTO stories (project_id, key, title)
SELECT (SELECT id FROM projects WHERE key = 'GRAPH'), k, k FROM unnest(ARRAY['X-1', 'X-2', 'X-3']) k;
SELECT lives_ok(format('INSERT INTO story_dependencies (story_id, depends_on_id) VALUES (%s, %s), (%s, %s)',
                       pg_temp.sid('X-1'), pg_temp.sid('X-2'), pg_temp.sid('X-2'), pg_temp.sid('X-3')),
                'a chain added in one statement (X-1 -> X-2 -> X-3) is no cycle');
SELECT throws_ok(format('INSERT INTO story_dependencies (story_id, depends_on_id) VALUES (%s, %s), (%s, %s)',
                        pg_temp.sid('X-3'), pg_temp.sid('G-5'), pg_temp.sid('G-5'), pg_temp.sid('X-1')),
                 'PP001', NULL, 'a cycle made of two new edges and old ones is rejected');
SELECT is((SELECT count(*) FROM story_dependencies WHERE story_id IN (pg_temp.sid('X-3'), pg_temp.sid('G-5'))
                                                     AND depends_on_id IN (pg_temp.sid('G-5'), pg_temp.sid('X-1'))),
          0::bigint, 'and none of its rows was written');

SELECT * FROM finish();
ROLLBACK;
