/*
 * test_report.c: `planpipe report` against a real PostgreSQL server: every
 * report in every format, the exact table and CSV renderings, JSON equal to
 * what the SQL functions return, the errors, and the registry (pp_reports)
 * against the schema's planpipe_report_* functions. The figures themselves are
 * proven in tests/sql/11_reports.sql.
 */
#include "harness.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/report.h"

/*
 * WEB's sprint (03-04 .. 03-08) holds W-1 (3 points, blocked by API:A-1 since
 * the dependency was recorded on 03-02) and W-2 (2 points, done on 03-06).
 * History is written by hand, at chosen times.
 */
static const char fixture[] =
	"BEGIN;"
	"INSERT INTO projects (key, name) VALUES ('WEB', 'Web'), ('API', 'Api');"
	"INSERT INTO backlogs (project_id, name, kind, starts_on, ends_on)"
	" SELECT id, 'Sprint 1', 'sprint', '2024-03-04', '2024-03-08' FROM projects"
	" WHERE key = 'WEB';"
	"INSERT INTO stories (project_id, backlog_id, key, title, status, estimate_points, epic,"
	"  checklist_done, checklist_total, created_at)"
	" SELECT p.id, b.id, v.key, v.title, v.status, v.points, v.epic, v.done, v.total,"
	"  v.created::timestamptz"
	" FROM (VALUES ('WEB', 'W-1', 'Fix \"login\", fast', 'in_progress', 3, 'auth', 1, 2,"
	"               '2024-03-01 09:00+00'),"
	"              ('WEB', 'W-2', 'Menu', 'done', 2, 'caf\xc3\xa9', 2, 2, '2024-03-01 09:00+00'),"
	"              ('API', 'A-1', 'Token endpoint', 'in_progress', 5, NULL, 0, 1,"
	"               '2024-02-20 09:00+00'))"
	"  AS v(project, key, title, status, points, epic, done, total, created)"
	" JOIN projects p ON p.key = v.project"
	" LEFT JOIN backlogs b ON b.project_id = p.id AND v.project = 'WEB';"
	"INSERT INTO story_dependencies (story_id, depends_on_id, created_at)"
	" SELECT a.id, b.id, '2024-03-02 09:00+00' FROM stories a, stories b"
	" WHERE a.key = 'W-1' AND b.key = 'A-1';"
	"SET LOCAL planpipe.maintenance = on;"
	"DELETE FROM status_history;"
	"INSERT INTO status_history (story_id, project_id, from_status, to_status, changed_at)"
	" SELECT s.id, s.project_id, v.f, v.t, v.at::timestamptz"
	" FROM (VALUES ('W-1', NULL, 'draft', '2024-03-01 09:00+00'),"
	"              ('W-1', 'draft', 'in_progress', '2024-03-04 10:00+00'),"
	"              ('W-2', NULL, 'draft', '2024-03-01 09:00+00'),"
	"              ('W-2', 'draft', 'in_progress', '2024-03-04 10:00+00'),"
	"              ('W-2', 'in_progress', 'done', '2024-03-06 10:00+00'),"
	"              ('A-1', NULL, 'draft', '2024-02-20 09:00+00'),"
	"              ('A-1', 'draft', 'in_progress', '2024-03-05 10:00+00'))"
	"  AS v(key, f, t, at)"
	" JOIN stories s ON s.key = v.key;"
	"COMMIT;";

static void setup_db(void)
{
	PGconn *c;

	pp_t_new_migrated_db();
	c = pp_t_connect();
	free(pp_t_query(c, fixture));
	PQfinish(c);
}

static int setup(void **state)
{
	(void)state;
	setup_db();
	return 0;
}

/* Runs `planpipe report ARGS...` (NULL-terminated) and expects exit 0. */
static pp_t_result report_ok(const char *name, ...)
{
	const char *args[32] = {"report", name};
	size_t n = 2;
	va_list ap;
	pp_t_result r;

	va_start(ap, name);
	for (const char *a = va_arg(ap, const char *); a && n < 31; a = va_arg(ap, const char *))
		args[n++] = a;
	va_end(ap);
	args[n] = NULL;
	r = pp_t_runv(args);
	if (r.status != 0)
		fail_msg("planpipe report %s exited %d:\n%s%s", name, r.status, r.out, r.err);
	return r;
}

