/*
 * test_maintain.c: `planpipe maintain` and `planpipe serve`'s background
 * maintenance against a real PostgreSQL server: history rows of months
 * without a partition end in their own partitions, the default partition
 * empties, no row is lost, and `planpipe health` warns before and is clean
 * after. The SQL functions themselves: tests/sql/16_partition_maintenance.sql.
 *
 * The rows are pinned around T = 2020-06-15 12:00 UTC: six months back and
 * two years ahead of T are both months for which `migrate up` (this month and
 * twelve ahead of the day the test runs) never makes a partition.
 */
#include "harness.h"

#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char fixture[] =
	"INSERT INTO projects (key, name) VALUES ('PLAN', 'Planning');"
	"INSERT INTO stories (project_id, key, title) SELECT id, 'M-1', 'one' FROM projects;"
	"INSERT INTO status_history (story_id, project_id, from_status, to_status, changed_at, note)"
	" SELECT s.id, s.project_id, v.f, v.t, '2020-06-15 12:00:00+00'::timestamptz + v.off, v.note"
	" FROM stories s,"
	"  (VALUES ('draft', 'ready', interval '-6 months', 'six months back'),"
	"          ('ready', 'draft', interval '-6 months 1 hour', 'six months back, later'),"
	"          ('draft', 'ready', interval '2 years', 'two years ahead'))"
	"  AS v(f, t, off, note)";

/* Every row of status_history, ids and partitions left out: equal before and after. */
static const char sql_rows[] =
	"SELECT count(*) || ':' || md5(string_agg(format('%s|%s|%s|%s|%s|%s|%s|%s|%s', id, story_id,"
	"  project_id, from_status, to_status, changed_by, changed_at, source, note), ';' ORDER BY id))"
	" FROM status_history";

static const char sql_where[] =
	"SELECT string_agg(tableoid::regclass::text || ' ' || note, ', ' ORDER BY changed_at)"
	" FROM status_history WHERE changed_at < '2025-01-01'";

static char *saved_pguser;

static void restore_pguser(void)
{
	if (saved_pguser)
		setenv("PGUSER", saved_pguser, 1);
	else
		unsetenv("PGUSER");
}

static int setup(void **state)
{
	PGconn *c;

	(void)state;
	unsetenv("PLANPIPE_HISTORY_MONTHS_AHEAD");
	pp_t_new_migrated_db();
	c = pp_t_connect();
	free(pp_t_query(c, fixture));
	PQfinish(c);
	return 0;
}

/*
 * The full health report as JSON, thresholds no machine load reaches (only
 * the partitions' may fail); returns history_partitions' status and detail.
 */
static int health(char *status, char *detail, size_t size)
{
	pp_t_result r = pp_t_run("health", "--json", "--timeout", "60", "--latency", "60000,60000",
				 "--transaction-age", "86400,86400", NULL);
	json_error_t je;
	json_t *root = json_loads(r.out, 0, &je), *check;
	int exit_status = r.status;

	if (root == NULL)
		fail_msg("health --json printed no JSON (%s):\n%s%s", je.text, r.out, r.err);
	check = json_object_get(json_object_get(root, "checks"), "history_partitions");
	snprintf(status, size, "%s", json_string_value(json_object_get(check, "status")));
	snprintf(detail, size, "%s", json_string_value(json_object_get(check, "detail")));
	json_decref(root);
	pp_t_result_free(&r);
	return exit_status;
}

