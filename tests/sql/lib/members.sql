-- pg_temp.add_members(rows): project members from rows of {project key,
-- handle, role}, a two-dimensional text array; as the schema owner, while
-- making a fixture. A row naming no project or user is an error.
-- Included with \ir by tests/sql/*.sql (run by tests/sql/run.sh).
CREATE FUNCTION pg_temp.add_members(p_rows text[]) RETURNS void LANGUAGE plpgsql
AS $$
DECLARE
    n bigint;
BEGIN
    INSERT INTO project_members (project_id, user_id, role)
    SELECT p.id, u.id, p_rows[i][3]::member_role
    FROM generate_subscripts(p_rows, 1) AS i
    JOIN projects p ON p.key = p_rows[i][1]
    JOIN users u ON u.handle = p_rows[i][2];
    GET DIAGNOSTICS n = ROW_COUNT;
    IF n <> array_length(p_rows, 1) THEN
        RAISE EXCEPTION 'add_members: % of % rows name a project and a user', n, array_length(p_rows, 1);
    END IF;
END
$$;
