-- 0038: GET /v1/projects/{project}/stories/{story} answers with
-- planpipe_story_json(), the story's document that every write and the
-- export already answer with (0035, 0036; issue 20: "a resource's columns
-- are written once in SQL"). planpipe_api_story_get() (0022, 0028, 0029)
-- was the last place that wrote the story's fields out by hand.
--
-- The answer is byte for byte what it was (tests/sql/30_documents.sql
-- holds the two equal). Measured beside the old body under pgbench at the
-- large scale, 16 clients, three interleaved repetitions: 7,205-7,898 tps
-- against 7,220-8,076 (docs/performance.md), the same within the noise.

CREATE OR REPLACE FUNCTION planpipe_api_story_get(p_token_hash bytea, p_project text, p_key text)
RETURNS TABLE (user_id bigint, body json, version integer)
LANGUAGE plpgsql VOLATILE
AS $$
DECLARE
    uid bigint := planpipe_api_begin(p_token_hash);
BEGIN
    RETURN QUERY
    SELECT uid, planpipe_story_json(s, p.key), s.version
    FROM public.stories s
    JOIN public.projects p ON p.id = s.project_id
    WHERE p.key = p_project AND s.key = p_key COLLATE planpipe_ci;
    IF NOT FOUND THEN
        PERFORM planpipe_api_project(p_project, 'viewer');
        RAISE EXCEPTION 'no story %:%', p_project, p_key USING ERRCODE = 'PP404';
    END IF;
END
$$;
