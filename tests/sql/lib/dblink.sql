-- Scaffolding for the tests that run concurrent sessions through dblink
-- (tests/sql/04, 06, 16). Included with \ir; needs the dblink extension
-- (tests/sql/run.sh creates it in the template database).

-- Waits (up to 10 s) until the backend is blocked by a lock of another one.
CREATE FUNCTION pg_temp.wait_blocked(p_pid integer) RETURNS boolean LANGUAGE plpgsql
AS $$
BEGIN
    FOR i IN 1..1000 LOOP
        IF cardinality(pg_blocking_pids(p_pid)) > 0 THEN
            RETURN true;
        END IF;
        PERFORM pg_sleep(0.01);
    END LOOP;
    RETURN false;
END
$$;
-- dblink connects from inside the server, whose environment need not hold
-- PGHOST: aim at the server's own socket directory and port.
CREATE FUNCTION pg_temp.conninfo() RETURNS text LANGUAGE plpgsql
AS $$
DECLARE
    dir text := btrim(split_part(current_setting('unix_socket_directories'), ',', 1));
    info text := format('dbname=''%s'' user=''%s''',
                        replace(replace(current_database(), '\', '\\'), '''', '\'''),
                        replace(replace(current_user, '\', '\\'), '''', '\'''));
BEGIN
    IF dir <> '' THEN
        info := info || format(' host=''%s'' port=%s',
                               replace(replace(dir, '\', '\\'), '''', '\'''),
                               current_setting('port'));
    END IF;
    RETURN info;
END
$$;
