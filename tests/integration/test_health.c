/*
 * test_health.c: `planpipe health` (src/db/health.c, src/cli/cmd_health.c)
 * run as a program against a real server (scripts/with-pg.sh): a wrong
 * password, a schema behind, a standby, a stopped server.
 *
 *   test_health [NAME-PATTERN]   run the tests whose names match
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

#include "db/migration.h"

/* Each test gets a database of its own at the schema version this binary needs. */
static int setup_db(void **state)
{
	int need = pp_mig_required_version();
	char v[16];
	pp_t_result r;

	(void)state;
	pp_t_cluster("start");
	pp_t_new_db();
	if (need == 0)
		return 0;
	snprintf(v, sizeof(v), "%d", need);
	/* Records the migrations as applied without running them: health reads only the history. */
	r = pp_t_run("migrate", "baseline", v, NULL);
	if (r.status != 0)
		fail_msg("migrate baseline %s: %s%s", v, r.out, r.err);
	pp_t_result_free(&r);
	return 0;
}

static void test_ready_and_alive(void **state)
{
	(void)state;
	pp_t_expect(0, "HEALTH OK: alive", NULL, "health", "--liveness", NULL);
	pp_t_expect(0, "HEALTH OK: ready", NULL, "health", "--readiness", NULL);
	pp_t_expect(0, "HEALTH OK: healthy", NULL, "health", NULL);
}

static void test_liveness_server_stopped(void **state)
{
	pp_t_result r;

	(void)state;
	pp_t_cluster("stop");
	r = pp_t_run("health", "--liveness", "--timeout", "3", NULL);
	assert_true(r.ms < 3000 + 2000);
	pp_t_result_is(&r, 2, "HEALTH CRITICAL");
	pp_t_expect(2, "could not connect", NULL, "health", "--readiness", "--timeout", "3", NULL);
	pp_t_cluster("start");
	pp_t_expect(0, NULL, NULL, "health", "--liveness", NULL);
}

/* Over TCP, where the server asks for the password. */
static pp_t_result run_tcp(const char *password, const char *level)
{
	char *host = strdup(getenv("PGHOST"));
	pp_t_result r;

	setenv("PGHOST", "127.0.0.1", 1);
	setenv("PGPASSWORD", password, 1);
	r = pp_t_run("health", level, "--timeout", "5", NULL);
	setenv("PGHOST", host, 1);
	unsetenv("PGPASSWORD");
	free(host);
	return r;
}

static void test_readiness_wrong_password(void **state)
{
	pp_t_result r;

	(void)state;
	r = run_tcp("not-the-password", "--readiness");
	pp_t_result_is(&r, 2, "password authentication failed");
	r = run_tcp("not-the-password", "--liveness");
	pp_t_result_is(&r, 2, "password authentication failed");
	r = run_tcp(getenv("PP_TEST_PASSWORD"), "--readiness");
	pp_t_result_is(&r, 0, "HEALTH OK: ready");
}

static void test_readiness_schema_behind(void **state)
{
	int need = pp_mig_required_version();
	PGconn *c;
	pp_t_result r;
	char sql[512];

	(void)state;
	if (need == 0) {
		/* Nothing embedded: no schema to be behind (docs/operations.md). */
		print_message("no migrations embedded in this build: nothing to be behind\n");
		skip();
	}
	pp_t_expect(0, NULL, NULL, "health", "--readiness", NULL);

	c = pp_t_connect();
	free(pp_t_query(
		c,
		"DELETE FROM public.planpipe_schema_migrations"
		" WHERE version = (SELECT max(version) FROM public.planpipe_schema_migrations)"));
	pp_t_expect(2, "the schema is behind", NULL, "health", "--readiness", NULL);
	pp_t_expect(2, "\"status\": \"critical\"", NULL, "health", "--readiness", "--json", NULL);

	/* No history table at all is behind too. */
	free(pp_t_query(c, "DROP TABLE public.planpipe_schema_migrations"));
	pp_t_expect(2, "database at version 0", NULL, "health", "--readiness", NULL);

	/* A newer schema than this binary's (a rollout under way) is ready, unless exact. */
	r = pp_t_run("migrate", "baseline", "1", NULL);
	pp_t_result_free(&r);
	snprintf(sql, sizeof(sql),
		 "INSERT INTO public.planpipe_schema_migrations"
		 " (version, name, checksum, applied_by, duration_ms, runner_version)"
		 " VALUES (%d, 'future', repeat('0', 64), 'test', 0, 'test')",
		 need + 1);
	free(pp_t_query(c, sql));
	PQfinish(c);
	pp_t_expect(0, "the schema is ahead", NULL, "health", "--readiness", NULL);
	pp_t_expect(2, "the schema is ahead", NULL, "health", "--readiness", "--schema-exact",
		    NULL);
}

