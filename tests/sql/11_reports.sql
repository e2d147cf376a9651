-- Reports (migration 0010, docs/reports.md): every figure of every report
-- equals the value computed by hand from a small history with chosen
-- timestamps: a re-opened story, a story blocked by another project's story
-- (through a chain), a story moved between projects, an import of finished
-- work, scope added and removed in the middle of a sprint, a change at a
-- month boundary (two partitions). Then row-level security, the errors, and
-- the indexes each report uses on a data set big enough to matter.
--
-- Hand computations are in the comments; days and ISO weeks are UTC.
BEGIN;
SELECT plan(89);

-- Fixture -----------------------------------------------------------------------------
SELECT ok(bool_and(planpipe_create_history_partition(m)), 'partitions for 2023-12, 2024-01 and 2024-02')
FROM unnest(ARRAY['2023-12-01', '2024-01-01', '2024-02-01']::date[]) AS m;

\ir lib/reports_fixture.sql

SELECT results_eq(
    $$SELECT to_status, tableoid::regclass::text FROM status_history
      WHERE story_id = pg_temp.sid('A-9') ORDER BY changed_at$$,
    $$VALUES ('draft', 'status_history_p202401'), ('in_progress', 'status_history_p202401'),
             ('done', 'status_history_p202402')$$,
    'A-9''s start and finish sit in two monthly partitions');
SELECT is((SELECT count(*) FROM stories s
           WHERE s.key IN (SELECT key FROM fx_story)
             AND s.status IS DISTINCT FROM (SELECT h.to_status FROM status_history h WHERE h.story_id = s.id
                                            ORDER BY h.changed_at DESC, h.id DESC LIMIT 1)),
          0::bigint, 'every story''s status is the last of its history');

-- The functions ------------------------------------------------------------------------
SELECT is(count(*), 8::bigint, 'one function per report')
FROM pg_proc WHERE proname ~ '^planpipe_report_(status_summary|blocked|critical_path|cycle_time|throughput|cumulative_flow|burndown|acceptance)$';
SELECT ok(bool_and(p.provolatile = 's' AND NOT p.prosecdef
                   AND 'search_path=public, pg_temp' = ANY (p.proconfig)
                   AND p.prorettype = 'jsonb'::regtype
                   AND has_function_privilege('planpipe_app', p.oid, 'EXECUTE')
                   AND NOT has_function_privilege('public', p.oid, 'EXECUTE')),
          'each is STABLE, SECURITY INVOKER, pins search_path, returns jsonb, runs for planpipe_app only')
FROM pg_proc p
WHERE p.proname ~ '^planpipe_report_(status_summary|blocked|critical_path|cycle_time|throughput|cumulative_flow|burndown|acceptance)$';
SELECT ok((SELECT p.prosecdef AND p.provolatile = 's' AND 'search_path=public, pg_temp' = ANY (p.proconfig)
           FROM pg_proc p WHERE p.proname = 'planpipe_report_blocker_closure'),
          'the blocker walk is the one SECURITY DEFINER helper, STABLE, search_path pinned');

-- status-summary -------------------------------------------------------------------------
-- PLAN now (A-8 archived, M-1 moved away): draft A-5 (no estimate), A-6 (1);
-- in_progress A-3 (5); done A-1 (3), A-7 (1), A-9 (1), A-10 (1), I-1 (2);
-- accepted A-2 (2); cancelled A-4 (8). OTHER: draft B-2 (3), in_progress
-- B-1 (5), done B-3 (1) and M-1 (2).
CREATE TEMP TABLE r_summary AS SELECT planpipe_report_status_summary(ARRAY['PLAN', 'OTHER']) AS j;
SELECT is((SELECT j->'projects' FROM r_summary), '["OTHER", "PLAN"]'::jsonb, 'status-summary: projects in key order');
SELECT is((SELECT jsonb_path_query_first(j, '$.by_project[*] ? (@.project == "PLAN")') - 'statuses' FROM r_summary),
          '{"project": "PLAN", "name": "Planning", "stories": 10, "points": 24, "unestimated": 1,
            "categories": {"todo": {"stories": 2, "points": 1}, "active": {"stories": 1, "points": 5},
                           "done": {"stories": 6, "points": 10}, "cancelled": {"stories": 1, "points": 8}}}'::jsonb,
          'status-summary: PLAN per category, archived and moved stories left out');
SELECT is((SELECT jsonb_path_query_first(j, '$.by_project[*] ? (@.project == "PLAN")')->'statuses' FROM r_summary),
          '[{"status": "draft", "category": "todo", "stories": 2, "points": 1},
            {"status": "ready", "category": "todo", "stories": 0, "points": 0},
            {"status": "in_progress", "category": "active", "stories": 1, "points": 5},
            {"status": "review", "category": "active", "stories": 0, "points": 0},
            {"status": "done", "category": "done", "stories": 5, "points": 8},
            {"status": "accepted", "category": "done", "stories": 1, "points": 2},
            {"status": "cancelled", "category": "cancelled", "stories": 1, "points": 8}]'::jsonb,
          'status-summary: PLAN per status, every status listed in board order');
SELECT is((SELECT jsonb_path_query_first(j, '$.by_project[*] ? (@.project == "OTHER")') - 'statuses' FROM r_summary),
          '{"project": "OTHER", "name": "Other team", "stories": 4, "points": 11, "unestimated": 0,
            "categories": {"todo": {"stories": 1, "points": 3}, "active": {"stories": 1, "points": 5},
                           "done": {"stories": 2, "points": 3}, "cancelled": {"stories": 0, "points": 0}}}'::jsonb,
          'status-summary: OTHER counts the story moved into it');
