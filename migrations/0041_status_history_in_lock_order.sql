-- 0041: a status change is stamped when it is written, not when its
-- transaction began (review of 2026-12-05). changed_at defaulted to now(),
-- the transaction's start, taken before the transaction waited for the
-- story's row lock: of two transitions of one story started a few
-- milliseconds apart, the one that began first could commit last, and the
-- history read by (changed_at, id), as the API and the reports read it,
-- then no longer replayed to the story's status (a row's from_status was
-- not the previous row's to_status; the last row was not the story's
-- status). clock_timestamp() in the history triggers' INSERT is taken after
-- the row lock, so the two orders agree. A history with a time of its own
-- (the importer's git commits) is unchanged: it gives changed_at.
--
-- Rows are inserted through the partitioned parent, whose default applies.
ALTER TABLE status_history ALTER COLUMN changed_at SET DEFAULT clock_timestamp();
COMMENT ON COLUMN status_history.changed_at IS
    'When the change was written (clock_timestamp(), after the story''s row lock), or the time its source gives';
