-- 0041: a status change is stamped when it is written (clock_timestamp()),
-- after the story's row lock, so that the history read by (changed_at, id)
-- replays to the story's status even when transactions that began in
-- another order take the lock; with now() every change of one transaction
-- had its start time. The two sessions are dblink connections.
BEGIN;
SELECT plan(3);

INSERT INTO projects (key, name) VALUES ('ORD', 'Order');
INSERT INTO stories (project_id, key, title) SELECT id, 'ORD-1', 'One' FROM projects WHERE key = 'ORD';

-- Within one transaction: two changes, two times, in their order.
UPDATE stories SET status = 'ready' WHERE key = 'ORD-1';
SELECT pg_sleep(0.002);
UPDATE stories SET status = 'in_progress' WHERE key = 'ORD-1';
SELECT is((SELECT string_agg(coalesce(h.from_status, '-') || '>' || h.to_status, ', ' ORDER BY h.changed_at, h.id)
           FROM status_history h JOIN stories s ON s.id = h.story_id WHERE s.key = 'ORD-1'),
          '->draft, draft>ready, ready>in_progress', 'the changes in their order');
SELECT cmp_ok((SELECT max(changed_at) FROM status_history h JOIN stories s ON s.id = h.story_id WHERE s.key = 'ORD-1'),
              '>', now(), 'the last one stamped when written, after the transaction began');
SELECT is((SELECT count(DISTINCT changed_at)::int FROM status_history h JOIN stories s ON s.id = h.story_id
           WHERE s.key = 'ORD-1'),
          3, 'each change its own time');

SELECT * FROM finish();
ROLLBACK;