static void status_summary_as_table_and_csv(void **state)
{
	pp_t_result r;

	(void)state;
	r = report_ok("status-summary", NULL);
	assert_string_equal(
		r.out, "PROJECT  STORIES  POINTS  TODO  ACTIVE  DONE  CANCELLED  UNESTIMATED\n"
		       "API            1       5     0       1     0          0            0\n"
		       "WEB            2       5     0       1     1          0            0\n"
		       "TOTAL          3      10     0       2     1          0            0\n");
	pp_t_result_free(&r);
	r = report_ok("status-summary", "--format", "csv", "--project", "WEB", NULL);
	assert_string_equal(r.out, "project,stories,points,todo,active,done,cancelled,unestimated\n"
				   "WEB,2,5,0,1,1,0,0\n"
				   "TOTAL,2,5,0,1,1,0,0\n");
	pp_t_result_free(&r);
}

static void blocked_csv_quotes_and_table_aligns(void **state)
{
	pp_t_result r;

	(void)state;
	r = report_ok("blocked", "--format", "csv", NULL);
	assert_string_equal(r.out,
			    "story,status,blocked_since,depth,blocked_by,all_blockers,title\n"
			    "WEB:W-1,in_progress,2024-03-02T09:00:00Z,1,API:A-1,1,"
			    "\"Fix \"\"login\"\", fast\"\n");
	pp_t_result_free(&r);
	/* Columns are counted in characters: "café" is four wide. */
	r = report_ok("acceptance", "--project", "WEB", NULL);
	assert_string_equal(
		r.out,
		"PROJECT  EPIC   STORIES  WITH CHECKLIST  CHECKED  BOXES  PERCENT  COMPLETE\n"
		"WEB      auth         1               1        1      2       50         0\n"
		"WEB      caf\xc3\xa9         1               1        2      2      100         1\n"
		"WEB      (all)        2               2        3      4       75         1\n"
		"TOTAL    (all)        2               2        3      4       75         1\n");
	pp_t_result_free(&r);
}

static void burndown_and_burnup(void **state)
{
	pp_t_result r;

	(void)state;
	r = report_ok("burndown", "--project", "WEB", "--backlog", "Sprint 1", NULL);
	assert_string_equal(
		r.out, "DAY         SCOPE  ADDED  REMOVED  COMPLETED  REOPENED  DONE  REMAINING\n"
		       "2024-03-04      5      0        0          0         0     0          5\n"
		       "2024-03-05      5      0        0          0         0     0          5\n"
		       "2024-03-06      5      0        0          2         0     2          3\n"
		       "2024-03-07      5      0        0          0         0     2          3\n"
		       "2024-03-08      5      0        0          0         0     2          3\n");
	pp_t_result_free(&r);
	r = report_ok("burnup", "--project", "WEB", "--backlog", "Sprint 1", "--format", "csv",
		      "--from", "2024-03-05", "--to", "2024-03-06", NULL);
	assert_string_equal(r.out, "day,done,scope,added,removed\n"
				   "2024-03-05,0,5,0,0\n"
				   "2024-03-06,2,5,0,0\n");
	pp_t_result_free(&r);
	r = report_ok("critical-path", "--story", "WEB:W-1", NULL);
	assert_string_equal(r.out, "DEPTH  STORY    STATUS       POINTS  TITLE\n"
				   "    1  API:A-1  in_progress       5  Token endpoint\n");
	pp_t_result_free(&r);
}

/*
 * The team reports (0019) as CSV. As of 2024-03-10 WEB's sprint is over: W-1
 * and W-2 committed (5 points), W-2 done (2); W-1's 3 points are left, so 2
 * sprints. Visits ended 03-01 .. 03-10: draft 3.04 (W-1, W-2) and 14.04
 * days, in_progress 2 (W-2). Open as of 03-10: W-1 and A-1, in progress
 * since 03-04 and 03-05 10:00 (6.58 and 5.58 days).
 */
