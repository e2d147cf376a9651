-- The cycle check of a batch of dependencies in one pass (migration 0016):
-- a chain of 2,000 stories written in one statement, the batch path (more
-- than 16 new blocking edges) naming the same cycle as the per-edge path,
-- cycles made of new edges only, edges that meet without a cycle, relates
-- edges, cross-project and hidden stories, project dependencies; and
-- planpipe_dependency_cycles(), which lists every cycle a batch would close
-- before it is written.
BEGIN;
SELECT plan(50);

\ir lib/labels.sql
CREATE FUNCTION pg_temp.sids(p_labels text[]) RETURNS bigint[] LANGUAGE sql
AS $$ SELECT array_agg(pg_temp.sid(l) ORDER BY i) FROM unnest(p_labels) WITH ORDINALITY AS x(l, i) $$;
-- The SQL that adds the edges 'A B' (A depends on B) or 'A B relates' in one
-- statement, and with p_pad, 20 more that touch nothing else: PAD:P-p_pad ->
-- PAD:P-(p_pad + 1) -> ... (so that the statement takes the batch path).
CREATE FUNCTION pg_temp.batch(p_edges text[], p_pad integer DEFAULT NULL) RETURNS text LANGUAGE sql
AS $$
    SELECT 'INSERT INTO story_dependencies (story_id, depends_on_id, kind) VALUES '
           || string_agg(format('(%s, %s, %L)', a, b, k), ', ' ORDER BY o)
    FROM (SELECT pg_temp.sid(split_part(e, ' ', 1)) AS a, pg_temp.sid(split_part(e, ' ', 2)) AS b,
                 coalesce(nullif(split_part(e, ' ', 3), ''), 'blocks') AS k, i AS o
          FROM unnest(p_edges) WITH ORDINALITY AS x(e, i)
          UNION ALL
          SELECT pg_temp.sid('PAD:P-' || (p_pad + i)), pg_temp.sid('PAD:P-' || (p_pad + i + 1)), 'blocks', 1000 + i
          FROM generate_series(0, 19) i WHERE p_pad IS NOT NULL) v
$$;
-- 'ok', or the error as SQLSTATE: message / detail / hint.
CREATE FUNCTION pg_temp.error_of(p_sql text) RETURNS text LANGUAGE plpgsql
AS $$
DECLARE
    st text;
    msg text;
    det text;
    hnt text;
BEGIN
    EXECUTE p_sql;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT, det = PG_EXCEPTION_DETAIL,
                            hnt = PG_EXCEPTION_HINT;
    RETURN st || ': ' || msg || ' / ' || det || ' / ' || hnt;
END
$$;
-- planpipe_dependency_cycles() over labels, its paths as labels.
CREATE FUNCTION pg_temp.cycles(p_edges text[]) RETURNS TABLE (path text, edges integer[]) LANGUAGE sql
AS $$
    SELECT array_to_string(ARRAY(SELECT coalesce(p.key || ':' || s.key, '?')
                                 FROM unnest(c.path) WITH ORDINALITY AS x(id, i)
                                 LEFT JOIN stories s ON s.id = x.id LEFT JOIN projects p ON p.id = s.project_id
                                 ORDER BY x.i), ' -> '),
           c.edges
    FROM planpipe_dependency_cycles(
        ARRAY(SELECT pg_temp.sid(split_part(e, ' ', 1)) FROM unnest(p_edges) WITH ORDINALITY AS x(e, i) ORDER BY i),
        ARRAY(SELECT pg_temp.sid(split_part(e, ' ', 2)) FROM unnest(p_edges) WITH ORDINALITY AS x(e, i) ORDER BY i),
        ARRAY(SELECT coalesce(nullif(split_part(e, ' ', 3), ''), 'blocks')
              FROM unnest(p_edges) WITH ORDINALITY AS x(e, i) ORDER BY i)) c
$$;
CREATE FUNCTION pg_temp.story_edges() RETURNS bigint LANGUAGE sql
AS $$ SELECT count(*) FROM story_dependencies $$;

