-- 0039: a status word a project adds no longer names the project (review
-- of 2026-12-05). planpipe_workflow_add() (0017) wrote "Added to project
-- KEY" into the global statuses.description, and GET /v1/statuses showed
-- every word with its description to any user: a project the caller cannot
-- see was named there, where every other route answers 404. The API's
-- statement now lists only the default workflow and the words of projects
-- the caller can see (src/api/sql/ops.sql); the description says no more
-- than where the word came from.

UPDATE statuses SET description = 'Added to a project''s workflow'
WHERE NOT is_default AND description LIKE 'Added to project %';

-- As 0017's, but for the description of a new word.
CREATE OR REPLACE FUNCTION planpipe_workflow_add(p_project_id bigint, p_key text, p_category text,
                                      p_name text, p_position integer) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
AS $$
DECLARE
    pkey text := (SELECT key FROM projects WHERE id = p_project_id);
    k text := btrim(p_key);
    known statuses;
    cat text;
BEGIN
    IF pkey IS NULL THEN
        RAISE EXCEPTION 'no project with id %', p_project_id USING ERRCODE = 'PP404';
    END IF;
    IF planpipe_setting_user_id() IS NOT NULL THEN
        IF coalesce(planpipe_project_role(p_project_id) >= 'maintainer', false) IS NOT TRUE THEN
            RAISE EXCEPTION 'changing the workflow of % needs maintainer', pkey
                USING ERRCODE = 'PP403';
        END IF;
    ELSIF NOT planpipe_setting_trusted_writer() THEN
        RAISE EXCEPTION 'changing a workflow needs an acting user' USING ERRCODE = 'PP403';
    END IF;
    SELECT * INTO known FROM statuses s WHERE lower(s.key) = lower(k);
    IF known.key IS NOT NULL THEN
        IF p_category IS NOT NULL AND p_category <> known.category THEN
            RAISE EXCEPTION 'status "%" is % wherever it is used: its category cannot be %',
                known.key, known.category, p_category
                USING ERRCODE = 'PP409', COLUMN = 'category';
        END IF;
        k := known.key;
    ELSE
        cat := coalesce(p_category, planpipe_status_alias_category(k));
        IF cat IS NULL THEN
            RAISE EXCEPTION '"%" is a new word: give its category (todo, active, done or cancelled)', k
                USING ERRCODE = 'PP422', COLUMN = 'category';
        END IF;
        PERFORM pg_advisory_xact_lock(1886154352, 4);
        INSERT INTO statuses (key, category, position, description, blocked)
        VALUES (k, cat, coalesce((SELECT max(position) FROM statuses), 0) + 10,
                'Added to a project''s workflow',
                coalesce((SELECT a.blocked FROM status_aliases a WHERE a.word = lower(k)), false));
    END IF;
    IF EXISTS (SELECT FROM project_statuses WHERE project_id = p_project_id AND status = k) THEN
        RAISE EXCEPTION 'project % already has status "%"', pkey, k
            USING ERRCODE = 'PP409', COLUMN = 'key';
    END IF;
    INSERT INTO project_statuses (project_id, status, name, position)
    VALUES (p_project_id, k, coalesce(nullif(btrim(p_name), ''), k),
            coalesce(p_position, (SELECT max(position) FROM project_statuses
                                  WHERE project_id = p_project_id) + 10, 10));
    RETURN k;
END
$$;
