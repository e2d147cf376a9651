-- An import's dependencies are checked for cycles once (migration 0027):
-- the statement-level check of story_dependencies skips a statement whose
-- blocking edges the pre-check (planpipe_dependency_cycles) of the same
-- transaction verified, and only those. A cycle through a batch, or made by
-- a plain write, is still refused; marks cannot be forged by a planpipe_app
-- session, and no setting stands in for them; the pre-check's lock keeps
-- other transactions out until the checked edges are written.
BEGIN;
SELECT plan(51);
SET LOCAL client_min_messages = warning;

\ir lib/labels.sql
\ir lib/act_as.sql
\ir lib/dblink.sql
-- One edge 'A B' (A depends on B), or several, in one INSERT.
CREATE FUNCTION pg_temp.ins(p_edges text[]) RETURNS text LANGUAGE sql
AS $$
    SELECT 'INSERT INTO story_dependencies (story_id, depends_on_id) VALUES '
           || string_agg(format('(%s, %s)', pg_temp.sid('P:' || split_part(e, ' ', 1)),
                                pg_temp.sid('P:' || split_part(e, ' ', 2))), ', ' ORDER BY i)
    FROM unnest(p_edges) WITH ORDINALITY AS x(e, i)
$$;
-- The pre-check of the edges, as the importer calls it: the rows it lists.
CREATE FUNCTION pg_temp.precheck(p_edges text[]) RETURNS bigint LANGUAGE sql
AS $$
    SELECT count(*) FROM planpipe_dependency_cycles(
        ARRAY(SELECT pg_temp.sid('P:' || split_part(e, ' ', 1)) FROM unnest(p_edges) WITH ORDINALITY AS x(e, i)
              ORDER BY i),
        ARRAY(SELECT pg_temp.sid('P:' || split_part(e, ' ', 2)) FROM unnest(p_edges) WITH ORDINALITY AS x(e, i)
              ORDER BY i))
