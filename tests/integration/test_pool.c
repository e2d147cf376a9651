/*
 * test_pool.c: src/db/pool.c against a real server (scripts/with-pg.sh),
 * which the tests stop, start and restart with scripts/pg-cluster.sh.
 *
 *   test_pool [NAME-PATTERN]   run the tests whose names match (cmocka filter)
 *
 * PP_TEST_HAMMER_SECONDS sets how long the hammer runs (default 10).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

#include "core/config.h"
#include "db/conn.h"
#include "db/pool.h"

static pp_config cfg;     /* from the environment: libpq's PG* variables, unix socket */
static pp_config tcp_cfg; /* the same server over TCP with the password */
static char tcp_url[512];

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

/* Whatever a test did, the next one finds the server up. */
static int server_up(void **state)
{
	(void)state;
	pp_t_cluster("start");
	return 0;
}

static pp_pool_opts opts(const pp_config *c, int max)
{
	pp_pool_opts o;

	pp_pool_opts_init(&o, c);
	o.appname = "pp-test-pool";
	o.max_size = max;
	o.min_size = 0;
	o.acquire_timeout_ms = 5000;
	o.connect_timeout_ms = 5000;
	return o;
}

static pp_pool *new_pool(const pp_pool_opts *o)
{
	pp_pool *p = NULL;
	pp_err err;

	pp_err_clear(&err);
	if (pp_pool_new(o, &p, &err) != PP_OK)
		fail_msg("pp_pool_new: %s", err.msg);
	return p;
}

static pp_pool_conn *acquire(pp_pool *p)
{
	pp_pool_conn *c = NULL;
	pp_err err;

	pp_err_clear(&err);
	if (pp_pool_acquire(p, -1, &c, &err) != PP_OK)
		fail_msg("acquire: %.200s", err.msg);
	return c;
}

/* Runs sql on a pooled connection; returns the first value (caller frees). */
static char *exec1(pp_pool_conn *c, const char *sql)
{
	PGresult *res = NULL;
	char *v = NULL;
	pp_err err;

	pp_err_clear(&err);
	if (pp_pool_exec(c, sql, 0, NULL, &res, &err) != PP_OK)
		fail_msg("%s: %s", sql, err.msg);
	if (PQntuples(res) > 0)
		v = strdup(PQgetvalue(res, 0, 0));
	PQclear(res);
	return v;
}

static pp_pool_stats stats(pp_pool *p)
{
	pp_pool_stats s;

	pp_pool_stats_get(p, &s);
	return s;
}

/* A caller's whole round trip: acquire, SELECT 1, release; the stats after it. */
static pp_pool_stats round_trip(pp_pool *p)
{
	pp_pool_conn *c = acquire(p);

	free(exec1(c, "SELECT 1"));
	pp_pool_release(c);
	return stats(p);
}

/* Server-side sessions of an application_name, from a connection of its own. */
static long sessions(const char *appname)
{
	char sql[256];
	PGconn *c = pp_t_connect();
	long n;

	snprintf(sql, sizeof(sql),
		 "SELECT count(*) FROM pg_stat_activity WHERE application_name = '%s'", appname);
	n = pp_t_query_long(c, sql);
	PQfinish(c);
	return n;
}

static void wait_sessions(const char *appname, long want)
{
	long long until = pp_now_ms() + 10000;

	while (sessions(appname) != want && pp_now_ms() < until)
		sleep_ms(50);
	assert_int_equal(sessions(appname), want);
}

/* ---- Statements and statistics. ---- */

