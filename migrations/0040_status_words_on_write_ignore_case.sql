-- 0040: a status word written through the API is matched in the story's
-- project workflow ignoring case, as list filters and the importer match it
-- (0017, docs/api.md "Workflows"; review of 2026-12-05). Before, a
-- transition to "Done" was "no status Done" and a create or PATCH with
-- "Done" failed on stories_status_workflow_fkey, while ?status=DONE found
-- the done stories; and a transition to a word only another project's
-- workflow holds answered with that constraint and field "status", not
-- "no status ..." and field "to" as for a word that exists nowhere.

-- Before every other row trigger (stories_10_skip_noop compares the row
-- with the word already resolved): the workflow's own spelling of the word,
-- when the word is not in it as written. A word in no spelling of the
-- workflow is left for stories_status_workflow_fkey to refuse.
CREATE FUNCTION planpipe_stories_status_word() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    IF NOT EXISTS (SELECT FROM public.project_statuses ps
                   WHERE ps.project_id = NEW.project_id AND ps.status = NEW.status) THEN
        NEW.status := coalesce((SELECT ps.status FROM public.project_statuses ps
                                WHERE ps.project_id = NEW.project_id
                                  AND lower(ps.status) = lower(btrim(NEW.status))),
                               NEW.status);
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION planpipe_stories_status_word() IS
    'A story''s status as its project''s workflow spells it, when written in another case';
CREATE TRIGGER stories_05_status_word BEFORE INSERT OR UPDATE OF status ON stories
    FOR EACH ROW EXECUTE FUNCTION planpipe_stories_status_word();

-- As 0035's, but the word is looked up in the project's workflow ignoring
-- case (a word of no workflow, or of another project's only, is "no status").
CREATE OR REPLACE FUNCTION planpipe_api_story_transition(p_token_hash bytea, p_project text,
                                                         p_key text, p_to text, p_version integer,
                                                         p_note text, p_force boolean)
RETURNS TABLE (user_id bigint, body json, version integer)
LANGUAGE plpgsql VOLATILE
AS $$
DECLARE
    uid bigint := planpipe_api_begin_write(p_token_hash);
    pid bigint := planpipe_api_project(p_project,
                                       CASE WHEN p_force THEN 'maintainer' ELSE 'developer' END::member_role);
    word text := (SELECT ps.status FROM public.project_statuses ps
                  WHERE ps.project_id = pid AND lower(ps.status) = lower(btrim(p_to)));
    cur public.stories;
    upd public.stories;
BEGIN
    IF word IS NULL THEN
        PERFORM planpipe_api_fail('PP422', 'no status ' || p_to, 'to');
    END IF;
    PERFORM set_config('planpipe.note', coalesce(p_note, ''), true),
            set_config('planpipe.force', CASE WHEN p_force THEN 'on' ELSE 'off' END, true);
    cur := planpipe_api_story_lock(pid, p_project, p_key, p_version);
    UPDATE public.stories t SET status = word WHERE t.id = cur.id RETURNING t.* INTO upd;
    IF NOT FOUND THEN
        upd := cur;
    END IF;
    RETURN QUERY SELECT uid, planpipe_story_json(upd, p_project), upd.version;
END
$$;
