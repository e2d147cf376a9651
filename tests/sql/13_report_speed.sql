-- Reports made cheaper (migration 0013, docs/reports.md): the cumulative flow
-- computed backwards from now, reading history only for stories updated since
-- the window's start (the others counted from the covering index), and the
-- blocked list with blockers up to three steps and its longest chain exact.
-- Hand computations in the comments; days are UTC.
BEGIN;
SELECT plan(14);

SELECT ok(bool_and(planpipe_create_history_partition(m)), 'partitions for 2023-11 .. 2024-01')
FROM unnest(ARRAY['2023-11-01', '2023-12-01', '2024-01-01']::date[]) AS m;
\ir lib/history.sql

CREATE TEMP TABLE fx (key text, project text, status text);
INSERT INTO fx VALUES
    ('S-1', 'PLAN', 'draft'), ('S-2', 'PLAN', 'done'), ('S-3', 'PLAN', 'ready'),
    ('S-4', 'PLAN', 'in_progress'), ('S-5', 'PLAN', 'done'), ('S-6', 'PLAN', 'cancelled'),
    ('M-1', 'OTHER', 'done'), ('O-1', 'OTHER', 'draft'), ('O-2', 'OTHER', 'draft');
INSERT INTO stories (project_id, key, title, status)
SELECT p.id, f.key, 'Story ' || f.key, f.status FROM fx f JOIN projects p ON p.key = f.project;
-- M-1 worked on in OTHER, moved to PLAN and finished there; S-4 archived on 01-05.
UPDATE stories SET project_id = (SELECT id FROM projects WHERE key = 'PLAN') WHERE key = 'M-1';
UPDATE stories SET archived_at = '2024-01-05 10:00+00' WHERE key = 'S-4';

SELECT pg_temp.forget_history(ARRAY(SELECT key FROM fx));
SELECT pg_temp.history('S-1', 'PLAN', '2023-12-01 10:00 draft');
SELECT pg_temp.history('S-2', 'PLAN', '2023-12-01 10:00 draft', '2024-01-03 10:00 in_progress',
                       '2024-01-06 10:00 done');
SELECT pg_temp.history('S-3', 'PLAN', '2024-01-04 10:00 ready');
-- S-4's change after its archiving does not count.
SELECT pg_temp.history('S-4', 'PLAN', '2023-12-01 10:00 draft', '2024-01-07 10:00 in_progress');
SELECT pg_temp.history('S-5', 'PLAN', '2023-11-01 10:00 draft', '2023-11-20 10:00 done');
SELECT pg_temp.history('S-6', 'PLAN', '2023-11-01 10:00 draft', '2023-11-21 10:00 cancelled');
-- M-1: in OTHER until 01-08, then done in PLAN on 01-09.
SELECT pg_temp.history('M-1', 'OTHER', '2023-12-01 10:00 draft', '2024-01-02 10:00 in_progress');
SELECT pg_temp.history('M-1', 'PLAN', '2024-01-02 10:00 in_progress', '2024-01-09 10:00 done');
SET LOCAL planpipe.maintenance = on;
DELETE FROM status_history
WHERE story_id = pg_temp.sid('M-1') AND project_id = (SELECT id FROM projects WHERE key = 'PLAN')
  AND to_status = 'in_progress';
SET LOCAL planpipe.maintenance = off;
SELECT pg_temp.history('O-1', 'OTHER', '2023-12-01 10:00 draft');
SELECT pg_temp.history('O-2', 'OTHER', '2024-01-05 10:00 draft');

-- PLAN (stories now in PLAN, M-1 included) at the end of each day:
--   S-1 todo; S-2 todo, active 01-03, done 01-06; S-3 from 01-04 todo;
--   S-4 todo until archived on 01-05; M-1 todo, active 01-02, done 01-09;
--   S-5 done; S-6 cancelled.
CREATE TEMP TABLE want_plan (day date, todo int, active int, done int, cancelled int);
INSERT INTO want_plan VALUES
    ('2024-01-01', 4, 0, 1, 1), ('2024-01-02', 3, 1, 1, 1), ('2024-01-03', 2, 2, 1, 1),
    ('2024-01-04', 3, 2, 1, 1), ('2024-01-05', 2, 2, 1, 1), ('2024-01-06', 2, 1, 2, 1),
    ('2024-01-07', 2, 1, 2, 1), ('2024-01-08', 2, 1, 2, 1), ('2024-01-09', 2, 0, 3, 1),
    ('2024-01-10', 2, 0, 3, 1);