INSERT INTO projects (key, name)
VALUES ('PLAN', 'Planning'), ('OTHER', 'Other'), ('HIDDEN', 'Hidden'), ('PAD', 'Padding'), ('CHAIN', 'Chain');
INSERT INTO stories (project_id, key, title)
SELECT pg_temp.pid(p), k, p || ' ' || k
FROM (VALUES ('PLAN', 'A-1'), ('PLAN', 'A-2'), ('PLAN', 'A-3'), ('PLAN', 'A-4'), ('PLAN', 'A-5'),
             ('PLAN', 'A-6'), ('PLAN', 'A-7'), ('PLAN', 'A-8'),
             ('OTHER', 'B-1'), ('OTHER', 'B-2'), ('OTHER', 'B-3'), ('HIDDEN', 'H-1')) AS v(p, k);
INSERT INTO stories (project_id, key, title)
SELECT pg_temp.pid('PAD'), 'P-' || i, 'padding ' || i FROM generate_series(1, 200) i;
INSERT INTO stories (project_id, key, title)
SELECT pg_temp.pid('PLAN'), 'R-' || i, 'ring ' || i FROM generate_series(1, 20) i;
INSERT INTO stories (project_id, key, title)
SELECT pg_temp.pid('CHAIN'), 'C-' || i, 'chain ' || i FROM generate_series(1, 2000) i;

-- A chain of 2,000 in one statement ------------------------------------------------
-- Before 0016 this took longer than 20 minutes (quadratic); now about a
-- second. The timeout only turns a regression into a failure, not a hang.
SET LOCAL statement_timeout = '120s';
SELECT lives_ok($$
    INSERT INTO story_dependencies (story_id, depends_on_id)
    SELECT a.id, b.id
    FROM stories a JOIN stories b ON b.project_id = a.project_id
     AND b.key = 'C-' || (substr(a.key, 3)::integer - 1)
    WHERE a.project_id = pg_temp.pid('CHAIN') AND a.key <> 'C-1'$$,
    'a chain of 2,000 stories, each depending on the previous one, is written in one statement');
SELECT is((SELECT count(*) FROM story_dependencies WHERE story_id IN
              (SELECT id FROM stories WHERE project_id = pg_temp.pid('CHAIN'))),
          1999::bigint, 'all 1,999 of its edges');
SELECT throws_like(pg_temp.batch(ARRAY['CHAIN:C-1 CHAIN:C-2000'], 1), '%CHAIN:C-1 -> CHAIN:C-2000 -> CHAIN:C-1999 -> %',
                   'closing it (in a batch) is refused, naming the cycle from the closing edge');
SELECT is((SELECT cardinality(path) FROM planpipe_dependency_cycles(pg_temp.sids(ARRAY['CHAIN:C-1']),
                                                                   pg_temp.sids(ARRAY['CHAIN:C-2000']))),
          2001, 'planpipe_dependency_cycles() names the whole cycle of 2,000 stories');
-- One edge inside the chain: the search of 0012 walked it a level at a time
-- (seconds); it is given up after 64 levels and the one pass decides.
SELECT is(planpipe_graph_path_within('story_dependencies', 'story_id', 'depends_on_id',
                                     pg_temp.sids(ARRAY['CHAIN:C-1000']), pg_temp.sids(ARRAY['CHAIN:C-1500']), 64),
          '{}'::bigint[], 'the bounded search gives up inside the chain');
SELECT is(planpipe_graph_path_within('story_dependencies', 'story_id', 'depends_on_id',
                                     pg_temp.sids(ARRAY['CHAIN:C-1010']), pg_temp.sids(ARRAY['CHAIN:C-1000']), 64),
          pg_temp.sids(ARRAY['CHAIN:C-1010', 'CHAIN:C-1009', 'CHAIN:C-1008', 'CHAIN:C-1007', 'CHAIN:C-1006',
                             'CHAIN:C-1005', 'CHAIN:C-1004', 'CHAIN:C-1003', 'CHAIN:C-1002', 'CHAIN:C-1001',
                             'CHAIN:C-1000']),
          'and finds a short path as planpipe_graph_path() does');
SELECT throws_like(pg_temp.batch(ARRAY['CHAIN:C-1000 CHAIN:C-1500']),
                   'dependency cycle: CHAIN:C-1000 -> CHAIN:C-1500 -> CHAIN:C-1499 -> % -> CHAIN:C-1001 -> CHAIN:C-1000',
                   'one edge against it is refused, the cycle named in full');
