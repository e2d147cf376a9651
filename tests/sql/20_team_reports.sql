-- The team reports (migration 0019, docs/reports.md): velocity,
-- time-in-status, aging and epics, each figure equal to the value computed
-- by hand from a small history with chosen timestamps. Every call passes its
-- dates (as_of, from, to): nothing depends on today. Then row-level
-- security (a blocker and a history row in a project the caller may not
-- see), the errors, and the indexes.
--
-- Hand computations are in the comments; days are UTC, times 10:00 unless said.
BEGIN;
SELECT plan(34);

-- Fixture -----------------------------------------------------------------------------
SELECT ok(bool_and(planpipe_create_history_partition(m)), 'partitions for 2023-12 .. 2024-02')
FROM unnest(ARRAY['2023-12-01', '2024-01-01', '2024-02-01']::date[]) AS m;

\ir lib/history.sql
-- A status marked blocked (0017), in PLAN's workflow.
INSERT INTO statuses (key, category, position, description, blocked)
VALUES ('stuck', 'active', 35, 'Waiting on something', true);
INSERT INTO project_statuses (project_id, status, name, position)
SELECT id, 'stuck', 'Stuck', 35 FROM projects WHERE key = 'PLAN';

-- PLAN's sprints: S0 .. S3 finished by 2024-01-24, S4 in progress, S5 not started.
INSERT INTO backlogs (project_id, name, kind, starts_on, ends_on)
SELECT p.id, b.name, b.kind, b.s::date, b.e::date
FROM (VALUES ('PLAN', 'S0', 'sprint', '2023-12-18', '2023-12-31'),
             ('PLAN', 'S1', 'sprint', '2024-01-01', '2024-01-07'),
             ('PLAN', 'S2', 'sprint', '2024-01-08', '2024-01-14'),
             ('PLAN', 'S3', 'sprint', '2024-01-15', '2024-01-21'),
             ('PLAN', 'S4', 'sprint', '2024-01-22', '2024-01-28'),
             ('PLAN', 'S5', 'sprint', '2024-01-29', '2024-02-04'),
             ('PLAN', 'Backlog', 'backlog', NULL, NULL),
             ('OTHER', 'O1', 'sprint', '2024-01-08', '2024-01-14')) AS b(pk, name, kind, s, e)
JOIN projects p ON p.key = b.pk;

-- key, project, backlog, status now, points, epic, created (its first history row)
CREATE TEMP TABLE fx (key text, project text, backlog text, status text, points numeric, epic text,
                     created timestamptz);
INSERT INTO fx VALUES
    ('V-0',  'PLAN',  'S0',      'done',        4,    NULL, '2023-12-10 10:00+00'),
    ('V-1',  'PLAN',  'S1',      'done',        3,    'auth', '2023-12-20 10:00+00'),
    ('V-2',  'PLAN',  'S1',      'done',        5,    'auth', '2023-12-21 10:00+00'),
    ('V-3',  'PLAN',  'S1',      'done',        2,    NULL, '2024-01-03 10:00+00'),
    ('V-4',  'PLAN',  'S2',      'done',        8,    'billing', '2024-01-02 10:00+00'),
    ('V-5',  'PLAN',  'S2',      'done',        1,    NULL, '2024-01-01 10:00+00'),
    ('V-6',  'PLAN',  'S2',      'done',        NULL, NULL, '2024-01-02 10:00+00'),
    ('V-7',  'PLAN',  'S2',      'draft',       3,    'auth', '2024-01-02 10:00+00'),
    ('V-8',  'PLAN',  'S3',      'done',        5,    NULL, '2024-01-10 10:00+00'),
    ('V-9',  'PLAN',  'S3',      'cancelled',   3,    'auth', '2024-01-10 10:00+00'),
    ('V-10', 'PLAN',  'S3',      'done',        2,    NULL, '2024-01-10 10:00+00'),
    ('V-11', 'PLAN',  'S3',      'done',        1,    NULL, '2024-01-10 10:00+00'),
    ('V-12', 'PLAN',  'S4',      'done',        3,    NULL, '2024-01-15 10:00+00'),
    ('V-13', 'PLAN',  'S4',      'stuck',       2,    'auth', '2024-01-15 10:00+00'),
    ('V-15', 'PLAN',  'S5',      'ready',       8,    'billing', '2024-01-20 10:00+00'),
    ('V-16', 'PLAN',  'Backlog', 'draft',       5,    'auth', '2024-01-05 10:00+00'),
    ('V-17', 'PLAN',  'Backlog', 'draft',       NULL, 'billing', '2024-01-06 10:00+00'),
    ('V-18', 'PLAN',  'Backlog', 'done',        1,    NULL, '2024-01-02 10:00+00'),
    ('V-19', 'PLAN',  'Backlog', 'ready',       1,    'billing', '2023-12-01 10:00+00'),
    ('M-1',  'OTHER', NULL,      'in_progress', 2,    NULL, '2024-01-02 10:00+00'),
    ('O-1',  'OTHER', 'O1',      'draft',       3,    NULL, '2024-01-01 10:00+00'),
    ('O-2',  'OTHER', NULL,      'in_progress', 2,    NULL, '2024-01-01 10:00+00');