static void test_exec_unnamed_and_prepared(void **state)
{
	const char *params[] = {"41"};
	int prepared;

	(void)state;
	for (prepared = 0; prepared <= 1; prepared++) {
		pp_pool_opts o = opts(&cfg, 2);
		pp_pool *p;
		pp_pool_conn *c;
		PGresult *res = NULL;
		pp_pool_stats s;
		pp_err err;
		char *v;
		int i;

		o.prepared = prepared;
		p = new_pool(&o);
		c = acquire(p);
		for (i = 0; i < 3; i++) {
			pp_err_clear(&err);
			assert_int_equal(
				pp_pool_exec(c, "SELECT $1::int + 1", 1, params, &res, &err),
				PP_OK);
			assert_string_equal(PQgetvalue(res, 0, 0), "42");
			PQclear(res);
		}
		/* Prepared once per connection, and only when asked to. */
		v = exec1(c, "SELECT count(*) FROM pg_prepared_statements");
		assert_string_equal(v, prepared ? "2" : "0");
		free(v);
		/* For callers that send by name themselves (the API's pipelines): the
		 * same cache, a name only when prepared, nothing prepared twice. */
		{
			char name[PP_POOL_STMT_NAME], again[PP_POOL_STMT_NAME];
			const char *by_name[] = {NULL};

			assert_int_equal(pp_pool_conn_prepare(c, "SELECT $1::int * 2", 1, name),
					 prepared);
			assert_int_equal(pp_pool_conn_prepare(c, "SELECT $1::int * 2", 1, again),
					 prepared);
			assert_string_equal(name, again);
			assert_int_equal(pp_pool_conn_prepare(c, "SELECT $1::int + 1", 1, again),
					 prepared);
			v = exec1(c, "SELECT count(*) FROM pg_prepared_statements");
			assert_string_equal(v, prepared ? "3" : "0");
			free(v);
			if (prepared) {
				by_name[0] = name;
				res = PQexecParams(
					pp_pool_conn_pg(c),
					"SELECT count(*) FROM pg_prepared_statements"
					" WHERE name = $1 AND statement = 'SELECT $1::int * 2'",
					1, NULL, by_name, NULL, NULL, 0);
				assert_string_equal(PQgetvalue(res, 0, 0), "1");
				PQclear(res);
			} else {
				assert_string_equal(name, "");
			}
		}
		/* An SQL error is PP_EDB with its SQLSTATE, and the connection stays usable. */
		pp_err_clear(&err);
		assert_int_equal(pp_pool_exec(c, "SELECT 1/0", 0, NULL, NULL, &err), PP_EDB);
		assert_string_equal(err.sqlstate, "22012");
		pp_pool_release(c);
		s = round_trip(p);
		assert_int_equal(s.acquired, 2);
		assert_int_equal(s.released, 2);
		assert_int_equal(s.connects, 1);
		assert_int_equal(s.total, 1);
		assert_int_equal(s.idle, 1);
		assert_int_equal(s.acquire_wait.count, 2);
		assert_int_equal(s.connect_time.count, 1);
		assert_true(s.connect_time.sum_ms > 0);
		pp_pool_free(p);
	}
}

static void test_invalid_options(void **state)
{
	pp_pool_opts o = opts(&cfg, 0);
	pp_pool *p = NULL;
	pp_err err;

	(void)state;
	pp_err_clear(&err);
	assert_int_equal(pp_pool_new(&o, &p, &err), PP_EINVAL);
	assert_null(p);
	o = opts(&cfg, 2);
	o.min_size = 3;
	assert_int_equal(pp_pool_new(&o, &p, &err), PP_EINVAL);
	assert_true(pp_pool_default_max() >= 4 && pp_pool_default_max() <= 64);
}

/* ---- A server restart: nobody gets a dead connection. ---- */

static void restart_with(const pp_config *c)
{
	pp_pool_opts o = opts(c, 4);
	pp_pool_conn *held[4];
	pp_pool *p;
	pp_pool_stats s;
	int round, i;

	/* Only the free socket check: no round trip hides a dead connection. */
	o.validate_after_ms = 3600 * 1000;
	p = new_pool(&o);
	for (i = 0; i < 4; i++)
		held[i] = acquire(p);
	for (i = 0; i < 4; i++) {
		free(exec1(held[i], "SELECT 1"));
		pp_pool_release(held[i]);
	}
	assert_int_equal(stats(p).idle, 4);

	pp_t_cluster("restart");

	for (round = 0; round < 10; round++) {
		for (i = 0; i < 4; i++) {
			held[i] = acquire(p);
			assert_int_equal(PQstatus(pp_pool_conn_pg(held[i])), CONNECTION_OK);
			free(exec1(held[i],
				   "SELECT 1")); /* fails the test if the connection is dead */
		}
		for (i = 0; i < 4; i++)
			pp_pool_release(held[i]);
	}
	s = stats(p);
	assert_int_equal(s.discards[PP_POOL_DISCARD_BROKEN], 4);
	assert_int_equal(s.connects, 8);
	assert_int_equal(s.unavailable + s.rejected + s.timeouts, 0);
	pp_pool_free(p);
}