SELECT lives_ok(pg_temp.batch(ARRAY['CHAIN:C-1500 CHAIN:C-1000']), 'one edge along the chain (a shortcut) is accepted');
SELECT throws_ok(pg_temp.batch(ARRAY['CHAIN:C-1000 CHAIN:C-1010']), 'PP001',
                 'dependency cycle: CHAIN:C-1000 -> ' || (SELECT string_agg('CHAIN:C-' || i, ' -> ' ORDER BY i DESC)
                                                          FROM generate_series(1000, 1010) i),
                 'a short cycle (within the bound) is named by the search of 0012');
RESET statement_timeout;

-- Both paths, one contract -----------------------------------------------------------
-- The cycle of length 5 of 05_dependencies.sql, across two projects.
INSERT INTO story_dependencies (story_id, depends_on_id)
VALUES (pg_temp.sid('PLAN:A-1'), pg_temp.sid('OTHER:B-1')), (pg_temp.sid('OTHER:B-1'), pg_temp.sid('PLAN:A-2')),
       (pg_temp.sid('PLAN:A-2'), pg_temp.sid('OTHER:B-2')), (pg_temp.sid('OTHER:B-2'), pg_temp.sid('PLAN:A-3'));
SELECT is(pg_temp.error_of(pg_temp.batch(ARRAY['PLAN:A-3 PLAN:A-1']))::text,
          'PP001: dependency cycle: PLAN:A-3 -> PLAN:A-1 -> OTHER:B-1 -> PLAN:A-2 -> OTHER:B-2 -> PLAN:A-3'
          ' / Each arrow reads "depends on"; blocking dependencies must not form a cycle.'
          ' / Remove one of the dependencies of the cycle, or make one of them kind ''relates''.',
          'one edge (per-edge path): SQLSTATE, message, detail and hint');
SELECT is(pg_temp.error_of(pg_temp.batch(ARRAY['PLAN:A-3 PLAN:A-1'], 1)),
          pg_temp.error_of(pg_temp.batch(ARRAY['PLAN:A-3 PLAN:A-1'])),
          'the same edge among 20 others (batch path): the same error, word for word');
SELECT is(pg_temp.error_of(pg_temp.batch(ARRAY['OTHER:B-2 PLAN:A-4', 'PLAN:A-4 PLAN:A-5', 'PLAN:A-5 PLAN:A-1'], 1)),
          pg_temp.error_of(pg_temp.batch(ARRAY['OTHER:B-2 PLAN:A-4', 'PLAN:A-4 PLAN:A-5', 'PLAN:A-5 PLAN:A-1'])),
          'three new edges closing a cycle with old ones: the same error on both paths');
SELECT throws_ok(pg_temp.batch(ARRAY['OTHER:B-2 PLAN:A-4', 'PLAN:A-4 PLAN:A-5', 'PLAN:A-5 PLAN:A-1'], 1), 'PP001',
                 'dependency cycle: PLAN:A-4 -> PLAN:A-5 -> PLAN:A-1 -> OTHER:B-1 -> PLAN:A-2 -> OTHER:B-2 -> PLAN:A-4',
                 'named from the first new edge on it, in (story, depends-on) id order, as before');
SELECT is(pg_temp.story_edges(), 2004::bigint, 'nothing of the refused statements was written');

-- Batches that meet without a cycle -----------------------------------------------------
SELECT lives_ok(pg_temp.batch(ARRAY['PLAN:A-3 PLAN:A-4', 'PLAN:A-4 PLAN:A-5'], 1),
                'new edges that meet (A-3 -> A-4 -> A-5) on top of old ones: no cycle');
SELECT lives_ok(pg_temp.batch(ARRAY['PLAN:A-6 PLAN:A-1', 'PLAN:A-7 PLAN:A-1', 'PLAN:A-6 PLAN:A-7'], 30),
                'two new edges into one story and one between them: no cycle');
SELECT lives_ok(format('INSERT INTO story_dependencies (story_id, depends_on_id) SELECT %s, id FROM stories'
                       ' WHERE project_id = %s AND key LIKE ''R-%%''', pg_temp.sid('PLAN:A-8'), pg_temp.pid('PLAN')),
                'a fan of 20 new edges from one story: no cycle');

