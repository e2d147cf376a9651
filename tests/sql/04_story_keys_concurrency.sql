-- Concurrent key generation yields no duplicates. Two dblink sessions insert
-- into one committed project; the data is committed, so it is removed at the
-- end (and at the start, should an earlier run have died half way).
BEGIN;
SELECT plan(25);

-- pg_temp.wait_blocked, pg_temp.conninfo
\ir lib/dblink.sql

SELECT is(dblink_connect('setup', pg_temp.conninfo()), 'OK', 'setup session connects');
SELECT is(dblink_connect('a', pg_temp.conninfo()), 'OK', 'session a connects');
SELECT is(dblink_connect('b', pg_temp.conninfo()), 'OK', 'session b connects');
CREATE TEMP TABLE b_backend AS SELECT pid FROM dblink('b', 'SELECT pg_backend_pid()') AS t(pid integer);

SELECT alike(dblink_exec('setup', $$DELETE FROM projects WHERE key = 'ZZKEYS'$$), 'DELETE %',
             'nothing left over from an earlier run');
SELECT is(dblink_exec('setup', $$INSERT INTO projects (key, name) VALUES ('ZZKEYS', 'key race')$$),
          'INSERT 0 1', 'a committed project');

-- 1. Deterministic interleaving: a generates keys and holds its transaction
-- open; b must wait for a's counter row, then continue after a's numbers.
SELECT is(dblink_exec('a', 'BEGIN'), 'BEGIN', 'a begins');
SELECT is(dblink_exec('a', $$INSERT INTO stories (project_id, title)
                             SELECT p.id, 'a ' || g FROM projects p, generate_series(1, 20) AS g
                             WHERE p.key = 'ZZKEYS'$$),
          'INSERT 0 20', 'a generates 20 keys, uncommitted');
SELECT is(dblink_send_query('b', $$INSERT INTO stories (project_id, title)
                                   SELECT p.id, 'b ' || g FROM projects p, generate_series(1, 20) AS g
                                   WHERE p.key = 'ZZKEYS'$$),
          1, 'b starts generating 20 keys');
SELECT ok(pg_temp.wait_blocked((SELECT pid FROM b_backend)),
          'b waits for the counter row a holds');
SELECT is(dblink_exec('a', 'COMMIT'), 'COMMIT', 'a commits');
SELECT is((SELECT status FROM dblink_get_result('b') AS t(status text)), 'INSERT 0 20',
          'b finishes once a has committed');
SELECT is((SELECT count(*) FROM dblink_get_result('b') AS t(status text)), 0::bigint,
          'b has no further result');
SELECT results_eq(
    $$SELECT count(*), count(DISTINCT s.key), min(s.key), max(s.key)
      FROM stories s JOIN projects p ON p.id = s.project_id WHERE p.key = 'ZZKEYS'$$,
    $$VALUES (40::bigint, 40::bigint, 'ZZKEYS-001', 'ZZKEYS-040')$$,
    '40 stories, 40 distinct keys, no gap');
SELECT is(
    (SELECT string_agg(left(s.title, 1), '' ORDER BY s.key)
     FROM stories s JOIN projects p ON p.id = s.project_id WHERE p.key = 'ZZKEYS'),
    repeat('a', 20) || repeat('b', 20), 'b''s keys all come after a''s');

-- 2. A free-running race: both sessions commit one generated key at a time.
SELECT is(dblink_send_query(conn, format($sql$
    DO $do$
    BEGIN
        FOR i IN 1..50 LOOP
            INSERT INTO stories (project_id, title)
            SELECT id, %L FROM projects WHERE key = 'ZZKEYS';
            COMMIT;
        END LOOP;
    END
    $do$$sql$, 'race ' || conn)), 1, 'session ' || conn || ' races')
FROM unnest(ARRAY['a', 'b']) AS conn;
SELECT is((SELECT status FROM dblink_get_result(conn) AS t(status text)), 'DO',
          'session ' || conn || ' finishes its 50 inserts')
FROM unnest(ARRAY['a', 'b']) AS conn;
SELECT is((SELECT count(*) FROM dblink_get_result(conn) AS t(status text)), 0::bigint,
          'session ' || conn || ' has no further result')
FROM unnest(ARRAY['a', 'b']) AS conn;
SELECT results_eq(
    $$SELECT count(*), count(DISTINCT s.key), max(s.key)
      FROM stories s JOIN projects p ON p.id = s.project_id WHERE p.key = 'ZZKEYS'$$,
    $$VALUES (140::bigint, 140::bigint, 'ZZKEYS-140')$$,
    'the race produced 140 distinct keys, no gap');

SELECT is(dblink_exec('setup', $$DELETE FROM projects WHERE key = 'ZZKEYS'$$), 'DELETE 1',
          'the committed project is removed again');
SELECT is(dblink_disconnect(conn), 'OK', 'session ' || conn || ' disconnects')
FROM unnest(ARRAY['setup', 'a', 'b']) AS conn;

SELECT * FROM finish();
ROLLBACK;
