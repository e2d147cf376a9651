-- Three dblink sessions for the tests that race two writers (tests/sql/06,
-- 24): 'setup' for committed fixtures, 'a' and 'b' the writers; b_backend
-- holds b's pid (for pg_temp.wait_blocked), and b can run
-- pg_temp.try_sql(q), which returns 'ok' or 'SQLSTATE: message'. Included
-- with \ir after lib/dblink.sql; four tests.
SELECT is(dblink_connect(c, pg_temp.conninfo()), 'OK', 'session ' || c || ' connects')
FROM unnest(ARRAY['setup', 'a', 'b']) AS c;
CREATE TEMP TABLE b_backend AS SELECT pid FROM dblink('b', 'SELECT pg_backend_pid()') AS t(pid integer);
SELECT is(dblink_exec('b', $sql$
    CREATE FUNCTION pg_temp.try_sql(q text) RETURNS text LANGUAGE plpgsql AS $f$
    BEGIN
        EXECUTE q;
        RETURN 'ok';
    EXCEPTION WHEN OTHERS THEN
        RETURN SQLSTATE || ': ' || SQLERRM;
    END
    $f$$sql$), 'CREATE FUNCTION', 'session b can report errors as results');