SELECT is((SELECT (j->'total') - 'statuses' FROM r_summary),
          '{"stories": 14, "points": 35, "unestimated": 1,
            "categories": {"todo": {"stories": 3, "points": 4}, "active": {"stories": 2, "points": 10},
                           "done": {"stories": 8, "points": 13}, "cancelled": {"stories": 1, "points": 8}}}'::jsonb,
          'status-summary: the total');
SELECT ok((SELECT j->'projects' @> '["OTHER", "PLAN"]' FROM (SELECT planpipe_report_status_summary(NULL) AS j) AS x),
          'status-summary: no projects named means every project (the owner sees all)');

-- blocked ----------------------------------------------------------------------------------
-- Open stories with open blockers, oldest blockage first:
--   B-1 since 2023-12-16 10:00 (edge to B-2; both open since 12-15);
--   A-5 since 2024-01-09 11:00 (edge to A-3 created then, A-3 open since 01-09 10:00;
--       the edge to A-6 started blocking only on 01-20), chain A-3 -> B-1 -> B-2: depth 3;
--   A-3 since 2024-01-09 12:00 (edge to B-1); its closed blocker A-1 does not count.
SELECT is(planpipe_report_blocked(ARRAY['PLAN']),
          '{"report": "blocked", "projects": ["PLAN"], "stories": [
             {"project": "PLAN", "key": "A-5", "title": "Story A-5", "status": "draft",
              "blocked_since": "2024-01-09T11:00:00Z", "depth": 3, "blockers": [
                {"project": "PLAN", "key": "A-3", "title": "Story A-3", "status": "in_progress",
                 "hidden": false, "depth": 1, "blocks": ["PLAN:A-5"]},
                {"project": "PLAN", "key": "A-6", "title": "Story A-6", "status": "draft",
                 "hidden": false, "depth": 1, "blocks": ["PLAN:A-5"]},
                {"project": "OTHER", "key": "B-1", "title": "Story B-1", "status": "in_progress",
                 "hidden": false, "depth": 2, "blocks": ["PLAN:A-3"]},
                {"project": "OTHER", "key": "B-2", "title": "Story B-2", "status": "draft",
                 "hidden": false, "depth": 3, "blocks": ["OTHER:B-1"]}]},
             {"project": "PLAN", "key": "A-3", "title": "Story A-3", "status": "in_progress",
              "blocked_since": "2024-01-09T12:00:00Z", "depth": 2, "blockers": [
                {"project": "OTHER", "key": "B-1", "title": "Story B-1", "status": "in_progress",
                 "hidden": false, "depth": 1, "blocks": ["PLAN:A-3"]},
                {"project": "OTHER", "key": "B-2", "title": "Story B-2", "status": "draft",
                 "hidden": false, "depth": 2, "blocks": ["OTHER:B-1"]}]}]}'::jsonb,
          'blocked: PLAN''s blocked stories, oldest first, with their chains into OTHER');
SELECT is((SELECT jsonb_agg(s->>'key') FROM jsonb_array_elements(planpipe_report_blocked(ARRAY['PLAN', 'OTHER'])->'stories') AS s),
          '["B-1", "A-5", "A-3"]'::jsonb, 'blocked: both projects, the oldest blockage first');
SELECT is(planpipe_report_blocked(ARRAY['OTHER'])->'stories'->0->'blocked_since', '"2023-12-16T10:00:00Z"'::jsonb,
          'blocked: blocked since the dependency was recorded, both stories being open by then');
-- B-2 finishes: B-1 is no longer blocked, and A-3's chain ends at B-1.
UPDATE stories SET status = 'done' WHERE key = 'B-2';
SELECT is((SELECT jsonb_agg(jsonb_build_array(s->>'key', s->'depth'))
           FROM jsonb_array_elements(planpipe_report_blocked(ARRAY['PLAN', 'OTHER'])->'stories') AS s),
          '[["A-5", 2], ["A-3", 1]]'::jsonb, 'blocked: a closed blocker ends its chain');
UPDATE stories SET status = 'draft' WHERE key = 'B-2';

-- critical-path ------------------------------------------------------------------------------
-- A-5's longest chain: A-3 -> B-1 -> B-2 (5 + 5 + 3 points); A-6 is a chain of one.
SELECT is(planpipe_report_critical_path('PLAN', 'A-5'),
          '{"report": "critical-path", "project": "PLAN", "story": "A-5", "title": "Story A-5",
            "status": "draft", "length": 3, "open_blockers": 4, "points": 13, "path": [
              {"depth": 1, "project": "PLAN", "key": "A-3", "title": "Story A-3", "status": "in_progress",
               "hidden": false, "points": 5},
              {"depth": 2, "project": "OTHER", "key": "B-1", "title": "Story B-1", "status": "in_progress",
               "hidden": false, "points": 5},
              {"depth": 3, "project": "OTHER", "key": "B-2", "title": "Story B-2", "status": "draft",
               "hidden": false, "points": 3}]}'::jsonb,
          'critical-path: the longest chain of open blockers, across projects');
SELECT is(planpipe_report_critical_path('PLAN', 'A-1') - 'title' - 'status',
          '{"report": "critical-path", "project": "PLAN", "story": "A-1", "length": 0,
            "open_blockers": 0, "points": 0, "path": []}'::jsonb,
          'critical-path: a story without open blockers has an empty path');