static void maintain_moves_rows_and_health_clears(void **state)
{
	char status[512], detail[512], *before, *where;
	pp_t_result r;
	PGconn *c = pp_t_connect();

	(void)state;
	assert_int_equal(pp_t_query_long(c, "SELECT count(*) FROM status_history_default"), 3);
	before = pp_t_query(c, sql_rows);
	assert_int_equal(health(status, detail, sizeof(detail)), 1);
	assert_string_equal(status, "warning");
	pp_t_assert_contains_all(detail, "rows in the default partition",
				 "(run planpipe maintain)");

	r = pp_t_run("maintain", NULL);
	if (r.status != 0)
		fail_msg("maintain exited %d:\n%s%s", r.status, r.out, r.err);
	pp_t_assert_contains(
		r.out,
		"status_history_p201912: created, 2 rows moved out of status_history_default\n");
	pp_t_assert_contains(
		r.out,
		"status_history_p202206: created, 1 row moved out of status_history_default\n");
	pp_t_assert_contains(r.out, "partitions created, 3 rows moved; the default partition is "
				    "empty and partitions exist for this month and 12 ahead\n");
	pp_t_result_free(&r);

	where = pp_t_query(c, sql_where);
	assert_string_equal(where, "status_history_p201912 six months back, "
				   "status_history_p201912 six months back, later, "
				   "status_history_p202206 two years ahead");
	free(where);
	assert_int_equal(pp_t_query_long(c, "SELECT count(*) FROM status_history_default"), 0);
	where = pp_t_query(c, sql_rows);
	assert_string_equal(where, before);
	free(where);
	free(before);
	assert_int_equal(
		pp_t_query_long(c, "SELECT count(*) FROM generate_series(0, 12) AS m"
				   " WHERE to_regclass('status_history_p' || to_char(now() AT TIME"
				   " ZONE 'UTC' + make_interval(months => m), 'YYYYMM')) IS NULL"),
		0);
	PQfinish(c);

	assert_int_equal(health(status, detail, sizeof(detail)), 0);
	assert_string_equal(status, "ok");

	r = pp_t_run("maintain", NULL);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, "0 partitions created, 0 rows moved; the default partition is "
				   "empty and partitions exist for this month and 12 ahead\n");
	pp_t_result_free(&r);
}

static void months_ahead_from_the_variable_and_the_flag(void **state)
{
	PGconn *c = pp_t_connect();
	const char *sql = "SELECT count(*) FROM generate_series(13, 20) AS m"
			  " WHERE to_regclass('status_history_p' || to_char(now() AT TIME ZONE"
			  " 'UTC' + make_interval(months => m), 'YYYYMM')) IS NOT NULL";

	(void)state;
	pp_t_expect_env("PLANPIPE_HISTORY_MONTHS_AHEAD", "15", 0,
			"partitions exist for this month and 15 ahead\n", NULL, "maintain", NULL);
	assert_int_equal(pp_t_query_long(c, sql), 3);
	pp_t_expect(0, NULL, NULL, "maintain", "--months-ahead", "20", NULL);
	assert_int_equal(pp_t_query_long(c, sql), 8);
	PQfinish(c);
}

static void bad_input_is_named(void **state)
{
	(void)state;
	pp_t_expect(2, NULL, "--months-ahead expects a whole number from 0 to 120", "maintain",
		    "--months-ahead", "121", NULL);
	pp_t_expect_env("PLANPIPE_HISTORY_MONTHS_AHEAD", "twelve", 2, NULL,
			"PLANPIPE_HISTORY_MONTHS_AHEAD=\"twelve\" is invalid", "maintain", NULL);
}

static void an_older_schema_gets_a_hint(void **state)
{
	pp_t_result r;

	(void)state;
	pp_t_new_db();
	pp_t_expect(0, NULL, NULL, "migrate", "up", "--to", "14", NULL);
	r = pp_t_run("maintain", NULL);
	assert_int_equal(r.status, 2);
	pp_t_assert_contains_all(r.err, "(SQLSTATE 42883)", "run planpipe migrate up");
	pp_t_result_free(&r);
}

/*
 * serve maintains at start, in the background, and logs what it did; as a
 * login that is only a member of planpipe_app, as the API's login is.
 */