INSERT INTO stories (project_id, backlog_id, key, title, status, estimate_points, epic, created_at)
SELECT p.id, b.id, f.key, 'Story ' || f.key, f.status, f.points, f.epic, f.created
FROM fx f JOIN projects p ON p.key = f.project
LEFT JOIN backlogs b ON b.project_id = p.id AND b.name = f.backlog;
-- M-1 was written in OTHER and moved to PLAN (its insert row stays OTHER's);
-- V-7 was archived in the middle of S2.
UPDATE stories SET project_id = (SELECT id FROM projects WHERE key = 'PLAN') WHERE key = 'M-1';
UPDATE stories SET archived_at = '2024-01-11 10:00+00' WHERE key = 'V-7';

-- Blocking: V-13 and V-16 by V-15 (open), V-17 by OTHER's O-2 (open),
-- V-19 by V-18 (done: not blocking), M-1 by V-12 (done); V-19 only relates to V-15.
INSERT INTO story_dependencies (story_id, depends_on_id, kind)
SELECT pg_temp.sid(a), pg_temp.sid(b), k
FROM (VALUES ('V-13', 'V-15', 'blocks'), ('V-16', 'V-15', 'blocks'), ('V-17', 'O-2', 'blocks'),
             ('V-19', 'V-18', 'blocks'), ('M-1', 'V-12', 'blocks'), ('V-19', 'V-15', 'relates'))
     AS d(a, b, k);

-- The history, replaced by rows at chosen times (tests/sql/lib/history.sql):
-- each step 'YYYY-MM-DD HH:MI status', the first the insert.
SELECT pg_temp.forget_history(ARRAY(SELECT key FROM fx));
SELECT pg_temp.history('V-0', 'PLAN', '2023-12-10 10:00 draft', '2023-12-19 10:00 in_progress', '2023-12-28 10:00 done');
SELECT pg_temp.history('V-1', 'PLAN', '2023-12-20 10:00 draft', '2024-01-02 10:00 in_progress', '2024-01-05 10:00 done');
SELECT pg_temp.history('V-2', 'PLAN', '2023-12-21 10:00 draft', '2024-01-03 10:00 in_progress', '2024-01-09 10:00 done');
SELECT pg_temp.history('V-3', 'PLAN', '2024-01-03 10:00 ready', '2024-01-04 10:00 done');
-- V-4 is done on 01-12, re-opened on 01-13, done again on 01-16 (after S2).
SELECT pg_temp.history('V-4', 'PLAN', '2024-01-02 10:00 ready', '2024-01-09 10:00 in_progress',
                       '2024-01-12 10:00 done', '2024-01-13 10:00 in_progress', '2024-01-16 10:00 done');
SELECT pg_temp.history('V-5', 'PLAN', '2024-01-01 10:00 ready', '2024-01-05 10:00 done');
SELECT pg_temp.history('V-6', 'PLAN', '2024-01-02 10:00 draft', '2024-01-10 10:00 done');
SELECT pg_temp.history('V-7', 'PLAN', '2024-01-02 10:00 draft');
SELECT pg_temp.history('V-8', 'PLAN', '2024-01-10 10:00 draft', '2024-01-16 10:00 in_progress', '2024-01-18 10:00 done');
SELECT pg_temp.history('V-9', 'PLAN', '2024-01-10 10:00 draft', '2024-01-17 10:00 cancelled');
-- V-10 is done in S3's last half hour, V-11 at the first instant after it.
SELECT pg_temp.history('V-10', 'PLAN', '2024-01-10 10:00 draft', '2024-01-21 23:30 done');
SELECT pg_temp.history('V-11', 'PLAN', '2024-01-10 10:00 draft', '2024-01-22 00:00 done');
SELECT pg_temp.history('V-12', 'PLAN', '2024-01-15 10:00 ready', '2024-01-23 10:00 in_progress', '2024-01-24 10:00 done');
SELECT pg_temp.history('V-13', 'PLAN', '2024-01-15 10:00 ready', '2024-01-23 10:00 in_progress', '2024-01-24 10:00 stuck');
SELECT pg_temp.history('V-15', 'PLAN', '2024-01-20 10:00 ready');
SELECT pg_temp.history('V-16', 'PLAN', '2024-01-05 10:00 draft');
SELECT pg_temp.history('V-17', 'PLAN', '2024-01-06 10:00 draft');
SELECT pg_temp.history('V-18', 'PLAN', '2024-01-02 10:00 draft', '2024-01-03 10:00 done');
SELECT pg_temp.history('V-19', 'PLAN', '2023-12-01 10:00 ready');
SELECT pg_temp.history('M-1', 'OTHER', '2024-01-02 10:00 draft');
INSERT INTO status_history (story_id, project_id, from_status, to_status, changed_at, source)
SELECT pg_temp.sid('M-1'), id, 'draft', 'in_progress', '2024-01-11 10:00+00', 'api' FROM projects WHERE key = 'PLAN';
SELECT pg_temp.history('O-1', 'OTHER', '2024-01-01 10:00 draft');
SELECT pg_temp.history('O-2', 'OTHER', '2024-01-01 10:00 draft', '2024-01-05 10:00 in_progress');
-- velocity ------------------------------------------------------------------------------------
-- As of 2024-01-24 (the moment: 01-25 00:00): S1..S3 finished, S4 in progress.
-- S1 (01-01..01-07): V-1 (3) and V-2 (5) open at the start; V-3 created on
--   01-03: not committed, done (2); V-1 done, V-2 done only on 01-09.
-- S2 (01-08..01-14): V-4 (8), V-6 (unestimated), V-7 (3) committed; V-5 was
--   done before the sprint (neither); V-4 done and re-opened (not done at
--   the end), V-7 archived, V-6 done with 0 points.
-- S3 (01-15..01-21): V-8 (5), V-9 (3), V-10 (2), V-11 (1) committed; V-8
--   and V-10 (23:30 on the last day) done; V-11 at 01-22 00:00 is not.
-- S4 (in progress): V-12 (3), V-13 (2) committed, V-12 done by the moment.
-- mean of S1..S3: 5 stories / 3 = 1.67, 12 points / 3 = 4.
-- remaining: V-13 2, V-15 8, V-16 5, V-17 -, M-1 2, V-19 1 = 6 stories, 18
-- points (V-7 is archived); forecast ceil(18 / 4) = 5.
SELECT is(planpipe_report_velocity(ARRAY['PLAN'], 3, '2024-01-24'),
          '{"report": "velocity", "as_of": "2024-01-25T00:00:00Z", "last": 3, "projects": ["PLAN"],
            "by_project": [{"project": "PLAN", "sprints": [
              {"backlog": "S1", "starts_on": "2024-01-01", "ends_on": "2024-01-07", "finished": true,
               "committed": {"stories": 2, "points": 8}, "done": {"stories": 2, "points": 5}},
              {"backlog": "S2", "starts_on": "2024-01-08", "ends_on": "2024-01-14", "finished": true,
               "committed": {"stories": 3, "points": 11}, "done": {"stories": 1, "points": 0}},
              {"backlog": "S3", "starts_on": "2024-01-15", "ends_on": "2024-01-21", "finished": true,
               "committed": {"stories": 4, "points": 11}, "done": {"stories": 2, "points": 7}},
              {"backlog": "S4", "starts_on": "2024-01-22", "ends_on": "2024-01-28", "finished": false,
               "committed": {"stories": 2, "points": 5}, "done": {"stories": 1, "points": 3}}],
             "mean": {"sprints": 3, "stories": 1.67, "points": 4},
             "remaining": {"stories": 6, "points": 18, "unestimated": 1},
             "forecast_sprints": 5}]}'::jsonb,
          'velocity: committed and done per sprint, the mean of the last 3, the forecast');