static void test_restart_unix_socket(void **state)
{
	(void)state;
	restart_with(&cfg);
}

static void test_restart_tcp(void **state)
{
	(void)state;
	restart_with(&tcp_cfg);
}

/* ---- The server stopped: database unavailable, then the circuit. ---- */

static void test_stopped_then_circuit(void **state)
{
	pp_pool_opts o = opts(&cfg, 4);
	pp_pool_conn *c = NULL;
	pp_pool *p;
	pp_pool_stats s;
	long long t0, ms;
	pp_err err;

	(void)state;
	o.circuit_failures = 3;
	o.circuit_backoff_ms = 500;
	p = new_pool(&o);
	pp_pool_release(acquire(p));

	pp_t_cluster("stop");

	pp_err_clear(&err);
	t0 = pp_now_ms();
	assert_int_equal(pp_pool_acquire(p, 2000, &c, &err), PP_ECONNECT);
	ms = pp_now_ms() - t0;
	assert_null(c);
	assert_true(ms <= 2000 + 500);
	pp_t_assert_contains(err.msg, "database unavailable");
	s = stats(p);
	assert_int_equal(s.discards[PP_POOL_DISCARD_BROKEN], 1);
	assert_true(s.connect_failures >= 3);
	assert_int_equal(s.circuit_open, 1);

	/* Now it fails fast, without trying. */
	t0 = pp_now_ms();
	assert_int_equal(pp_pool_acquire(p, 2000, &c, &err), PP_EUNAVAIL);
	assert_true(pp_now_ms() - t0 < 100);
	pp_t_assert_contains(err.msg, "circuit open");
	assert_int_equal(stats(p).connect_failures, s.connect_failures);

	pp_t_cluster("start");
	sleep_ms(600); /* past the back-off: the next caller is the probe */
	s = round_trip(p);
	assert_int_equal(s.circuit_open, 0);
	assert_int_equal(s.consecutive_failures, 0);
	assert_int_equal(s.rejected, 1);
	assert_int_equal(s.unavailable, 1);
	pp_pool_free(p);
}

/* A listener that never accepts: connecting hangs until the deadline. */
static int black_hole(int *port)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(fd, 64), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	*port = ntohs(a.sin_port);
	return fd;
}

typedef struct probe_arg {
	pp_pool *pool;
	pp_rc rc;
} probe_arg;

static void *probe_thread(void *arg)
{
	probe_arg *a = arg;
	pp_pool_conn *c = NULL;
	pp_err err;

	a->rc = pp_pool_acquire(a->pool, 2000, &c, &err);
	pp_pool_release(c);
	return NULL;
}

