-- bench/queries-reports.sql: the reports of issue 9 (migrations/0010_reports.sql,
-- one planpipe_report_* function per report, each returning jsonb), timed by
-- bench/queries like bench/queries.sql.
--
-- The hook: each entry names its function in `requires` and is skipped while
-- that function does not exist; bench/queries also lists every
-- planpipe_report_* function in the database that no entry names, as "not
-- benchmarked yet", so a new report cannot go unmeasured silently.
-- A report is one function call: its EXPLAIN shows a Result node, the plans
-- inside are the function's (force_custom_plan, jit off, see 0010).
-- Windows are the last 90 days (the issue's 200 ms p95 budget applies).

-- name: report-status-summary
-- pattern: report: counts and points per status and category, one project
-- requires: planpipe_report_status_summary
-- helpers: planpipe_report_projects planpipe_report_ts
-- params: SELECT ARRAY[key] FROM projects ORDER BY hashint8(id) LIMIT 200
-- expect: Result
SELECT planpipe_report_status_summary($1::text[]);

-- name: report-status-summary-caller
-- pattern: report: status summary over all of the caller's projects
-- as: app
-- requires: planpipe_report_status_summary
-- params: SELECT id FROM users WHERE disabled_at IS NULL AND NOT is_admin
-- params:   AND EXISTS (SELECT FROM project_members m WHERE m.user_id = users.id) ORDER BY hashint8(id) LIMIT 200
-- expect: Result
SELECT planpipe_report_status_summary(NULL);

-- name: report-blocked
-- pattern: report: stories with open blockers and their chains, one project
-- requires: planpipe_report_blocked
-- helpers: planpipe_report_blocker_closure planpipe_report_blocked_chains
-- params: SELECT ARRAY[key] FROM projects ORDER BY hashint8(id) LIMIT 200
-- expect: Result
SELECT planpipe_report_blocked($1::text[]);

-- name: report-critical-path
-- pattern: report: the critical path of an open story's transitive dependencies
-- requires: planpipe_report_critical_path
-- helpers: planpipe_report_story_id
-- params: SELECT p.key, s.key FROM (SELECT id, project_id, key FROM stories
-- params:   WHERE status IN ('draft', 'ready', 'in_progress', 'review') ORDER BY hashint8(id) LIMIT 400) s
-- params:   JOIN projects p ON p.id = s.project_id
-- params:   WHERE EXISTS (SELECT FROM story_dependencies e WHERE e.story_id = s.id) LIMIT 200
-- expect: Result
SELECT planpipe_report_critical_path($1, $2);

-- name: report-cycle-time
-- pattern: report: cycle and lead time percentiles, one project, last 90 days
-- requires: planpipe_report_cycle_time
-- helpers: planpipe_report_window planpipe_report_stats planpipe_report_completions
-- params: SELECT ARRAY[key], (now() - interval '90 days')::date, now()::date FROM projects
-- params:   ORDER BY hashint8(id) LIMIT 200
-- expect: Result
SELECT planpipe_report_cycle_time($1::text[], $2::date, $3::date);

-- name: report-throughput
-- pattern: report: stories and points reaching done per week, one project, last 90 days
-- requires: planpipe_report_throughput
-- params: SELECT ARRAY[key], (now() - interval '90 days')::date, now()::date FROM projects
-- params:   ORDER BY hashint8(id) LIMIT 200
-- expect: Result
SELECT planpipe_report_throughput($1::text[], $2::date, $3::date);

-- name: report-cumulative-flow
-- pattern: report: stories per category per day, one project, last 90 days
-- requires: planpipe_report_cumulative_flow
-- params: SELECT ARRAY[key], (now() - interval '90 days')::date, now()::date FROM projects
-- params:   ORDER BY hashint8(id) LIMIT 200
-- expect: Result
SELECT planpipe_report_cumulative_flow($1::text[], $2::date, $3::date);

-- name: report-cumulative-flow-caller
-- pattern: report: cumulative flow over all of the caller's projects, last 90 days
-- as: app
-- requires: planpipe_report_cumulative_flow
-- params: SELECT id, (now() - interval '90 days')::date, now()::date FROM users
-- params:   WHERE disabled_at IS NULL AND NOT is_admin
-- params:   AND EXISTS (SELECT FROM project_members m WHERE m.user_id = users.id) ORDER BY hashint8(id) LIMIT 200
-- expect: Result
SELECT planpipe_report_cumulative_flow(NULL, $1::date, $2::date);

-- name: report-burndown
-- pattern: report: burndown of a project's current sprint
-- requires: planpipe_report_burndown
-- params: SELECT p.key, b.name, b.starts_on, least(b.ends_on, now()::date) FROM backlogs b
-- params:   JOIN projects p ON p.id = b.project_id WHERE b.kind = 'sprint' AND b.starts_on <= now()::date
-- params:   ORDER BY hashint8(b.id) LIMIT 200
-- expect: Result
SELECT planpipe_report_burndown($1, $2, $3::date, $4::date);

-- name: report-acceptance
-- pattern: report: acceptance-criteria progress per epic, one project
-- requires: planpipe_report_acceptance
-- params: SELECT ARRAY[key] FROM projects ORDER BY hashint8(id) LIMIT 200
-- expect: Result
SELECT planpipe_report_acceptance($1::text[]);

-- The team reports of issue 18 (migrations/0019_team_reports.sql). Their
-- plans are inside the functions (the EXPLAIN here is a Result); that they
-- reach stories and history through indexes is checked by
-- tests/sql/20_team_reports.sql (no sequential scan of either for one project).

-- name: report-velocity
-- pattern: report: committed vs done of a project's last 3 sprints and the forecast
-- requires: planpipe_report_velocity
-- helpers: planpipe_report_as_of
-- params: SELECT ARRAY[key], now()::date FROM projects ORDER BY hashint8(id) LIMIT 200
-- expect: Result
SELECT planpipe_report_velocity($1::text[], 3, $2::date);

-- name: report-velocity-caller
-- pattern: report: velocity over all of the caller's projects
-- as: app
-- requires: planpipe_report_velocity
-- params: SELECT id FROM users WHERE disabled_at IS NULL AND NOT is_admin
-- params:   AND EXISTS (SELECT FROM project_members m WHERE m.user_id = users.id) ORDER BY hashint8(id) LIMIT 200
-- expect: Result
SELECT planpipe_report_velocity(NULL, 3, NULL);

-- name: report-time-in-status
-- pattern: report: days per status (p50, p85) of visits ended in the window, one project, last 90 days
-- requires: planpipe_report_time_in_status
-- params: SELECT ARRAY[key], (now() - interval '90 days')::date, now()::date FROM projects
-- params:   ORDER BY hashint8(id) LIMIT 200
-- expect: Result
SELECT planpipe_report_time_in_status($1::text[], $2::date, $3::date);

-- name: report-aging
-- pattern: report: a project's open work by age in its status, with the oldest stories
-- requires: planpipe_report_aging
-- params: SELECT ARRAY[key] FROM projects ORDER BY hashint8(id) LIMIT 200
-- expect: Result
SELECT planpipe_report_aging($1::text[], NULL);

-- name: report-epics
-- pattern: report: stories, points, done % and blocked stories per epic, one project
-- requires: planpipe_report_epics
-- helpers: planpipe_report_open_blocked_in planpipe_report_open_blocked
-- params: SELECT ARRAY[key] FROM projects ORDER BY hashint8(id) LIMIT 200
-- expect: Result
SELECT planpipe_report_epics($1::text[]);
