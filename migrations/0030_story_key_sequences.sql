-- 0030: a generated story key comes from a sequence of its project's, so
-- that creates in one project no longer wait for each other's commit
-- (issue 16; docs/decisions.md, "Story keys from a sequence per project").
--
-- Until now a story inserted without a key took its project's
-- story_key_counters row (UPDATE ... RETURNING) and held the row's lock
-- until commit, behind the WAL flush: one project's creates ran one at a
-- time. Now each project has the sequence story_key_seq_<project id>,
-- made and dropped with its counter row. The counter row stays as the
-- floor that explicit keys push (imports, a prefix change, a create that
-- names its key, under the row's lock as before); pushing it moves the
-- sequence forward to at least that number, never back. A number is never
-- handed out twice; a create that rolls back leaves a gap.

-- The sequence of a project's generated keys.
CREATE FUNCTION planpipe_story_key_seq(p_project_id bigint) RETURNS regclass
LANGUAGE sql STABLE PARALLEL SAFE STRICT
AS $$ SELECT format('public.story_key_seq_%s', p_project_id)::regclass $$;
COMMENT ON FUNCTION planpipe_story_key_seq(bigint) IS
    'The sequence that numbers a project''s generated story keys (story_key_seq_<project id>)';

-- Moves a project's key sequence forward so that its next number is past
-- p_n; never back. Called under the counter row's lock, so pushes do not
-- race each other; a create racing a push is caught by
-- planpipe_stories_key(), which skips a number already in use.
CREATE FUNCTION planpipe_story_key_seq_push(p_project_id bigint, p_n bigint) RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
DECLARE
    seq regclass := planpipe_story_key_seq(p_project_id);
BEGIN
    IF p_n > 0 AND p_n > coalesce(pg_sequence_last_value(seq), 0) THEN
        PERFORM setval(seq, p_n, true);
    END IF;
END
$$;
REVOKE EXECUTE ON FUNCTION planpipe_story_key_seq_push(bigint, bigint) FROM PUBLIC;

-- The sequence lives and dies with the counter row: made (and set past the
-- row's floor) when the row is inserted, whether by the project's trigger,
-- a COPY or a restore; pushed when the floor rises; dropped when the row
-- goes (a project deleted cascades to it).
CREATE FUNCTION planpipe_story_key_counters_sequence() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        EXECUTE format('DROP SEQUENCE IF EXISTS public.story_key_seq_%s', OLD.project_id);
        RETURN NULL;
    END IF;
    IF TG_OP = 'INSERT' THEN
        EXECUTE format('CREATE SEQUENCE IF NOT EXISTS public.story_key_seq_%s AS bigint MINVALUE 1',
                       NEW.project_id);
    END IF;
    PERFORM planpipe_story_key_seq_push(NEW.project_id, NEW.last_number);
    RETURN NULL;
END
$$;
CREATE TRIGGER story_key_counters_10_sequence AFTER INSERT OR DELETE OR UPDATE OF last_number
    ON story_key_counters
    FOR EACH ROW EXECUTE FUNCTION planpipe_story_key_counters_sequence();

-- Makes the sequences agree with the counter rows: one for each row,
-- forward to at least its floor, none left over. For what fills or empties
-- story_key_counters without its triggers (TRUNCATE; a load with
-- session_replication_role = replica, as bench/generate does). Returns how
-- many sequences it made plus how many it dropped.
CREATE FUNCTION planpipe_story_key_seqs_sync() RETURNS integer
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
DECLARE
    c record;
    changed integer := 0;
BEGIN
    FOR c IN SELECT k.project_id, k.last_number FROM story_key_counters k ORDER BY k.project_id LOOP
        IF to_regclass(format('public.story_key_seq_%s', c.project_id)) IS NULL THEN
            EXECUTE format('CREATE SEQUENCE public.story_key_seq_%s AS bigint MINVALUE 1', c.project_id);
            changed := changed + 1;
        END IF;
        PERFORM planpipe_story_key_seq_push(c.project_id, c.last_number);
    END LOOP;
    FOR c IN SELECT r.relname FROM pg_class r
             WHERE r.relnamespace = 'public'::regnamespace AND r.relkind = 'S'
               AND r.relname ~ '^story_key_seq_[0-9]+$'
               AND NOT EXISTS (SELECT FROM story_key_counters k
                               WHERE k.project_id = substr(r.relname, 15)::bigint)
    LOOP
        EXECUTE format('DROP SEQUENCE public.%I', c.relname);
        changed := changed + 1;
    END LOOP;
    RETURN changed;
END
$$;
REVOKE EXECUTE ON FUNCTION planpipe_story_key_seqs_sync() FROM PUBLIC;
COMMENT ON FUNCTION planpipe_story_key_seqs_sync() IS
    'Makes the story key sequences agree with story_key_counters (after TRUNCATE or a load without triggers); returns how many it made or dropped';

SELECT planpipe_story_key_seqs_sync();

-- Keys. A NULL key takes the project's next number from its sequence: no
-- lock is held to commit, so creates in one project run side by side. A
-- number whose key a story already holds (any case) is skipped. An
-- explicit key '<prefix>-<n>' pushes the counter row to n under the row's
-- lock, which pushes the sequence (the trigger above), so a later generated
-- key does not collide with it.
CREATE OR REPLACE FUNCTION planpipe_stories_key() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
AS $$
DECLARE
    prefix text;
    n bigint;
BEGIN
    SELECT story_key_prefix INTO prefix FROM projects WHERE id = NEW.project_id;
    IF NOT FOUND THEN
        RETURN NEW;    -- the foreign key on project_id reports it
    END IF;
    IF NEW.key IS NULL THEN
        LOOP
            n := nextval(planpipe_story_key_seq(NEW.project_id));
            NEW.key := prefix || '-' || lpad(n::text, greatest(3, length(n::text)), '0');
            EXIT WHEN NOT EXISTS (SELECT FROM stories s
                                  WHERE lower(s.key) = lower(NEW.key) AND s.project_id = NEW.project_id);
        END LOOP;
    ELSE
        n := planpipe_story_key_number(prefix, NEW.key);
        IF n IS NOT NULL THEN
            UPDATE story_key_counters SET last_number = n
            WHERE project_id = NEW.project_id AND last_number < n;
        END IF;
    END IF;
    RETURN NEW;
END
$$;

COMMENT ON TABLE story_key_counters IS
    'Per-project floor of story numbers, pushed past explicit keys under the row''s lock; generated keys come from story_key_seq_<project id>';
