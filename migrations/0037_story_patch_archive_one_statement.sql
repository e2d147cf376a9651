-- 0037: a story's PATCH, its archiving (DELETE) and its move as one
-- statement each, as 0035 did for its create and transition (issue 16: "one statement per
-- request"), with the same *_in_tx twins for an Idempotency-Key
-- (planpipe_api_begin_write()). The guard first (developer), then the
-- story locked with If-Match's version checked (0035's
-- planpipe_api_story_lock()), the update under row-level security. An update that changes nothing is no change
-- (stories_10_skip_noop): the answer is the story as it is.

-- PATCH /v1/projects/{project}/stories/{story}: p_body as the route's
-- checks left it (src/api/stories.c); a field absent keeps its value, and
-- "archived" sets or clears archived_at. The key is not changed here,
-- backlog and rank are moves.
CREATE FUNCTION planpipe_api_story_patch(p_token_hash bytea, p_project text, p_key text,
                                         p_body jsonb, p_version integer)
RETURNS TABLE (user_id bigint, body json, version integer)
LANGUAGE plpgsql VOLATILE
AS $$
DECLARE
    uid bigint := planpipe_api_begin_write(p_token_hash);
    pid bigint := planpipe_api_project(p_project, 'developer');
    cur public.stories;
    upd public.stories;
BEGIN
    cur := planpipe_api_story_lock(pid, p_project, p_key, p_version);
    UPDATE public.stories t SET
        title = CASE WHEN p_body ? 'title' THEN p_body->>'title' ELSE t.title END,
        status = CASE WHEN p_body ? 'status' THEN p_body->>'status' ELSE t.status END,
        priority = CASE WHEN p_body ? 'priority' THEN p_body->>'priority' ELSE t.priority END,
        priority_rank = CASE WHEN p_body ? 'priority_rank'
            THEN (p_body->>'priority_rank')::int ELSE t.priority_rank END,
        estimate_points = CASE WHEN p_body ? 'estimate_points'
            THEN (p_body->>'estimate_points')::numeric ELSE t.estimate_points END,
        estimate_raw = CASE WHEN p_body ? 'estimate_raw'
            THEN p_body->>'estimate_raw' ELSE t.estimate_raw END,
        epic = CASE WHEN p_body ? 'epic' THEN p_body->>'epic' ELSE t.epic END,
        labels = CASE WHEN p_body ? 'labels'
            THEN ARRAY(SELECT jsonb_array_elements_text(p_body->'labels')) ELSE t.labels END,
        owner = CASE WHEN p_body ? 'owner' THEN p_body->>'owner' ELSE t.owner END,
        author = CASE WHEN p_body ? 'author' THEN p_body->>'author' ELSE t.author END,
        branch_name = CASE WHEN p_body ? 'branch_name'
            THEN p_body->>'branch_name' ELSE t.branch_name END,
        body = CASE WHEN p_body ? 'body' THEN p_body->>'body' ELSE t.body END,
        checklist_total = CASE WHEN p_body ? 'checklist_total'
            THEN (p_body->>'checklist_total')::int ELSE t.checklist_total END,
        checklist_done = CASE WHEN p_body ? 'checklist_done'
            THEN (p_body->>'checklist_done')::int ELSE t.checklist_done END,
        metadata = CASE WHEN p_body ? 'metadata' THEN p_body->'metadata' ELSE t.metadata END,
        source_path = CASE WHEN p_body ? 'source_path'
            THEN p_body->>'source_path' ELSE t.source_path END,
        source_blob_id = CASE WHEN p_body ? 'source_blob_id'
            THEN p_body->>'source_blob_id' ELSE t.source_blob_id END,
        archived_at = CASE WHEN NOT p_body ? 'archived' THEN t.archived_at
            WHEN (p_body->>'archived')::boolean THEN coalesce(t.archived_at, now()) END
    WHERE t.id = cur.id
    RETURNING t.* INTO upd;
    IF NOT FOUND THEN
        upd := cur;
    END IF;
    RETURN QUERY SELECT uid, planpipe_story_json(upd, p_project), upd.version;
END
$$;
COMMENT ON FUNCTION planpipe_api_story_patch(bytea, text, text, jsonb, integer) IS
    'PATCH /v1/projects/{project}/stories/{story} as one statement: the caller, the story, its version';

