-- 0031: a story's search vector is computed when its title or body changes,
-- not on every update (issue 16; docs/decisions.md, "The search vector
-- computed when the text changes").
--
-- stories.search was a stored generated column, and PostgreSQL 15 computes
-- every stored generated column on every UPDATE of the row, whatever the
-- UPDATE sets: a transition, a move in the backlog, a PATCH of the owner
-- each parsed, stemmed and sorted the whole body again (about 0.46 ms of
-- CPU for a story of 3 KB; an UPDATE of the status of 300 such stories
-- took 190-258 ms with it and 32-41 ms without, triggers off). Now search
-- is a plain column that a BEFORE trigger sets from the same expression on
-- INSERT and on an UPDATE that changes the title or the body, or that
-- writes search itself: it can still hold nothing else. The trigger fires
-- whatever session_replication_role is (ENABLE ALWAYS), as the generated
-- column was computed for a load that skips the other triggers
-- (bench/generate, the tests' fixtures).

-- The search vector of a story's title and body: the title weighted A, the
-- first 100,000 characters of the body weighted B, English configuration
-- (a tsvector is limited to 1 MB, and a story that long is rarely searched
-- by its tail). The expression of 0004's generated column.
CREATE FUNCTION planpipe_story_search(p_title text, p_body text) RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT setweight(to_tsvector('english'::regconfig, p_title), 'A') ||
           setweight(to_tsvector('english'::regconfig, left(p_body, 100000)), 'B')
$$;
COMMENT ON FUNCTION planpipe_story_search(text, text) IS
    'A story''s search vector: title weighted A, the first 100,000 characters of the body weighted B (English)';

-- Keeps the values: no rewrite of the table.
ALTER TABLE stories ALTER COLUMN search DROP EXPRESSION;
COMMENT ON COLUMN stories.search IS
    'planpipe_story_search(title, body), set by the trigger stories_25_search when either changes';

CREATE FUNCTION planpipe_stories_search() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    IF TG_OP = 'INSERT'
       OR NEW.title IS DISTINCT FROM OLD.title
       OR NEW.body IS DISTINCT FROM OLD.body
       OR NEW.search IS DISTINCT FROM OLD.search THEN
        NEW.search := planpipe_story_search(NEW.title, NEW.body);
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION planpipe_stories_search() IS
    'Sets stories.search on INSERT and when an UPDATE changes the title, the body or search itself';

CREATE TRIGGER stories_25_search BEFORE INSERT OR UPDATE ON stories
    FOR EACH ROW EXECUTE FUNCTION planpipe_stories_search();
ALTER TABLE stories ENABLE ALWAYS TRIGGER stories_25_search;
