-- velocity and time-in-status (0019, made faster in 0026): the edges the
-- new plans rely on, each figure computed by hand.
--
-- velocity counts the sprint stories not written since the earliest sprint
-- began straight from the index (committed: created before the start, open
-- now, not archived by the start; done: created during the sprint, done now,
-- not archived by the end), the others from their history, whose read is
-- bounded by the latest updated_at of the sprints' stories; open work is
-- counted per open status. time-in-status finds the row before each story's
-- first row in the window in three probes (the month before, the year
-- before, earlier), each taking the latest changed_at, of ties the highest
-- id, at the probe's bounds too. Every date is fixed.
BEGIN;
SELECT plan(5);

SELECT ok(bool_and(planpipe_create_history_partition(m)), 'partitions for 2023-12 .. 2024-03')
FROM unnest(ARRAY['2023-12-01', '2024-01-01', '2024-02-01', '2024-03-01']::date[]) AS m;

INSERT INTO projects (key, name) VALUES ('VEL', 'Velocity'), ('VEL2', 'Nothing open'), ('TIW', 'Time in status');
INSERT INTO backlogs (project_id, name, kind, starts_on, ends_on)
SELECT p.id, b.name, 'sprint', b.s::date, b.e::date
FROM (VALUES ('A', '2024-01-08', '2024-01-14'), ('B', '2024-01-15', '2024-01-21')) AS b(name, s, e),
     projects p WHERE p.key = 'VEL';

CREATE FUNCTION pg_temp.sid(p_key text) RETURNS bigint LANGUAGE sql
AS $$ SELECT id FROM stories WHERE key = p_key $$;

-- key, project, sprint, status now, points, created, archived, updated_at
CREATE TEMP TABLE fx (key text, project text, sprint text, status text, points numeric, created timestamptz,
                      archived timestamptz, updated timestamptz);
INSERT INTO fx VALUES
    -- sprint A (01-08 .. 01-14), not written since it began: A1 committed,
    -- A2 archived before the start (not), A3 archived after it (committed),
    -- A4 done before the start (neither)
    ('A1', 'VEL', 'A', 'ready',       3,    '2024-01-02 10:00+00', NULL,                  '2024-01-03 10:00+00'),
    ('A2', 'VEL', 'A', 'ready',       1,    '2024-01-02 10:00+00', '2024-01-05 10:00+00', '2024-01-05 10:00+00'),
    ('A3', 'VEL', 'A', 'draft',       2,    '2024-01-02 10:00+00', '2024-01-20 10:00+00', '2024-01-03 10:00+00'),
    ('A4', 'VEL', 'A', 'done',        1,    '2024-01-02 10:00+00', NULL,                  '2024-01-03 10:00+00'),
    -- A6 written since (an edit), no history row since: as if not written
    ('A6', 'VEL', 'A', 'ready',       5,    '2024-01-02 10:00+00', NULL,                  '2024-01-20 10:00+00'),
    -- A7 in progress on 01-10, done on 01-12: committed and done
    ('A7', 'VEL', 'A', 'done',        2,    '2024-01-02 10:00+00', NULL,                  '2024-01-12 10:00+00'),
    -- sprint B (01-15 .. 01-21): B1, B2 (unestimated) committed; A8 done
    -- after the sprint, at the latest updated_at of all sprint stories (the
    -- bound of the history read): committed, not done
    ('B1', 'VEL', 'B', 'in_progress', 1,    '2024-01-02 10:00+00', NULL,                  '2024-01-03 10:00+00'),
    ('B2', 'VEL', 'B', 'draft',       NULL, '2024-01-02 10:00+00', NULL,                  '2024-01-03 10:00+00'),
    ('A8', 'VEL', 'B', 'done',        8,    '2024-01-02 10:00+00', NULL,                  '2024-01-23 10:00+00'),
    -- B3, B4 created during B, dated after their last write (as an import
    -- may date them), no history: B3 done, B4 archived before the end (not)
    ('B3', 'VEL', 'B', 'done',        2,    '2024-01-18 10:00+00', NULL,                  '2024-01-05 10:00+00'),
    ('B4', 'VEL', 'B', 'done',        3,    '2024-01-18 10:00+00', '2024-01-20 10:00+00', '2024-01-05 10:00+00'),
    -- open work outside the sprints
    ('R1', 'VEL', NULL, 'review',     4,    '2024-01-02 10:00+00', NULL,                  '2024-01-03 10:00+00'),
    ('N1', 'VEL2', NULL, 'done',      1,    '2024-01-02 10:00+00', NULL,                  '2024-01-03 10:00+00'),
    -- time-in-status, window 2024-03-01 .. 03-31: the month before starts
    -- 01-30 00:00, the year before 2023-03-01 00:00
    ('W1', 'TIW', NULL, 'review',     1,    '2024-02-10 10:00+00', NULL,                  '2024-03-05 10:00+00'),
    ('W2', 'TIW', NULL, 'in_progress', 1,   '2024-01-30 00:00+00', NULL,                  '2024-03-02 00:00+00'),
    ('W3', 'TIW', NULL, 'ready',      1,    '2024-01-29 12:00+00', NULL,                  '2024-03-10 12:00+00'),
    ('W4', 'TIW', NULL, 'done',       1,    '2023-03-01 00:00+00', NULL,                  '2024-03-01 00:00+00'),
    ('W5', 'TIW', NULL, 'ready',      1,    '2023-02-28 23:00+00', NULL,                  '2024-03-20 10:00+00');