static void team_reports_as_csv(void **state)
{
	pp_t_result r;

	(void)state;
	r = report_ok("velocity", "--project", "WEB", "--as-of", "2024-03-10", "--format", "csv",
		      NULL);
	assert_string_equal(r.out, "project,sprint,starts,ends,finished,committed,committed_pts,"
				   "done,done_pts,forecast\n"
				   "WEB,Sprint 1,2024-03-04,2024-03-08,true,2,5,1,2,\n"
				   "WEB,(mean),,,,,,1,2,2\n"
				   "WEB,(remaining),,,,1,3,,,\n");
	pp_t_result_free(&r);
	r = report_ok("time-in-status", "--from", "2024-03-01", "--to", "2024-03-10", "--format",
		      "csv", NULL);
	assert_string_equal(r.out, "status,category,visits,stories,p50_days,p85_days,p95_days\n"
				   "draft,todo,3,3,3.04,10.74,12.94\n"
				   "in_progress,active,1,1,2,2,2\n");
	pp_t_result_free(&r);
	r = report_ok("aging", "--as-of", "2024-03-10", "--format", "csv", NULL);
	assert_string_equal(r.out,
			    "status,stories,points,oldest_days,0-1d,1-3d,3-7d,7-14d,14-30d,30d+\n"
			    "in_progress,2,8,6.58,0,0,2,0,0,0\n"
			    "TOTAL,2,8,,0,0,2,0,0,0\n"
			    "oldest WEB:W-1 (in_progress),,3,6.58,,,,,,\n"
			    "oldest API:A-1 (in_progress),,5,5.58,,,,,,\n");
	pp_t_result_free(&r);
	/* W-1 is blocked by API:A-1, which is open. */
	r = report_ok("epics", "--format", "csv", NULL);
	assert_string_equal(r.out,
			    "project,epic,stories,points,done,done_pts,done_pct_pts,done_pct,"
			    "open,blocked,unestimated\n"
			    "API,,1,5,0,0,0,0,1,0,0\n"
			    "WEB,auth,1,3,0,0,0,0,1,1,0\n"
			    "WEB,caf\xc3\xa9,1,2,1,2,100,100,0,0,0\n"
			    "API,(all),1,5,0,0,0,0,1,0,0\n"
			    "WEB,(all),2,5,1,2,40,50,1,1,0\n"
			    "TOTAL,(all),3,10,1,2,20,33.3,2,1,0\n");
	pp_t_result_free(&r);
}

/* --format json prints exactly what the SQL function returns; every report runs in every format. */
static void json_is_the_databases(void **state)
{
	static const struct {
		const char *name, *sql;
		const char *args[8];
	} cases[] = {
		{"status-summary", "planpipe_report_status_summary(NULL)", {NULL}},
		{"blocked", "planpipe_report_blocked(ARRAY['WEB'])", {"--project", "WEB", NULL}},
		{"critical-path",
		 "planpipe_report_critical_path('WEB', 'W-1')",
		 {"--project", "WEB", "--story", "W-1", NULL}},
		{"cycle-time",
		 "planpipe_report_cycle_time(NULL, '2024-03-01', '2024-03-10')",
		 {"--from", "2024-03-01", "--to", "2024-03-10", NULL}},
		{"throughput",
		 "planpipe_report_throughput(ARRAY['API', 'WEB'], NULL, '2024-03-10')",
		 {"--project", "API", "--project", "WEB", "--to", "2024-03-10", NULL}},
		{"cumulative-flow",
		 "planpipe_report_cumulative_flow(NULL, '2024-03-01', '2024-03-08')",
		 {"--from", "2024-03-01", "--to", "2024-03-08", NULL}},
		{"burndown",
		 "planpipe_report_burndown('WEB', 'Sprint 1')",
		 {"--project", "WEB", "--backlog", "Sprint 1", NULL}},
		{"burnup",
		 "jsonb_set(planpipe_report_burndown('WEB', 'Sprint 1'), '{report}', '\"burnup\"')",
		 {"--project", "WEB", "--backlog", "Sprint 1", NULL}},
		{"acceptance", "planpipe_report_acceptance(NULL)", {NULL}},
		{"velocity",
		 "planpipe_report_velocity(ARRAY['WEB'], 2, '2024-03-10')",
		 {"--project", "WEB", "--last", "2", "--as-of", "2024-03-10", NULL}},
		{"time-in-status",
		 "planpipe_report_time_in_status(NULL, '2024-03-01', '2024-03-10')",
		 {"--from", "2024-03-01", "--to", "2024-03-10", NULL}},
		{"aging",
		 "planpipe_report_aging(NULL, '2024-03-10')",
		 {"--as-of", "2024-03-10", NULL}},
		{"epics", "planpipe_report_epics(NULL)", {NULL}},
	};
	static const char *const formats[] = {"json", "table", "csv"};
	PGconn *c = pp_t_connect();
	size_t i, f, n;

	(void)state;
	/* The cases are the reports of pp_reports, the registry, in its order. */
	for (i = 0; pp_reports[i].name; i++)
		if (i >= sizeof(cases) / sizeof(cases[0]) ||
		    strcmp(cases[i].name, pp_reports[i].name) != 0)
			fail_msg("report %s has no case here", pp_reports[i].name);
	assert_int_equal(i, sizeof(cases) / sizeof(cases[0]));
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		for (f = 0; f < 3; f++) {
			const char *args[16] = {"report", cases[i].name, "--format", formats[f]};
			json_error_t jerr;
			json_t *got, *want;
			char sql[512], *text;
			pp_t_result r;

			for (n = 0; cases[i].args[n]; n++)
				args[4 + n] = cases[i].args[n];
			args[4 + n] = NULL;
			r = pp_t_runv(args);
			if (r.status != 0 || r.out[0] == '\0')
				fail_msg("report %s --format %s exited %d:\n%s%s", cases[i].name,
					 formats[f], r.status, r.out, r.err);
			if (f == 0) {
				got = json_loads(r.out, 0, &jerr);
				if (got == NULL)
					fail_msg("%s: not JSON (%s):\n%s", cases[i].name, jerr.text,
						 r.out);
				snprintf(sql, sizeof(sql), "SELECT %s", cases[i].sql);
				text = pp_t_query(c, sql);
				want = json_loads(text, 0, &jerr);
				assert_non_null(want);
				if (!json_equal(got, want))
					fail_msg(
						"%s: the CLI's JSON differs from the database's:\n%s\n%s",
						cases[i].name, r.out, text);
				assert_string_equal(
					json_string_value(json_object_get(got, "report")),
					cases[i].name);
				json_decref(got);
				json_decref(want);
				free(text);
			}
			pp_t_result_free(&r);
		}
	}
	PQfinish(c);
}