-- DELETE /v1/projects/{project}/stories/{story}: archived, never deleted.
-- No body (204).
CREATE FUNCTION planpipe_api_story_archive(p_token_hash bytea, p_project text, p_key text,
                                           p_version integer)
RETURNS TABLE (user_id bigint, body json)
LANGUAGE plpgsql VOLATILE
AS $$
DECLARE
    uid bigint := planpipe_api_begin_write(p_token_hash);
    pid bigint := planpipe_api_project(p_project, 'developer');
    cur public.stories;
BEGIN
    cur := planpipe_api_story_lock(pid, p_project, p_key, p_version);
    UPDATE public.stories t SET archived_at = coalesce(t.archived_at, now()) WHERE t.id = cur.id;
    RETURN QUERY SELECT uid, NULL::json;
END
$$;
COMMENT ON FUNCTION planpipe_api_story_archive(bytea, text, text, integer) IS
    'DELETE /v1/projects/{project}/stories/{story} as one statement: the caller (204, no body)';

-- POST /v1/projects/{project}/stories/{story}/move: the new place is the
-- backlog asked for (or the story's own) and a rank there: the one given,
-- halfway between the anchor ("before" or "after" a story of that backlog)
-- and its neighbour (multiplying by 0.5 keeps numeric exact, so halving
-- never runs out), or after the last story. Without a backlog there is no
-- rank. An anchor that is not in the backlog: PP422 on the field named.
CREATE FUNCTION planpipe_api_story_move(p_token_hash bytea, p_project text, p_key text,
                                        p_body jsonb, p_version integer)
RETURNS TABLE (user_id bigint, body json, version integer)
LANGUAGE plpgsql VOLATILE
AS $$
DECLARE
    uid bigint := planpipe_api_begin_write(p_token_hash);
    pid bigint := planpipe_api_project(p_project, 'developer');
    cur public.stories;
    upd public.stories;
    to_backlog bigint;
    anchor text := coalesce(p_body->>'before', p_body->>'after');
    anchor_rank numeric;
    to_rank numeric;
BEGIN
    cur := planpipe_api_story_lock(pid, p_project, p_key, p_version);
    to_backlog := CASE WHEN p_body ? 'backlog' THEN (p_body->>'backlog')::bigint ELSE cur.backlog_id END;
    IF to_backlog IS NULL THEN
        to_rank := NULL;
    ELSIF p_body ? 'rank' THEN
        to_rank := (p_body->>'rank')::numeric;
    ELSIF anchor IS NULL THEN
        to_rank := coalesce((SELECT max(x.rank) FROM public.stories x
                             WHERE x.backlog_id = to_backlog AND x.id <> cur.id), 0) + 1;
    ELSE
        SELECT a.rank INTO anchor_rank FROM public.stories a
        WHERE a.project_id = cur.project_id AND a.key = anchor COLLATE planpipe_ci
          AND a.backlog_id = to_backlog AND a.id <> cur.id;
        IF NOT FOUND THEN
            PERFORM planpipe_api_fail('PP422', 'no story ' || anchor || ' in that backlog to move next to',
                                      CASE WHEN p_body ? 'after' THEN 'after' ELSE 'before' END);
        ELSIF p_body ? 'after' THEN
            to_rank := (anchor_rank + coalesce((SELECT min(x.rank) FROM public.stories x
                                                WHERE x.backlog_id = to_backlog
                                                  AND x.rank > anchor_rank AND x.id <> cur.id),
                                               anchor_rank + 2)) * 0.5;
        ELSE
            to_rank := (anchor_rank + coalesce((SELECT max(x.rank) FROM public.stories x
                                                WHERE x.backlog_id = to_backlog
                                                  AND x.rank < anchor_rank AND x.id <> cur.id),
                                               anchor_rank - 2)) * 0.5;
        END IF;
    END IF;
    UPDATE public.stories t SET backlog_id = to_backlog, rank = to_rank WHERE t.id = cur.id
    RETURNING t.* INTO upd;
    IF NOT FOUND THEN
        upd := cur;
    END IF;
    RETURN QUERY SELECT uid, planpipe_story_json(upd, p_project), upd.version;
END
$$;
COMMENT ON FUNCTION planpipe_api_story_move(bytea, text, text, jsonb, integer) IS
    'POST /v1/projects/{project}/stories/{story}/move as one statement: the caller, the story, its version';