-- last 4 adds S0 (V-0: committed 4, done 4): 6 / 4 = 1.5 stories, 16 / 4 = 4 points.
SELECT is(planpipe_report_velocity(ARRAY['PLAN'], 4, '2024-01-24')->'by_project'->0->'mean',
          '{"sprints": 4, "stories": 1.5, "points": 4}'::jsonb, 'velocity: last 4 sprints');
SELECT is(planpipe_report_velocity(ARRAY['PLAN'], 4, '2024-01-24')->'by_project'->0->'sprints'->0->>'backlog',
          'S0', 'velocity: the older sprint is listed when the mean uses it');
-- last 1: S3 alone, 7 points; ceil(18 / 7) = 3.
SELECT is(planpipe_report_velocity(ARRAY['PLAN'], 1, '2024-01-24')->'by_project'->0->'forecast_sprints',
          '3'::jsonb, 'velocity: the forecast follows the mean of the last sprint');
-- As of 01-20 (01-21 00:00) S3 is going on: V-8 is done, V-10 not yet;
-- as of 01-21 (01-22 00:00) it is finished, and S4 has not begun.
SELECT is(planpipe_report_velocity(ARRAY['PLAN'], 3, '2024-01-20')->'by_project'->0->'sprints'->-1,
          '{"backlog": "S3", "starts_on": "2024-01-15", "ends_on": "2024-01-21", "finished": false,
            "committed": {"stories": 4, "points": 11}, "done": {"stories": 1, "points": 5}}'::jsonb,
          'velocity: a sprint in progress counts what is done so far');
SELECT is(planpipe_report_velocity(ARRAY['PLAN'], 3, '2024-01-21')->'by_project'->0->'sprints'->-1->'finished',
          'true'::jsonb, 'velocity: a sprint is finished at the end of its last day, the next not begun');
