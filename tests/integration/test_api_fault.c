/*
 * test_api_fault.c: kill -9 of the test's PostgreSQL under a stream of API
 * writes (issue 17). Writers create stories, each with its own
 * Idempotency-Key, and retry a 503 with the same key until it is answered.
 * Meanwhile every answer is a 201 or a 503 with Retry-After (never a 500);
 * the API answers 2xx again within 5 s of PostgreSQL accepting connections;
 * afterwards every acknowledged story is in the database, exactly once,
 * including those whose first attempt committed but was answered 503.
 *
 * Loopback only, bounded: three writers, about four seconds of load. The
 * cluster is the one scripts/with-pg.sh started for this test; its
 * postmaster and backends are killed by pid.
 */
#include "test_api.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define N_WRITERS 3

typedef struct world {
	api_server srv;
	char *token;
} world;

static world W;

typedef struct writer {
	int id;
	atomic_int *stop;
	int acked;    /* stories w<id>-0 .. w<id>-(acked-1) were answered 201 */
	int replayed; /* answers that were replays */
	int unavailable;
	int other; /* neither 201, nor 503 with Retry-After, nor 409 in progress */
	char other_body[512];
} writer;

static int setup(void **state)
{
	const char *env[] = {"PLANPIPE_POOL_ACQUIRE_TIMEOUT_MS=3000", "PLANPIPE_CONNECT_TIMEOUT=2",
			     NULL};
	char sql[256];
	const char *db;
	PGconn *c;

	(void)state;
	if (getenv("PP_TEST_CLUSTER") == NULL || getenv("PP_PG_CLUSTER_SH") == NULL)
		fail_msg("PP_TEST_CLUSTER and PP_PG_CLUSTER_SH must be set (run through meson)");
	db = api_setup_db();
	/*
	 * The throwaway cluster runs with synchronous_commit = off, under which a
	 * commit acknowledged just before a crash may be lost: not the API's
	 * promise to test. This database commits durably.
	 */
	c = pp_t_connect();
	snprintf(sql, sizeof(sql), "ALTER DATABASE \"%s\" SET synchronous_commit = on", db);
	free(pp_t_query(c, sql));
	PQfinish(c);
	W.token = api_user_add("alice", 1);
	api_server_start(&W.srv, env);
	api_ok_free(201, &W.srv, "POST", "/v1/projects", W.token, "{\"key\":\"F\",\"name\":\"f\"}",
		    NULL);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	api_server_stop(&W.srv);
	free(W.token);
	return 0;
}

/* One create, retried with its key until answered 201 (at most 60 s). */
static void write_one(writer *w, int i)
{
	char body[64], key[80];
	const char *headers[] = {key, NULL};
	long long t0 = pp_t_now_ms();

	snprintf(body, sizeof(body), "{\"title\":\"w%d-%d\"}", w->id, i);
	snprintf(key, sizeof(key), "Idempotency-Key: fault-w%d-%d", w->id, i);
	while (pp_t_now_ms() - t0 < 60000) {
		api_res r =
			api_call(&W.srv, "POST", "/v1/projects/F/stories", W.token, body, headers);
		char *retry = api_header(&r, "Retry-After");
		char *replayed = api_header(&r, "Idempotent-Replayed");
		long st = r.status;

		if (st == 201) {
			w->acked = i + 1;
			w->replayed += replayed != NULL;
		} else if (st == 503 && retry != NULL) {
			w->unavailable++;
		} else if (st != 409 || strstr(r.body, "request-in-progress") == NULL) {
			if (w->other++ == 0)
				snprintf(w->other_body, sizeof(w->other_body), "%ld %s", st,
					 r.body);
		}
		free(retry);
		free(replayed);
		api_res_free(&r);
		if (st == 201 || w->other)
			return;
		usleep(100000);
	}
	if (w->other++ == 0)
		snprintf(w->other_body, sizeof(w->other_body), "w%d-%d: no 201 within 60 s", w->id,
			 i);
}

static void *writer_run(void *arg)
{
	writer *w = arg;
	int i;

	for (i = 0; !atomic_load(w->stop) && !w->other; i++)
		write_one(w, i);
	return NULL;
}