INSERT INTO stories (project_id, backlog_id, key, title, status, estimate_points, created_at)
SELECT p.id, b.id, f.key, 'Story ' || f.key, f.status, f.points, f.created
FROM fx f JOIN projects p ON p.key = f.project
LEFT JOIN backlogs b ON b.project_id = p.id AND b.name = f.sprint;
UPDATE stories s SET archived_at = f.archived FROM fx f WHERE f.key = s.key AND f.archived IS NOT NULL;

-- pg_temp.history(key, steps...)
\ir lib/fx_history.sql
-- Two rows of one transaction (one changed_at): the later has the higher
-- id but is written first, so an index on (story_id, changed_at) alone
-- meets the earlier one first when read backwards.
CREATE FUNCTION pg_temp.tie(p_key text, p_at timestamptz, p_id bigint, p_first text, p_then text, p_last text)
RETURNS void LANGUAGE sql AS $$
    INSERT INTO status_history (id, story_id, project_id, from_status, to_status, changed_at, source)
    OVERRIDING SYSTEM VALUE
    SELECT x.id, pg_temp.sid(p_key), (SELECT project_id FROM stories WHERE key = p_key), x.f, x.t, p_at, 'api'
    FROM (VALUES (p_id + 1, p_then, p_last), (p_id, p_first, p_then)) AS x(id, f, t)
$$;
SELECT pg_temp.history(k, '2024-01-02 10:00 ' || s)
FROM (VALUES ('A1', 'ready'), ('A2', 'ready'), ('A3', 'draft'), ('A4', 'done'), ('A6', 'ready'),
             ('B1', 'in_progress'), ('B2', 'draft'), ('R1', 'review'), ('N1', 'done')) AS v(k, s);
SELECT pg_temp.history('A7', '2024-01-02 10:00 ready', '2024-01-10 10:00 in_progress', '2024-01-12 10:00 done');
SELECT pg_temp.history('A8', '2024-01-02 10:00 ready', '2024-01-23 10:00 done');
-- W1: into in_progress in the month before the window (a tie), out on 03-05: 14 days
SELECT pg_temp.history('W1', '2024-02-10 10:00 draft');
SELECT pg_temp.tie('W1', '2024-02-20 10:00+00', 900000101, 'draft', 'ready', 'in_progress');
INSERT INTO status_history (story_id, project_id, from_status, to_status, changed_at, source)
SELECT pg_temp.sid('W1'), project_id, 'in_progress', 'review', '2024-03-05 10:00+00', 'api' FROM stories WHERE key = 'W1';
-- W2: into ready at the month before's first instant, out on 03-02: 32 days
SELECT pg_temp.history('W2', '2024-01-30 00:00 ready', '2024-03-02 00:00 in_progress');
-- W3: into draft just before the month before (a tie), out on 03-10: 41 days
SELECT pg_temp.tie('W3', '2024-01-29 12:00+00', 900000201, NULL, 'ready', 'draft');
INSERT INTO status_history (story_id, project_id, from_status, to_status, changed_at, source)
SELECT pg_temp.sid('W3'), project_id, 'draft', 'ready', '2024-03-10 12:00+00', 'api' FROM stories WHERE key = 'W3';
-- W4: into ready at the year before's first instant (the default
-- partition), out at the window's first instant: 366 days
SELECT pg_temp.history('W4', '2023-03-01 00:00 ready', '2024-03-01 00:00 done');
-- W5: into draft just before the year before (a tie), out on 03-20 10:00:
-- 385 days 11 hours
SELECT pg_temp.tie('W5', '2023-02-28 23:00+00', 900000301, NULL, 'ready', 'draft');
INSERT INTO status_history (story_id, project_id, from_status, to_status, changed_at, source)
SELECT pg_temp.sid('W5'), project_id, 'draft', 'ready', '2024-03-20 10:00+00', 'api' FROM stories WHERE key = 'W5';