-- cycle-time ----------------------------------------------------------------------------------
-- Completions (first done, not an insert) from 2024-01-01 to 2024-02-04, in days:
--   A-1  PLAN  auth  done 01-05  cycle 3   (01-02 -> 01-05)  lead 16 (12-20 -> 01-05)  W01
--   M-1  PLAN  -     done 01-08  cycle 3                      lead 5                   W02
--   A-2  PLAN  auth  done 01-10  cycle 6 (first done only)    lead 7                   W02
--   B-3  OTHER -     done 01-12  cycle 3                      lead 10                  W02
--   A-10 PLAN  auth  done 01-16  no cycle (never active)      lead 1                   W03
--   A-9  PLAN  auth  done 02-01  cycle 0.5 (12 h)             lead 3                   W05
-- Not counted: A-7 (done in December), I-1 (imported done), A-2's second done.
-- percentile_cont: p at position p*(n-1) of the sorted values, interpolated.
--   all cycle [0.5 3 3 3 6]: median 3, p85 3+0.4*3 = 4.2, p95 3+0.8*3 = 5.4
--   all lead [1 3 5 7 10 16]: median 6, p85 10+0.25*6 = 11.5, p95 10+0.75*6 = 14.5
--   PLAN cycle [0.5 3 3 6]: 3, 3+0.55*3 = 4.65, 3+0.85*3 = 5.55; lead [1 3 5 7 16]: 5, 10.6, 14.2
--   PLAN/auth cycle [0.5 3 6]: 3, 5.1, 5.7; lead [1 3 7 16]: 5, 7+0.55*9 = 11.95, 7+0.85*9 = 14.65
--   W02 cycle [3 3 6]: 3, 5.1, 5.7; lead [5 7 10]: 7, 9.1, 9.7
CREATE TEMP TABLE r_cycle AS
    SELECT planpipe_report_cycle_time(ARRAY['PLAN', 'OTHER'], '2024-01-01', '2024-02-04') AS j;
SELECT is((SELECT j->'overall' FROM r_cycle),
          '{"stories": 6, "cycle_time": {"n": 5, "median": 3, "p85": 4.2, "p95": 5.4},
                          "lead_time": {"n": 6, "median": 6, "p85": 11.5, "p95": 14.5}}'::jsonb,
          'cycle-time: overall, a re-opened story counted once with its first completion');
SELECT is((SELECT j->'by_project' FROM r_cycle),
          '[{"project": "OTHER", "stories": 1, "cycle_time": {"n": 1, "median": 3, "p85": 3, "p95": 3},
                                               "lead_time": {"n": 1, "median": 10, "p85": 10, "p95": 10}},
            {"project": "PLAN", "stories": 5, "cycle_time": {"n": 4, "median": 3, "p85": 4.65, "p95": 5.55},
                                              "lead_time": {"n": 5, "median": 5, "p85": 10.6, "p95": 14.2}}]'::jsonb,
          'cycle-time: per project where the story was completed (M-1 in PLAN)');
SELECT is((SELECT j->'by_epic' FROM r_cycle),
          '[{"project": "OTHER", "epic": null, "stories": 1, "cycle_time": {"n": 1, "median": 3, "p85": 3, "p95": 3},
             "lead_time": {"n": 1, "median": 10, "p85": 10, "p95": 10}},
            {"project": "PLAN", "epic": "auth", "stories": 4, "cycle_time": {"n": 3, "median": 3, "p85": 5.1, "p95": 5.7},
             "lead_time": {"n": 4, "median": 5, "p85": 11.95, "p95": 14.65}},
            {"project": "PLAN", "epic": null, "stories": 1, "cycle_time": {"n": 1, "median": 3, "p85": 3, "p95": 3},
             "lead_time": {"n": 1, "median": 5, "p85": 5, "p95": 5}}]'::jsonb,
          'cycle-time: per epic');
SELECT is((SELECT jsonb_agg(jsonb_build_array(w->>'week', w->>'starts_on', w->'stories', w->'cycle_time'->'median',
                                              w->'cycle_time'->'p85', w->'lead_time'->'median', w->'lead_time'->'p95'))
           FROM r_cycle, jsonb_array_elements(j->'by_week') AS w),
          '[["2024-W01", "2024-01-01", 1, 3, 3, 16, 16],
            ["2024-W02", "2024-01-08", 3, 3, 5.1, 7, 9.7],
            ["2024-W03", "2024-01-15", 1, null, null, 1, 1],
            ["2024-W04", "2024-01-22", 0, null, null, null, null],
            ["2024-W05", "2024-01-29", 1, 0.5, 0.5, 3, 3]]'::jsonb,
          'cycle-time: per ISO week of completion, empty weeks included');
SELECT is((SELECT jsonb_agg(jsonb_build_array(s->>'key', s->>'done_at', s->'cycle_days', s->'lead_days'))
           FROM r_cycle, jsonb_array_elements(j->'stories') AS s),
          '[["A-1", "2024-01-05T10:00:00Z", 3, 16], ["M-1", "2024-01-08T10:00:00Z", 3, 5],
            ["A-2", "2024-01-10T10:00:00Z", 6, 7], ["B-3", "2024-01-12T10:00:00Z", 3, 10],
            ["A-10", "2024-01-16T10:00:00Z", null, 1], ["A-9", "2024-02-01T00:30:00Z", 0.5, 3]]'::jsonb,
          'cycle-time: the stories behind the figures, in completion order');