static void test_circuit_one_probe(void **state)
{
	pp_config hole = cfg;
	pp_pool_opts o;
	pp_pool_conn *c = NULL;
	probe_arg a;
	pthread_t t;
	pp_pool *p;
	pp_err err;
	char url[256];
	long long t0, ms;
	int port, fd = black_hole(&port);

	(void)state;
	snprintf(url, sizeof(url), "host=127.0.0.1 port=%d user=x dbname=x password=x", port);
	hole.database_url = url;
	hole.password = NULL;
	o = opts(&hole, 4);
	o.connect_timeout_ms = 400;
	o.circuit_failures = 2;
	o.circuit_backoff_ms = 300;
	p = new_pool(&o);

	/* Two attempts time out within the caller's deadline: the circuit opens. */
	t0 = pp_now_ms();
	assert_int_equal(pp_pool_acquire(p, 1000, &c, &err), PP_ECONNECT);
	ms = pp_now_ms() - t0;
	assert_true(ms >= 700 && ms <= 1000 + 500);
	pp_t_assert_contains(err.msg, "database unavailable");
	assert_int_equal(stats(p).circuit_open, 1);
	t0 = pp_now_ms();
	assert_int_equal(pp_pool_acquire(p, 1000, &c, &err), PP_EUNAVAIL);
	assert_true(pp_now_ms() - t0 < 100);

	/* Past the back-off one caller probes; the others still fail fast. */
	sleep_ms(350);
	a.pool = p;
	a.rc = PP_OK;
	assert_int_equal(pthread_create(&t, NULL, probe_thread, &a), 0);
	sleep_ms(100);
	t0 = pp_now_ms();
	assert_int_equal(pp_pool_acquire(p, 1000, &c, &err), PP_EUNAVAIL);
	assert_true(pp_now_ms() - t0 < 100);
	assert_int_equal(stats(p).opening, 1);
	pthread_join(t, NULL);
	assert_int_equal(a.rc, PP_ECONNECT);
	/* The failed probe doubles the back-off. */
	assert_int_equal(pp_pool_acquire(p, 1000, &c, &err), PP_EUNAVAIL);
	assert_int_equal(stats(p).connect_failures, 3);
	pp_pool_free(p);
	close(fd);
}

/* ---- Every connection in use: pool exhausted. ---- */

static void test_exhausted(void **state)
{
	pp_pool_opts o = opts(&cfg, 2);
	pp_pool_conn *a, *b, *c = NULL;
	pp_pool *p;
	long long t0, ms;
	pp_err err;

	(void)state;
	p = new_pool(&o);
	a = acquire(p);
	b = acquire(p);
	pp_err_clear(&err);
	t0 = pp_now_ms();
	assert_int_equal(pp_pool_acquire(p, 300, &c, &err), PP_ETIMEDOUT);
	ms = pp_now_ms() - t0;
	assert_null(c);
	assert_true(ms >= 300 && ms < 300 + 1000);
	pp_t_assert_contains(err.msg, "pool exhausted: timed out waiting for a connection");
	assert_int_equal(stats(p).timeouts, 1);
	assert_int_equal(stats(p).waiting, 0);
	pp_pool_release(a);
	pp_pool_release(b);
	pp_pool_free(p);
}

typedef struct fifo_arg {
	pp_pool *pool;
	pthread_mutex_t *mu;
	int *next;  /* order of service */
	int served; /* this waiter's place */
} fifo_arg;

static void *fifo_waiter(void *arg)
{
	fifo_arg *a = arg;
	pp_pool_conn *c = NULL;
	pp_err err;

	if (pp_pool_acquire(a->pool, 10000, &c, &err) != PP_OK)
		return NULL;
	pthread_mutex_lock(a->mu);
	a->served = ++*a->next;
	pthread_mutex_unlock(a->mu);
	sleep_ms(20);
	pp_pool_release(c);
	return NULL;
}

static void test_waiters_fifo(void **state)
{
	pp_pool_opts o = opts(&cfg, 1);
	pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
	fifo_arg args[5];
	pthread_t t[5];
	pp_pool_conn *held;
	pp_pool *p;
	int next = 0, i;

	(void)state;
	p = new_pool(&o);
	held = acquire(p);
	for (i = 0; i < 5; i++) {
		long long until = pp_now_ms() + 5000;
		args[i] = (fifo_arg){p, &mu, &next, 0};
		assert_int_equal(pthread_create(&t[i], NULL, fifo_waiter, &args[i]), 0);
		while (stats(p).waiting != i + 1 && pp_now_ms() < until)
			sleep_ms(5);
		assert_int_equal(stats(p).waiting, i + 1);
	}
	pp_pool_release(held);
	for (i = 0; i < 5; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(args[i].served, i + 1);
	}
	pp_pool_free(p);
}