-- updated_at as in the fixture (the stories trigger would set now()): bypassed.
SET LOCAL session_replication_role = replica;
UPDATE stories s SET updated_at = f.updated FROM fx f WHERE f.key = s.key;
SET LOCAL session_replication_role = origin;

-- velocity as of 2024-01-24: A and B finished.
-- A: committed A1 3, A3 2, A6 5, A7 2 = 4 stories, 12 points; done A7 2.
-- B: committed B1 1, B2 0, A8 8 = 3 stories, 9 points; done B3 2.
-- mean: 2 stories / 2 = 1, 4 points / 2 = 2. remaining: A1 3, A6 5, B1 1,
-- B2 -, R1 4 = 5 stories, 13 points, 1 unestimated; forecast ceil(13 / 2) = 7.
SELECT is(planpipe_report_velocity(ARRAY['VEL'], 3, '2024-01-24')->'by_project'->0,
          '{"project": "VEL",
            "sprints": [{"backlog": "A", "starts_on": "2024-01-08", "ends_on": "2024-01-14", "finished": true,
                         "committed": {"stories": 4, "points": 12}, "done": {"stories": 1, "points": 2}},
                        {"backlog": "B", "starts_on": "2024-01-15", "ends_on": "2024-01-21", "finished": true,
                         "committed": {"stories": 3, "points": 9}, "done": {"stories": 1, "points": 2}}],
            "mean": {"sprints": 2, "stories": 1, "points": 2},
            "remaining": {"stories": 5, "points": 13, "unestimated": 1},
            "forecast_sprints": 7}'::jsonb,
          'velocity: stories not written since, written without history since, history at the bound');
-- A project without open work or sprints, beside one with them.
SELECT is(planpipe_report_velocity(ARRAY['VEL', 'VEL2'], 3, '2024-01-24')->'by_project'->1,
          '{"project": "VEL2", "sprints": [], "mean": {"sprints": 0, "stories": null, "points": null},
            "remaining": {"stories": 0, "points": 0, "unestimated": 0}, "forecast_sprints": null}'::jsonb,
          'velocity: no open work and no sprint');

-- time-in-status, March 2024: each visit's days by hand, summarised by
-- planpipe_report_stats as the report does.
SELECT is(planpipe_report_time_in_status(ARRAY['TIW'], '2024-03-01', '2024-03-31')->'statuses',
          jsonb_build_array(
              jsonb_build_object('status', 'draft', 'category', 'todo', 'visits', 2, 'stories', 2,
                                 'days', planpipe_report_stats(ARRAY[41, 385 + 11 / 24.0]::float8[])),
              jsonb_build_object('status', 'ready', 'category', 'todo', 'visits', 2, 'stories', 2,
                                 'days', planpipe_report_stats(ARRAY[32, 366]::float8[])),
              jsonb_build_object('status', 'in_progress', 'category', 'active', 'visits', 1, 'stories', 1,
                                 'days', planpipe_report_stats(ARRAY[14]::float8[]))),
          'time-in-status: the row before the window in each probe, at its bounds, ties to the highest id');
-- The same from the other side: the row before each visit is the one found.
SELECT is(planpipe_report_time_in_status(ARRAY['TIW'], '2024-03-01', '2024-03-31')->'statuses'->0->'days'->'n',
          '2'::jsonb, 'time-in-status: both draft visits measured from the row before the window');

SELECT * FROM finish();
ROLLBACK;