SELECT is(planpipe_report_cycle_time(ARRAY['PLAN'], '2024-01-17', '2024-01-31')->'overall'->'stories',
          '0'::jsonb, 'cycle-time: finishing a re-opened story again is not a new completion');

-- throughput ----------------------------------------------------------------------------------
-- W01 A-1 (3); W02 M-1 (2) and A-2 (2) in PLAN, B-3 (1) in OTHER; W03 A-10 (1)
-- (A-2's second done on 01-17 does not count); W04 nothing; W05 A-9 (1).
CREATE TEMP TABLE r_through AS
    SELECT planpipe_report_throughput(ARRAY['PLAN', 'OTHER'], '2024-01-01', '2024-02-04') AS j;
SELECT is((SELECT jsonb_agg(jsonb_build_array(w->>'week', w->>'from', w->>'to', w->'stories', w->'points'))
           FROM r_through, jsonb_array_elements(j->'weeks') AS w),
          '[["2024-W01", "2024-01-01", "2024-01-07", 1, 3], ["2024-W02", "2024-01-08", "2024-01-14", 3, 5],
            ["2024-W03", "2024-01-15", "2024-01-21", 1, 1], ["2024-W04", "2024-01-22", "2024-01-28", 0, 0],
            ["2024-W05", "2024-01-29", "2024-02-04", 1, 1]]'::jsonb,
          'throughput: stories and points first reaching done, per ISO week');
SELECT is((SELECT j->'weeks'->1->'by_project' FROM r_through),
          '[{"project": "OTHER", "stories": 1, "points": 1}, {"project": "PLAN", "stories": 2, "points": 4}]'::jsonb,
          'throughput: per project where it happened (M-1 counts for PLAN)');
SELECT is((SELECT j->'total' FROM r_through), '{"stories": 6, "points": 10, "unestimated": 0}'::jsonb,
          'throughput: total');
SELECT is((SELECT jsonb_agg(jsonb_build_array(w->>'from', w->>'to', w->'stories'))
           FROM jsonb_array_elements(planpipe_report_throughput(ARRAY['PLAN'], '2024-01-10', '2024-01-16')->'weeks') AS w),
          '[["2024-01-10", "2024-01-14", 1], ["2024-01-15", "2024-01-16", 1]]'::jsonb,
          'throughput: partial weeks at the window''s ends are clipped to it');

-- cumulative-flow -----------------------------------------------------------------------------
-- Reports count UTC days, whatever the session's TimeZone.
CREATE FUNCTION pg_temp.today() RETURNS date LANGUAGE sql AS $$ SELECT (now() AT TIME ZONE 'UTC')::date $$;
-- PLAN's stories (now in PLAN) at the end of each day. Before 01-01: A-1 and A-4
-- todo, A-7 done. 01-02 A-1 active, A-8 new; 01-03 A-2 new; 01-04 A-2 active;
-- 01-05 A-1 done; 01-08 A-5 new; 01-09 A-3 new; 01-10 A-2 done, I-1 new (done);
-- 01-11 A-3 active; 01-12 A-2 re-opened, A-8 archived; 01-15 A-4 cancelled,
-- A-10 new; 01-16 A-10 done (A-2 to review: no change); 01-17 A-2 done; 01-20 A-6
-- new; 01-29 A-9 new; 01-31 A-9 active; 02-01 A-9 done.
SELECT results_eq(
    $$SELECT x.day, x.todo, x.active, x.done, x.cancelled
      FROM jsonb_to_recordset(planpipe_report_cumulative_flow(ARRAY['PLAN'], '2024-01-01', '2024-02-02')->'days')
           AS x(day date, todo int, active int, done int, cancelled int)$$,
    $$SELECT d::date, v.todo, v.active, v.done, v.cancelled
      FROM (VALUES ('2024-01-01', 2, 0, 1, 0), ('2024-01-02', 2, 1, 1, 0), ('2024-01-03', 3, 1, 1, 0),
                   ('2024-01-04', 2, 2, 1, 0), ('2024-01-05', 2, 1, 2, 0), ('2024-01-06', 2, 1, 2, 0),
                   ('2024-01-07', 2, 1, 2, 0), ('2024-01-08', 3, 1, 2, 0), ('2024-01-09', 4, 1, 2, 0),
                   ('2024-01-10', 4, 0, 4, 0), ('2024-01-11', 3, 1, 4, 0), ('2024-01-12', 2, 2, 3, 0),
                   ('2024-01-13', 2, 2, 3, 0), ('2024-01-14', 2, 2, 3, 0), ('2024-01-15', 2, 2, 3, 1),
                   ('2024-01-16', 1, 2, 4, 1), ('2024-01-17', 1, 1, 5, 1), ('2024-01-18', 1, 1, 5, 1),
                   ('2024-01-19', 1, 1, 5, 1), ('2024-01-20', 2, 1, 5, 1), ('2024-01-21', 2, 1, 5, 1),
                   ('2024-01-22', 2, 1, 5, 1), ('2024-01-23', 2, 1, 5, 1), ('2024-01-24', 2, 1, 5, 1),
                   ('2024-01-25', 2, 1, 5, 1), ('2024-01-26', 2, 1, 5, 1), ('2024-01-27', 2, 1, 5, 1),
                   ('2024-01-28', 2, 1, 5, 1), ('2024-01-29', 3, 1, 5, 1), ('2024-01-30', 3, 1, 5, 1),
                   ('2024-01-31', 2, 2, 5, 1), ('2024-02-01', 2, 1, 6, 1), ('2024-02-02', 2, 1, 6, 1))
           AS v(d, todo, active, done, cancelled)$$,
    'cumulative-flow: every day of the window, exact from the history');
