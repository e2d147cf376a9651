-- 0028: story keys match ignoring case wherever a story is named by its key.
--
-- Story keys are unique per project ignoring case (0017,
-- stories_lower_key_project_id_key), so whatever names a story by its key
-- finds it ignoring case: GET /v1/projects/{project}/stories/{story} (the
-- one-statement read of 0022) and the reports that take a story
-- (critical-path). The key is shown as stored. The other routes' statements
-- live in src/api/sql/*.sql and match the same way; the importer's
-- dependency references too (src/import/import_deps.c). lower(key) first in
-- that index: the lookups below use it.

CREATE OR REPLACE FUNCTION planpipe_api_story_get(p_token_hash bytea, p_project text, p_key text)
RETURNS TABLE (user_id bigint, body json, version integer)
LANGUAGE plpgsql VOLATILE
AS $$
DECLARE
    uid bigint := planpipe_api_begin(p_token_hash);
BEGIN
    RETURN QUERY
    SELECT uid, json_build_object(
               'project', p.key, 'key', s.key, 'ref', p.key || ':' || s.key, 'title', s.title,
               'status', s.status, 'category', st.category,
               'priority', s.priority, 'priority_rank', s.priority_rank,
               'estimate_points', s.estimate_points,
               'estimate_raw', s.estimate_raw, 'epic', s.epic, 'labels', s.labels, 'owner', s.owner,
               'author', s.author, 'branch_name', s.branch_name, 'checklist_total', s.checklist_total,
               'checklist_done', s.checklist_done, 'backlog', s.backlog_id, 'rank', s.rank,
               'source_path', s.source_path, 'source_blob_id', s.source_blob_id,
               'metadata', s.metadata, 'last_updated', s.last_updated,
               'created_at', s.created_at, 'updated_at', s.updated_at,
               'started_at', s.started_at, 'completed_at', s.completed_at,
               'archived_at', s.archived_at, 'version', s.version, 'body', s.body),
           s.version
    FROM public.stories s
    JOIN public.projects p ON p.id = s.project_id
    JOIN public.statuses st ON st.key = s.status
    WHERE p.key = p_project AND lower(s.key) = lower(p_key);
    IF NOT FOUND THEN
        PERFORM planpipe_api_project(p_project, 'viewer');
        RAISE EXCEPTION 'no story %:%', p_project, p_key USING ERRCODE = 'PP404';
    END IF;
END
$$;

CREATE OR REPLACE FUNCTION planpipe_report_story_id(p_project text, p_story text) RETURNS bigint
LANGUAGE plpgsql STABLE SECURITY INVOKER SET search_path = public, pg_temp
AS $$
DECLARE
    sid bigint;
BEGIN
    PERFORM FROM planpipe_report_projects(ARRAY[p_project]);
    SELECT s.id INTO sid FROM stories s JOIN projects p ON p.id = s.project_id
    WHERE p.key = p_project AND lower(s.key) = lower(p_story);
    IF sid IS NULL THEN
        RAISE EXCEPTION 'no story %:%', p_project, p_story USING ERRCODE = 'PP404', COLUMN = 'story';
    END IF;
    RETURN sid;
END
$$;
