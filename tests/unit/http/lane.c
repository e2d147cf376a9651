/*
 * tests/unit/http/lane.c: src/http/lane.c's threads and queue. lane.c reads
 * CLOCK_MONOTONIC itself and takes no clock, so the tests hold the timing
 * in their own hands: a lane whose wait is ten minutes never expires a job
 * while a test runs, and a job is made to wait too long by a blocker job
 * that holds the lane's only thread until the test lets it go (with a
 * wait of 1 ms). Nothing asserts how fast anything happens. Also run under
 * ThreadSanitizer (scripts/test.sh).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <pthread.h>
#include <sched.h>

#include <cmocka.h>

#include "unit.h"

#include "http/lane.h"

#define NEVER_MS (10 * 60 * 1000)

typedef struct tjob {
	pp_http_job j; /* first: a pp_http_job * is a tjob * */
	int id;
	int gate; /* a blocker: holds its thread until released */
	int runs, expired;
	pthread_t thread;
} tjob;

/* What the jobs did, under mu. */
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int done, holding, released;
static int order[512], n_order;

static void reset(void)
{
	pthread_mutex_lock(&mu);
	done = holding = released = n_order = 0;
	pthread_mutex_unlock(&mu);
}

static void run(pp_http_job *j, int expired)
{
	tjob *t = (tjob *)j;

	pthread_mutex_lock(&mu);
	t->runs++;
	t->expired = expired;
	t->thread = pthread_self();
	if (n_order < 512)
		order[n_order++] = t->id;
	if (t->gate && !expired) {
		holding = 1;
		pthread_cond_broadcast(&cv);
		while (!released)
			pthread_cond_wait(&cv, &mu);
		holding = 0;
	}
	done++;
	pthread_cond_broadcast(&cv);
	pthread_mutex_unlock(&mu);
}

static void job(tjob *t, int id, int gate)
{
	memset(t, 0, sizeof(*t));
	t->j.run = run;
	t->id = id;
	t->gate = gate;
}

static void wait_done(int n)
{
	pthread_mutex_lock(&mu);
	while (done < n)
		pthread_cond_wait(&cv, &mu);
	pthread_mutex_unlock(&mu);
}

static void release(void)
{
	pthread_mutex_lock(&mu);
	released = 1;
	pthread_cond_broadcast(&cv);
	pthread_mutex_unlock(&mu);
}

/*
 * Pushes blockers until one holds a lane thread (with a short wait, the
 * timer may expire a blocker before a thread takes it: that one returns at
 * once and the next is pushed). Returns the holding blocker.
 */
static tjob *hold(pp_http_lane *l, tjob *blockers, int max)
{
	for (int i = 0; i < max; i++) {
		tjob *b = &blockers[i];

		job(b, 1000 + i, 1);
		pp_http_lane_push(l, &b->j);
		pthread_mutex_lock(&mu);
		while (!holding && b->runs == 0)
			pthread_cond_wait(&cv, &mu);
		if (holding && !b->expired) {
			pthread_mutex_unlock(&mu);
			return b;
		}
		pthread_mutex_unlock(&mu);
	}
	fail_msg("no blocker held a thread in %d tries", max);
	return NULL;
}

static pp_http_lane *start(int threads, int wait_ms)
{
	pp_http_lane *l = NULL;
	pp_err err;

	pp_err_clear(&err);
	assert_int_equal(pp_http_lane_start("test", threads, wait_ms, &l, &err), PP_OK);
	assert_non_null(l);
	reset();
	return l;
}

/* Until the lane's threads have let go of their last jobs (load counts them until then). */
static void wait_idle(pp_http_lane *l)
{
	while (pp_http_lane_load(l) != 0)
		sched_yield();
}

/* Every job runs exactly once, on a lane thread, not expired. */
static void every_job_runs_once(void **state)
{
	enum { N = 300 };
	tjob *jobs = calloc(N, sizeof(*jobs));
	pp_http_lane *l = start(4, NEVER_MS);

	(void)state;
	assert_non_null(jobs);
	for (int i = 0; i < N; i++) {
		job(&jobs[i], i, 0);
		pp_http_lane_push(l, &jobs[i].j);
	}
	wait_done(N);
	wait_idle(l);
	for (int i = 0; i < N; i++) {
		assert_int_equal(jobs[i].runs, 1);
		assert_int_equal(jobs[i].expired, 0);
		assert_false(pthread_equal(jobs[i].thread, pthread_self()));
	}
	pp_http_lane_stop(l);
	free(jobs);
}