-- OTHER at the end of 01-08: B-2 and B-3 todo, B-1 active, M-1 done (in PLAN, then).
SELECT is(planpipe_report_cumulative_flow(ARRAY['OTHER'], '2024-01-08', '2024-01-08')->'days',
          '[{"day": "2024-01-08", "todo": 2, "active": 1, "done": 1, "cancelled": 0}]'::jsonb,
          'cumulative-flow: a moved story counts in its project of today (M-1 done in OTHER)');
SELECT is((SELECT jsonb_object_agg(k, v) FROM jsonb_each(
               planpipe_report_cumulative_flow(ARRAY['PLAN', 'OTHER'], pg_temp.today(), pg_temp.today())->'days'->0) AS e(k, v)
           WHERE k <> 'day'),
          (SELECT jsonb_object_agg(k, v->'stories')
           FROM jsonb_each(planpipe_report_status_summary(ARRAY['PLAN', 'OTHER'])->'total'->'categories') AS e(k, v)),
          'cumulative-flow: today''s counts are the status summary''s');
SELECT is(planpipe_report_cumulative_flow(ARRAY['PLAN'], pg_temp.today() + 1, pg_temp.today() + 7)->'days', '[]'::jsonb,
          'cumulative-flow: no days after today');

-- burndown and burnup ---------------------------------------------------------------------------
-- Sprint 1 (01-08 .. 01-19) holds A-1 (3), A-2 (2), A-3 (5), A-4 (8), A-8 (2).
-- At the start: A-1 done; A-2, A-4, A-8 open: scope 15, done 3, remaining 12.
-- 01-09 A-3 added (+5); 01-10 A-2 completed; 01-12 A-2 re-opened and A-8
-- archived (-2); 01-15 A-4 cancelled (-8); 01-17 A-2 completed again.
SELECT is(planpipe_report_burndown('PLAN', 'Sprint 1') - 'days',
          '{"report": "burndown", "project": "PLAN", "backlog": "Sprint 1", "kind": "sprint",
            "starts_on": "2024-01-08", "ends_on": "2024-01-19", "from": "2024-01-08", "to": "2024-01-19",
            "unestimated": 0, "scope_at_start": 15, "done_at_start": 3}'::jsonb,
          'burndown: the window defaults to the sprint''s dates');
SELECT results_eq(
    $$SELECT x.day, x.scope, x.added, x.removed, x.completed, x.reopened, x.done, x.remaining
      FROM jsonb_to_recordset(planpipe_report_burndown('PLAN', 'Sprint 1')->'days')
           AS x(day date, scope numeric, added numeric, removed numeric, completed numeric,
                reopened numeric, done numeric, remaining numeric)$$,
    $$SELECT d::date, v.scope::numeric, v.added::numeric, v.removed::numeric, v.completed::numeric,
             v.reopened::numeric, v.done::numeric, v.remaining::numeric
      FROM (VALUES ('2024-01-08', 15, 0, 0, 0, 0, 3, 12), ('2024-01-09', 20, 5, 0, 0, 0, 3, 17),
                   ('2024-01-10', 20, 0, 0, 2, 0, 5, 15), ('2024-01-11', 20, 0, 0, 0, 0, 5, 15),
                   ('2024-01-12', 18, 0, 2, 0, 2, 3, 15), ('2024-01-13', 18, 0, 0, 0, 0, 3, 15),
                   ('2024-01-14', 18, 0, 0, 0, 0, 3, 15), ('2024-01-15', 10, 0, 8, 0, 0, 3, 7),
                   ('2024-01-16', 10, 0, 0, 0, 0, 3, 7), ('2024-01-17', 10, 0, 0, 2, 0, 5, 5),
                   ('2024-01-18', 10, 0, 0, 0, 0, 5, 5), ('2024-01-19', 10, 0, 0, 0, 0, 5, 5))
           AS v(d, scope, added, removed, completed, reopened, done, remaining)$$,
    'burndown: remaining and done (burnup) points per day, scope added and removed apart');
SELECT is(planpipe_report_burndown('PLAN', 'Sprint 1', '2024-01-10', '2024-01-11')->'scope_at_start',
          '20'::jsonb, 'burndown: a window inside the sprint starts with the scope of the day before');
SELECT is(jsonb_array_length(planpipe_report_burndown('PLAN', 'Backlog', '2024-01-01', '2024-01-31')->'days'),
          31, 'burndown: a backlog without dates takes the window given');