$$;
-- An edge written past every trigger (the superuser's session_replication_role):
-- what the cycle check would refuse, to see whether it ran at all.
CREATE FUNCTION pg_temp.sneak(p_edge text) RETURNS void LANGUAGE plpgsql
AS $$
BEGIN
    SET LOCAL session_replication_role = replica;
    EXECUTE pg_temp.ins(ARRAY[p_edge]);
    SET LOCAL session_replication_role = origin;
END
$$;
CREATE FUNCTION pg_temp.clear() RETURNS void LANGUAGE sql
AS $$ DELETE FROM story_dependencies WHERE story_id IN (SELECT id FROM stories WHERE project_id = pg_temp.pid('P')) $$;

-- Two sessions: the pre-check's lock holds until its edges are written -----------------------
-- First, while this session holds no lock of the graph (its writes below
-- take one until the end). Committed data, removed at the end.
\ir lib/dblink_sessions.sql
SELECT alike(dblink_exec('setup', $$DELETE FROM projects WHERE key = 'ZZONCE'$$), 'DELETE %',
             'nothing left over from an earlier run');
SELECT is(dblink_exec('setup', $$
    WITH p AS (INSERT INTO projects (key, name) VALUES ('ZZONCE', 'once') RETURNING id)
    INSERT INTO stories (project_id, key, title) SELECT p.id, k, k FROM p, unnest(ARRAY['X-1', 'X-2']) AS k$$),
    'INSERT 0 2', 'a committed project with two stories');
SELECT is(dblink_exec('a', 'BEGIN'), 'BEGIN', 'a begins');
SELECT is((SELECT n FROM dblink('a', format('SELECT count(*) FROM planpipe_dependency_cycles(ARRAY[%s], ARRAY[%s])',
                                            pg_temp.sid('ZZONCE:X-1'), pg_temp.sid('ZZONCE:X-2'))) AS t(n bigint)),
          0::bigint, 'a pre-checks X-1 -> X-2: no cycle');
SELECT is(dblink_send_query('b', format('SELECT pg_temp.try_sql(%L)',
                                        format('INSERT INTO story_dependencies (story_id, depends_on_id) VALUES (%s, %s)',
                                               pg_temp.sid('ZZONCE:X-2'), pg_temp.sid('ZZONCE:X-1')))),
          1, 'b starts adding X-2 -> X-1');
SELECT ok(pg_temp.wait_blocked((SELECT pid FROM b_backend)), 'b waits for the lock a''s pre-check took');
SELECT is(dblink_exec('a', format('INSERT INTO story_dependencies (story_id, depends_on_id) VALUES (%s, %s)',
                                  pg_temp.sid('ZZONCE:X-1'), pg_temp.sid('ZZONCE:X-2'))),
          'INSERT 0 1', 'a writes the checked edge (not searched again)');
SELECT is(dblink_exec('a', 'COMMIT'), 'COMMIT', 'a commits');
SELECT is((SELECT r FROM dblink_get_result('b') AS t(r text)),
          'PP001: dependency cycle: ZZONCE:X-2 -> ZZONCE:X-1 -> ZZONCE:X-2',
          'b then sees a''s edge and is refused');
SELECT is((SELECT r FROM dblink_get_result('b') AS t(r text)), NULL, 'b is idle');
SELECT is((SELECT n FROM dblink('a', 'SELECT count(*) FROM pg_temp.planpipe_checked_edges') AS t(n bigint)),
          0::bigint, 'a''s marks went with its transaction');
SELECT alike(dblink_exec('setup', $$DELETE FROM projects WHERE key = 'ZZONCE'$$), 'DELETE 1',
             'the committed project is removed again');
SELECT is(dblink_disconnect(c), 'OK', 'session ' || c || ' disconnects')
FROM unnest(ARRAY['setup', 'a', 'b']) AS c;

INSERT INTO projects (key, name) VALUES ('P', 'Planning'), ('Q', 'Other');
INSERT INTO stories (project_id, key, title)
SELECT pg_temp.pid('P'), 'S-' || i, 'story ' || i FROM generate_series(1, 10) i;
INSERT INTO users (handle) VALUES ('ana');
INSERT INTO project_members (project_id, user_id, role)
SELECT pg_temp.pid('P'), id, 'maintainer' FROM users WHERE handle = 'ana';

-- Forged marks: a planpipe_app session's own table ----------------------------------------
-- Before the owner's table exists in this session, planpipe_app makes one of
-- the same name and marks the edge that closes a cycle.
SELECT pg_temp.act_as('ana');
CREATE TEMPORARY TABLE planpipe_checked_edges (graph integer, from_id bigint, to_id bigint);
INSERT INTO pg_temp.planpipe_checked_edges
VALUES (1, pg_temp.sid('P:S-1'), pg_temp.sid('P:S-2')), (1, pg_temp.sid('P:S-2'), pg_temp.sid('P:S-1'));
SELECT lives_ok(pg_temp.ins(ARRAY['S-1 S-2']), 'planpipe_app writes S-1 -> S-2');
SELECT throws_ok(pg_temp.ins(ARRAY['S-2 S-1']), 'PP001', 'dependency cycle: P:S-2 -> P:S-1 -> P:S-2',
                 'its own table of marks is ignored: the edge closing a cycle is refused');
SELECT is(pg_temp.precheck(ARRAY['S-3 S-4']), 0::bigint, 'its pre-check of S-3 -> S-4 finds no cycle ...');
SELECT is((SELECT count(*) FROM pg_temp.planpipe_checked_edges), 2::bigint, '... and marks nothing in that table');
SELECT set_config('role', 'none', true);
SELECT pg_temp.sneak('S-4 S-3');
SELECT throws_ok(pg_temp.ins(ARRAY['S-3 S-4']), 'PP001', NULL,
                 'nor does the owner trust that table: with a cycle slipped in, the edge is searched and refused');
SELECT pg_temp.clear();
SELECT pg_temp.act_as('ana');
DROP TABLE pg_temp.planpipe_checked_edges;
SELECT set_config('role', 'none', true);

-- The pre-check's marks skip the search, and only for its edges ---------------------------
SELECT is(pg_temp.precheck(ARRAY['S-1 S-2', 'S-3 S-4', 'S-4 S-3', 'S-5 S-5']), 2::bigint,
          'a batch with a cycle and a self-edge: two rows');
SELECT results_eq($$SELECT from_id, to_id FROM pg_temp.planpipe_checked_edges WHERE graph = 1$$,
                  $$VALUES (pg_temp.sid('P:S-1'), pg_temp.sid('P:S-2'))$$,
                  'only the edge on no cycle is marked');
SELECT is((SELECT relowner FROM pg_class WHERE oid = 'pg_temp.planpipe_checked_edges'::regclass),
          (SELECT oid FROM pg_roles WHERE rolname = current_user), 'by the schema owner, in a table of its own');
SELECT pg_temp.sneak('S-2 S-1');
SELECT lives_ok(pg_temp.ins(ARRAY['S-1 S-2']),
                'a statement of marked edges is not searched again (the slipped-in cycle goes unseen)');
SELECT pg_temp.clear();
SELECT throws_ok(pg_temp.ins(ARRAY['S-3 S-4', 'S-4 S-3']), 'PP001', NULL,
                 'the cycle the pre-check listed is refused when written (one statement)');
SELECT lives_ok(pg_temp.ins(ARRAY['S-3 S-4']), 'one half of it, alone, is written');
SELECT throws_ok(pg_temp.ins(ARRAY['S-4 S-3']), 'PP001', 'dependency cycle: P:S-4 -> P:S-3 -> P:S-4',
                 'and the other half is refused');
SELECT pg_temp.clear();

-- A write the pre-check did not verify drops the marks ---------------------------------------
SELECT is(pg_temp.precheck(ARRAY['S-6 S-7']), 0::bigint, 'pre-check of S-6 -> S-7: no cycle');
SELECT lives_ok(pg_temp.ins(ARRAY['S-7 S-6']), 'a plain write of S-7 -> S-6 (no cycle yet) is checked and written');
SELECT is_empty($$SELECT * FROM pg_temp.planpipe_checked_edges$$, 'and drops the marks');
SELECT throws_ok(pg_temp.ins(ARRAY['S-6 S-7']), 'PP001', 'dependency cycle: P:S-6 -> P:S-7 -> P:S-6',
                 'so the edge verified before it is searched again, and refused');
SELECT pg_temp.clear();
SELECT is(pg_temp.precheck(ARRAY['S-6 S-7']), 0::bigint, 'pre-check of S-6 -> S-7 again');
SELECT throws_ok(pg_temp.ins(ARRAY['S-6 S-7', 'S-7 S-6']), 'PP001', NULL,
                 'a statement of a marked and an unmarked edge is searched whole');
SELECT pg_temp.clear();

-- A pre-check replaces the marks: two batches, each fine alone ---------------------------------
SELECT is(pg_temp.precheck(ARRAY['S-8 S-9']) + pg_temp.precheck(ARRAY['S-9 S-8']), 0::bigint,
          'S-8 -> S-9 and S-9 -> S-8, pre-checked apart: no cycle in either');
SELECT results_eq($$SELECT from_id, to_id FROM pg_temp.planpipe_checked_edges WHERE graph = 1$$,
                  $$VALUES (pg_temp.sid('P:S-9'), pg_temp.sid('P:S-8'))$$,
                  'the second pre-check''s marks replaced the first''s');
SELECT lives_ok(pg_temp.ins(ARRAY['S-8 S-9']), 'the first is written');
SELECT throws_ok(pg_temp.ins(ARRAY['S-9 S-8']), 'PP001', 'dependency cycle: P:S-9 -> P:S-8 -> P:S-9',
                 'the second is refused');
SELECT pg_temp.clear();

-- planpipe_app cannot write marks, and settings are no marks ------------------------------------
SELECT is(pg_temp.precheck(ARRAY['S-1 S-2']), 0::bigint, 'the owner''s table exists (a pre-check)');
SELECT pg_temp.act_as('ana');
SELECT throws_ok($$INSERT INTO pg_temp.planpipe_checked_edges VALUES (1, 1, 2)$$, '42501', NULL,
                 'planpipe_app cannot add a mark to the owner''s table');
SELECT throws_ok($$DROP TABLE pg_temp.planpipe_checked_edges$$, '42501', NULL, 'nor drop it to make its own');
SELECT throws_ok($$SELECT planpipe_checked_edges_mark(1, '{1}', '{2}')$$, '42501', NULL,
                 'nor call the function that marks');
SELECT set_config('planpipe.source', 'import', true);
SELECT lives_ok(pg_temp.ins(ARRAY['S-9 S-10']), 'as the importer says it is (planpipe.source = import)');
SELECT throws_ok(pg_temp.ins(ARRAY['S-10 S-9']), 'PP001', 'dependency cycle: P:S-10 -> P:S-9 -> P:S-10',
                 'a cycle is still refused');
SELECT set_config('role', 'none', true);

-- Project dependencies: the same, for their graph ----------------------------------------------
SELECT set_config('planpipe.user_id', '', true);
SELECT is((SELECT count(*) FROM planpipe_project_dependency_cycles(ARRAY[pg_temp.pid('P')], ARRAY[pg_temp.pid('Q')])),
          0::bigint, 'pre-check of the project dependency P -> Q: no cycle');
SELECT results_eq($$SELECT from_id, to_id FROM pg_temp.planpipe_checked_edges WHERE graph = 2$$,
                  $$VALUES (pg_temp.pid('P'), pg_temp.pid('Q'))$$, 'marked for the project graph');
SELECT lives_ok(format('INSERT INTO project_dependencies (project_id, depends_on_project_id) VALUES (%s, %s)',
                       pg_temp.pid('Q'), pg_temp.pid('P')), 'a plain write of Q -> P is checked and written');
SELECT throws_ok(format('INSERT INTO project_dependencies (project_id, depends_on_project_id) VALUES (%s, %s)',
                        pg_temp.pid('P'), pg_temp.pid('Q')), 'PP001', 'project dependency cycle: P -> Q -> P',
                 'and P -> Q, marked before it, is refused');

SELECT * FROM finish();
ROLLBACK;