/* ---- What comes back: transactions rolled back, queries cancelled. ---- */

static void test_release_in_transaction(void **state)
{
	pp_pool_opts o = opts(&cfg, 1);
	PGconn *direct = pp_t_connect();
	pp_pool_conn *c;
	pp_pool *p;
	pp_pool_stats s;
	char *v;

	(void)state;
	free(pp_t_query(direct, "CREATE TABLE pool_rollback (x int)"));
	p = new_pool(&o);

	c = acquire(p);
	free(exec1(c, "BEGIN"));
	free(exec1(c, "INSERT INTO pool_rollback VALUES (1)"));
	free(exec1(c, "SELECT set_config('planpipe.user_id', '7', true)"));
	assert_int_equal(PQtransactionStatus(pp_pool_conn_pg(c)), PQTRANS_INTRANS);
	pp_pool_release(c);

	/* A failed transaction too. */
	c = acquire(p);
	free(exec1(c, "BEGIN"));
	assert_int_equal(pp_pool_exec(c, "SELECT 1/0", 0, NULL, NULL, NULL), PP_EDB);
	assert_int_equal(PQtransactionStatus(pp_pool_conn_pg(c)), PQTRANS_INERROR);
	pp_pool_release(c);

	c = acquire(p);
	assert_int_equal(PQtransactionStatus(pp_pool_conn_pg(c)), PQTRANS_IDLE);
	v = exec1(c, "SELECT count(*) FROM pool_rollback");
	assert_string_equal(v, "0");
	free(v);
	v = exec1(c, "SELECT current_setting('planpipe.user_id', true)");
	assert_string_equal(v, "");
	free(v);
	pp_pool_release(c);
	assert_int_equal(pp_t_query_long(direct, "SELECT count(*) FROM pool_rollback"), 0);

	s = stats(p);
	assert_int_equal(s.rolled_back, 2);
	assert_int_equal(s.connects, 1); /* the same connection all along */
	pp_pool_free(p);
	free(pp_t_query(direct, "DROP TABLE pool_rollback"));
	PQfinish(direct);
}

static void test_release_with_query_in_flight(void **state)
{
	pp_pool_opts o = opts(&cfg, 1);
	pp_pool_conn *c;
	pp_pool *p;
	long long t0;

	(void)state;
	o.appname = "pp-test-inflight";
	p = new_pool(&o);
	c = acquire(p);
	assert_int_equal(PQsendQuery(pp_pool_conn_pg(c), "SELECT pg_sleep(60)"), 1);
	t0 = pp_now_ms();
	pp_pool_release(c);
	assert_true(pp_now_ms() - t0 < 3000);
	assert_int_equal(stats(p).discards[PP_POOL_DISCARD_CANCELLED], 1);
	assert_int_equal(stats(p).total, 0);
	wait_sessions("pp-test-inflight", 0);
	/* The next caller gets a fresh connection with nothing pending. */
	(void)round_trip(p);
	pp_pool_free(p);
}

static void test_discard_on_request(void **state)
{
	pp_pool_opts o = opts(&cfg, 1);
	pp_pool_conn *c;
	pp_pool *p;

	(void)state;
	p = new_pool(&o);
	c = acquire(p);
	pp_pool_conn_discard(c);
	pp_pool_release(c);
	assert_int_equal(stats(p).discards[PP_POOL_DISCARD_LOST], 1);
	assert_int_equal(stats(p).total, 0);
	pp_pool_free(p);
}

/* ---- Housekeeping: the minimum, idle timeout, lifetime. ---- */

static int wait_total(pp_pool *p, int want, int ms)
{
	long long until = pp_now_ms() + ms;

	while (stats(p).total != want && pp_now_ms() < until)
		sleep_ms(10);
	return stats(p).total;
}