-- Cycles of new edges only ------------------------------------------------------------------
SELECT throws_ok(format('INSERT INTO story_dependencies (story_id, depends_on_id)'
                        ' SELECT a.id, b.id FROM stories a JOIN stories b ON b.project_id = a.project_id'
                        '  AND b.key = ''R-'' || (substr(a.key, 3)::integer %% 20 + 1)'
                        ' WHERE a.project_id = %s AND a.key LIKE ''R-%%''', pg_temp.pid('PLAN')),
                 'PP001',
                 'dependency cycle: ' || (SELECT string_agg('PLAN:R-' || i, ' -> ' ORDER BY i) FROM generate_series(1, 20) i)
                 || ' -> PLAN:R-1',
                 'a ring of 20 new edges is refused, named from its first edge');
SELECT lives_ok(format('INSERT INTO story_dependencies (story_id, depends_on_id, kind)'
                       ' SELECT a.id, b.id, ''relates'' FROM stories a JOIN stories b ON b.project_id = a.project_id'
                       '  AND b.key = ''R-'' || (substr(a.key, 3)::integer %% 20 + 1)'
                       ' WHERE a.project_id = %s AND a.key LIKE ''R-%%''', pg_temp.pid('PLAN')),
                'the same ring as relates edges is accepted');
SELECT throws_ok(format($$UPDATE story_dependencies SET kind = 'blocks' WHERE kind = 'relates' AND story_id IN
                          (SELECT id FROM stories WHERE project_id = %s AND key LIKE 'R-%%')$$, pg_temp.pid('PLAN')),
                 'PP001', NULL, 'turning all 20 into blocking edges in one update is refused');
SELECT lives_ok(format($$UPDATE story_dependencies SET kind = 'blocks' WHERE kind = 'relates' AND story_id IN
                         (SELECT id FROM stories WHERE project_id = %s AND key LIKE 'R-%%' AND key <> 'R-20')$$,
                       pg_temp.pid('PLAN')),
                'turning 19 of them, a chain, is accepted');
SELECT throws_ok(pg_temp.batch(ARRAY['PLAN:A-1 OTHER:B-1'], 60), '23505', NULL,
                 'a batch repeating an existing edge still fails on the key, before any cycle check');

-- Hidden stories ------------------------------------------------------------------------------
INSERT INTO users (handle) VALUES ('dora');
INSERT INTO project_members (project_id, user_id, role)
SELECT pid, id, 'developer' FROM users, unnest(ARRAY[pg_temp.pid('PLAN'), pg_temp.pid('PAD')]) AS pid
WHERE handle = 'dora';
INSERT INTO story_dependencies (story_id, depends_on_id) VALUES
    (pg_temp.sid('PLAN:A-6'), pg_temp.sid('HIDDEN:H-1')), (pg_temp.sid('HIDDEN:H-1'), pg_temp.sid('PLAN:A-8'));
SELECT set_config('planpipe.user_id', (SELECT id FROM users WHERE handle = 'dora')::text, true);
SET LOCAL ROLE planpipe_app;
SELECT throws_ok(pg_temp.batch(ARRAY['PLAN:A-8 PLAN:A-6'], 90), 'PP001',
                 'dependency cycle: PLAN:A-8 -> PLAN:A-6 -> (hidden) -> PLAN:A-8',
                 'the batch path does not name a story the user cannot see either');
SELECT is((SELECT path FROM planpipe_dependency_cycles(ARRAY[pg_temp.sid('PLAN:A-8')], ARRAY[pg_temp.sid('PLAN:A-6')])),
          ARRAY[pg_temp.sid('PLAN:A-8'), pg_temp.sid('PLAN:A-6'), NULL, pg_temp.sid('PLAN:A-8')],
          'planpipe_dependency_cycles() gives NULL for it (as planpipe_app)');
RESET ROLE;
SET LOCAL planpipe.user_id = '';

-- planpipe_dependency_cycles() --------------------------------------------------------------
SELECT is_empty($$SELECT * FROM pg_temp.cycles(ARRAY['PAD:P-150 PAD:P-151', 'PAD:P-151 PAD:P-152'])$$,
                'edges that meet without a cycle: none');
SELECT results_eq($$SELECT * FROM pg_temp.cycles(ARRAY['PAD:P-150 PAD:P-151', 'PAD:P-151 PAD:P-150',
                                                      'PAD:P-160 PAD:P-161', 'PAD:P-170 PAD:P-171',
                                                      'PAD:P-171 PAD:P-170'])$$,
                  $$VALUES ('PAD:P-150 -> PAD:P-151 -> PAD:P-150', ARRAY[1, 2]),
                           ('PAD:P-170 -> PAD:P-171 -> PAD:P-170', ARRAY[4, 5])$$,
                  'two independent cycles in one batch: both, each with the positions of its edges');
