-- Two teams and a history written at chosen moments, for the report tests
-- (tests/sql/11, 13, 20 and, through reports_fixture.sql, the dashboard's
-- browser test). Included with \ir, as the schema owner.
--
-- alice may read PLAN only, bob owns OTHER only.
INSERT INTO users (handle) VALUES ('alice'), ('bob');
INSERT INTO projects (key, name) VALUES ('PLAN', 'Planning'), ('OTHER', 'Other team');
INSERT INTO project_members (project_id, user_id, role)
SELECT p.id, u.id, r::member_role
FROM (VALUES ('PLAN', 'alice', 'viewer'), ('OTHER', 'bob', 'owner')) AS m(pk, h, r)
JOIN projects p ON p.key = m.pk JOIN users u ON u.handle = m.h;

CREATE FUNCTION pg_temp.sid(p_key text) RETURNS bigint LANGUAGE sql
AS $$ SELECT id FROM stories WHERE key = p_key $$;

-- The triggers stamp history rows with now(); the schema owner replaces them
-- with rows at chosen times (inserting history is the owner's right,
-- deleting it needs planpipe.maintenance, here for this statement only).
CREATE FUNCTION pg_temp.forget_history(p_keys text[]) RETURNS void LANGUAGE plpgsql
AS $$
BEGIN
    PERFORM set_config('planpipe.maintenance', 'on', true);
    DELETE FROM status_history WHERE story_id IN (SELECT pg_temp.sid(k) FROM unnest(p_keys) AS k);
    PERFORM set_config('planpipe.maintenance', 'off', true);
END
$$;
-- Each step is 'YYYY-MM-DD HH:MI status' in UTC, the first one the insert;
-- each row's from_status is the step before, as the triggers write them.
-- Stories keyed I-n arrived by import (source 'import'), the others by the API.
CREATE FUNCTION pg_temp.history(p_key text, p_project text, VARIADIC p_steps text[]) RETURNS void
LANGUAGE sql AS $$
    INSERT INTO status_history (story_id, project_id, from_status, to_status, changed_at, source)
    SELECT pg_temp.sid(p_key), (SELECT id FROM projects WHERE key = p_project),
           lag(split_part(st, ' ', 3)) OVER (ORDER BY i), split_part(st, ' ', 3),
           (split_part(st, ' ', 1) || ' ' || split_part(st, ' ', 2) || '+00')::timestamptz,
           CASE WHEN p_key LIKE 'I-%' THEN 'import' ELSE 'api' END
    FROM unnest(p_steps) WITH ORDINALITY AS u(st, i)
$$;
