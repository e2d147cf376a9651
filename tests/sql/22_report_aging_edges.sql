-- aging (0019, made fast in 0024): the edges its plan relies on. 0024 looks
-- up each open story's latest history row at or before the moment in up to
-- three probes (the month of least(moment, updated_at), the month before,
-- all before that), so a latest row in each of them, in the default
-- partition, at a month's first instant and at the moment itself must all
-- be found; ties in changed_at go to the highest id; stories created or
-- changed after the moment, archived before or after it, and moved between
-- projects are as 0019 defined them. Every moment is fixed: as_of
-- 2024-02-20 is the moment 2024-02-21 00:00 UTC.
BEGIN;
SELECT plan(7);

SELECT ok(bool_and(planpipe_create_history_partition(m)), 'partitions for 2023-12 .. 2024-03')
FROM unnest(ARRAY['2023-12-01', '2024-01-01', '2024-02-01', '2024-03-01']::date[]) AS m;

INSERT INTO projects (key, name) VALUES ('AGE', 'Aging'), ('OLD', 'Where T-11 was written');

-- key, status now, created, archived, updated_at (NULL: the transaction's now())
CREATE TEMP TABLE fx (key text, status text, created timestamptz, archived timestamptz, updated timestamptz);
INSERT INTO fx VALUES
    ('T-1',  'in_progress', '2024-01-10 10:00+00', NULL, NULL),
    ('T-2',  'ready',       '2024-01-05 10:00+00', NULL, '2024-02-10 10:00+00'),
    ('T-3',  'ready',       '2023-06-01 10:00+00', NULL, '2024-02-10 10:00+00'),
    ('T-3b', 'draft',       '2023-06-01 10:00+00', NULL, '2024-02-10 10:00+00'),
    ('T-4',  'in_progress', '2024-01-20 10:00+00', NULL, NULL),
    ('T-5',  'ready',       '2024-01-20 10:00+00', NULL, '2024-02-01 00:00+00'),
    ('T-6',  'draft',       '2024-02-19 10:00+00', NULL, NULL),
    ('T-7',  'draft',       '2024-02-22 10:00+00', NULL, NULL),
    ('T-8',  'done',        '2024-01-10 10:00+00', NULL, NULL),
    ('T-9',  'draft',       '2024-01-12 10:00+00', '2024-02-10 10:00+00', '2024-02-10 10:00+00'),
    ('T-10', 'draft',       '2024-01-12 10:00+00', '2024-02-25 10:00+00', NULL),
    ('T-11', 'ready',       '2024-01-03 10:00+00', NULL, NULL);
INSERT INTO stories (project_id, key, title, status, estimate_points, created_at)
SELECT p.id, f.key, 'Story ' || f.key, f.status, 1, f.created
FROM fx f JOIN projects p ON p.key = CASE WHEN f.key = 'T-11' THEN 'OLD' ELSE 'AGE' END;
UPDATE stories SET project_id = (SELECT id FROM projects WHERE key = 'AGE') WHERE key = 'T-11';
UPDATE stories s SET archived_at = f.archived FROM fx f WHERE f.key = s.key AND f.archived IS NOT NULL;
-- updated_at in the past: an edit that was not a status change (T-2, T-3,
-- T-3b) or the last change itself (T-5, T-9). The stories trigger would
-- set now(): bypassed for this fixture.
SET LOCAL session_replication_role = replica;
UPDATE stories s SET updated_at = f.updated FROM fx f WHERE f.key = s.key AND f.updated IS NOT NULL;
SET LOCAL session_replication_role = origin;

CREATE FUNCTION pg_temp.sid(p_key text) RETURNS bigint LANGUAGE sql
AS $$ SELECT id FROM stories WHERE key = p_key $$;
-- pg_temp.history(key, steps...), each in AGE (T-11's rows are written by hand)
\ir lib/fx_history.sql
-- T-1: two changes in one transaction (one changed_at). The later one has
-- the higher id, but is written first, so an index on (story_id,
-- changed_at) meets the earlier (ready) first when read backwards.
SELECT pg_temp.history('T-1', '2024-01-10 10:00 draft');
INSERT INTO status_history (id, story_id, project_id, from_status, to_status, changed_at, source)
OVERRIDING SYSTEM VALUE
SELECT x.id, pg_temp.sid('T-1'), p.id, x.f, x.t, '2024-02-15 10:00+00', 'api'
FROM projects p,
     (VALUES (900000002, 'ready', 'in_progress'), (900000001, 'draft', 'ready')) AS x(id, f, t)
WHERE p.key = 'AGE';
-- T-2: its latest row in the month before updated_at's; T-3: two months
-- before; T-3b: only a row in the default partition (before 2023-12).
SELECT pg_temp.history('T-2', '2024-01-05 10:00 ready');
SELECT pg_temp.history('T-3', '2023-06-01 10:00 draft', '2023-12-05 10:00 ready');
SELECT pg_temp.history('T-3b', '2023-06-01 10:00 draft');
-- T-4: into in_progress at the moment itself; T-5 at the first instant of
-- February, its updated_at.
SELECT pg_temp.history('T-4', '2024-01-20 10:00 draft', '2024-02-01 00:00 ready', '2024-02-21 00:00 in_progress');
SELECT pg_temp.history('T-5', '2024-01-20 10:00 draft', '2024-02-01 00:00 ready');
-- T-6 (created the day before) and T-7 (after the moment) have no history.
-- T-8: done after the moment, a draft then.
SELECT pg_temp.history('T-8', '2024-01-10 10:00 draft', '2024-02-25 10:00 done');
-- T-9 archived before the moment, T-10 after it.
SELECT pg_temp.history('T-9', '2024-01-12 10:00 draft');
SELECT pg_temp.history('T-10', '2024-01-12 10:00 draft');
-- T-11: written in OLD, moved to AGE; counted in AGE.
INSERT INTO status_history (story_id, project_id, from_status, to_status, changed_at, source)
SELECT pg_temp.sid('T-11'), p.id, NULL, 'draft', '2024-01-03 10:00+00', 'api' FROM projects p WHERE p.key = 'OLD';
INSERT INTO status_history (story_id, project_id, from_status, to_status, changed_at, source)
SELECT pg_temp.sid('T-11'), p.id, 'draft', 'ready', '2024-02-05 10:00+00', 'api' FROM projects p WHERE p.key = 'AGE';

CREATE FUNCTION pg_temp.oldest(p_report jsonb) RETURNS text[] LANGUAGE sql
AS $$ SELECT ARRAY(SELECT concat_ws(' ', x->>'key', x->>'status', x->>'since', x->>'age_days')
                   FROM jsonb_array_elements(p_report->'oldest') AS x) $$;

-- As of 2024-02-20: ten open stories, all of them among the oldest.
SELECT is(planpipe_report_aging(ARRAY['AGE'], '2024-02-20')->'stories', '10'::jsonb,
          'aging: as of 2024-02-20, ten open stories (not T-7, T-9)');
SELECT is(pg_temp.oldest(planpipe_report_aging(ARRAY['AGE'], '2024-02-20')),
          ARRAY['T-3b draft 2023-06-01T10:00:00Z 264.58',
                'T-3 ready 2023-12-05T10:00:00Z 77.58',
                'T-2 ready 2024-01-05T10:00:00Z 46.58',
                'T-8 draft 2024-01-10T10:00:00Z 41.58',
                'T-10 draft 2024-01-12T10:00:00Z 39.58',
                'T-5 ready 2024-02-01T00:00:00Z 20',
                'T-11 ready 2024-02-05T10:00:00Z 15.58',
                'T-1 in_progress 2024-02-15T10:00:00Z 5.58',
                'T-6 draft 2024-02-19T10:00:00Z 1.58',
                'T-4 in_progress 2024-02-21T00:00:00Z 0'],
          'aging: the latest row in each probe, the default partition, a tie, both boundaries');
SELECT is(planpipe_report_aging(ARRAY['AGE'], '2024-02-20')->'by_status',
          '[{"status": "draft", "category": "todo", "stories": 4, "points": 4, "oldest_days": 264.58,
             "buckets": {"0-1d": 0, "1-3d": 1, "3-7d": 0, "7-14d": 0, "14-30d": 0, "30d+": 3}},
            {"status": "ready", "category": "todo", "stories": 4, "points": 4, "oldest_days": 77.58,
             "buckets": {"0-1d": 0, "1-3d": 0, "3-7d": 0, "7-14d": 0, "14-30d": 2, "30d+": 2}},
            {"status": "in_progress", "category": "active", "stories": 2, "points": 2, "oldest_days": 5.58,
             "buckets": {"0-1d": 1, "1-3d": 0, "3-7d": 1, "7-14d": 0, "14-30d": 0, "30d+": 0}}]'::jsonb,
          'aging: as of 2024-02-20, by status');
