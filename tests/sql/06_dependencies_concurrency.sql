-- Two sessions cannot build a dependency cycle together: the cycle check is
-- serialised. Each session adds one half of a cycle; the second to get the
-- lock sees the first's committed edge and is refused. Committed data is
-- removed at the end (and at the start, after an interrupted run).
BEGIN;
SELECT plan(36);
SET LOCAL client_min_messages = warning;

-- pg_temp.wait_blocked, pg_temp.conninfo
\ir lib/dblink.sql
-- SQL adding "a depends on b" (labels PROJECT:KEY) to a table of edges.
CREATE FUNCTION pg_temp.edge(a text, b text) RETURNS text LANGUAGE sql
AS $$
    SELECT format('INSERT INTO story_dependencies (story_id, depends_on_id)
                   SELECT x.id, y.id FROM stories x, stories y
                   WHERE x.id = (SELECT s.id FROM stories s JOIN projects p ON p.id = s.project_id
                                 WHERE p.key || '':'' || s.key = %L)
                     AND y.id = (SELECT s.id FROM stories s JOIN projects p ON p.id = s.project_id
                                 WHERE p.key || '':'' || s.key = %L)', a, b)
$$;
CREATE FUNCTION pg_temp.project_edge(a text, b text) RETURNS text LANGUAGE sql
AS $$
    SELECT format('INSERT INTO project_dependencies (project_id, depends_on_project_id)
                   SELECT x.id, y.id FROM projects x, projects y WHERE x.key = %L AND y.key = %L', a, b)
$$;
-- Sends "try SQL" to session b: the result is 'ok' or 'SQLSTATE: message'.
CREATE FUNCTION pg_temp.send_try(p_conn text, p_sql text) RETURNS integer LANGUAGE sql
AS $$ SELECT dblink_send_query(p_conn, format('SELECT pg_temp.try_sql(%L)', p_sql)) $$;
CREATE FUNCTION pg_temp.result(p_conn text) RETURNS text LANGUAGE sql
AS $$ SELECT r FROM dblink_get_result(p_conn) AS t(r text) $$;
CREATE FUNCTION pg_temp.story_edges() RETURNS bigint LANGUAGE sql
AS $$ SELECT count(*) FROM story_dependencies e JOIN stories s ON s.id = e.story_id
      JOIN projects p ON p.id = s.project_id WHERE p.key IN ('ZZDEPA', 'ZZDEPB') $$;

-- Sections 1 and 2: a adds one half of a cycle (sql_a, named a_edge) and holds
-- it uncommitted; b starts the other half and waits for a's check; a commits;
-- b's answer is then want (the refusal naming the cycle) and b is idle. Seven
-- tests, each named with its edge or its check.
CREATE FUNCTION pg_temp.race(p_check text, p_a_edge text, p_sql_a text, p_b_edge text, p_sql_b text,
                             p_want text) RETURNS SETOF text LANGUAGE plpgsql
AS $$
BEGIN
    RETURN NEXT is(dblink_exec('a', 'BEGIN'), 'BEGIN', 'a begins');
    RETURN NEXT is(dblink_exec('a', p_sql_a), 'INSERT 0 1', 'a adds ' || p_a_edge || ', uncommitted');
    RETURN NEXT is(pg_temp.send_try('b', p_sql_b), 1, 'b starts adding ' || p_b_edge);
    RETURN NEXT ok(pg_temp.wait_blocked((SELECT pid FROM b_backend)), 'b waits for a''s ' || p_check || ' check');
    RETURN NEXT is(dblink_exec('a', 'COMMIT'), 'COMMIT', 'a commits');
    RETURN NEXT is(pg_temp.result('b'), p_want, 'b then sees a''s edge and is refused, naming the ' || p_check);
    RETURN NEXT is(pg_temp.result('b'), NULL, 'b is idle');
END
$$;
\ir lib/dblink_sessions.sql

SELECT alike(dblink_exec('setup', $$DELETE FROM projects WHERE key IN ('ZZDEPA', 'ZZDEPB')$$),
             'DELETE %', 'nothing left over from an earlier run');
SELECT is(dblink_exec('setup', $$
    WITH p AS (INSERT INTO projects (key, name) VALUES ('ZZDEPA', 'a'), ('ZZDEPB', 'b') RETURNING id, key)
    INSERT INTO stories (project_id, key, title)
    SELECT p.id, k, k FROM p, LATERAL (VALUES (CASE p.key WHEN 'ZZDEPA' THEN 'X-1' ELSE 'Y-1' END),
                                              (CASE p.key WHEN 'ZZDEPA' THEN 'X-2' ELSE 'Y-2' END)) AS v(k)$$),
    'INSERT 0 4', 'two committed projects with two stories each');

-- 1. Stories, READ COMMITTED -------------------------------------------------------
SELECT * FROM pg_temp.race('cycle', 'X-1 -> Y-1', pg_temp.edge('ZZDEPA:X-1', 'ZZDEPB:Y-1'),
                            'Y-1 -> X-1', pg_temp.edge('ZZDEPB:Y-1', 'ZZDEPA:X-1'),
                            'PP001: dependency cycle: ZZDEPB:Y-1 -> ZZDEPA:X-1 -> ZZDEPB:Y-1');
SELECT is(pg_temp.story_edges(), 1::bigint, 'only one of the two edges exists');

-- 2. Projects ------------------------------------------------------------------------
SELECT * FROM pg_temp.race('project cycle', 'ZZDEPA -> ZZDEPB', pg_temp.project_edge('ZZDEPA', 'ZZDEPB'),
                            'ZZDEPB -> ZZDEPA', pg_temp.project_edge('ZZDEPB', 'ZZDEPA'),
                            'PP001: project dependency cycle: ZZDEPB -> ZZDEPA -> ZZDEPB');

-- 3. REPEATABLE READ would check against a stale snapshot: refused. -------------------
SELECT is(dblink_exec('b', 'BEGIN ISOLATION LEVEL REPEATABLE READ'), 'BEGIN', 'b begins at REPEATABLE READ');
SELECT alike((SELECT r FROM dblink('b', format('SELECT pg_temp.try_sql(%L)',
                                              pg_temp.edge('ZZDEPA:X-2', 'ZZDEPB:Y-2'))) AS t(r text)),
             '0A000: %', 'a blocking edge at REPEATABLE READ is refused');
SELECT is(dblink_exec('b', 'ROLLBACK'), 'ROLLBACK', 'b rolls back');

-- 4. SERIALIZABLE: the lock orders the two, SSI aborts the second. -----------------------
SELECT is(dblink_exec(c, 'BEGIN ISOLATION LEVEL SERIALIZABLE'), 'BEGIN', c || ' begins at SERIALIZABLE')
FROM unnest(ARRAY['a', 'b']) AS c;
SELECT is(dblink_exec('a', pg_temp.edge('ZZDEPA:X-2', 'ZZDEPB:Y-2')), 'INSERT 0 1', 'a adds X-2 -> Y-2');
CREATE TEMP TABLE outcome (step text, r text);
SELECT is(pg_temp.send_try('b', pg_temp.edge('ZZDEPB:Y-2', 'ZZDEPA:X-2')), 1, 'b starts adding Y-2 -> X-2');
SELECT ok(pg_temp.wait_blocked((SELECT pid FROM b_backend)), 'b waits for a''s cycle check');
SELECT is(dblink_exec('a', 'COMMIT'), 'COMMIT', 'a commits');
INSERT INTO outcome SELECT 'insert', pg_temp.result('b');
INSERT INTO outcome SELECT 'idle', pg_temp.result('b');
INSERT INTO outcome SELECT 'commit', dblink_exec('b', 'COMMIT', false);
SELECT ok((SELECT bool_or(r LIKE '40001:%' OR (step = 'commit' AND r = 'ERROR')) FROM outcome),
          'b fails with a serialization failure');
SELECT is(pg_temp.story_edges(), 2::bigint, 'still no cycle: X-1 -> Y-1 and X-2 -> Y-2 only');

SELECT alike(dblink_exec('setup', $$DELETE FROM projects WHERE key IN ('ZZDEPA', 'ZZDEPB')$$),
             'DELETE 2', 'the committed projects are removed again');
SELECT is(dblink_disconnect(c), 'OK', 'session ' || c || ' disconnects')
FROM unnest(ARRAY['setup', 'a', 'b']) AS c;

SELECT * FROM finish();
ROLLBACK;