-- OTHER: O1 finished with nothing done: mean 0, no forecast.
SELECT is((planpipe_report_velocity(ARRAY['OTHER'], 3, '2024-01-24')->'by_project'->0) - 'sprints',
          '{"project": "OTHER", "mean": {"sprints": 1, "stories": 0, "points": 0},
            "remaining": {"stories": 2, "points": 5, "unestimated": 0}, "forecast_sprints": null}'::jsonb,
          'velocity: no forecast when the mean is 0');
SELECT throws_ok($$SELECT planpipe_report_velocity(NULL, 0, '2024-01-24')$$, '22023',
                 'last must be 1 to 100 sprints, not 0', 'velocity: last is checked');

-- time-in-status -------------------------------------------------------------------------------
-- Visits that ended 01-08..01-14 in PLAN: V-2 in_progress 01-03 -> 01-09 (6
-- days), V-4 ready 01-02 -> 01-09 (7), in_progress 01-09 -> 01-12 (3), done
-- 01-12 -> 01-13 (1), V-6 draft 01-02 -> 01-10 (8), M-1 draft 01-02 (in
-- OTHER) -> 01-11 (9). draft [8, 9]: median 8.5, p85 8 + 0.85 = 8.85, p95
-- 8.95; in_progress [3, 6]: 4.5, 3 + 0.85 * 3 = 5.55, 5.85.
SELECT is(planpipe_report_time_in_status(ARRAY['PLAN'], '2024-01-08', '2024-01-14'),
          '{"report": "time-in-status", "from": "2024-01-08", "to": "2024-01-14", "projects": ["PLAN"],
            "statuses": [
              {"status": "draft", "category": "todo", "visits": 2, "stories": 2,
               "days": {"n": 2, "median": 8.5, "p85": 8.85, "p95": 8.95}},
              {"status": "ready", "category": "todo", "visits": 1, "stories": 1,
               "days": {"n": 1, "median": 7, "p85": 7, "p95": 7}},
              {"status": "in_progress", "category": "active", "visits": 2, "stories": 2,
               "days": {"n": 2, "median": 4.5, "p85": 5.55, "p95": 5.85}},
              {"status": "done", "category": "done", "visits": 1, "stories": 1,
               "days": {"n": 1, "median": 1, "p85": 1, "p95": 1}}]}'::jsonb,
          'time-in-status: visits ended in the window, days per status');
SELECT is(planpipe_report_time_in_status(ARRAY['PLAN'], '2024-01-15', '2024-01-15')->'statuses',
          '[]'::jsonb, 'time-in-status: a window with no status left is empty');

-- aging ----------------------------------------------------------------------------------------
-- Open as of 2024-01-24 (01-25 00:00), days in the status: V-13 stuck since
-- 01-24 10:00 (0.58), V-15 ready 01-20 (4.58), M-1 in_progress 01-11
-- (13.58), V-17 draft 01-06 (18.58), V-16 draft 01-05 (19.58), V-19 ready
-- 2023-12-01 (54.58). V-7 is archived.
SELECT is(planpipe_report_aging(ARRAY['PLAN'], '2024-01-24') - 'oldest',
          '{"report": "aging", "as_of": "2024-01-25T00:00:00Z", "projects": ["PLAN"],
            "stories": 6, "points": 18,
            "buckets": [{"bucket": "0-1d", "min_days": 0, "max_days": 1, "stories": 1, "points": 2},
                        {"bucket": "1-3d", "min_days": 1, "max_days": 3, "stories": 0, "points": 0},
                        {"bucket": "3-7d", "min_days": 3, "max_days": 7, "stories": 1, "points": 8},
                        {"bucket": "7-14d", "min_days": 7, "max_days": 14, "stories": 1, "points": 2},
                        {"bucket": "14-30d", "min_days": 14, "max_days": 30, "stories": 2, "points": 5},
                        {"bucket": "30d+", "min_days": 30, "max_days": null, "stories": 1, "points": 1}],
            "by_status": [
              {"status": "draft", "category": "todo", "stories": 2, "points": 5, "oldest_days": 19.58,
               "buckets": {"0-1d": 0, "1-3d": 0, "3-7d": 0, "7-14d": 0, "14-30d": 2, "30d+": 0}},
              {"status": "ready", "category": "todo", "stories": 2, "points": 9, "oldest_days": 54.58,
               "buckets": {"0-1d": 0, "1-3d": 0, "3-7d": 1, "7-14d": 0, "14-30d": 0, "30d+": 1}},
              {"status": "in_progress", "category": "active", "stories": 1, "points": 2, "oldest_days": 13.58,
               "buckets": {"0-1d": 0, "1-3d": 0, "3-7d": 0, "7-14d": 1, "14-30d": 0, "30d+": 0}},
              {"status": "stuck", "category": "active", "stories": 1, "points": 2, "oldest_days": 0.58,
               "buckets": {"0-1d": 1, "1-3d": 0, "3-7d": 0, "7-14d": 0, "14-30d": 0, "30d+": 0}}]}'::jsonb,
          'aging: open work by status and age bucket');