CREATE FUNCTION pg_temp.flow(p_projects text[]) RETURNS TABLE (day date, todo int, active int, done int, cancelled int)
LANGUAGE sql AS $$
    SELECT x.day, x.todo, x.active, x.done, x.cancelled
    FROM jsonb_to_recordset(planpipe_report_cumulative_flow(p_projects, '2024-01-01', '2024-01-10')->'days')
         AS x(day date, todo int, active int, done int, cancelled int)
$$;
GRANT SELECT ON want_plan TO planpipe_app;

-- Every story was updated today (the fixture's writes): all history is read.
SELECT results_eq($$SELECT * FROM pg_temp.flow(ARRAY['PLAN'])$$, $$SELECT * FROM want_plan ORDER BY day$$,
                  'cumulative-flow: a story moved in during the window, one archived in it, exact');
SELECT results_eq($$SELECT * FROM pg_temp.flow(ARRAY['OTHER'])$$,
                  $$SELECT d::date, CASE WHEN d < '2024-01-05' THEN 1 ELSE 2 END, 0, 0, 0
                    FROM generate_series('2024-01-01'::date, '2024-01-10', '1 day') AS d$$,
                  'cumulative-flow: the moved story is not counted where it was');

-- As the triggers would have left them: updated_at at each story's last
-- change (its move for M-1, its archiving for S-4). S-1, S-5, S-6 and O-1,
-- unchanged since before 01-01, are then counted from the index alone.
SET LOCAL session_replication_role = replica;
UPDATE stories s SET updated_at = v.at::timestamptz
FROM (VALUES ('S-1', '2023-12-01 10:00+00'), ('S-2', '2024-01-06 10:00+00'), ('S-3', '2024-01-04 10:00+00'),
             ('S-4', '2024-01-05 10:00+00'), ('S-5', '2023-11-20 10:00+00'), ('S-6', '2023-11-21 10:00+00'),
             ('M-1', '2024-01-09 10:00+00'), ('O-1', '2023-12-01 10:00+00'), ('O-2', '2024-01-05 10:00+00'))
     AS v(key, at)
WHERE s.key = v.key;
SET LOCAL session_replication_role = origin;
SELECT results_eq($$SELECT * FROM pg_temp.flow(ARRAY['PLAN'])$$, $$SELECT * FROM want_plan ORDER BY day$$,
                  'cumulative-flow: stories unchanged since the window''s start counted by status, same figures');
SELECT results_eq($$SELECT * FROM pg_temp.flow(ARRAY['OTHER'])$$,
                  $$SELECT d::date, CASE WHEN d < '2024-01-05' THEN 1 ELSE 2 END, 0, 0, 0
                    FROM generate_series('2024-01-01'::date, '2024-01-10', '1 day') AS d$$,
                  'cumulative-flow: OTHER from the index and its one new story');
SELECT is((SELECT jsonb_object_agg(k, v) FROM jsonb_each(
               planpipe_report_cumulative_flow(ARRAY['PLAN'], (now() AT TIME ZONE 'UTC')::date,
                                               (now() AT TIME ZONE 'UTC')::date)->'days'->0) AS e(k, v)
           WHERE k <> 'day'),
          (SELECT jsonb_object_agg(k, v->'stories')
           FROM jsonb_each(planpipe_report_status_summary(ARRAY['PLAN'])->'total'->'categories') AS e(k, v)),
          'cumulative-flow: today''s counts are the status summary''s');
-- A window ending in the past still undoes the later changes.
SELECT is(planpipe_report_cumulative_flow(ARRAY['PLAN'], '2024-01-02', '2024-01-02')->'days',
          '[{"day": "2024-01-02", "todo": 3, "active": 1, "done": 1, "cancelled": 1}]'::jsonb,
          'cumulative-flow: one day in the past');

-- Blocking chains: X-0 -> X-1 -> X-2 -> X-3 (OTHER) -> X-4 -> X-5, and X-0 -> X-2.
INSERT INTO stories (project_id, key, title, status)
SELECT p.id, 'X-' || g, 'Chain ' || g, 'draft'
FROM generate_series(0, 5) AS g JOIN projects p ON p.key = CASE WHEN g = 3 THEN 'OTHER' ELSE 'PLAN' END;
INSERT INTO story_dependencies (story_id, depends_on_id, kind)
SELECT pg_temp.sid(a), pg_temp.sid(b), 'blocks'
FROM (VALUES ('X-0', 'X-1'), ('X-1', 'X-2'), ('X-2', 'X-3'), ('X-3', 'X-4'), ('X-4', 'X-5'),
             ('X-0', 'X-2')) AS d(a, b);
CREATE FUNCTION pg_temp.chains(p_report jsonb) RETURNS jsonb LANGUAGE sql
AS $$
    SELECT jsonb_object_agg(s->>'key', jsonb_build_object(
               'depth', s->'depth',
               'blockers', (SELECT jsonb_agg(jsonb_build_array(coalesce(b->>'key', '?'), b->'depth', b->'blocks'))
                            FROM jsonb_array_elements(s->'blockers') AS b)))
    FROM jsonb_array_elements(p_report->'stories') AS s
$$;
-- X-0: longest chain 5; blockers within three steps: X-1 and X-2 (1), X-3 (2),
-- X-4 (3); X-5 is four steps away. X-2 blocks X-0 and X-1 directly.
SELECT is(pg_temp.chains(planpipe_report_blocked(ARRAY['PLAN'])),
          '{"X-0": {"depth": 5, "blockers": [["X-1", 1, ["PLAN:X-0"]], ["X-2", 1, ["PLAN:X-0", "PLAN:X-1"]],
                                            ["X-3", 2, ["PLAN:X-2"]], ["X-4", 3, ["OTHER:X-3"]]]},
            "X-1": {"depth": 4, "blockers": [["X-2", 1, ["PLAN:X-1"]], ["X-3", 2, ["PLAN:X-2"]],
                                            ["X-4", 3, ["OTHER:X-3"]]]},
            "X-2": {"depth": 3, "blockers": [["X-3", 1, ["PLAN:X-2"]], ["X-4", 2, ["OTHER:X-3"]],
                                            ["X-5", 3, ["PLAN:X-4"]]]},
            "X-4": {"depth": 1, "blockers": [["X-5", 1, ["PLAN:X-4"]]]}}'::jsonb,
          'blocked: blockers up to three steps, each at its shortest distance; depth the whole chain');
