-- History written at chosen moments for the stories of a temp table fx (a
-- column key), for tests/sql/22 and 23: their trigger-written rows go
-- (deleting history needs planpipe.maintenance, on for that statement
-- only), and pg_temp.history(key, steps...) writes the story's rows in its
-- own project, each step 'YYYY-MM-DD HH:MI status' in UTC, the first the
-- insert, each from_status the step before. Included with \ir inside the
-- test's transaction, after pg_temp.sid(key) is defined.
SET LOCAL planpipe.maintenance = on;
DELETE FROM status_history WHERE story_id IN (SELECT pg_temp.sid(key) FROM fx);
SET LOCAL planpipe.maintenance = off;
CREATE FUNCTION pg_temp.history(p_key text, VARIADIC p_steps text[]) RETURNS void
LANGUAGE sql AS $$
    INSERT INTO status_history (story_id, project_id, from_status, to_status, changed_at, source)
    SELECT pg_temp.sid(p_key), (SELECT project_id FROM stories WHERE key = p_key),
           lag(split_part(st, ' ', 3)) OVER (ORDER BY i), split_part(st, ' ', 3),
           (split_part(st, ' ', 1) || ' ' || split_part(st, ' ', 2) || '+00')::timestamptz, 'api'
    FROM unnest(p_steps) WITH ORDINALITY AS u(st, i)
$$;