static void test_readiness_read_only(void **state)
{
	PGconn *c = pp_t_connect();

	(void)state;
	free(pp_t_query(c, "ALTER SYSTEM SET default_transaction_read_only = on"));
	free(pp_t_query(c, "SELECT pg_reload_conf()"));
	usleep(300000);
	pp_t_expect(2, "transactions are read-only", NULL, "health", "--readiness", NULL);
	pp_t_expect(0, NULL, NULL, "health", "--readiness", "--replica", NULL);
	free(pp_t_query(c, "ALTER SYSTEM RESET default_transaction_read_only"));
	free(pp_t_query(c, "SELECT pg_reload_conf()"));
	PQfinish(c);
	usleep(300000);
	pp_t_expect(0, NULL, NULL, "health", "--readiness", NULL);
}

static void test_readiness_standby(void **state)
{
	char dir[512] = "", line[1200], *host, *port;
	int sport;
	pp_t_result r;
	json_t *j;
	json_error_t jerr;

	(void)state;
	sport = pp_t_standby_start(dir, sizeof(dir));
	host = strdup(getenv("PGHOST"));
	port = strdup(getenv("PGPORT"));
	snprintf(line, sizeof(line), "%s/run", dir);
	setenv("PGHOST", line, 1);
	snprintf(line, sizeof(line), "%d", sport);
	setenv("PGPORT", line, 1);

	pp_t_expect(2, "the server is a standby", NULL, "health", "--readiness", NULL);
	pp_t_expect(0, NULL, NULL, "health", "--liveness", NULL);
	pp_t_expect(0, "as allowed", NULL, "health", "--readiness", "--replica", NULL);
	/* The full report of a replica has its lag. */
	r = pp_t_run("health", "--replica", "--json", NULL);
	j = json_loads(r.out, 0, &jerr);
	if (j == NULL)
		fail_msg("not JSON: %s\n%s", jerr.text, r.out);
	assert_non_null(json_object_get(json_object_get(j, "checks"), "replication_lag"));
	json_decref(j);
	pp_t_result_free(&r);

	setenv("PGHOST", host, 1);
	setenv("PGPORT", port, 1);
	free(host);
	free(port);
	assert_int_equal(pp_t_standby_remove(dir), 0);
}

static void test_full_report_json_and_thresholds(void **state)
{
	static const char *const names[] = {
		"login",    "query",        "recovery",           "read_only",  "schema",
		"uptime",   "connections",  "oldest_transaction", "wraparound", "database_size",
		"replicas", "wal_archiver", "history_partitions", NULL,
	};
	json_error_t jerr;
	json_t *j, *checks;
	pp_t_result r;
	int i;

	(void)state;
	r = pp_t_run("health", "--json", NULL);
	j = json_loads(r.out, 0, &jerr);
	if (j == NULL)
		fail_msg("not JSON: %s\n%s", jerr.text, r.out);
	assert_int_equal(r.status, 0);
	assert_string_equal(json_string_value(json_object_get(j, "status")), "ok");
	assert_int_equal(json_integer_value(json_object_get(j, "exit_code")), 0);
	assert_string_equal(json_string_value(json_object_get(j, "level")), "full");
	assert_non_null(json_string_value(json_object_get(j, "server_version")));
	checks = json_object_get(j, "checks");
	for (i = 0; names[i]; i++)
		if (json_object_get(checks, names[i]) == NULL)
			fail_msg("no check %s in\n%s", names[i], r.out);
	assert_true(json_number_value(
			    json_object_get(json_object_get(checks, "connections"), "value")) > 0);
	json_decref(j);
	pp_t_result_free(&r);

	/* A threshold crossed: warning (1), critical (2); a bad flag: unknown (3). */
	pp_t_expect(1, "HEALTH WARNING: connections", NULL, "health", "--connections", "0,100",
		    NULL);
	pp_t_expect(2, "HEALTH CRITICAL: query", NULL, "health", "--latency", "0,0", NULL);
	pp_t_expect(3, NULL, NULL, "health", "--connections", "lots", NULL);
	pp_t_expect(3, NULL, NULL, "health", "--liveness", "--readiness", NULL);
	/* Thresholds only judge the full report: readiness is pass or fail. */
	pp_t_expect(0, NULL, NULL, "health", "--readiness", "--latency", "0,0", NULL);
}

static void test_oldest_transaction(void **state)
{
	PGconn *c = pp_t_connect();

	(void)state;
	free(pp_t_query(c, "BEGIN"));
	free(pp_t_query(c, "SELECT txid_current()"));
	sleep(2);
	pp_t_expect(1, "oldest_transaction", NULL, "health", "--transaction-age", "1,3600", NULL);
	free(pp_t_query(c, "ROLLBACK"));
	PQfinish(c);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_ready_and_alive, setup_db),
		cmocka_unit_test_setup(test_liveness_server_stopped, setup_db),
		cmocka_unit_test_setup(test_readiness_wrong_password, setup_db),
		cmocka_unit_test_setup(test_readiness_schema_behind, setup_db),
		cmocka_unit_test_setup(test_readiness_read_only, setup_db),
		cmocka_unit_test_setup(test_readiness_standby, setup_db),
		cmocka_unit_test_setup(test_full_report_json_and_thresholds, setup_db),
		cmocka_unit_test_setup(test_oldest_transaction, setup_db),
	};

	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	return cmocka_run_group_tests_name("health", tests, NULL, NULL);
}