/* name in the NULL-ended list, or not. */
static int listed(const char *const *list, const char *name)
{
	for (; *list; list++)
		if (strcmp(*list, name) == 0)
			return 1;
	return 0;
}

/*
 * The registry against the migrated catalog: every row's function exists
 * once, takes exactly the row's arguments (types, in order), returns jsonb
 * and planpipe_app may run it; every planpipe_report_* function is a
 * report's or one of pp_report_helpers, and every helper exists.
 */
static void registry_matches_the_catalog(void **state)
{
	PGconn *c = pp_t_connect();
	PGresult *res;
	int i, bad = 0;
	size_t r, h;

	(void)state;
	res = PQexec(c, "SELECT p.proname, oidvectortypes(p.proargtypes),"
			"       format_type(p.prorettype, NULL),"
			"       has_function_privilege('planpipe_app', p.oid, 'EXECUTE')"
			"  FROM pg_proc p"
			" WHERE p.pronamespace = 'public'::regnamespace"
			"   AND p.proname LIKE 'planpipe\\_report\\_%'"
			" ORDER BY 1, 2");
	assert_int_equal(PQresultStatus(res), PGRES_TUPLES_OK);
	for (r = 0; pp_reports[r].name; r++) {
		const pp_report_def *d = &pp_reports[r];
		char want[128] = "";
		size_t a, len = 0;
		int found = 0;

		for (a = 0; d->args[a] != PP_REPORT_ARG_END; a++)
			len += (size_t)snprintf(want + len, sizeof(want) - len, "%s%s",
						a ? ", " : "", pp_report_arg_type(d->args[a]));
		for (i = 0; i < PQntuples(res); i++) {
			if (strcmp(PQgetvalue(res, i, 0), d->function) != 0)
				continue;
			found++;
			if (strcmp(PQgetvalue(res, i, 1), want) != 0) {
				print_error("report %s: %s takes (%s), its row says (%s)\n",
					    d->name, d->function, PQgetvalue(res, i, 1), want);
				bad++;
			}
			if (strcmp(PQgetvalue(res, i, 2), "jsonb") != 0 ||
			    strcmp(PQgetvalue(res, i, 3), "t") != 0) {
				print_error("report %s: %s returns %s, planpipe_app may run it: %s "
					    "(want jsonb, t)\n",
					    d->name, d->function, PQgetvalue(res, i, 2),
					    PQgetvalue(res, i, 3));
				bad++;
			}
		}
		if (found != 1) {
			print_error("report %s: %d functions named %s in the schema, want 1\n",
				    d->name, found, d->function);
			bad++;
		}
	}
	for (i = 0; i < PQntuples(res); i++) {
		const char *fn = PQgetvalue(res, i, 0);

		for (r = 0; pp_reports[r].name && strcmp(pp_reports[r].function, fn) != 0; r++)
			;
		if (pp_reports[r].name == NULL && !listed(pp_report_helpers, fn)) {
			print_error(
				"%s(%s) is neither a report's function nor a helper: add its row "
				"to pp_reports or its name to pp_report_helpers (src/db/report.c)\n",
				fn, PQgetvalue(res, i, 1));
			bad++;
		}
	}
	for (h = 0; pp_report_helpers[h]; h++) {
		for (i = 0;
		     i < PQntuples(res) && strcmp(PQgetvalue(res, i, 0), pp_report_helpers[h]); i++)
			;
		if (i == PQntuples(res)) {
			print_error("helper %s is not in the schema\n", pp_report_helpers[h]);
			bad++;
		}
	}
	PQclear(res);
	PQfinish(c);
	if (bad)
		fail_msg("%d difference(s) between pp_reports and the schema", bad);
}

