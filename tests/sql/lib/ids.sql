-- fx and pg_temp.id(kind, key): the fixture's ids, fixed once its rows are
-- made and readable whoever the test then acts as. kind is 'backlog' (key:
-- its project's key), 'project', 'story' (key: the story's key) or 'user'
-- (key: the handle).
-- Included with \ir by tests/sql/*.sql after their fixture's rows.
CREATE TEMP TABLE fx AS
    SELECT 'backlog' AS kind, p.key, b.id FROM backlogs b JOIN projects p ON p.id = b.project_id
    UNION ALL SELECT 'project', key, id FROM projects
    UNION ALL SELECT 'story', key, id FROM stories
    UNION ALL SELECT 'user', handle, id FROM users;
GRANT SELECT ON fx TO planpipe_app;
CREATE FUNCTION pg_temp.id(p_kind text, p_key text) RETURNS bigint LANGUAGE sql
AS $$ SELECT id FROM fx WHERE kind = p_kind AND key = p_key $$;