/* One thread takes the queue in order; load counts the running job and the queued ones. */
static void fifo_and_load(void **state)
{
	tjob blockers[1], jobs[10];
	pp_http_lane *l = start(1, NEVER_MS);

	(void)state;
	assert_int_equal(pp_http_lane_load(l), 0);
	hold(l, blockers, 1);
	assert_int_equal(pp_http_lane_load(l), 1);
	for (int i = 0; i < 10; i++) {
		job(&jobs[i], i, 0);
		pp_http_lane_push(l, &jobs[i].j);
	}
	assert_int_equal(pp_http_lane_load(l), 11);
	release();
	wait_done(11);
	wait_idle(l);
	assert_int_equal(n_order, 11);
	for (int i = 0; i < 10; i++) {
		assert_int_equal(order[i + 1], i);
		assert_int_equal(jobs[i].runs, 1);
		assert_int_equal(jobs[i].expired, 0);
	}
	pp_http_lane_stop(l);
}

/*
 * A job that waits longer than wait_ms while every thread is busy is run
 * expired, by the timer (not the busy thread, not the pusher), in queue
 * order, while the blocker still holds the thread.
 */
static void waited_too_long_expires(void **state)
{
	tjob blockers[1000], jobs[3], *b;
	pp_http_lane *l = start(1, 1);

	(void)state;
	b = hold(l, blockers, 1000);
	for (int i = 0; i < 3; i++) {
		job(&jobs[i], i, 0);
		pp_http_lane_push(l, &jobs[i].j);
	}
	pthread_mutex_lock(&mu);
	while (jobs[0].runs + jobs[1].runs + jobs[2].runs < 3)
		pthread_cond_wait(&cv, &mu);
	assert_true(holding);
	pthread_mutex_unlock(&mu);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(jobs[i].runs, 1);
		assert_int_equal(jobs[i].expired, 1);
		assert_false(pthread_equal(jobs[i].thread, b->thread));
		assert_false(pthread_equal(jobs[i].thread, pthread_self()));
		assert_int_equal(order[n_order - 3 + i], i);
	}
	assert_int_equal(pp_http_lane_load(l), 1); /* the blocker */
	release();
	wait_done(n_order);
	pp_http_lane_stop(l);
	assert_int_equal(b->runs, 1);
	assert_int_equal(b->expired, 0);
}

typedef struct stopper {
	pp_http_lane *l;
} stopper;

static void *stop_lane(void *arg)
{
	pp_http_lane_stop(((stopper *)arg)->l);
	return NULL;
}

/*
 * Stopping with a job running and others queued: stop returns only once the
 * running one has finished and every queued one has been called, once. A
 * job pushed once stop has begun runs expired at once, on the pusher's
 * thread: probes are pushed until one does (the earlier ones are queued),
 * which also proves stop began before the running job was let go.
 * The queued ones are expired (lane.h): a thread that is let go once stop
 * has begun takes nothing more from the queue.
 */
static void stop_calls_every_job(void **state)
{
	tjob blockers[1], jobs[5], **probes = NULL;
	stopper s = {start(1, NEVER_MS)};
	size_t n_probes = 0;
	int sync_expired = 0;
	pthread_t t;

	(void)state;
	hold(s.l, blockers, 1);
	for (int i = 0; i < 5; i++) {
		job(&jobs[i], i, 0);
		pp_http_lane_push(s.l, &jobs[i].j);
	}
	assert_int_equal(pthread_create(&t, NULL, stop_lane, &s), 0);
	while (!sync_expired) {
		/* Each probe its own allocation: a queued one must not move. */
		tjob *p = malloc(sizeof(*p));

		assert_non_null(p);
		probes = realloc(probes, (n_probes + 1) * sizeof(*probes));
		assert_non_null(probes);
		probes[n_probes++] = p;
		job(p, 100, 0);
		pp_http_lane_push(s.l, &p->j);
		pthread_mutex_lock(&mu);
		sync_expired = p->runs == 1;
		if (sync_expired) {
			assert_int_equal(p->expired, 1);
			assert_true(pthread_equal(p->thread, pthread_self()));
		}
		pthread_mutex_unlock(&mu);
		sched_yield();
	}
	release();
	assert_int_equal(pthread_join(t, NULL), 0);
	pthread_mutex_lock(&mu);
	assert_int_equal(done, 6 + (int)n_probes);
	pthread_mutex_unlock(&mu);
	for (int i = 0; i < 5; i++) {
		assert_int_equal(jobs[i].runs, 1);
		assert_int_equal(jobs[i].expired, 1);
	}
	for (size_t i = 0; i < n_probes; i++) {
		assert_int_equal(probes[i]->runs, 1);
		assert_int_equal(probes[i]->expired, 1);
		free(probes[i]);
	}
	free(probes);
	assert_int_equal(blockers[0].runs, 1);
	assert_int_equal(blockers[0].expired, 0);
}

static void stop_accepts_null(void **state)
{
	(void)state;
	pp_http_lane_stop(NULL);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(every_job_runs_once),     cmocka_unit_test(fifo_and_load),
	cmocka_unit_test(waited_too_long_expires), cmocka_unit_test(stop_calls_every_job),
	cmocka_unit_test(stop_accepts_null),
};

UNIT_MAIN("lane", tests)