/* The pids of the processes whose parent is ppid (from /proc). */
static int children(pid_t ppid, pid_t *out, int max)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL && n < max) {
		char path[300], buf[512], *p;
		long pid = strtol(e->d_name, &p, 10), pp;
		FILE *f;

		if (*p != '\0' || pid <= 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
		f = fopen(path, "r");
		if (f == NULL)
			continue;
		if (fgets(buf, sizeof(buf), f) != NULL && (p = strrchr(buf, ')')) != NULL &&
		    sscanf(p + 1, " %*c %ld", &pp) == 1 && pp == (long)ppid)
			out[n++] = (pid_t)pid;
		fclose(f);
	}
	closedir(d);
	return n;
}

/* kill -9 of the postmaster and every backend of the test's cluster; waits until gone. */
static void kill_postgres(void)
{
	char path[512], line[32];
	pid_t pids[256];
	long long t0;
	FILE *f;
	pid_t pm;
	int n, i;

	snprintf(path, sizeof(path), "%s/data/postmaster.pid", getenv("PP_TEST_CLUSTER"));
	f = fopen(path, "r");
	assert_non_null(f);
	assert_non_null(fgets(line, sizeof(line), f));
	fclose(f);
	pm = (pid_t)strtol(line, NULL, 10);
	assert_true(pm > 1);
	n = children(pm, pids, 256);
	assert_int_equal(kill(pm, SIGKILL), 0);
	for (i = 0; i < n; i++)
		kill(pids[i], SIGKILL);
	for (t0 = pp_t_now_ms(); pp_t_now_ms() - t0 < 10000; usleep(20000)) {
		int alive = kill(pm, 0) == 0 || errno != ESRCH;

		for (i = 0; i < n && !alive; i++)
			alive = kill(pids[i], 0) == 0 || errno != ESRCH;
		if (!alive)
			return;
	}
	fail_msg("PostgreSQL did not die within 10 s of SIGKILL");
}

static void kill9_under_writes(void **state)
{
	writer w[N_WRITERS];
	pthread_t t[N_WRITERS];
	atomic_int stop = 0;
	long long ready, back;
	int i, acked = 0, replayed = 0, unavailable = 0;
	char sql[128];
	PGconn *c;
	api_res r;

	(void)state;
	for (i = 0; i < N_WRITERS; i++) {
		memset(&w[i], 0, sizeof(w[i]));
		w[i].id = i;
		w[i].stop = &stop;
		pthread_create(&t[i], NULL, writer_run, &w[i]);
	}
	usleep(1000000);
	kill_postgres();
	usleep(500000);
	pp_t_cluster("start"); /* pg_ctl -w: returns once it accepts connections */
	ready = pp_t_now_ms();
	for (;;) {
		r = api_call(&W.srv, "GET", "/v1/projects/F", W.token, NULL, NULL);
		if (r.status != 200 && r.status != 503)
			fail_msg("while recovering: %ld %s", r.status, r.body);
		back = pp_t_now_ms();
		i = r.status == 200;
		api_res_free(&r);
		if (i)
			break;
		if (back - ready > 5000)
			fail_msg("no 2xx within 5 s of PostgreSQL accepting connections");
		usleep(100000);
	}
	print_message("2xx again %lld ms after PostgreSQL accepted connections\n", back - ready);
	usleep(1000000);
	atomic_store(&stop, 1);
	for (i = 0; i < N_WRITERS; i++) {
		pthread_join(t[i], NULL);
		if (w[i].other)
			fail_msg(
				"writer %d: %d answers neither 201 nor 503 with Retry-After, e.g. %s",
				i, w[i].other, w[i].other_body);
		acked += w[i].acked;
		replayed += w[i].replayed;
		unavailable += w[i].unavailable;
	}
	print_message("%d stories acknowledged, %d 503s retried, %d replayed answers\n", acked,
		      unavailable, replayed);
	assert_true(acked > 0);
	assert_true(unavailable > 0);

	/* Every acknowledged story is there, once; nothing else was made. */
	c = pp_t_connect();
	for (i = 0; i < N_WRITERS; i++) {
		snprintf(sql, sizeof(sql),
			 "SELECT count(DISTINCT title) FROM stories WHERE title LIKE 'w%d-%%'", i);
		assert_int_equal(pp_t_query_long(c, sql), w[i].acked);
	}
	assert_int_equal(pp_t_query_long(c, "SELECT count(*) FROM (SELECT title FROM stories"
					    " GROUP BY title HAVING count(*) > 1) d"),
			 0);
	assert_int_equal(pp_t_query_long(c, "SELECT count(*) FROM stories"), acked);
	PQfinish(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(kill9_under_writes),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
