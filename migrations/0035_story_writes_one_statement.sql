-- 0035: a story's transition and a story's creation, each one statement
-- (issue 16: "one statement per request").
--
-- Both ran as six statements in one pipelined transaction: BEGIN, the
-- authentication and settings, the project guard, the route's settings or
-- checks, the write, COMMIT. Now each is one invoker-rights function,
-- called in autocommit as 0022's reads are: it authenticates, guards,
-- writes under row-level security as planpipe_app, and returns the caller,
-- the answer and its version. Under pgbench the transition's SQL gave
-- 1,841-1,900 transactions/s as one statement and 1,731-1,739 as six
-- (docs/performance.md).
--
-- A write with an Idempotency-Key still runs in a transaction of its own
-- (its claim and its stored answer around the write): there the functions
-- are called with no token hash, and act as the user that transaction's
-- authentication set (PP401 when none did).

-- A story row as the API answers with it, in the project whose key is
-- p_project: its fields without the body (a list's item), and with it (one
-- story). The one place the API's and the export's story documents are
-- written (src/api/sql/stories.sql, src/cli/sql/export.sql). Each is one
-- expression, so PostgreSQL inlines it into the calling query. The body is
-- appended to the fields' text as json_build_object() would have written
-- it (`, "body" : ` and the JSON string), so that both are the same bytes
-- as one json_build_object() with 'body' last.
CREATE FUNCTION planpipe_story_fields(s stories, p_project text) RETURNS json
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT json_build_object(
        'project', p_project, 'key', s.key, 'ref', p_project || ':' || s.key, 'title', s.title,
        'status', s.status, 'category', planpipe_status_category(s.status),
        'priority', s.priority, 'priority_rank', s.priority_rank,
        'estimate_points', s.estimate_points, 'estimate_raw', s.estimate_raw,
        'epic', s.epic, 'labels', s.labels, 'owner', s.owner,
        'author', s.author, 'branch_name', s.branch_name,
        'checklist_total', s.checklist_total, 'checklist_done', s.checklist_done,
        'backlog', s.backlog_id, 'rank', s.rank,
        'source_path', s.source_path, 'source_blob_id', s.source_blob_id,
        'metadata', s.metadata, 'last_updated', s.last_updated,
        'created_at', s.created_at, 'updated_at', s.updated_at,
        'started_at', s.started_at, 'completed_at', s.completed_at,
        'archived_at', s.archived_at, 'version', s.version)
$$;
COMMENT ON FUNCTION planpipe_story_fields(stories, text) IS
    'A story as the API lists it (no body), in project p_project';

CREATE FUNCTION planpipe_story_json(s stories, p_project text) RETURNS json
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT (left(planpipe_story_fields(s, p_project)::text, -1)
            || ', "body" : ' || to_json(s.body)::text || '}')::json
$$;
COMMENT ON FUNCTION planpipe_story_json(stories, text) IS
    'A story as the API answers with it, body included, in project p_project';

-- The start of a write that may run in an Idempotency-Key's transaction:
-- with a token hash, planpipe_api_begin(); without one, the user that the
-- transaction's authentication set, or PP401.
CREATE FUNCTION planpipe_api_begin_write(p_token_hash bytea) RETURNS bigint
LANGUAGE plpgsql VOLATILE
AS $$
DECLARE
    uid bigint;
BEGIN
    IF p_token_hash IS NOT NULL THEN
        RETURN planpipe_api_begin(p_token_hash);
    END IF;
    uid := planpipe_setting_user_id();
    IF uid IS NULL OR current_setting('planpipe.token_hash', true) IS NULL
       OR current_setting('planpipe.token_hash', true) = '' THEN
        RAISE EXCEPTION 'the API token is not valid' USING ERRCODE = 'PP401';
    END IF;
    RETURN uid;
END
$$;
COMMENT ON FUNCTION planpipe_api_begin_write(bytea) IS
    'planpipe_api_begin() for a write, or, without a token hash, the user the transaction authenticated (PP401 when none)';

-- The story p_key of project p_project (id pid) locked for an update under
-- the caller's policies: PP404 when there is none, PP412 when If-Match's
-- p_version names another version.
CREATE FUNCTION planpipe_api_story_lock(pid bigint, p_project text, p_key text, p_version integer)
RETURNS stories
LANGUAGE plpgsql VOLATILE
AS $$
DECLARE
    cur public.stories;