-- acceptance ----------------------------------------------------------------------------------
-- Archived (A-8) and cancelled (A-4) stories are left out.
--   PLAN auth: A-1 2/2, A-2 3/4, A-7 0/2, A-9 0/0, A-10 1/1: 5 stories, 4 with a
--              checklist, 6/9 = 66.7 %, complete A-1 and A-10
--   PLAN profile: A-3 1/3; PLAN none: A-5 0/0, A-6 0/1, I-1 2/2
--   OTHER none: B-1 1/2, B-2 0/0, B-3 1/1, M-1 0/0
SELECT is(planpipe_report_acceptance(ARRAY['PLAN', 'OTHER']),
          '{"report": "acceptance", "projects": ["OTHER", "PLAN"], "by_epic": [
              {"project": "OTHER", "epic": null, "stories": 4, "with_checklist": 2, "checklist_done": 2,
               "checklist_total": 3, "percent": 66.7, "complete": 1},
              {"project": "PLAN", "epic": "auth", "stories": 5, "with_checklist": 4, "checklist_done": 6,
               "checklist_total": 9, "percent": 66.7, "complete": 2},
              {"project": "PLAN", "epic": "profile", "stories": 1, "with_checklist": 1, "checklist_done": 1,
               "checklist_total": 3, "percent": 33.3, "complete": 0},
              {"project": "PLAN", "epic": null, "stories": 3, "with_checklist": 2, "checklist_done": 2,
               "checklist_total": 3, "percent": 66.7, "complete": 1}],
            "by_project": [
              {"project": "OTHER", "stories": 4, "with_checklist": 2, "checklist_done": 2,
               "checklist_total": 3, "percent": 66.7, "complete": 1},
              {"project": "PLAN", "stories": 9, "with_checklist": 7, "checklist_done": 9,
               "checklist_total": 15, "percent": 60.0, "complete": 3}],
            "total": {"stories": 13, "with_checklist": 9, "checklist_done": 11, "checklist_total": 18,
                      "percent": 61.1, "complete": 4}}'::jsonb,
          'acceptance: checklist progress per epic, per project and in total');

-- Errors ----------------------------------------------------------------------------------------
SELECT throws_ok($$SELECT planpipe_report_status_summary(ARRAY['PLAN', 'NOPE'])$$, 'PP404', 'no project NOPE',
                 'an unknown project is named');
SELECT throws_ok($$SELECT planpipe_report_throughput(ARRAY['ZZZ', 'NOPE'])$$, 'PP404', 'no project NOPE, ZZZ',
                 'all unknown projects are named');
SELECT throws_ok($$SELECT planpipe_report_throughput(NULL, '2024-02-01', '2024-01-01')$$, '22023',
                 'the window starts (2024-02-01) after it ends (2024-01-01)', 'from after to is refused');
SELECT throws_ok($$SELECT planpipe_report_cumulative_flow(NULL, '2000-01-01', '2024-01-01')$$, '22023',
                 'the window from 2000-01-01 to 2024-01-01 is longer than 3660 days', 'windows are bounded');
SELECT throws_ok($$SELECT planpipe_report_cycle_time(NULL, NULL, 'infinity')$$, '22023',
                 'report windows need finite dates', 'infinite dates are refused');
SELECT throws_ok($$SELECT planpipe_report_burndown('PLAN', 'Sprint 9')$$, 'PP404',
                 'no backlog "Sprint 9" in project PLAN', 'an unknown backlog is named');
SELECT throws_ok($$SELECT planpipe_report_critical_path('PLAN', 'A-99')$$, 'PP404', 'no story PLAN:A-99',
                 'an unknown story is named');
SELECT is((SELECT planpipe_report_throughput(NULL, NULL, '2024-01-31') ->> 'from'), '2023-11-13',
          'weekly reports default to the 12 ISO weeks up to to');
SELECT is((SELECT planpipe_report_cumulative_flow(NULL, NULL, '2024-01-31') ->> 'from'), '2024-01-02',
          'daily reports default to the 30 days up to to');

-- Row-level security ------------------------------------------------------------------------------
\ir lib/act_as.sql
CREATE TEMP TABLE r_owner AS
    SELECT planpipe_report_status_summary(ARRAY['PLAN']) AS summary,
           planpipe_report_cumulative_flow(ARRAY['PLAN'], '2024-01-01', '2024-02-02') AS flow;
GRANT SELECT ON r_owner TO planpipe_app;

SELECT pg_temp.act_as('alice');
SELECT is(planpipe_report_status_summary(NULL), (SELECT summary FROM r_owner),
          'alice sees the figures of her project, as the owner sees them');
SELECT throws_ok($$SELECT planpipe_report_status_summary(ARRAY['OTHER'])$$, 'PP404', 'no project OTHER',
                 'a project alice may not see is as unknown as one that does not exist');
SELECT is(planpipe_report_cumulative_flow(NULL, '2024-01-01', '2024-02-02'), (SELECT flow FROM r_owner),
          'alice''s cumulative flow is PLAN''s');
SELECT is(planpipe_report_blocked(NULL)->'stories',
          '[{"project": "PLAN", "key": "A-5", "title": "Story A-5", "status": "draft",
             "blocked_since": "2024-01-09T11:00:00Z", "depth": 3, "blockers": [
               {"project": "PLAN", "key": "A-3", "title": "Story A-3", "status": "in_progress",
                "hidden": false, "depth": 1, "blocks": ["PLAN:A-5"]},
               {"project": "PLAN", "key": "A-6", "title": "Story A-6", "status": "draft",
                "hidden": false, "depth": 1, "blocks": ["PLAN:A-5"]},
               {"project": null, "key": null, "title": null, "status": "in_progress",
                "hidden": true, "depth": 2, "blocks": ["PLAN:A-3"]},
               {"project": null, "key": null, "title": null, "status": "draft",
                "hidden": true, "depth": 3, "blocks": ["(hidden)"]}]},
            {"project": "PLAN", "key": "A-3", "title": "Story A-3", "status": "in_progress",
             "blocked_since": "2024-01-09T12:00:00Z", "depth": 2, "blockers": [
               {"project": null, "key": null, "title": null, "status": "in_progress",
                "hidden": true, "depth": 1, "blocks": ["PLAN:A-3"]},
               {"project": null, "key": null, "title": null, "status": "draft",
                "hidden": true, "depth": 2, "blocks": ["(hidden)"]}]}]'::jsonb,
          'alice is told her stories are blocked by OTHER''s, without seeing them');
