-- 0036: a project's and a backlog's JSON documents written once, in the
-- database, as 0035 did for a story (issues 16 and 20: "a resource's
-- columns are written once in SQL").
--
-- The API's statements (src/api/sql/projects.sql, backlogs.sql), the
-- export (src/cli/sql/export.sql) and planpipe_api_project_get() each wrote
-- the same json_build_object(); a unit test held the API's and the
-- export's copies equal. Now each calls the function below. Each is one
-- expression, so PostgreSQL inlines it into the calling query. The
-- documents are byte for byte what they were.

-- A project row as the API answers with it, with the caller's role in it
-- (the export, which connects as the schema owner, says owner).
CREATE FUNCTION planpipe_project_json(p projects, p_role member_role) RETURNS json
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT json_build_object('key', p.key, 'name', p.name, 'description', p.description,
        'story_key_prefix', p.story_key_prefix, 'git_remote_url', p.git_remote_url,
        'git_submodule_path', p.git_submodule_path, 'git_default_branch', p.git_default_branch,
        'git_stories_dir', p.git_stories_dir, 'git_last_synced_commit', p.git_last_synced_commit,
        'git_last_synced_at', p.git_last_synced_at, 'metadata', p.metadata,
        'role', p_role,
        'created_at', p.created_at, 'updated_at', p.updated_at, 'archived_at', p.archived_at,
        'version', p.version)
$$;
COMMENT ON FUNCTION planpipe_project_json(projects, member_role) IS
    'A project as the API answers with it, with the given role of the caller';

-- A backlog row as the API answers with it.
CREATE FUNCTION planpipe_backlog_json(b backlogs) RETURNS json
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT json_build_object('id', b.id, 'name', b.name, 'kind', b.kind, 'position', b.position,
        'description', b.description, 'starts_on', b.starts_on, 'ends_on', b.ends_on,
        'created_at', b.created_at, 'updated_at', b.updated_at, 'archived_at', b.archived_at,
        'version', b.version)
$$;
COMMENT ON FUNCTION planpipe_backlog_json(backlogs) IS
    'A backlog as the API answers with it';

-- 0022's GET project, through the function.
CREATE OR REPLACE FUNCTION planpipe_api_project_get(p_token_hash bytea, p_project text)
RETURNS TABLE (user_id bigint, body json, version integer)
LANGUAGE plpgsql VOLATILE
AS $$
DECLARE
    uid bigint := planpipe_api_begin(p_token_hash);
BEGIN
    RETURN QUERY
    SELECT uid, planpipe_project_json(p, planpipe_project_role(p.id)), p.version
    FROM public.projects p
    WHERE p.key = p_project;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no project %', p_project USING ERRCODE = 'PP404';
    END IF;
END
$$;
