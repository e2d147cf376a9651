-- Concurrent key generation yields no duplicates. Two dblink sessions insert
-- into one committed project; the data is committed, so it is removed at the
-- end (and at the start, should an earlier run have died half way).
BEGIN;
SELECT plan(40);

-- pg_temp.wait_blocked, pg_temp.conninfo
\ir lib/dblink.sql

-- Session conn inserts a story titled title into ZZKEYS, its key generated;
-- the command's tag.
CREATE FUNCTION pg_temp.zz_story(conn text, title text) RETURNS text LANGUAGE sql
AS $f$
    SELECT dblink_exec(conn, format($$INSERT INTO stories (project_id, title)
                                      SELECT id, %L FROM projects WHERE key = 'ZZKEYS'$$, title))
$f$;

SELECT is(dblink_connect('setup', pg_temp.conninfo()), 'OK', 'setup session connects');
SELECT is(dblink_connect('a', pg_temp.conninfo()), 'OK', 'session a connects');
SELECT is(dblink_connect('b', pg_temp.conninfo()), 'OK', 'session b connects');
CREATE TEMP TABLE b_backend AS SELECT pid FROM dblink('b', 'SELECT pg_backend_pid()') AS t(pid integer);

SELECT alike(dblink_exec('setup', $$DELETE FROM projects WHERE key = 'ZZKEYS'$$), 'DELETE %',
             'nothing left over from an earlier run');
SELECT is(dblink_exec('setup', $$INSERT INTO projects (key, name) VALUES ('ZZKEYS', 'key race')$$),
          'INSERT 0 1', 'a committed project');

-- 1. Deterministic interleaving: a generates keys and holds its transaction
-- open; b generates keys meanwhile without waiting for a (generated keys come
-- from the project's sequence, migration 0030; until then b queued behind a's
-- counter row until a committed), and its numbers come after a's.
SELECT is(dblink_exec('b', $$SET lock_timeout = '5s'$$), 'SET', 'b gives up a lock wait after 5 s');
SELECT is(dblink_exec('a', 'BEGIN'), 'BEGIN', 'a begins');
SELECT is(dblink_exec('a', $$INSERT INTO stories (project_id, title)
                             SELECT p.id, 'a ' || g FROM projects p, generate_series(1, 20) AS g
                             WHERE p.key = 'ZZKEYS'$$),
          'INSERT 0 20', 'a generates 20 keys, uncommitted');
SELECT is(dblink_exec('b', $$INSERT INTO stories (project_id, title)
                             SELECT p.id, 'b ' || g FROM projects p, generate_series(1, 20) AS g
                             WHERE p.key = 'ZZKEYS'$$, false),
          'INSERT 0 20', 'b generates 20 keys while a is still open: no wait');
SELECT is(dblink_exec('a', 'COMMIT'), 'COMMIT', 'a commits');
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

-- 3. What a sequence changes: a create that rolls back leaves a gap; an
-- explicit key pushes the sequence past it; a sequence behind the keys in use
-- (a push that raced creates) skips them rather than give a key twice.
SELECT is(dblink_exec('a', 'BEGIN'), 'BEGIN', 'a begins again');
SELECT is(pg_temp.zz_story('a', 'rolled back'), 'INSERT 0 1', 'a takes the next number');
SELECT is(dblink_exec('a', 'ROLLBACK'), 'ROLLBACK', 'and rolls back');
SELECT is(pg_temp.zz_story('b', 'after the gap'), 'INSERT 0 1', 'b creates one');
SELECT is((SELECT key FROM stories WHERE title = 'after the gap'), 'ZZKEYS-142',
          'the rolled-back number is not used again: a gap');
SELECT is(dblink_exec('b', $$INSERT INTO stories (project_id, key, title)
                             SELECT id, 'ZZKEYS-200', 'explicit' FROM projects WHERE key = 'ZZKEYS'$$),
          'INSERT 0 1', 'an explicit key ZZKEYS-200');
SELECT is(pg_temp.zz_story('b', 'after the push'), 'INSERT 0 1', 'b creates one more');
SELECT is((SELECT key FROM stories WHERE title = 'after the push'), 'ZZKEYS-201',
          'a generated key comes after the explicit one');
SELECT is(dblink_exec('setup', $sql$DO $do$ BEGIN
                                     PERFORM setval(planpipe_story_key_seq(id), 139) FROM projects
                                     WHERE key = 'ZZKEYS';
                                 END $do$$sql$),
          'DO', 'the sequence set back to 139');
SELECT is(pg_temp.zz_story('b', 'after the setback'), 'INSERT 0 1', 'b creates one after the setback');
SELECT is((SELECT key FROM stories WHERE title = 'after the setback'), 'ZZKEYS-141',
          'ZZKEYS-140 is taken and skipped; 141 was never committed');
CREATE TEMP TABLE zz AS SELECT id FROM projects WHERE key = 'ZZKEYS';
SELECT isnt(to_regclass('public.story_key_seq_' || (SELECT id FROM zz)), NULL,
            'the project has its key sequence');

-- 4. planpipe_story_key_seqs_sync(), for what fills story_key_counters
-- without its triggers (bench/generate loads as a replica): the missing
-- sequence is made past the counter's floor, a left-over one dropped. In a
-- savepoint: DROP SEQUENCE holds its lock until rolled back to it.
SAVEPOINT sync;
DO $$ BEGIN
    EXECUTE format('DROP SEQUENCE public.story_key_seq_%s', (SELECT id FROM zz));
END $$;
CREATE SEQUENCE public.story_key_seq_999999999;
SELECT is(planpipe_story_key_seqs_sync(), 2, 'sync makes the missing sequence and drops the left-over one');
SELECT is(to_regclass('public.story_key_seq_999999999'), NULL, 'the left-over sequence is gone');
SELECT is(pg_sequence_last_value(planpipe_story_key_seq((SELECT id FROM zz))), 200::bigint,
          'the remade sequence is at the counter''s floor (ZZKEYS-200)');
SELECT is(planpipe_story_key_seqs_sync(), 0, 'a second sync changes nothing');
ROLLBACK TO SAVEPOINT sync;

SELECT is(dblink_exec('setup', $$DELETE FROM projects WHERE key = 'ZZKEYS'$$), 'DELETE 1',
          'the committed project is removed again');
SELECT is(to_regclass('public.story_key_seq_' || (SELECT id FROM zz)), NULL,
          'and its key sequence with it');
SELECT is(dblink_disconnect(conn), 'OK', 'session ' || conn || ' disconnects')
FROM unnest(ARRAY['setup', 'a', 'b']) AS conn;

SELECT * FROM finish();
ROLLBACK;
