-- 0003: statuses as rows. Each maps to one of four fixed categories that
-- reports and the lifecycle triggers use; new statuses are new rows, not an
-- ALTER TYPE.

CREATE TABLE statuses (
    key          text PRIMARY KEY,
    category     text NOT NULL,
    position     smallint NOT NULL,
    description  text NOT NULL DEFAULT '',
    CONSTRAINT statuses_key_format CHECK (key ~ '^[a-z][a-z0-9_]{0,31}$'),
    CONSTRAINT statuses_category_check
        CHECK (category IN ('todo', 'active', 'done', 'cancelled')),
    CONSTRAINT statuses_position_range CHECK (position >= 0),
    CONSTRAINT statuses_description_length CHECK (length(description) <= 1000)
);

COMMENT ON TABLE statuses IS 'Story statuses; category (todo/active/done/cancelled) is what reports count';
COMMENT ON COLUMN statuses.position IS 'Display order (board columns), lowest first';

INSERT INTO statuses (key, category, position, description) VALUES
    ('draft',       'todo',      10, 'Written, not yet ready to be worked on'),
    ('ready',       'todo',      20, 'Refined and ready to be picked up'),
    ('in_progress', 'active',    30, 'Being worked on'),
    ('review',      'active',    40, 'Done by the implementer, under review'),
    ('done',        'done',      50, 'Finished'),
    ('accepted',    'done',      60, 'Finished and accepted by its owner'),
    ('cancelled',   'cancelled', 70, 'Will not be done');

-- A status's key and category are history: status_history stores the key and
-- reports map it to the category, so changing either would rewrite the past.
-- Add a new status instead. (Deleting a status in use is refused by the
-- foreign keys of stories and status_history.)
CREATE FUNCTION planpipe_statuses_immutable() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    IF NEW.key <> OLD.key OR NEW.category <> OLD.category THEN
        RAISE EXCEPTION 'the key and category of status "%" cannot change', OLD.key
            USING ERRCODE = 'PP005',
                  HINT = 'Insert a new status and move stories to it.';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER statuses_10_immutable BEFORE UPDATE ON statuses
    FOR EACH ROW EXECUTE FUNCTION planpipe_statuses_immutable();

-- Category of a status key; NULL for an unknown key (the foreign key then
-- rejects the row with a clear message).
CREATE FUNCTION planpipe_status_category(p_status text) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE
AS $$ SELECT category FROM statuses WHERE key = p_status $$;
COMMENT ON FUNCTION planpipe_status_category(text) IS 'todo/active/done/cancelled of a status key';
