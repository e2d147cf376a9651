/*
 * test_api_restart.c: the database goes away under a running server. While
 * it is down the API answers 503 with Retry-After (never a 500, never a
 * hang), /livez stays 200 and /readyz 503; a restart during a stream of
 * requests gives only 200s and 503s; once the database is back the same
 * server process answers 200 again without being restarted.
 */
#include "test_api.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct world {
	api_server srv;
	char *token;
} world;

static world W;
static const api_user users[] = {
	{"alice", 1, &W.token},
};

static int setup(void **state)
{
	const char *env[] = {"PLANPIPE_POOL_ACQUIRE_TIMEOUT_MS=3000", "PLANPIPE_CONNECT_TIMEOUT=2",
			     NULL};

	(void)state;
	if (getenv("PP_TEST_CLUSTER") == NULL || getenv("PP_PG_CLUSTER_SH") == NULL)
		fail_msg("PP_TEST_CLUSTER and PP_PG_CLUSTER_SH must be set (run through meson)");
	api_world_start(&W.srv, env, users);
	api_ok_free(201, &W.srv, "POST", "/v1/projects", W.token, "{\"key\":\"UP\",\"name\":\"u\"}",
		    NULL);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	api_world_stop(&W.srv, users);
	return 0;
}

static void cluster(const char *action)
{
	char cmd[1024];
	const char *port = getenv("PGPORT");

	snprintf(cmd, sizeof(cmd), "sh %s %s %s %s >/dev/null", getenv("PP_PG_CLUSTER_SH"), action,
		 getenv("PP_TEST_CLUSTER"), strcmp(action, "start") == 0 && port ? port : "");
	if (system(cmd) != 0)
		fail_msg("%s failed", cmd);
}

/* Waits until GET /v1/projects/UP answers 200 (at most 60 s); returns how long it took. */
static long long wait_for_recovery(void)
{
	long long t0 = pp_t_now_ms();

	for (;;) {
		api_res r = api_call(&W.srv, "GET", "/v1/projects/UP", W.token, NULL, NULL);
		long st = r.status;

		if (st != 200 && st != 503)
			fail_msg("while recovering: %ld %s", st, r.body);
		api_res_free(&r);
		if (st == 200)
			return pp_t_now_ms() - t0;
		if (pp_t_now_ms() - t0 > 60000)
			fail_msg("no recovery within 60 s");
		usleep(200000);
	}
}

/*
 * An unavailable answer names no database host, port, socket or connection
 * string (issue 17): it goes to anyone, authenticated or not. The server's
 * log has the details.
 */
static const char *names_address(const api_res *r)
{
	static const char *const words[] = {"127.0.0.1", "::1",           "localhost",
					    ".s.PGSQL",  "socket",        "host",
					    "port",      "postgresql://", "postgres://"};
	const char *host = getenv("PGHOST"), *port = getenv("PGPORT");
	static _Thread_local char text[64];
	size_t i;

	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strstr(r->body, words[i]) != NULL)
			return words[i];
	if (host && *host && strstr(r->body, host) != NULL)
		return "PGHOST";
	snprintf(text, sizeof(text), ":%s", port ? port : "5432");
	return strstr(r->body, text) != NULL ? text : NULL;
}

static void assert_no_address(const api_res *r)
{
	const char *what = names_address(r);

	if (what != NULL)
		fail_msg("a %ld answer names \"%s\": %s", r->status, what, r->body);
}

static void down_then_up(void **state)
{
	api_res r;
	char *retry;
	int i;

	(void)state;
	cluster("stop");
	for (i = 0; i < 5; i++) {
		r = api_call(&W.srv, "GET", "/v1/projects/UP", W.token, NULL, NULL);
		api_problem(r, 503, "unavailable");
		assert_no_address(&r);
		retry = api_header(&r, "Retry-After");
		assert_non_null(retry);
		assert_true(strtol(retry, NULL, 10) >= 1);
		free(retry);
		api_res_free(&r);
	}
	r = api_call(&W.srv, "POST", "/v1/projects/UP/stories", W.token, "{\"title\":\"x\"}", NULL);
	api_problem(r, 503, "unavailable");
	assert_no_address(&r);
	api_res_free(&r);
	api_refused(401, "unauthorized", &W.srv, "GET", "/v1/me", NULL, NULL, NULL);
	r = api_call(&W.srv, "GET", "/v1/me", "not-a-token", NULL, NULL);
	api_problem(r, 503, "unavailable");
	assert_no_address(&r);
	api_res_free(&r);
	api_ok_free(200, &W.srv, "GET", "/livez", NULL, NULL, NULL);
	r = api_call(&W.srv, "GET", "/readyz", NULL, NULL, NULL);
	api_problem(r, 503, "unavailable");
	assert_no_address(&r);
	api_res_free(&r);

	cluster("start");
	print_message("recovered after %lld ms\n", wait_for_recovery());
	api_ok_free(200, &W.srv, "GET", "/readyz", NULL, NULL, NULL);
	api_ok_free(201, &W.srv, "POST", "/v1/projects/UP/stories", W.token, "{\"title\":\"y\"}",
		    NULL);
}

typedef struct hammer {
	atomic_int stop;
	atomic_int ok, unavailable, other;
	char other_body[1024];
} hammer;

static void *hammer_run(void *arg)
{
	hammer *h = arg;

	while (!atomic_load(&h->stop)) {
		api_res r = api_call(&W.srv, "GET", "/v1/projects/UP/stories", W.token, NULL, NULL);

		if (r.status == 200)
			atomic_fetch_add(&h->ok, 1);
		else if (r.status == 503 && !names_address(&r))
			atomic_fetch_add(&h->unavailable, 1);
		else if (atomic_fetch_add(&h->other, 1) == 0)
			snprintf(h->other_body, sizeof(h->other_body), "%ld %s", r.status, r.body);
		api_res_free(&r);
	}
	return NULL;
}

/* A restart while four clients keep asking: each answer is a 200 or a 503. */
static void restart_under_load(void **state)
{
	hammer h;
	pthread_t t[4];
	int i;

	(void)state;
	memset(&h, 0, sizeof(h));
	for (i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, hammer_run, &h);
	usleep(500000);
	cluster("restart");
	wait_for_recovery();
	usleep(500000);
	atomic_store(&h.stop, 1);
	for (i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	print_message("during the restart: %d ok, %d unavailable, %d other\n", h.ok, h.unavailable,
		      h.other);
	if (h.other)
		fail_msg("%d answers were neither 200 nor 503, e.g. %s", h.other, h.other_body);
	assert_true(h.ok > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(down_then_up),
		cmocka_unit_test(restart_under_load),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