SELECT is(planpipe_report_aging(ARRAY['PLAN'], '2024-01-24')->'oldest'->0,
          '{"project": "PLAN", "key": "V-19", "title": "Story V-19", "status": "ready",
            "since": "2023-12-01T10:00:00Z", "age_days": 54.58, "points": 1}'::jsonb,
          'aging: the oldest story first');
SELECT is(ARRAY(SELECT x->>'key' FROM jsonb_array_elements(planpipe_report_aging(ARRAY['PLAN'], '2024-01-24')->'oldest') AS x),
          ARRAY['V-19', 'V-16', 'V-17', 'M-1', 'V-15', 'V-13'], 'aging: oldest first');
-- As of 2024-01-10 (01-11 00:00) the open work was then's: V-4 in progress
-- since 01-09, V-7 not yet archived, M-1 a draft since 01-02 (in OTHER
-- then, in PLAN now), V-8..V-11 drafts of a day; V-12..V-15 not yet written.
SELECT is(ARRAY(SELECT x->>'key' FROM jsonb_array_elements(planpipe_report_aging(ARRAY['PLAN'], '2024-01-10')->'oldest') AS x),
          ARRAY['V-19', 'M-1', 'V-7', 'V-16', 'V-17', 'V-4', 'V-10', 'V-11', 'V-8', 'V-9'],
          'aging: as of an earlier day, the stories open then');
SELECT is(planpipe_report_aging(ARRAY['PLAN'], '2024-01-10')->'stories', '10'::jsonb,
          'aging: as of an earlier day, ten open stories');

-- epics ----------------------------------------------------------------------------------------
-- auth: V-1 (3, done), V-2 (5, done), V-13 (2, stuck, blocked by V-15), V-16
--   (5, blocked by V-15); V-9 cancelled, V-7 archived. 4 stories, 15
--   points, done 2 / 8: 53.3 % of points, 50 % of stories.
-- billing: V-4 (8, done), V-15 (8), V-17 (-, blocked by OTHER's O-2), V-19 (1,
--   its blocker V-18 is done). 17 points, done 8: 47.1 %, 1 of 4: 25 %.
-- no epic: V-0 4, V-3 2, V-5 1, V-6 -, V-8 5, V-10 2, V-11 1, V-12 3, V-18 1
--   (done), M-1 2 (open, its blocker V-12 is done): 21 points, 19 done.
SELECT is(planpipe_report_epics(ARRAY['PLAN'])->'by_epic',
          '[{"project": "PLAN", "epic": "auth", "stories": 4, "points": 15, "done_stories": 2, "done_points": 8,
             "done_percent_points": 53.3, "done_percent_stories": 50.0, "open": 2, "cancelled": 1,
             "unestimated": 0, "blocked": 2, "blocked_by_dependency": 2, "blocked_by_status": 1},
            {"project": "PLAN", "epic": "billing", "stories": 4, "points": 17, "done_stories": 1, "done_points": 8,
             "done_percent_points": 47.1, "done_percent_stories": 25.0, "open": 3, "cancelled": 0,
             "unestimated": 1, "blocked": 1, "blocked_by_dependency": 1, "blocked_by_status": 0},
            {"project": "PLAN", "epic": null, "stories": 10, "points": 21, "done_stories": 9, "done_points": 19,
             "done_percent_points": 90.5, "done_percent_stories": 90.0, "open": 1, "cancelled": 0,
             "unestimated": 1, "blocked": 0, "blocked_by_dependency": 0, "blocked_by_status": 0}]'::jsonb,
          'epics: stories, points, done % and blocked per epic');
SELECT is(planpipe_report_epics(ARRAY['PLAN'])->'total',
          '{"stories": 18, "points": 53, "done_stories": 12, "done_points": 35,
            "done_percent_points": 66.0, "done_percent_stories": 66.7, "open": 6, "cancelled": 1,
            "unestimated": 2, "blocked": 3, "blocked_by_dependency": 3, "blocked_by_status": 1}'::jsonb,
          'epics: the total');
SELECT is(planpipe_report_epics(ARRAY['PLAN', 'OTHER'])->'by_project'->0->'project', '"OTHER"'::jsonb,
          'epics: projects in key order');