/* Exit 2 with a message that says what is wrong; nothing on standard output. */
static void fails(const char *needle, const char *const *args)
{
	pp_t_result r = pp_t_runv(args);

	if (r.status != 2)
		fail_msg("expected exit 2, got %d:\n%s%s", r.status, r.out, r.err);
	pp_t_assert_contains(r.err, needle);
	assert_string_equal(r.out, "");
	pp_t_result_free(&r);
}

static void errors_say_what_is_wrong(void **state)
{
	(void)state;
	fails("unknown report 'speed': expected one of status-summary, blocked, critical-path, "
	      "cycle-time, throughput, cumulative-flow, burndown, burnup, acceptance, velocity, "
	      "time-in-status, aging, epics",
	      (const char *const[]){"report", "speed", NULL});
	fails("--last is for velocity",
	      (const char *const[]){"report", "aging", "--last", "2", NULL});
	fails("epics is not as of a day: --as-of does not apply",
	      (const char *const[]){"report", "epics", "--as-of", "2024-03-01", NULL});
	fails("--last \"two\" is not a number of sprints (1 to 100)",
	      (const char *const[]){"report", "velocity", "--last", "two", NULL});
	fails("last must be 1 to 100 sprints, not 101",
	      (const char *const[]){"report", "velocity", "--last", "101", NULL});
	fails("--as-of \"2024-02-30\" is not a date",
	      (const char *const[]){"report", "aging", "--as-of", "2024-02-30", NULL});
	fails("usage: planpipe report NAME", (const char *const[]){"report", NULL});
	fails("no project NOPE", (const char *const[]){"report", "blocked", "--project", "WEB",
						       "--project", "NOPE", NULL});
	fails("--from \"2024-02-30\" is not a date: expected YYYY-MM-DD",
	      (const char *const[]){"report", "throughput", "--from", "2024-02-30", NULL});
	fails("--to \"yesterday\" is not a date",
	      (const char *const[]){"report", "cumulative-flow", "--to", "yesterday", NULL});
	fails("--from 2024-03-02 is after --to 2024-03-01",
	      (const char *const[]){"report", "cycle-time", "--from", "2024-03-02", "--to",
				    "2024-03-01", NULL});
	fails("the window from 2001-01-01 to 2024-01-01 is longer than 3660 days",
	      (const char *const[]){"report", "throughput", "--from", "2001-01-01", "--to",
				    "2024-01-01", NULL});
	fails("acceptance has no time window",
	      (const char *const[]){"report", "acceptance", "--from", "2024-03-01", NULL});
	fails("burndown needs one --project KEY and --backlog NAME",
	      (const char *const[]){"report", "burndown", "--project", "WEB", NULL});
	fails("no backlog \"Sprint 9\" in project WEB",
	      (const char *const[]){"report", "burnup", "--project", "WEB", "--backlog", "Sprint 9",
				    NULL});
	fails("no story WEB:W-9",
	      (const char *const[]){"report", "critical-path", "--story", "WEB:W-9", NULL});
	fails("unknown --format 'yaml'",
	      (const char *const[]){"report", "blocked", "--format", "yaml", NULL});
	fails("--story is for critical-path",
	      (const char *const[]){"report", "blocked", "--story", "W-1", NULL});
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(status_summary_as_table_and_csv),
		cmocka_unit_test(blocked_csv_quotes_and_table_aligns),
		cmocka_unit_test(burndown_and_burnup),
		cmocka_unit_test(team_reports_as_csv),
		cmocka_unit_test(json_is_the_databases),
		cmocka_unit_test(errors_say_what_is_wrong),
		cmocka_unit_test(registry_matches_the_catalog),
	};

	return cmocka_run_group_tests_name("report", tests, setup, NULL);
}