static void test_min_idle_lifetime(void **state)
{
	pp_pool_opts o = opts(&cfg, 4);
	pp_pool_conn *held[4];
	pp_pool *p;
	pp_pool_stats s;
	int i;

	(void)state;
	o.appname = "pp-test-house";
	o.min_size = 2;
	o.idle_timeout_ms = 300;
	o.max_lifetime_ms = 0;
	o.housekeeping_ms = 20;
	p = new_pool(&o);
	assert_int_equal(wait_total(p, 2, 5000), 2); /* warmed without anyone asking */
	for (i = 0; i < 4; i++)
		held[i] = acquire(p);
	for (i = 0; i < 4; i++)
		pp_pool_release(held[i]);
	assert_int_equal(stats(p).total, 4);
	assert_int_equal(wait_total(p, 2, 3000), 2); /* idle ones above the minimum go */
	s = stats(p);
	assert_int_equal(s.discards[PP_POOL_DISCARD_IDLE], 2);
	wait_sessions("pp-test-house", 2);
	pp_pool_free(p);
	wait_sessions("pp-test-house", 0);

	/* Lifetime: replaced after at most max_lifetime_ms, at least 90% of it. */
	o.idle_timeout_ms = 0;
	o.max_lifetime_ms = 500;
	p = new_pool(&o);
	assert_int_equal(wait_total(p, 2, 5000), 2);
	sleep_ms(1200);
	s = stats(p);
	assert_true(s.discards[PP_POOL_DISCARD_LIFETIME] >= 2);
	assert_true(s.connects >= 4);
	assert_int_equal(wait_total(p, 2, 3000), 2);
	/* One expiring while in use is closed when it comes back. */
	held[0] = acquire(p);
	sleep_ms(600);
	pp_pool_release(held[0]);
	assert_true(stats(p).discards[PP_POOL_DISCARD_LIFETIME] >= 3);
	pp_pool_free(p);
}

/* ---- 64 threads hammering: no race, no leak, every acquire matched. ---- */

#define HAMMER_THREADS 64

typedef struct hammer_arg {
	pp_pool *pool;
	long long until;
	int id;
	unsigned long acquired, released, errors;
	char last_error[256];
} hammer_arg;

static void *hammer(void *arg)
{
	hammer_arg *a = arg;
	const char *params[1];
	char buf[32];
	unsigned long i = 0;

	while (pp_now_ms() < a->until) {
		pp_pool_conn *c = NULL;
		PGresult *res = NULL;
		pp_err err;

		pp_err_clear(&err);
		if (pp_pool_acquire(a->pool, 30000, &c, &err) != PP_OK) {
			a->errors++;
			snprintf(a->last_error, sizeof(a->last_error), "acquire: %.200s", err.msg);
			continue;
		}
		a->acquired++;
		snprintf(buf, sizeof(buf), "%lu", i);
		params[0] = buf;
		switch ((i + (unsigned long)a->id) % 4) {
		case 0: /* a parameterised query, checked */
			if (pp_pool_exec(c, "SELECT $1::bigint", 1, params, &res, &err) != PP_OK ||
			    strcmp(PQgetvalue(res, 0, 0), buf) != 0) {
				a->errors++;
				snprintf(a->last_error, sizeof(a->last_error), "exec: %.200s",
					 err.msg);
			}
			PQclear(res);
			break;
		case 1: /* left inside a transaction: the pool rolls it back */
			if (pp_pool_exec(c, "BEGIN", 0, NULL, NULL, &err) != PP_OK ||
			    pp_pool_exec(c, "SELECT set_config('planpipe.user_id', $1, true)", 1,
					 params, NULL, &err) != PP_OK) {
				a->errors++;
				snprintf(a->last_error, sizeof(a->last_error), "txn: %.200s",
					 err.msg);
			}
			break;
		case 2: /* straight back */
			break;
		default:
			if (pp_pool_exec(c, "SELECT 1", 0, NULL, NULL, &err) != PP_OK) {
				a->errors++;
				snprintf(a->last_error, sizeof(a->last_error), "exec: %.200s",
					 err.msg);
			}
		}
		pp_pool_release(c);
		a->released++;
		i++;
	}
	return NULL;
}

