-- 0042: a move that cannot do what it asks says so (review of 2026-12-05).
-- A story in no backlog, moved with a rank or next to another story and no
-- backlog named, answered 200 and stayed where it was (its rank stays NULL
-- outside a backlog, stories_rank_iff_backlog); a story moved next to
-- itself was "no story ... in that backlog", which it is. Both are now 422,
-- naming the field. As 0037's otherwise.
CREATE OR REPLACE FUNCTION planpipe_api_story_move(p_token_hash bytea, p_project text, p_key text,
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
    IF to_backlog IS NULL AND (p_body ? 'rank' OR anchor IS NOT NULL) THEN
        PERFORM planpipe_api_fail('PP422', 'story ' || p_project || ':' || cur.key
                                  || ' would be in no backlog: a rank or a place next to '
                                  || 'another story needs one',
                                  CASE WHEN p_body ? 'rank' THEN 'rank'
                                       WHEN p_body ? 'after' THEN 'after' ELSE 'before' END);
    END IF;
    IF anchor IS NOT NULL AND lower(anchor) = lower(cur.key) THEN
        PERFORM planpipe_api_fail('PP422', 'a story cannot move next to itself',
                                  CASE WHEN p_body ? 'after' THEN 'after' ELSE 'before' END);
    END IF;
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