static void serve_maintains_at_start(void **state)
{
	const char *args[] = {"serve", NULL};
	const char *sql_busy =
		"SELECT (SELECT count(*) FROM status_history_default)"
		"     + (SELECT count(*) FROM pg_stat_activity"
		"         WHERE application_name = 'planpipe-maintain' AND datname = current_database())";
	long long t0 = pp_t_now_ms();
	PGconn *c = pp_t_connect();
	pp_t_result r;
	pid_t pid;
	long left;

	(void)state;
	free(pp_t_query(c,
			"DO $$ BEGIN"
			" IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'pp_maint_api') THEN"
			"  CREATE ROLE pp_maint_api LOGIN; GRANT planpipe_app TO pp_maint_api;"
			" END IF; END $$"));
	setenv("PLANPIPE_LISTEN", "127.0.0.1:0", 1);
	setenv("PGUSER", "pp_maint_api", 1);
	pid = pp_t_spawn(args, "serve");
	unsetenv("PLANPIPE_LISTEN");
	restore_pguser();
	/* Until the rows are moved and the run is over: it logs, then disconnects. */
	while ((left = pp_t_query_long(c, sql_busy)) > 0 && pp_t_now_ms() - t0 < 60000)
		usleep(100000);
	kill(pid, SIGTERM);
	r = pp_t_wait(pid, "serve", 30000);
	if (left != 0 || r.status != 0)
		fail_msg(
			"serve exited %d, %ld rows in the default partition or a run under way:\n%s",
			r.status, left, r.err);
	pp_t_assert_contains(r.err, "maintain: status_history_p201912 created, 2 row(s) moved out "
				    "of status_history_default");
	pp_t_assert_contains(r.err, "maintain: history partitions done:");
	pp_t_result_free(&r);
	assert_int_equal(pp_t_query_long(c, "SELECT count(*) FROM status_history_p202206"), 1);
	PQfinish(c);
}

/* Waits until the spawned process tag has logged needle (on standard error). */
static void wait_for_log(const char *tag, const char *needle, int timeout_ms)
{
	long long t0 = pp_t_now_ms();
	char *log;

	for (;;) {
		log = pp_t_spawned_output(tag, 1);
		if (strstr(log, needle) != NULL || pp_t_now_ms() - t0 > timeout_ms)
			break;
		free(log);
		usleep(100000);
	}
	free(log);
}

/* serve starts and serves even when it cannot maintain: it says why. */
static void serve_starts_on_a_schema_without_maintenance(void **state)
{
	const char *args[] = {"serve", NULL};
	pp_t_result r;
	pid_t pid;

	(void)state;
	pp_t_new_db();
	pp_t_expect(0, NULL, NULL, "migrate", "up", "--to", "14", NULL);
	setenv("PLANPIPE_LISTEN", "127.0.0.1:0", 1);
	pid = pp_t_spawn(args, "serve");
	unsetenv("PLANPIPE_LISTEN");
	wait_for_log("serve", "run planpipe migrate up", 30000);
	kill(pid, SIGTERM);
	r = pp_t_wait(pid, "serve", 30000);
	assert_int_equal(r.status, 0);
	pp_t_assert_contains_all(r.err, "listening on http://",
				 "maintain: history partitions: ", "(SQLSTATE 42883)",
				 "run planpipe migrate up", "serve: stopped");
	pp_t_result_free(&r);
}

/* Another session in the middle of maintenance: maintain waits, then says so. */
static void maintain_waits_for_another_session(void **state)
{
	PGconn *other = pp_t_connect();
	pp_t_result r;

	(void)state;
	assert_int_equal(pp_t_query_long(other, "SELECT pg_try_advisory_lock(1886154352, 4)::int"),
			 1);
	r = pp_t_run("maintain", "--lock-timeout", "1", NULL);
	assert_int_equal(r.status, 2);
	assert_true(r.ms >= 1000);
	pp_t_assert_contains(r.err, "another session kept maintaining status_history");
	pp_t_result_free(&r);
	PQfinish(other);
	pp_t_expect(0, "3 rows moved", NULL, "maintain", "--lock-timeout", "1", NULL);
}

int main(void)
{
	const char *u = getenv("PGUSER");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(maintain_moves_rows_and_health_clears, setup),
		cmocka_unit_test_setup(months_ahead_from_the_variable_and_the_flag, setup),
		cmocka_unit_test_setup(bad_input_is_named, setup),
		cmocka_unit_test_setup(an_older_schema_gets_a_hint, setup),
		cmocka_unit_test_setup(maintain_waits_for_another_session, setup),
		cmocka_unit_test_setup(serve_maintains_at_start, setup),
		cmocka_unit_test_setup(serve_starts_on_a_schema_without_maintenance, setup),
	};

	saved_pguser = u ? strdup(u) : NULL;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