-- The ways to the rows (migration 0025) ------------------------------------------------------------
-- TIS, stories whose visits end in the window 01-08..01-14 (01-08 00:00 to
-- 01-15 00:00): T-A a draft since 2022-06-01 (588 days: the row before the
-- window more than a year before it), T-B since 2023-10-01 (100: more than
-- a month before), T-C drafted and made ready at the same instant on 12-20
-- (the later row is the one before: ready for 20 days), T-D left draft at
-- 01-08 00:00 exactly (6.58 days, in the window), T-E at 01-15 00:00 (not
-- in it), T-F written in the window (draft for 1 day), T-G draft for 9 days
-- and ready for 2 in TIS, since moved to OTHER, T-I archived (draft 10).
-- draft [1, 6.58, 9, 10, 100, 588]: median 9.5, p85 100 + 0.25 * 488 =
-- 222, p95 100 + 0.75 * 488 = 466; ready [2, 20]: 11, 17.3, 19.1.
INSERT INTO projects (key, name) VALUES ('TIS', 'Time in status');
INSERT INTO users (handle) VALUES ('carol');
INSERT INTO project_members (project_id, user_id, role)
SELECT p.id, u.id, 'viewer' FROM projects p, users u WHERE p.key = 'TIS' AND u.handle = 'carol';
INSERT INTO stories (project_id, key, title, status, epic, created_at)
SELECT p.id, k, 'Story ' || k, st, 'e', '2022-06-01 10:00+00'
FROM projects p, (VALUES ('T-A', 'ready'), ('T-B', 'ready'), ('T-C', 'in_progress'), ('T-D', 'ready'),
                         ('T-E', 'ready'), ('T-F', 'ready'), ('T-G', 'done'), ('T-I', 'ready')) AS t(k, st)
WHERE p.key = 'TIS';
SET LOCAL planpipe.maintenance = on;
DELETE FROM status_history WHERE story_id IN (SELECT id FROM stories WHERE key LIKE 'T-%');
SET LOCAL planpipe.maintenance = off;
SELECT pg_temp.history('T-A', 'TIS', '2022-06-01 10:00 draft', '2024-01-10 10:00 ready');
SELECT pg_temp.history('T-B', 'TIS', '2023-10-01 10:00 draft', '2024-01-09 10:00 ready');
SELECT pg_temp.history('T-C', 'TIS', '2023-12-20 10:00 draft', '2023-12-20 10:00 ready', '2024-01-09 10:00 in_progress');
SELECT pg_temp.history('T-D', 'TIS', '2024-01-01 10:00 draft', '2024-01-08 00:00 ready');
SELECT pg_temp.history('T-E', 'TIS', '2024-01-02 10:00 draft', '2024-01-15 00:00 ready');
SELECT pg_temp.history('T-F', 'TIS', '2024-01-09 10:00 draft', '2024-01-10 10:00 ready');
SELECT pg_temp.history('T-G', 'TIS', '2024-01-01 10:00 draft', '2024-01-10 10:00 ready', '2024-01-12 10:00 done');
SELECT pg_temp.history('T-I', 'TIS', '2024-01-02 10:00 draft', '2024-01-12 10:00 ready');
UPDATE stories SET project_id = (SELECT id FROM projects WHERE key = 'OTHER') WHERE key = 'T-G';
UPDATE stories SET archived_at = '2024-01-20 10:00+00' WHERE key = 'T-I';
-- updated_at as tight as the rules allow (its last change or archiving; T-D's
-- is the window's first instant): past the trigger that sets it to now().
SET LOCAL session_replication_role = replica;
UPDATE stories s SET updated_at = greatest(s.archived_at, (SELECT max(h.changed_at) FROM status_history h
                                                          WHERE h.story_id = s.id))
WHERE s.key LIKE 'T-%';
SET LOCAL session_replication_role = origin;
SELECT is(planpipe_report_time_in_status(ARRAY['TIS'], '2024-01-08', '2024-01-14')->'statuses',
          '[{"status": "draft", "category": "todo", "visits": 6, "stories": 6,
             "days": {"n": 6, "median": 9.5, "p85": 222, "p95": 466}},
            {"status": "ready", "category": "todo", "visits": 2, "stories": 2,
             "days": {"n": 2, "median": 11, "p85": 17.3, "p95": 19.1}}]'::jsonb,
          'time-in-status: rows before the window far back, ties, the window''s edges, moved and archived stories');
-- Epics of TIS (T-G moved out, T-I archived): T-B blocked by OTHER's open
-- O-1, T-D by T-E (open, in TIS); T-A's blocker T-I is archived, T-C's
-- (PLAN's V-18) done, T-F only relates to the open T-E.
INSERT INTO story_dependencies (story_id, depends_on_id, kind)
SELECT pg_temp.sid(a), pg_temp.sid(b), k
FROM (VALUES ('T-B', 'O-1', 'blocks'), ('T-D', 'T-E', 'blocks'), ('T-A', 'T-I', 'blocks'),
             ('T-C', 'V-18', 'blocks'), ('T-F', 'T-E', 'relates')) AS d(a, b, k);
SELECT is(planpipe_report_epics(ARRAY['TIS'])->'total',
          '{"stories": 6, "points": 0, "done_stories": 0, "done_points": 0,
            "done_percent_points": null, "done_percent_stories": 0.0, "open": 6, "cancelled": 0,
            "unestimated": 6, "blocked": 2, "blocked_by_dependency": 2, "blocked_by_status": 0}'::jsonb,
          'epics: blockers in the project, in another one, archived, done, and a relation');