static void test_hammer(void **state)
{
	const char *env = getenv("PP_TEST_HAMMER_SECONDS");
	int seconds = env ? (int)strtol(env, NULL, 10) : 10;
	hammer_arg *args = calloc(HAMMER_THREADS, sizeof(*args));
	pthread_t t[HAMMER_THREADS];
	unsigned long acquired = 0, released = 0, errors = 0;
	pp_pool_opts o = opts(&cfg, 8);
	pp_pool_stats s;
	pp_pool *p;
	int i;

	(void)state;
	assert_non_null(args);
	if (seconds <= 0)
		seconds = 10;
	o.appname = "pp-test-hammer";
	o.min_size = 2;
	o.housekeeping_ms = 50;
	o.max_lifetime_ms = 2000; /* connections come and go under load too */
	o.validate_after_ms = 5;
	p = new_pool(&o);
	for (i = 0; i < HAMMER_THREADS; i++) {
		args[i].pool = p;
		args[i].id = i;
		args[i].until = pp_now_ms() + seconds * 1000LL;
		assert_int_equal(pthread_create(&t[i], NULL, hammer, &args[i]), 0);
	}
	for (i = 0; i < HAMMER_THREADS; i++) {
		pthread_join(t[i], NULL);
		acquired += args[i].acquired;
		released += args[i].released;
		errors += args[i].errors;
		if (args[i].errors)
			print_message("thread %d: %s\n", i, args[i].last_error);
	}
	s = stats(p);
	print_message("hammer: %d threads, %d s: %lu acquires, %llu connects, %llu rolled back, "
		      "mean wait %.2f ms\n",
		      HAMMER_THREADS, seconds, acquired, s.connects, s.rolled_back,
		      s.acquire_wait.count ? s.acquire_wait.sum_ms / (double)s.acquire_wait.count
					   : 0.0);
	assert_int_equal(errors, 0);
	assert_true(acquired > 0);
	assert_int_equal(acquired, released);
	assert_int_equal(s.acquired, acquired);
	assert_int_equal(s.released, released);
	assert_int_equal(s.in_use, 0);
	assert_int_equal(s.waiting, 0);
	assert_int_equal(s.opening, 0);
	assert_int_equal(s.total, s.idle);
	assert_true(s.total <= 8);
	assert_true(s.rolled_back > 0);
	assert_int_equal(s.timeouts + s.unavailable + s.rejected, 0);
	pp_pool_free(p);
	wait_sessions("pp-test-hammer", 0); /* every connection closed on the server too */
	free(args);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exec_unnamed_and_prepared),
		cmocka_unit_test(test_invalid_options),
		cmocka_unit_test_teardown(test_restart_unix_socket, server_up),
		cmocka_unit_test_teardown(test_restart_tcp, server_up),
		cmocka_unit_test_teardown(test_stopped_then_circuit, server_up),
		cmocka_unit_test(test_circuit_one_probe),
		cmocka_unit_test(test_exhausted),
		cmocka_unit_test(test_waiters_fifo),
		cmocka_unit_test(test_release_in_transaction),
		cmocka_unit_test(test_release_with_query_in_flight),
		cmocka_unit_test(test_discard_on_request),
		cmocka_unit_test(test_min_idle_lifetime),
		cmocka_unit_test(test_hammer),
	};
	pp_err err;

	pp_err_clear(&err);
	if (pp_config_load(&cfg, &err) != PP_OK || pp_config_load(&tcp_cfg, &err) != PP_OK) {
		fprintf(stderr, "configuration: %s\n", err.msg);
		return 1;
	}
	snprintf(tcp_url, sizeof(tcp_url), "host=127.0.0.1 port=%s password=%s",
		 getenv("PGPORT") ? getenv("PGPORT") : "5432",
		 getenv("PP_TEST_PASSWORD") ? getenv("PP_TEST_PASSWORD") : "");
	tcp_cfg.database_url = strdup(tcp_url);
	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	return cmocka_run_group_tests_name("pool", tests, NULL, NULL);
}
