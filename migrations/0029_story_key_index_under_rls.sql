-- 0029: a story named by its key in any case is found through an index
-- again, also under row-level security.
--
-- 0028 matched keys as lower(s.key) = lower($key), meant for the index
-- stories_lower_key_project_id_key (lower(key), project_id). Under
-- row-level security (every API request, as planpipe_app) a condition that
-- calls a function not marked LEAKPROOF, as lower() is not, may not run
-- before the policies' own conditions, so it cannot be an index condition:
-- the story read scanned the project's stories by status and filtered them
-- (86 ms at the large scale instead of under 1 ms; 15-29 reads/s in
-- bench/api). Marking lower() LEAKPROOF needs a superuser; a collation does
-- not. planpipe_ci compares ignoring case (ICU, "und-u-ks-level2": case
-- differs only at the third level); for the characters a key may hold
-- (A-Z a-z 0-9 . _ -) it is the same equality as lower() = lower(). The
-- comparison s.key = $key COLLATE planpipe_ci is texteq, which is
-- LEAKPROOF, on the column itself, so the index below serves it under the
-- policies. The unique index on (lower(key), project_id) stays: it is what
-- keeps keys unique ignoring case, and the importer's joins (not under
-- row-level security) use it. The API's statements (src/api/sql/*.sql)
-- match the same way.

CREATE COLLATION planpipe_ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false);

-- Led by the key, as stories_lower_key_project_id_key is, so that it never
-- competes with stories_project_id_status_idx for a project's stories.
CREATE INDEX stories_key_ci_project_id_idx ON stories (key COLLATE planpipe_ci, project_id);

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
    WHERE p.key = p_project AND s.key = p_key COLLATE planpipe_ci;
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
    WHERE p.key = p_project AND s.key = p_story COLLATE planpipe_ci;
    IF sid IS NULL THEN
        RAISE EXCEPTION 'no story %:%', p_project, p_story USING ERRCODE = 'PP404', COLUMN = 'story';
    END IF;
    RETURN sid;
END
$$;