SELECT results_eq($$SELECT * FROM pg_temp.cycles(ARRAY['PAD:P-150 PAD:P-151', 'PAD:P-151 PAD:P-150',
                                                      'PAD:P-151 PAD:P-152', 'PAD:P-152 PAD:P-151'])$$,
                  $$VALUES ('PAD:P-150 -> PAD:P-151 -> PAD:P-150', ARRAY[1, 2, 3, 4])$$,
                  'two cycles sharing a story: one row, all four edges');
SELECT results_eq($$SELECT * FROM pg_temp.cycles(ARRAY['PAD:P-160 PAD:P-161', 'PLAN:A-3 PLAN:A-1'])$$,
                  $$VALUES ('PLAN:A-3 -> PLAN:A-1 -> OTHER:B-1 -> PLAN:A-2 -> OTHER:B-2 -> PLAN:A-3', ARRAY[2])$$,
                  'a cycle through existing edges, across projects');
SELECT is_empty($$SELECT * FROM pg_temp.cycles(ARRAY['PAD:P-150 PAD:P-151', 'PAD:P-151 PAD:P-150 relates',
                                                    'PAD:P-160 PAD:P-161 relates', 'PAD:P-161 PAD:P-160'])$$,
                'relates edges are left out');
SELECT results_eq($$SELECT * FROM pg_temp.cycles(ARRAY['PAD:P-180 PAD:P-181', 'PAD:P-155 PAD:P-155',
                                                      'PAD:P-181 PAD:P-180', 'PAD:P-180 PAD:P-181'])$$,
                  $$VALUES ('PAD:P-180 -> PAD:P-181 -> PAD:P-180', ARRAY[1, 3, 4]),
                           ('PAD:P-155 -> PAD:P-155', ARRAY[2])$$,
                  'a story depending on itself is a cycle; an edge given twice is listed twice');
SELECT is_empty($$SELECT * FROM planpipe_dependency_cycles(ARRAY[pg_temp.sid('PAD:P-150'), NULL],
                                                          ARRAY[NULL, pg_temp.sid('PAD:P-150')])$$,
                'edges with a NULL end (unresolved) are left out');
SELECT is_empty($$SELECT * FROM planpipe_dependency_cycles('{}', '{}')$$, 'no edges, no cycles');
SELECT throws_ok($$SELECT * FROM planpipe_dependency_cycles('{1, 2}', '{3}')$$, '22023',
                 'planpipe_dependency_cycles: the arrays differ in length (2 origins, 1 targets, no kinds)',
                 'arrays of different lengths are refused');
SELECT throws_ok($$SELECT * FROM planpipe_dependency_cycles('{1, 2}', '{3, 4}', '{blocks, blocker}')$$, '22023',
                 'planpipe_dependency_cycles: kind ''blocker'' of edge 2 is neither blocks nor relates',
                 'an unknown kind is refused, naming the edge');
SELECT is(pg_temp.story_edges(), 2091::bigint, 'planpipe_dependency_cycles() writes nothing');

-- What the importer does: leave out the edges listed, write the rest in one statement.
CREATE TEMP TABLE wanted (i integer, edge text);
INSERT INTO wanted
SELECT i, e FROM unnest(ARRAY['PAD:P-100 PAD:P-101', 'PAD:P-101 PAD:P-102', 'PAD:P-102 PAD:P-100',
                              'PAD:P-102 PAD:P-103', 'PLAN:A-3 PLAN:A-1', 'PAD:P-103 PAD:P-104',
                              'PAD:P-110 PAD:P-111', 'PAD:P-111 PAD:P-110 relates', 'PAD:P-104 PAD:P-105',
                              'PAD:P-105 PAD:P-103']
                        || ARRAY(SELECT 'PAD:P-' || n || ' PAD:P-' || (n + 1) FROM generate_series(120, 139) n))
                 WITH ORDINALITY AS x(e, i);
SELECT results_eq($$SELECT edges FROM pg_temp.cycles(ARRAY(SELECT edge FROM wanted ORDER BY i))$$,
                  $$VALUES (ARRAY[1, 2, 3]), (ARRAY[5]), (ARRAY[6, 9, 10])$$,
                  'a batch of 30 with three cycles: their edges');