SELECT is(planpipe_report_critical_path('PLAN', 'A-5')->'points', '5'::jsonb,
          'alice''s critical path counts only the points she may see');
SELECT is(planpipe_report_throughput(NULL, '2024-01-08', '2024-01-14')->'total',
          '{"stories": 2, "points": 2, "unestimated": 1}'::jsonb,
          'alice: M-1 was finished in PLAN, but its points moved with it to OTHER');

SELECT pg_temp.act_as('bob');
SELECT is(planpipe_report_throughput(NULL, '2024-01-01', '2024-02-04')->'total',
          '{"stories": 1, "points": 1, "unestimated": 0}'::jsonb,
          'bob: OTHER''s throughput is B-3 only (M-1 was finished elsewhere)');
SELECT is(planpipe_report_status_summary(NULL)->'total'->'stories', '4'::jsonb,
          'bob: OTHER has the moved story now');
SELECT throws_ok($$SELECT planpipe_report_critical_path('PLAN', 'A-5')$$, 'PP404', 'no project PLAN',
                 'bob may not ask about PLAN''s stories');
SELECT is(planpipe_report_blocked(NULL)->'stories'->0->'key', '"B-1"'::jsonb, 'bob: B-1 is blocked by B-2');

SELECT pg_temp.act_as('nobody');
SELECT is(planpipe_report_status_summary(NULL) - 'by_project' - 'total',
          '{"report": "status-summary", "projects": []}'::jsonb, 'without a user, planpipe_app sees no project');
RESET ROLE;
-- The API's login (a member of planpipe_app, not a superuser) without a user
-- gets nothing from the cross-project walk, even called directly.
CREATE ROLE pp_test_report_api LOGIN;
GRANT planpipe_app TO pp_test_report_api;
CREATE TEMP TABLE fx_ids AS SELECT array_agg(pg_temp.sid(key)) AS ids FROM fx_story;
GRANT SELECT ON fx_ids TO planpipe_app;
SET LOCAL planpipe.user_id = '';
SET LOCAL SESSION AUTHORIZATION pp_test_report_api;
SELECT is((SELECT count(*) FROM planpipe_report_blocker_closure((SELECT ids FROM fx_ids))),
          0::bigint, 'the blocker walk shows an API login without a user nothing');
RESET SESSION AUTHORIZATION;
SELECT is((SELECT count(*) FROM planpipe_report_blocker_closure(ARRAY[pg_temp.sid('A-5')])), 4::bigint,
          'the schema owner without a user sees the whole walk');

-- Indexes -------------------------------------------------------------------------------------------
-- 200 projects of 60 stories with four status changes each in January and
-- February 2024 (about 24,000 history rows a month), blocking chains, a
-- sprint each. Each report, asked for one project, must
-- reach stories and history through their indexes: the scan counters of this
-- transaction (pg_stat_get_xact_numscans) count what the functions did.
SELECT ok(bool_and(planpipe_create_history_partition(m::date) IS NOT NULL), 'partitions for 2024-03 and 2024-04')
FROM unnest(ARRAY['2024-03-01', '2024-04-01']::date[]) AS m;
INSERT INTO projects (key, name) SELECT 'BIG' || g, 'big ' || g FROM generate_series(1, 200) AS g;
INSERT INTO backlogs (project_id, name, kind, starts_on, ends_on)
SELECT id, 'Sprint', 'sprint', '2024-01-22', '2024-02-02' FROM projects WHERE key LIKE 'BIG%';
INSERT INTO stories (project_id, backlog_id, key, title, status, estimate_points, epic,
                     checklist_done, checklist_total, created_at)
SELECT b.project_id, CASE WHEN g % 3 = 0 THEN b.id END, 'S-' || g, 'story ' || g,
       (ARRAY['draft', 'ready', 'in_progress', 'review', 'done', 'accepted', 'cancelled'])[1 + g % 7],
       g % 8, 'epic' || g % 5, g % 3, 3, '2024-01-01'::timestamptz + (g * 10 || ' hours')::interval
FROM backlogs b JOIN projects p ON p.id = b.project_id, generate_series(1, 60) AS g
WHERE p.key LIKE 'BIG%';
INSERT INTO status_history (story_id, project_id, from_status, to_status, changed_at)
SELECT s.id, s.project_id, v.f, v.t, s.created_at + (v.k * 7 || ' days')::interval
FROM stories s JOIN projects p ON p.id = s.project_id,
     LATERAL (VALUES (1, 'draft', 'in_progress'), (2, 'in_progress', 'done'), (3, 'done', 'review'),
                     (4, 'review', 'done')) AS v(k, f, t)
WHERE p.key LIKE 'BIG%';
INSERT INTO story_dependencies (story_id, depends_on_id)
SELECT s.id, t.id FROM stories s
JOIN projects p ON p.id = s.project_id AND p.key LIKE 'BIG%'
JOIN stories t ON t.project_id = s.project_id AND t.key = 'S-' || (substr(s.key, 3)::int - 1)
WHERE substr(s.key, 3)::int % 5 <> 0;
ANALYZE projects, backlogs, stories, story_dependencies, status_history;
-- Plans cached while the tables were small would be kept.
DISCARD PLANS;