BEGIN
    SELECT * INTO cur FROM public.stories s
    WHERE s.project_id = pid AND s.key = p_key COLLATE planpipe_ci
    FOR NO KEY UPDATE;
    IF NOT FOUND THEN
        PERFORM planpipe_api_fail('PP404', 'no story ' || p_project || ':' || p_key);
    ELSIF p_version IS NOT NULL AND cur.version <> p_version THEN
        PERFORM planpipe_api_fail('PP412', format('%s is at version %s; If-Match names %s',
                                                  'story ' || p_project || ':' || p_key,
                                                  cur.version, p_version));
    END IF;
    RETURN cur;
END
$$;
COMMENT ON FUNCTION planpipe_api_story_lock(bigint, text, text, integer) IS
    'A story locked for an API update: PP404 when not found, PP412 when If-Match names another version';

-- POST /v1/projects/{project}/stories/{story}/transitions. The guard first
-- (developer; maintainer to force past open blockers), then the status
-- (PP422 on "to"), the note and force for status_history and the blockers'
-- rule, the story locked, If-Match's version, the update. An update to the
-- status the story has is no change (stories_10_skip_noop): the answer is
-- the story as it is.
CREATE FUNCTION planpipe_api_story_transition(p_token_hash bytea, p_project text, p_key text,
                                              p_to text, p_version integer, p_note text,
                                              p_force boolean)
RETURNS TABLE (user_id bigint, body json, version integer)
LANGUAGE plpgsql VOLATILE
AS $$
DECLARE
    uid bigint := planpipe_api_begin_write(p_token_hash);
    pid bigint := planpipe_api_project(p_project,
                                       CASE WHEN p_force THEN 'maintainer' ELSE 'developer' END::member_role);
    cur public.stories;
    upd public.stories;
BEGIN
    IF NOT EXISTS (SELECT FROM public.statuses WHERE key = p_to) THEN
        PERFORM planpipe_api_fail('PP422', 'no status ' || p_to, 'to');
    END IF;
    PERFORM set_config('planpipe.note', coalesce(p_note, ''), true),
            set_config('planpipe.force', CASE WHEN p_force THEN 'on' ELSE 'off' END, true);
    cur := planpipe_api_story_lock(pid, p_project, p_key, p_version);
    UPDATE public.stories t SET status = p_to WHERE t.id = cur.id RETURNING t.* INTO upd;
    IF NOT FOUND THEN
        upd := cur;
    END IF;
    RETURN QUERY SELECT uid, planpipe_story_json(upd, p_project), upd.version;
END
$$;
COMMENT ON FUNCTION planpipe_api_story_transition(bytea, text, text, text, integer, text, boolean) IS
    'POST /v1/projects/{project}/stories/{story}/transitions as one statement: the caller, the story, its version';

-- POST /v1/projects/{project}/stories: p_body as the route's checks left it
-- (src/api/stories.c). The guard first (developer), then the insert under
-- the policies; a key is generated when the body has none.
CREATE FUNCTION planpipe_api_story_create(p_token_hash bytea, p_project text, p_body jsonb)
RETURNS TABLE (user_id bigint, body json, version integer, location text)
LANGUAGE plpgsql VOLATILE
AS $$
DECLARE
    uid bigint := planpipe_api_begin_write(p_token_hash);
    pid bigint := planpipe_api_project(p_project, 'developer');
    s public.stories;
BEGIN
    INSERT INTO public.stories (project_id, key, title, status, priority, priority_rank,
        estimate_points, estimate_raw, epic, labels, owner, author, branch_name, body,
        checklist_total, checklist_done, metadata, source_path, source_blob_id,
        backlog_id, rank)
    VALUES (pid, p_body->>'key', p_body->>'title',
        coalesce(p_body->>'status', 'draft'), coalesce(p_body->>'priority', 'medium'),
        (p_body->>'priority_rank')::int, (p_body->>'estimate_points')::numeric,
        p_body->>'estimate_raw', p_body->>'epic',
        ARRAY(SELECT jsonb_array_elements_text(p_body->'labels')),
        p_body->>'owner', p_body->>'author', p_body->>'branch_name', coalesce(p_body->>'body', ''),
        coalesce((p_body->>'checklist_total')::int, 0),
        coalesce((p_body->>'checklist_done')::int, 0),
        coalesce(p_body->'metadata', '{}'), p_body->>'source_path', p_body->>'source_blob_id',
        (p_body->>'backlog')::bigint, (p_body->>'rank')::numeric)
    RETURNING * INTO s;
    RETURN QUERY SELECT uid, planpipe_story_json(s, p_project), s.version,
                        '/v1/projects/' || p_project || '/stories/' || s.key;
END
$$;
COMMENT ON FUNCTION planpipe_api_story_create(bytea, text, jsonb) IS
    'POST /v1/projects/{project}/stories as one statement: the caller, the story, its version, its Location';