SELECT throws_ok(pg_temp.batch(ARRAY(SELECT edge FROM wanted ORDER BY i)), 'PP001', NULL,
                 'written whole, it is refused');
SELECT lives_ok(pg_temp.batch(ARRAY(SELECT w.edge FROM wanted w
                                    WHERE w.i <> ALL (ARRAY(SELECT unnest(c.edges)
                                                            FROM pg_temp.cycles(ARRAY(SELECT edge FROM wanted
                                                                                      ORDER BY i)) c))
                                    ORDER BY w.i)),
                'without the edges listed, it is written in one statement');
SELECT is(pg_temp.story_edges(), 2091::bigint + 23, 'the 23 other edges');

-- Random graphs: the one pass against a search per edge -----------------------------------
-- An acyclic graph of 60 stories (edges from a higher number to a lower one),
-- then 25 batches of about 24 random new edges, a few of them upwards. For each, the
-- edges planpipe_dependency_cycles() lists must be exactly those whose target
-- reaches their origin (a plain recursive query per edge), and the trigger
-- must refuse the batch exactly when there is one. Fixed seed.
SELECT setseed(0.17);
INSERT INTO projects (key, name) VALUES ('RND', 'Random');
INSERT INTO stories (project_id, key, title)
SELECT pg_temp.pid('RND'), 'N-' || i, 'node ' || i FROM generate_series(1, 60) i;
CREATE TEMP TABLE rnd_node AS
SELECT id, substr(key, 3)::integer AS n FROM stories WHERE project_id = pg_temp.pid('RND');
INSERT INTO story_dependencies (story_id, depends_on_id)
SELECT DISTINCT a.id, b.id
FROM (SELECT 1 + floor(random() * 60)::integer AS x, 1 + floor(random() * 60)::integer AS y
      FROM generate_series(1, 90) g) p
JOIN rnd_node a ON a.n = greatest(p.x, p.y) JOIN rnd_node b ON b.n = least(p.x, p.y)
WHERE p.x <> p.y;
CREATE TEMP TABLE rnd_batch (round integer, j integer, f bigint, t bigint);
INSERT INTO rnd_batch
SELECT round, row_number() OVER (PARTITION BY round ORDER BY f, t)::integer, f, t
FROM (SELECT DISTINCT p.r AS round, a.id AS f, b.id AS t
      FROM (SELECT r, 1 + floor(random() * 60)::integer AS x, 1 + floor(random() * 60)::integer AS y,
                   random() < 0.06 AS up
            FROM generate_series(1, 25) r, generate_series(1, 24) g) p
      JOIN rnd_node a ON a.n = CASE WHEN p.up THEN least(p.x, p.y) ELSE greatest(p.x, p.y) END
      JOIN rnd_node b ON b.n = CASE WHEN p.up THEN greatest(p.x, p.y) ELSE least(p.x, p.y) END
      WHERE p.x <> p.y AND NOT EXISTS (SELECT FROM story_dependencies e
                                       WHERE e.story_id = a.id AND e.depends_on_id = b.id)) s;
CREATE TEMP TABLE rnd_expected AS
WITH RECURSIVE reach(round, j, node) AS (
    SELECT round, j, t FROM rnd_batch
    UNION
    SELECT r.round, r.j, e.t
    FROM reach r
    JOIN (SELECT NULL::integer AS round, story_id AS f, depends_on_id AS t FROM story_dependencies
          WHERE kind = 'blocks'
          UNION ALL
          SELECT round, f, t FROM rnd_batch) e ON e.f = r.node AND (e.round IS NULL OR e.round = r.round)
)
SELECT b.round, b.j FROM rnd_batch b JOIN reach r ON r.round = b.round AND r.j = b.j AND r.node = b.f;
CREATE TEMP TABLE rnd_found AS
SELECT r AS round, unnest(c.edges) AS j
FROM generate_series(1, 25) r
CROSS JOIN LATERAL planpipe_dependency_cycles(
    ARRAY(SELECT f FROM rnd_batch WHERE round = r ORDER BY j),
    ARRAY(SELECT t FROM rnd_batch WHERE round = r ORDER BY j)) c;
SELECT ok((SELECT count(DISTINCT round) FROM rnd_expected) BETWEEN 5 AND 20
          AND (SELECT min(c) FROM (SELECT count(*) AS c FROM rnd_batch GROUP BY round) s) > 16,
          'the random batches (each over 16 edges) include some with cycles and some without');