-- Scans of each relation (a partitioned table or index: all of its partitions) so far.
CREATE FUNCTION pg_temp.scans(p_rel text) RETURNS bigint LANGUAGE sql
AS $$
    SELECT coalesce(sum(pg_stat_get_xact_numscans(c.oid)), 0)::bigint
    FROM pg_class c
    WHERE c.oid = p_rel::regclass
       OR c.oid IN (SELECT i.inhrelid FROM pg_inherits i WHERE i.inhparent = p_rel::regclass)
$$;
-- Sequential scans of history partitions big enough for an index to win
-- (a few rows, like the fixture's December, are rightly read whole).
CREATE FUNCTION pg_temp.history_seq_scans() RETURNS bigint LANGUAGE sql
AS $$
    SELECT coalesce(sum(pg_stat_get_xact_numscans(i.inhrelid)), 0)::bigint
    FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
    WHERE i.inhparent = 'status_history'::regclass AND c.reltuples >= 1000
$$;
-- Runs a report and returns how often it scanned each relation.
CREATE FUNCTION pg_temp.scans_by(p_call text) RETURNS jsonb LANGUAGE plpgsql
AS $$
DECLARE
    rels text[] := ARRAY['stories', 'story_dependencies', 'stories_project_id_status_idx',
                         'stories_key_ci_project_id_idx', 'stories_backlog_id_rank_idx', 'stories_pkey',
                         'story_dependencies_pkey', 'status_history_story_id_changed_at_idx',
                         'status_history_project_id_changed_at_idx'];
    before bigint[] := ARRAY(SELECT pg_temp.scans(r) FROM unnest(rels) AS r);
    seq_before bigint := pg_temp.history_seq_scans();
    result jsonb;
BEGIN
    EXECUTE 'SELECT ' || p_call;
    SELECT jsonb_object_agg(r, pg_temp.scans(r) - before[i]) INTO result
    FROM unnest(rels) WITH ORDINALITY AS u(r, i);
    RETURN result || jsonb_build_object('status_history', pg_temp.history_seq_scans() - seq_before);
END
$$;
CREATE TEMP TABLE r_scans AS
SELECT name, pg_temp.scans_by(call) AS s
FROM (VALUES ('status-summary', $$planpipe_report_status_summary(ARRAY['BIG7'])$$),
             ('blocked', $$planpipe_report_blocked(ARRAY['BIG7'])$$),
             ('critical-path', $$planpipe_report_critical_path('BIG7', 'S-59')$$),
             ('cycle-time', $$planpipe_report_cycle_time(ARRAY['BIG7'], '2024-01-01', '2024-03-31')$$),
             ('throughput', $$planpipe_report_throughput(ARRAY['BIG7'], '2024-01-01', '2024-03-31')$$),
             ('cumulative-flow', $$planpipe_report_cumulative_flow(ARRAY['BIG7'], '2024-01-01', '2024-03-31')$$),
             ('burndown', $$planpipe_report_burndown('BIG7', 'Sprint')$$),
             ('acceptance', $$planpipe_report_acceptance(ARRAY['BIG7'])$$)) AS v(name, call);

-- Sequential scans of stories, story_dependencies and the big history
-- partitions: none. Indexes: the ones docs/reports.md names.
SELECT is((SELECT s->'stories' FROM r_scans WHERE name = n), '0'::jsonb, n || ': no sequential scan of stories')
FROM unnest(ARRAY['status-summary', 'blocked', 'critical-path', 'cycle-time', 'throughput', 'cumulative-flow',
                  'burndown', 'acceptance']) AS n;
SELECT is((SELECT s->'status_history' FROM r_scans WHERE name = n), '0'::jsonb,
          n || ': no sequential scan of a history partition')
FROM unnest(ARRAY['blocked', 'cycle-time', 'throughput', 'cumulative-flow', 'burndown']) AS n;
SELECT is((SELECT s->'story_dependencies' FROM r_scans WHERE name = n), '0'::jsonb,
          n || ': no sequential scan of story_dependencies')
FROM unnest(ARRAY['blocked', 'critical-path']) AS n;
SELECT ok((SELECT (s->>i)::bigint > 0 FROM r_scans WHERE name = n), n || ' uses ' || i)
FROM (VALUES ('status-summary', 'stories_project_id_status_idx'),
             ('blocked', 'stories_project_id_status_idx'),
             ('blocked', 'story_dependencies_pkey'),
             ('critical-path', 'stories_key_ci_project_id_idx'), -- the key ignoring case (0029)
             ('critical-path', 'story_dependencies_pkey'),
             ('cycle-time', 'status_history_project_id_changed_at_idx'),
             ('cycle-time', 'status_history_story_id_changed_at_idx'),
             ('throughput', 'status_history_project_id_changed_at_idx'),
             ('throughput', 'status_history_story_id_changed_at_idx'),
             ('cumulative-flow', 'stories_project_id_status_idx'),
             ('cumulative-flow', 'status_history_story_id_changed_at_idx'),
             ('burndown', 'stories_backlog_id_rank_idx'),
             ('burndown', 'status_history_story_id_changed_at_idx'),
             ('acceptance', 'stories_project_id_status_idx')) AS v(n, i);

SELECT * FROM finish();
ROLLBACK;