SELECT is(ARRAY(SELECT s.key FROM planpipe_report_open_blocked_in(ARRAY[(SELECT id FROM projects WHERE key = 'TIS')]) AS b
                JOIN stories s ON s.id = b.story_id ORDER BY 1),
          ARRAY['T-B', 'T-D'], 'open_blocked_in: the blocked open stories of a project');

-- Row-level security ------------------------------------------------------------------------------
\ir lib/act_as.sql
CREATE TEMP TABLE r_owner AS
    SELECT planpipe_report_velocity(ARRAY['PLAN'], 3, '2024-01-24') AS velocity,
           planpipe_report_epics(ARRAY['PLAN']) AS epics,
           planpipe_report_aging(ARRAY['PLAN'], '2024-01-24') AS aging,
           planpipe_report_time_in_status(ARRAY['TIS'], '2024-01-08', '2024-01-14') AS tis_tis,
           planpipe_report_epics(ARRAY['TIS']) AS tis_epics;
GRANT SELECT ON r_owner TO planpipe_app;

-- carol sees TIS only: T-G, since moved to OTHER, is not among the stories she
-- sees, but its visits in TIS are; T-B's blocker is OTHER's.
SELECT pg_temp.act_as('carol');
SELECT is(planpipe_report_time_in_status(ARRAY['TIS'], '2024-01-08', '2024-01-14'), (SELECT tis_tis FROM r_owner),
          'carol: the visits in TIS of a story moved to a project she may not see');
SELECT is(planpipe_report_epics(ARRAY['TIS']), (SELECT tis_epics FROM r_owner),
          'carol: T-B is blocked by OTHER''s O-1, which she may not see');
RESET ROLE;

SELECT pg_temp.act_as('alice');
SELECT is(planpipe_report_velocity(NULL, 3, '2024-01-24'), (SELECT velocity FROM r_owner),
          'alice: PLAN''s velocity, as the owner sees it');
SELECT is(planpipe_report_epics(NULL), (SELECT epics FROM r_owner),
          'alice: V-17 is blocked by OTHER''s O-2, which she may not see');
SELECT is(planpipe_report_aging(NULL, '2024-01-24'), (SELECT aging FROM r_owner),
          'alice: PLAN''s aging');
-- M-1's draft visit began in OTHER: alice cannot see when, so it is left out.
SELECT is(planpipe_report_time_in_status(NULL, '2024-01-08', '2024-01-14')->'statuses'->0,
          '{"status": "draft", "category": "todo", "visits": 1, "stories": 1,
            "days": {"n": 1, "median": 8, "p85": 8, "p95": 8}}'::jsonb,
          'alice: a visit whose start she may not see is not measured');
SELECT throws_ok($$SELECT planpipe_report_epics(ARRAY['OTHER'])$$, 'PP404', 'no project OTHER',
                 'alice: a project she may not see is unknown');

SELECT pg_temp.act_as('nobody');
SELECT is((SELECT count(*) FROM planpipe_report_open_blocked(ARRAY[pg_temp.sid('V-17')])), 0::bigint,
          'without a user, the blocker check shows planpipe_app nothing');
RESET ROLE;