SELECT set_eq('SELECT round, j FROM rnd_found', 'SELECT round, j FROM rnd_expected',
              'each batch: exactly the edges whose target reaches their origin are listed');
-- 'ok' or the SQLSTATE, and the statement rolled back either way.
CREATE FUNCTION pg_temp.try_rolled_back(p_sql text) RETURNS text LANGUAGE plpgsql
AS $$
BEGIN
    BEGIN
        EXECUTE p_sql;
        RAISE EXCEPTION 'undo' USING ERRCODE = 'P0099';
    EXCEPTION WHEN SQLSTATE 'P0099' THEN
        RETURN 'ok';
    END;
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE;
END
$$;
SELECT results_eq(
    $$SELECT r, pg_temp.try_rolled_back(
                    format('INSERT INTO story_dependencies (story_id, depends_on_id) SELECT f, t FROM rnd_batch'
                           ' WHERE round = %s', r))
      FROM generate_series(1, 25) r ORDER BY r$$,
    $$SELECT r, CASE WHEN EXISTS (SELECT FROM rnd_expected e WHERE e.round = r) THEN 'PP001' ELSE 'ok' END
      FROM generate_series(1, 25) r ORDER BY r$$,
    'the trigger (batch path) refuses exactly the batches with a cycle');

-- Project dependencies --------------------------------------------------------------------------
INSERT INTO projects (key, name) SELECT 'PR' || i, 'ring ' || i FROM generate_series(1, 20) i;
SELECT throws_ok($$INSERT INTO project_dependencies (project_id, depends_on_project_id)
                   SELECT pg_temp.pid('PR' || i), pg_temp.pid('PR' || (i % 20 + 1)) FROM generate_series(1, 20) i$$,
                 'PP001',
                 'project dependency cycle: ' || (SELECT string_agg('PR' || i, ' -> ' ORDER BY i) FROM generate_series(1, 20) i)
                 || ' -> PR1',
                 'a ring of 20 projects in one statement is refused and named');
SELECT lives_ok($$INSERT INTO project_dependencies (project_id, depends_on_project_id)
                  SELECT pg_temp.pid('PR' || i), pg_temp.pid('PR' || (i + 1)) FROM generate_series(1, 19) i$$,
                'a chain of 20 projects in one statement is accepted');
SELECT results_eq($$SELECT path, edges FROM planpipe_project_dependency_cycles(
                        ARRAY[pg_temp.pid('PR20'), pg_temp.pid('PLAN')], ARRAY[pg_temp.pid('PR1'), pg_temp.pid('OTHER')])$$,
                  $$VALUES (pg_temp.pid('PR20') || ARRAY(SELECT pg_temp.pid('PR' || i) FROM generate_series(1, 20) i),
                            ARRAY[1])$$,
                  'planpipe_project_dependency_cycles() names the project cycle the chain would close');
SELECT is_empty($$SELECT * FROM planpipe_project_dependency_cycles(ARRAY[pg_temp.pid('PR20')], ARRAY[pg_temp.pid('PR1')],
                                                                  '{relates}')$$,
                'and not for a relates edge');

-- Privileges ---------------------------------------------------------------------------------
SELECT ok(has_function_privilege('planpipe_app', 'planpipe_dependency_cycles(bigint[], bigint[], text[])', 'EXECUTE'),
          'planpipe_app may call planpipe_dependency_cycles()');
SELECT ok(has_function_privilege('planpipe_app', 'planpipe_project_dependency_cycles(bigint[], bigint[], text[])',
                                 'EXECUTE'),
          'and planpipe_project_dependency_cycles()');
SELECT ok(NOT has_function_privilege('planpipe_app',
                                     'planpipe_graph_cycles(text, text, text, bigint[], bigint[], boolean)', 'EXECUTE'),
          'but not the generic planpipe_graph_cycles(), which takes a table name');
SELECT ok(NOT has_function_privilege('planpipe_app',
                                     'planpipe_graph_reach(text, text, text, bigint[], boolean, integer)', 'EXECUTE')
          AND NOT has_function_privilege('planpipe_app',
                                         'planpipe_graph_path_within(text, text, text, bigint[], bigint[], integer)',
                                         'EXECUTE'),
          'nor planpipe_graph_reach() and planpipe_graph_path_within()');

SELECT * FROM finish();
ROLLBACK;
