/*
 * test_api_standby.c: reads routed to a hot standby (src/api/read_route.c)
 * against two real clusters, no Docker: the test cluster as the primary and
 * a streaming standby made from it with pg_basebackup -R. Reports, the
 * cross-project list and history run on the standby (its pg_stat_activity
 * and /metrics say so) while writes and everything else stay on the
 * primary; a caller reads its own writes at once while the standby holds
 * them back (recovery_min_apply_delay); with the standby stopped reports
 * still answer 200 from the primary and /metrics says why; started again,
 * the standby is used again.
 */
#include "test_api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct {
	api_server srv;
	char *alice, *bob;
	char dir[512]; /* the standby's directory */
	int port;      /* its port (unix socket in dir/run) */
	char conninfo[1024];
} W;
static const api_user users[] = {
	{"alice", 1, &W.alice},
	{"bob", 1, &W.bob},
};

/* pg_ctl CMD on the standby ("stop -m fast", "start ..."). */
static void standby_ctl(const char *cmd)
{
	if (pp_t_standby_ctl(W.dir, cmd) != 0)
		fail_msg("pg_ctl %s on the standby failed", cmd);
}

static PGconn *standby_connect(void)
{
	PGconn *c = PQconnectdb(W.conninfo);

	if (PQstatus(c) != CONNECTION_OK)
		fail_msg("cannot reach the standby: %s", PQerrorMessage(c));
	return c;
}

/* The value of the metric line that starts with series ("name{labels}"), or -1. */
static double metric(const char *series)
{
	api_res r = api_ok(200, &W.srv, "GET", "/metrics", NULL, NULL, NULL);
	const char *p = r.body;
	double v = -1;
	size_t n = strlen(series);

	while ((p = strstr(p, series)) != NULL) {
		if ((p == r.body || p[-1] == '\n') && p[n] == ' ') {
			v = strtod(p + n + 1, NULL);
			break;
		}
		p += n;
	}
	api_res_free(&r);
	return v;
}

#define ROUTED(target, reason)                                                                     \
	"planpipe_read_routed_total{target=\"" target "\",reason=\"" reason "\"}"

/* Waits (at most 20 s) until /metrics says the standby is used (1) or not (0). */
static void wait_in_use(int want)
{
	long long deadline = pp_t_now_ms() + 20000;

	while (pp_t_now_ms() < deadline) {
		if (metric("planpipe_read_standby_in_use") == want)
			return;
		usleep(100000);
	}
	fail_msg("planpipe_read_standby_in_use did not become %d within 20 s", want);
}

static long count_apps(PGconn *c, const char *app)
{
	char sql[256];

	snprintf(sql, sizeof(sql),
		 "SELECT count(*) FROM pg_stat_activity WHERE application_name = '%s'", app);
	return pp_t_query_long(c, sql);
}