-- velocity's two paths (0023) ------------------------------------------------------------------
-- A project of its own, TIE, sprint TS1 (01-08..01-14), as of 01-24:
-- T-1 done on 01-03 and T-2 ready since 01-01, neither written since (their
--   updated_at set back to their last change, as a server running then would
--   have left it): no history is read for them, their status now is their
--   status at both edges: T-1 done before (neither), T-2 committed (3);
-- T-3 (5) has two rows at 01-08 00:00 exactly, the sprint's start:
--   ready -> done, then done -> in_progress; the first of the two (by id)
--   gives its status then: ready, committed; in_progress at the end: not done.
-- committed 2 stories, 8 points; done none.
INSERT INTO projects (key, name) VALUES ('TIE', 'Ties');
INSERT INTO backlogs (project_id, name, kind, starts_on, ends_on)
SELECT id, 'TS1', 'sprint', '2024-01-08', '2024-01-14' FROM projects WHERE key = 'TIE';
INSERT INTO stories (project_id, backlog_id, key, title, status, estimate_points, created_at)
SELECT p.id, b.id, t.key, 'Story ' || t.key, t.status, t.points, '2024-01-01 10:00+00'
FROM (VALUES ('T-1', 'done', 2), ('T-2', 'ready', 3), ('T-3', 'in_progress', 5)) AS t(key, status, points)
JOIN projects p ON p.key = 'TIE' JOIN backlogs b ON b.project_id = p.id;
SET LOCAL planpipe.maintenance = on;
DELETE FROM status_history WHERE story_id IN (SELECT pg_temp.sid(k) FROM unnest(ARRAY['T-1', 'T-2', 'T-3']) AS k);
SET LOCAL planpipe.maintenance = off;
SELECT pg_temp.history('T-1', 'TIE', '2024-01-01 10:00 draft', '2024-01-03 10:00 done');
SELECT pg_temp.history('T-2', 'TIE', '2024-01-01 10:00 ready');
SELECT pg_temp.history('T-3', 'TIE', '2024-01-01 10:00 ready');
INSERT INTO status_history (story_id, project_id, from_status, to_status, changed_at, source)
SELECT pg_temp.sid('T-3'), id, 'ready', 'done', '2024-01-08 00:00+00', 'api' FROM projects WHERE key = 'TIE';
INSERT INTO status_history (story_id, project_id, from_status, to_status, changed_at, source)
SELECT pg_temp.sid('T-3'), id, 'done', 'in_progress', '2024-01-08 00:00+00', 'api' FROM projects WHERE key = 'TIE';
SET LOCAL session_replication_role = replica; -- no trigger: updated_at as written
UPDATE stories s SET updated_at = (SELECT max(h.changed_at) FROM status_history h WHERE h.story_id = s.id)
WHERE s.key IN ('T-1', 'T-2');
SET LOCAL session_replication_role = origin;
SELECT is(planpipe_report_velocity(ARRAY['TIE'], 3, '2024-01-24')->'by_project'->0->'sprints',
          '[{"backlog": "TS1", "starts_on": "2024-01-08", "ends_on": "2024-01-14", "finished": true,
             "committed": {"stories": 2, "points": 8}, "done": {"stories": 0, "points": 0}}]'::jsonb,
          'velocity: stories not written since a sprint began, and two history rows at its first instant');

-- Errors --------------------------------------------------------------------------------------------
SELECT throws_ok($$SELECT planpipe_report_aging(NULL, 'infinity')$$, '22023', 'as_of must be a finite date',
                 'aging: as_of is checked');
SELECT throws_ok($$SELECT planpipe_report_time_in_status(NULL, '2024-02-01', '2024-01-01')$$, '22023',
                 'the window starts (2024-02-01) after it ends (2024-01-01)', 'time-in-status: the window is checked');

-- Indexes -------------------------------------------------------------------------------------------
-- 200 more projects, 60 stories each with a history in January 2024: one project's reports
-- must reach stories and history through their indexes, never a full scan
-- of either (pg_stat_get_xact_*: this transaction's scans of the tables).
INSERT INTO projects (key, name) SELECT 'BIG' || g, 'big ' || g FROM generate_series(1, 200) AS g;
INSERT INTO backlogs (project_id, name, kind, starts_on, ends_on)
SELECT id, 'Sprint', 'sprint', '2024-01-08', '2024-01-19' FROM projects WHERE key LIKE 'BIG%';
INSERT INTO stories (project_id, backlog_id, key, title, status, estimate_points, epic)
SELECT p.id, b.id, 'S-' || g, 'Story', (ARRAY['draft', 'ready', 'in_progress', 'done'])[1 + g % 4], g % 5,
       'e' || g % 3
FROM projects p JOIN backlogs b ON b.project_id = p.id CROSS JOIN generate_series(1, 60) AS g
WHERE p.key LIKE 'BIG%';
-- two changes each in January 2024 (24,000 rows in that partition)
INSERT INTO status_history (story_id, project_id, from_status, to_status, changed_at, source)
SELECT s.id, s.project_id, x.f, x.t, x.at::timestamptz + (s.id % 100) * interval '1 hour', 'api'
FROM stories s JOIN projects p ON p.id = s.project_id
CROSS JOIN (VALUES ('draft', 'ready', '2024-01-10 00:00+00'),
                   ('ready', 'in_progress', '2024-01-20 00:00+00')) AS x(f, t, at)
WHERE p.key LIKE 'BIG%';
ANALYZE stories;
ANALYZE status_history;
ANALYZE backlogs;
CREATE TEMP TABLE scans0 AS
    SELECT relname, coalesce(seq_tup_read, 0) AS seq_read FROM pg_stat_xact_user_tables
    WHERE relname = 'stories' OR relname LIKE 'status\_history%';
SELECT planpipe_report_velocity(ARRAY['BIG7'], 3, '2024-01-24'), planpipe_report_aging(ARRAY['BIG7'], '2024-01-24'),
       planpipe_report_epics(ARRAY['BIG7']), planpipe_report_time_in_status(ARRAY['BIG7'], '2024-01-01', '2024-01-31');
SELECT is(ARRAY(SELECT t.relname::text FROM pg_stat_xact_user_tables t JOIN scans0 s ON s.relname = t.relname
                WHERE coalesce(t.seq_tup_read, 0) - s.seq_read > 1000 ORDER BY 1),
          '{}'::text[], 'one project''s team reports scan neither stories nor history whole');

SELECT * FROM finish();
ROLLBACK;