SELECT is(planpipe_report_critical_path('PLAN', 'X-0')->'length', '5'::jsonb,
          'blocked: its depth is the critical path''s length');
-- X-4 done: X-0's chain ends at X-3.
UPDATE stories SET status = 'done' WHERE key = 'X-5';
UPDATE stories SET status = 'done' WHERE key = 'X-4';
SELECT is((SELECT jsonb_object_agg(s->>'key', s->'depth')
           FROM jsonb_array_elements(planpipe_report_blocked(ARRAY['PLAN'])->'stories') AS s),
          '{"X-0": 3, "X-1": 2, "X-2": 1}'::jsonb, 'blocked: a closed blocker ends the chain');
UPDATE stories SET status = 'draft' WHERE key IN ('X-4', 'X-5');

-- Row-level security -----------------------------------------------------------------------------
\ir lib/act_as.sql
SELECT pg_temp.act_as('alice');
-- M-1's start on 01-02 was recorded in OTHER, which alice may not see: to her
-- M-1 was in progress from the start (docs/reports.md, row-level security).
SELECT results_eq($$SELECT * FROM pg_temp.flow(NULL)$$,
                  $$SELECT w.day, w.todo - (w.day = '2024-01-01')::int, w.active + (w.day = '2024-01-01')::int,
                           w.done, w.cancelled
                    FROM want_plan w ORDER BY w.day$$,
                  'alice: PLAN''s cumulative flow, without the history recorded in OTHER');
SELECT is((SELECT s->'blockers' FROM jsonb_array_elements(planpipe_report_blocked(NULL)->'stories') AS s
           WHERE s->>'key' = 'X-1'),
          '[{"project": "PLAN", "key": "X-2", "title": "Chain 2", "status": "draft", "hidden": false,
             "depth": 1, "blocks": ["PLAN:X-1"]},
            {"project": null, "key": null, "title": null, "status": "draft", "hidden": true,
             "depth": 2, "blocks": ["PLAN:X-2"]},
            {"project": "PLAN", "key": "X-4", "title": "Chain 4", "status": "draft", "hidden": false,
             "depth": 3, "blocks": ["(hidden)"]}]'::jsonb,
          'alice: OTHER''s blocker hidden, the chain through it still listed');
SELECT pg_temp.act_as('bob');
SELECT is((SELECT jsonb_agg(s->>'key') FROM jsonb_array_elements(planpipe_report_blocked(NULL)->'stories') AS s),
          '["X-3"]'::jsonb, 'bob: only OTHER''s blocked story');
RESET ROLE;

SELECT ok((SELECT p.prosecdef AND 'search_path=public, pg_temp' = ANY (p.proconfig)
                  AND has_function_privilege('planpipe_app', p.oid, 'EXECUTE')
                  AND NOT has_function_privilege('public', p.oid, 'EXECUTE')
           FROM pg_proc p WHERE p.proname = 'planpipe_report_blocked_chains'),
          'the chains helper: SECURITY DEFINER, search_path pinned, planpipe_app only');

SELECT * FROM finish();
ROLLBACK;