static int setup(void **state)
{
	char url[1200], lag[] = "PLANPIPE_READ_MAX_LAG=3600";
	const char *env[3];
	const char *db;
	long long deadline;

	(void)state;
	db = api_setup_db();
	api_users_add(users);
	W.port = pp_t_standby_start(W.dir, sizeof(W.dir));
	snprintf(W.conninfo, sizeof(W.conninfo), "host=%s/run port=%d dbname=%s user=postgres",
		 W.dir, W.port, db);
	/* The standby has the database once it has replayed the users. */
	deadline = pp_t_now_ms() + 30000;
	for (;;) {
		PGconn *c = PQconnectdb(W.conninfo);
		PGresult *res =
			PQstatus(c) == CONNECTION_OK
				? PQexec(c, "SELECT count(*) FROM users WHERE handle = 'bob'")
				: NULL;
		int ok = PQresultStatus(res) == PGRES_TUPLES_OK &&
			 strcmp(PQgetvalue(res, 0, 0), "1") == 0;

		PQclear(res);
		PQfinish(c);
		if (ok)
			break;
		if (pp_t_now_ms() > deadline)
			fail_msg("the standby did not replay the database within 30 s");
		usleep(100000);
	}
	snprintf(url, sizeof(url), "PLANPIPE_READ_DATABASE_URL=%s", W.conninfo);
	/* The lag bound out of the way: recovery_min_apply_delay below holds replay back on
	 * purpose. */
	env[0] = url;
	env[1] = lag;
	env[2] = NULL;
	api_server_start(&W.srv, env);
	api_ok_free(201, &W.srv, "POST", "/v1/projects", W.alice,
		    "{\"key\":\"PLAN\",\"name\":\"Planning\"}", NULL);
	api_ok_free(201, &W.srv, "POST", "/v1/projects/PLAN/stories", W.alice,
		    "{\"key\":\"PLAN-1\",\"title\":\"One\"}", NULL);
	/* Other callers see those writes once the standby has them: wait for that. */
	deadline = pp_t_now_ms() + 30000;
	for (;;) {
		PGconn *c = standby_connect();
		long n = pp_t_query_long(c, "SELECT count(*) FROM stories WHERE key = 'PLAN-1'");

		PQfinish(c);
		if (n == 1)
			break;
		if (pp_t_now_ms() > deadline)
			fail_msg("the standby did not replay the story within 30 s");
		usleep(50000);
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	api_world_stop(&W.srv, users);
	if (W.dir[0])
		(void)pp_t_standby_remove(W.dir);
	return 0;
}

/* Reports, the cross-project list and history: on the standby; one project's list: not routed. */
static void reads_on_the_standby(void **state)
{
	double before, other;
	PGconn *s, *p;

	(void)state;
	wait_in_use(1);
	assert_true(metric("planpipe_read_standby_up") == 1);
	assert_true(metric("planpipe_read_standby_lag_seconds") >= 0);
	/* Bob, who wrote nothing: Alice's reads wait for her writes to be replayed. */
	before = metric(ROUTED("standby", "ok"));
	api_ok_free(200, &W.srv, "GET", "/v1/reports/status-summary", W.bob, NULL, NULL);
	api_ok_free(200, &W.srv, "GET", "/v1/stories", W.bob, NULL, NULL);
	api_ok_free(200, &W.srv, "GET", "/v1/projects/PLAN/history", W.bob, NULL, NULL);
	api_ok_free(200, &W.srv, "GET", "/v1/projects/PLAN/stories/PLAN-1/history", W.bob, NULL,
		    NULL);
	assert_true(metric(ROUTED("standby", "ok")) == before + 4);
	other = metric(ROUTED("standby", "ok"));
	api_ok_free(200, &W.srv, "GET", "/v1/projects/PLAN/stories", W.bob, NULL, NULL);
	api_ok_free(200, &W.srv, "GET", "/v1/projects/PLAN", W.bob, NULL, NULL);
	assert_true(metric(ROUTED("standby", "ok")) == other);
	/* The standby's own view: the read pool's connections and the probe's. */
	s = standby_connect();
	assert_true(count_apps(s, "planpipe-api-read") >= 1);
	assert_int_equal(count_apps(s, "planpipe-api-probe"), 1);
	assert_int_equal(count_apps(s, "planpipe-api"), 0);
	PQfinish(s);
	p = pp_t_connect();
	assert_int_equal(count_apps(p, "planpipe-api-read"), 0);
	assert_true(count_apps(p, "planpipe-api") >= 1);
	PQfinish(p);
}

/* A write runs on the primary and answers with the WAL position after its commit. */
static void writes_on_the_primary(void **state)
{
	api_res r;
	char *lsn;
	PGconn *p;
	double before = metric(ROUTED("standby", "ok"));

	(void)state;
	r = api_ok(201, &W.srv, "POST", "/v1/projects", W.alice,
		   "{\"key\":\"WRITE\",\"name\":\"Written\"}", NULL);
	lsn = api_header(&r, "PlanPipe-LSN");
	assert_non_null(lsn);
	p = pp_t_connect();
	{
		char sql[256];
		snprintf(sql, sizeof(sql),
			 "SELECT (pg_current_wal_insert_lsn() >= '%s'::pg_lsn)::int"
			 " + (SELECT count(*) FROM projects WHERE key = 'WRITE')::int",
			 lsn);
		assert_int_equal(pp_t_query_long(p, sql), 2);
	}
	PQfinish(p);
	free(lsn);
	api_res_free(&r);
	/* Reads without a PlanPipe-LSN header answer without one. */
	r = api_ok(200, &W.srv, "GET", "/v1/reports/status-summary", W.bob, NULL, NULL);
	assert_null(api_header(&r, "PlanPipe-LSN"));
	api_res_free(&r);
	assert_true(metric(ROUTED("standby", "ok")) == before + 1);
}

/* Sets recovery_min_apply_delay on the standby ("0" to reset) and waits for it to apply. */
static void apply_delay(const char *value)
{
	PGconn *s = standby_connect();
	char sql[128], *got;

	snprintf(sql, sizeof(sql), "ALTER SYSTEM SET recovery_min_apply_delay = '%s'", value);
	free(pp_t_query(s, sql));
	free(pp_t_query(s, "SELECT pg_reload_conf()"));
	PQfinish(s);
	for (int i = 0; i < 100; i++) {
		s = standby_connect();
		got = pp_t_query(s, "SHOW recovery_min_apply_delay");
		PQfinish(s);
		if (strcmp(got, strcmp(value, "0") == 0 ? "0" : value) == 0) {
			free(got);
			return;
		}
		free(got);
		usleep(50000);
	}
	fail_msg("recovery_min_apply_delay did not become %s", value);
}

static int lists(const char *token, const char *key, const char *const *headers)
{
	api_res r = api_ok(200, &W.srv, "GET", "/v1/stories?project=PLAN", token, NULL, headers);
	int found = strstr(r.body, key) != NULL;

	api_res_free(&r);
	return found;
}

/*
 * The standby holds its replay back 8 s: the writer sees its story at once
 * (its reads go to the primary until the standby has replayed the write),
 * another caller does not until it sends the write's PlanPipe-LSN.
 */
static void read_your_writes(void **state)
{
	char hdr[64];
	const char *headers[2] = {hdr, NULL};
	const char *bad[2] = {"PlanPipe-LSN: yesterday", NULL};
	double ryw = metric(ROUTED("primary", "read_your_writes"));
	double ok;
	api_res r;
	char *lsn;

	(void)state;
	apply_delay("8s");
	wait_in_use(1);
	r = api_ok(201, &W.srv, "POST", "/v1/projects/PLAN/stories", W.alice,
		   "{\"key\":\"PLAN-77\",\"title\":\"Seen at once\"}", NULL);
	lsn = api_header(&r, "PlanPipe-LSN");
	assert_non_null(lsn);
	snprintf(hdr, sizeof(hdr), "PlanPipe-LSN: %s", lsn);
	free(lsn);
	api_res_free(&r);
	assert_true(lists(W.alice, "PLAN-77", NULL));
	assert_true(metric(ROUTED("primary", "read_your_writes")) == ryw + 1);
	/* Bob's read runs on the standby, which has not applied the write yet. */
	ok = metric(ROUTED("standby", "ok"));
	assert_false(lists(W.bob, "PLAN-77", NULL));
	assert_true(metric(ROUTED("standby", "ok")) == ok + 1);
	/* With the write's position he reads it too. */
	assert_true(lists(W.bob, "PLAN-77", headers));
	assert_true(metric(ROUTED("primary", "read_your_writes")) == ryw + 2);
	api_refused(400, "bad-request", &W.srv, "GET", "/v1/stories", W.bob, NULL, bad);
	apply_delay("0");
}

/* Stopped, the standby costs nothing but the primary's time; started, it is used again. */
static void standby_stopped_and_back(void **state)
{
	double before = metric(ROUTED("primary", "down")) + metric(ROUTED("primary", "failed")) +
			metric(ROUTED("primary", "stale"));
	double ok;
	int i;

	(void)state;
	wait_in_use(1);
	standby_ctl("-m fast stop");
	/* Bob's reads: Alice's may still wait for her last write (read_your_writes). */
	for (i = 0; i < 5; i++) {
		api_ok_free(200, &W.srv, "GET", "/v1/reports/status-summary", W.bob, NULL, NULL);
		api_ok_free(200, &W.srv, "GET", "/v1/stories", W.bob, NULL, NULL);
	}
	assert_true(metric(ROUTED("primary", "down")) + metric(ROUTED("primary", "failed")) +
			    metric(ROUTED("primary", "stale")) ==
		    before + 10);
	wait_in_use(0);
	assert_true(metric("planpipe_read_standby_up") == 0);
	api_ok_free(200, &W.srv, "GET", "/v1/projects/PLAN/history", W.bob, NULL, NULL);
	assert_true(metric(ROUTED("primary", "down")) >= 1);

	{
		char opts[700];
		snprintf(opts, sizeof(opts), "-o \"-p %d -k %s/run -c listen_addresses=''\" start",
			 W.port, W.dir);
		standby_ctl(opts);
	}
	wait_in_use(1);
	ok = metric(ROUTED("standby", "ok"));
	/* The read pool's circuit may still be open for a moment: a fallback, never an error. */
	for (i = 0; i < 50 && metric(ROUTED("standby", "ok")) == ok; i++) {
		api_ok_free(200, &W.srv, "GET", "/v1/reports/status-summary", W.bob, NULL, NULL);
		usleep(100000);
	}
	assert_true(metric(ROUTED("standby", "ok")) > ok);
}

/* A standby URL libpq cannot read stops `serve` at start, naming the variable, password masked. */
static void bad_read_url_is_refused(void **state)
{
	pp_t_result r;

	(void)state;
	setenv("PLANPIPE_READ_DATABASE_URL", "postgresql://u:pw%ZZsecret@h/db", 1);
	setenv("PLANPIPE_LISTEN", "127.0.0.1:0", 1);
	r = pp_t_run("serve", NULL);
	unsetenv("PLANPIPE_READ_DATABASE_URL");
	unsetenv("PLANPIPE_LISTEN");
	assert_int_equal(r.status, 2);
	pp_t_assert_contains(r.err, "PLANPIPE_READ_DATABASE_URL is not a valid connection string: "
				    "invalid percent-encoded token: \"********\"");
	assert_null(strstr(r.err, "secret"));
	pp_t_result_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(bad_read_url_is_refused),  cmocka_unit_test(reads_on_the_standby),
		cmocka_unit_test(writes_on_the_primary),    cmocka_unit_test(read_your_writes),
		cmocka_unit_test(standby_stopped_and_back),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