-- An instant earlier (as of 2024-02-19: 02-20 00:00) T-4 was ready since 02-01.
SELECT is((SELECT x->>'status' || ' ' || (x->>'since')
           FROM jsonb_array_elements(planpipe_report_aging(ARRAY['AGE'], '2024-02-19')->'oldest') AS x
           WHERE x->>'key' = 'T-4'),
          'ready 2024-02-01T00:00:00Z', 'aging: a change after the moment is not seen');
-- As of now: T-8 is done and T-10 archived; T-7 is open since its creation.
-- (Only the statuses and since are compared: the ages depend on today.)
SELECT is(ARRAY(SELECT concat_ws(' ', x->>'key', x->>'status', x->>'since')
                FROM jsonb_array_elements(planpipe_report_aging(ARRAY['AGE'], NULL)->'oldest') AS x),
          ARRAY['T-3b draft 2023-06-01T10:00:00Z', 'T-3 ready 2023-12-05T10:00:00Z',
                'T-2 ready 2024-01-05T10:00:00Z', 'T-5 ready 2024-02-01T00:00:00Z',
                'T-11 ready 2024-02-05T10:00:00Z', 'T-1 in_progress 2024-02-15T10:00:00Z',
                'T-6 draft 2024-02-19T10:00:00Z', 'T-4 in_progress 2024-02-21T00:00:00Z',
                'T-7 draft 2024-02-22T10:00:00Z'],
          'aging: as of now, the open stories by the latest row up to updated_at');
-- Many projects at once: OLD has no open story of its own.
SELECT is(planpipe_report_aging(ARRAY['AGE', 'OLD'], '2024-02-20') - 'projects',
          planpipe_report_aging(ARRAY['AGE'], '2024-02-20') - 'projects',
          'aging: a moved story counts in its project now');

SELECT * FROM finish();
ROLLBACK;
