/*
 * tests/unit/db/pool.c: tests what src/db/pool.c decides without a server:
 * the options' defaults and checks, the latency histograms, the circuit
 * breaker's back-off, and the refusals pp_pool_acquire gives without
 * connecting (circuit open, pool exhausted). Connections, checks and the
 * breaker against a server that goes away are tests/integration/test_pool.c.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "unit.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/log.h"
#include "db/conn.h"
#include "db/pool_int.h"

static int setup(void **state)
{
	(void)state;
	pp_log_set_level(PP_LOG_ERROR); /* the breaker's warnings are expected here */
	return 0;
}

static void default_max_follows_the_cpus(void **state)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	long want = cpus > 0 ? 2 * cpus : 4;

	(void)state;
	want = want < 4 ? 4 : want > 64 ? 64 : want;
	assert_int_equal(pp_pool_default_max(), want);
}

static void defaults_without_a_configuration(void **state)
{
	pp_pool_opts o;

	(void)state;
	memset(&o, 0xff, sizeof(o));
	pp_pool_opts_init(&o, NULL);
	assert_null(o.cfg);
	assert_string_equal(o.appname, "planpipe");
	assert_int_equal(o.max_size, pp_pool_default_max());
	assert_int_equal(o.min_size, 0);
	assert_int_equal(o.acquire_timeout_ms, 5000);
	assert_int_equal(o.connect_timeout_ms, 10000);
	assert_int_equal(o.max_lifetime_ms, 1800 * 1000);
	assert_int_equal(o.idle_timeout_ms, 600 * 1000);
	assert_int_equal(o.validate_after_ms, 1000);
	assert_int_equal(o.rollback_timeout_ms, 2000);
	assert_int_equal(o.circuit_failures, 5);
	assert_int_equal(o.circuit_backoff_ms, 1000);
	assert_int_equal(o.circuit_backoff_max_ms, 2000);
	assert_int_equal(o.housekeeping_ms, 1000);
	assert_int_equal(o.prepared, 0);
}

static void settings_from_a_configuration(void **state)
{
	pp_pool_opts o;
	pp_config cfg;

	(void)state;
	/* Made by hand: its zeros keep the defaults. */
	memset(&cfg, 0, sizeof(cfg));
	pp_pool_opts_init(&o, &cfg);
	assert_ptr_equal(o.cfg, &cfg);
	assert_int_equal(o.max_size, pp_pool_default_max());
	assert_int_equal(o.acquire_timeout_ms, 5000);
	assert_int_equal(o.connect_timeout_ms, 10000);
	assert_int_equal(o.max_lifetime_ms, 1800 * 1000);
	assert_int_equal(o.idle_timeout_ms, 600 * 1000);

	cfg.pool_max = 7;
	cfg.pool_min = 3;
	cfg.pool_acquire_timeout_ms = 250;
	cfg.connect_timeout_s = 4;
	cfg.pool_prepared = 1;
	cfg.pool_max_lifetime_s = 60;
	cfg.pool_idle_timeout_s = 30;
	pp_pool_opts_init(&o, &cfg);
	assert_int_equal(o.max_size, 7);
	assert_int_equal(o.min_size, 3);
	assert_int_equal(o.acquire_timeout_ms, 250);
	assert_int_equal(o.connect_timeout_ms, 4000);
	assert_int_equal(o.prepared, 1);
	/* Lifetimes only from a loaded configuration, where 0 means never. */
	assert_int_equal(o.max_lifetime_ms, 1800 * 1000);
	cfg.source[0] = "default";
	pp_pool_opts_init(&o, &cfg);
	assert_int_equal(o.max_lifetime_ms, 60000);
	assert_int_equal(o.idle_timeout_ms, 30000);
	cfg.pool_max_lifetime_s = 0;
	cfg.pool_idle_timeout_s = 0;
	pp_pool_opts_init(&o, &cfg);
	assert_int_equal(o.max_lifetime_ms, 0);
	assert_int_equal(o.idle_timeout_ms, 0);

	/* A minimum above the maximum is the maximum. */
	cfg.pool_min = 9;
	pp_pool_opts_init(&o, &cfg);
	assert_int_equal(o.min_size, 7);
}

/* o must be refused by pp_pool_new, naming want, and no pool made. */
static void refused(const pp_pool_opts *o, const char *want)
{
	pp_pool *p = (pp_pool *)1;
	pp_err err;

	pp_err_clear(&err);
	assert_int_equal(pp_pool_new(o, &p, &err), PP_EINVAL);
	assert_null(p);
	unit_str_has("message", err.msg, want);
}

static void inconsistent_options_are_refused(void **state)
{
	static pp_config cfg;
	pp_pool_opts o, b;

	(void)state;
	memset(&cfg, 0, sizeof(cfg));
	pp_pool_opts_init(&b, &cfg);

	o = b;
	o.cfg = NULL;
	refused(&o, "pool: no configuration");
	o = b;
	o.max_size = 0;
	refused(&o, "pool: max_size 0 is not from 1 to 10000");
	o.max_size = 10001;
	refused(&o, "pool: max_size 10001 is not from 1 to 10000");
	o = b;
	o.max_size = 4;
	o.min_size = 5;
	refused(&o, "pool: min_size 5 is not from 0 to max_size 4");
	o.min_size = -1;
	refused(&o, "pool: min_size -1 is not from 0 to max_size 4");

#define OUT_OF_RANGE(field, value)                                                                 \
	do {                                                                                       \
		o = b;                                                                             \
		o.field = (value);                                                                 \
		refused(&o, "pool: a timeout or threshold is out of range");                       \
	} while (0)
	OUT_OF_RANGE(acquire_timeout_ms, -1);
	OUT_OF_RANGE(connect_timeout_ms, 0);
	OUT_OF_RANGE(max_lifetime_ms, -1);
	OUT_OF_RANGE(idle_timeout_ms, -1);
	OUT_OF_RANGE(validate_after_ms, -1);
	OUT_OF_RANGE(rollback_timeout_ms, 0);
	OUT_OF_RANGE(circuit_failures, 0);
	OUT_OF_RANGE(circuit_backoff_ms, 0);
	OUT_OF_RANGE(circuit_backoff_max_ms, b.circuit_backoff_ms - 1);
	OUT_OF_RANGE(housekeeping_ms, 0);
#undef OUT_OF_RANGE
}

static void discard_reasons_have_names(void **state)
{
	(void)state;
	assert_string_equal(pp_pool_discard_reason_str(PP_POOL_DISCARD_BROKEN), "broken");
	assert_string_equal(pp_pool_discard_reason_str(PP_POOL_DISCARD_LIFETIME), "lifetime");
	assert_string_equal(pp_pool_discard_reason_str(PP_POOL_DISCARD_IDLE), "idle");
	assert_string_equal(pp_pool_discard_reason_str(PP_POOL_DISCARD_ROLLBACK), "rollback");
	assert_string_equal(pp_pool_discard_reason_str(PP_POOL_DISCARD_CANCELLED), "cancelled");
	assert_string_equal(pp_pool_discard_reason_str(PP_POOL_DISCARD_LOST), "lost");
	assert_string_equal(pp_pool_discard_reason_str(PP_POOL_DISCARD_NREASONS), "?");
	assert_string_equal(pp_pool_discard_reason_str((pp_pool_discard_reason)-1), "?");
}

static void histogram_buckets_hold_their_upper_bound(void **state)
{
	pp_pool_hist h;
	int i;

	(void)state;
	memset(&h, 0, sizeof(h));
	for (i = 1; i < PP_POOL_HIST_BUCKETS - 1; i++)
		if (!(pp_pool_hist_bounds_ms[i - 1] < pp_pool_hist_bounds_ms[i]))
			fail_msg("bucket %d's bound %g ms is not above bucket %d's %g ms", i,
				 pp_pool_hist_bounds_ms[i], i - 1, pp_pool_hist_bounds_ms[i - 1]);
	pool_hist_add(&h, 0);
	pool_hist_add(&h, 0.1); /* at most 0.1: the first bucket */
	pool_hist_add(&h, 0.1001);
	pool_hist_add(&h, 1);
	pool_hist_add(&h, 5000);
	pool_hist_add(&h, 5000.5); /* above the last bound */
	pool_hist_add(&h, 1e9);
	assert_int_equal(h.counts[0], 2);
	assert_int_equal(h.counts[1], 1);
	assert_int_equal(h.counts[3], 1);
	assert_int_equal(h.counts[PP_POOL_HIST_BUCKETS - 2], 1);
	assert_int_equal(h.counts[PP_POOL_HIST_BUCKETS - 1], 2);
	assert_int_equal(h.count, 7);
	{
		unsigned long long sum = 0;

		for (i = 0; i < PP_POOL_HIST_BUCKETS; i++)
			sum += h.counts[i];
		assert_int_equal(sum, h.count);
	}
	assert_true(h.sum_ms > 1e9 + 10001.7001 - 1e-3 && h.sum_ms < 1e9 + 10001.7001 + 1e-3);
}

/* A pool's state as pool.c keeps it, without its threads: for the breaker alone. */
static void breaker(pp_pool *p)
{
	memset(p, 0, sizeof(*p));
	pp_pool_opts_init(&p->o, NULL);
	p->o.circuit_failures = 3;
	p->o.circuit_backoff_ms = 100;
	p->o.circuit_backoff_max_ms = 350;
}

static void the_circuit_opens_after_failures_in_a_row(void **state)
{
	pp_pool p;
	pp_err err;
	long long before;

	(void)state;
	breaker(&p);
	pp_err_set(&err, PP_ECONNECT, "connection refused");
	pool_connect_failed(&p, 0, &err);
	pool_connect_failed(&p, 0, &err);
	assert_int_equal(p.circuit_open, 0);
	/* A success in between starts the count again. */
	pool_connect_succeeded(&p, 0);
	assert_int_equal(p.failures, 0);
	pool_connect_failed(&p, 0, &err);
	pool_connect_failed(&p, 0, &err);
	assert_int_equal(p.circuit_open, 0);
	before = pp_now_ms();
	pool_connect_failed(&p, 0, &err);
	assert_int_equal(p.circuit_open, 1);
	assert_int_equal(p.failures, 3);
	assert_int_equal(p.backoff_ms, 100);
	assert_true(p.open_until_ms >= before + 100 && p.open_until_ms <= pp_now_ms() + 100);
	assert_int_equal(p.st.connect_failures, 5);

	/* More failures while open (callers already connecting) do not extend it. */
	pool_connect_failed(&p, 0, &err);
	assert_int_equal(p.backoff_ms, 100);
	assert_int_equal(p.failures, 4);
}

static void a_failed_probe_doubles_the_back_off_up_to_its_max(void **state)
{
	static const int want[] = {200, 350, 350};
	char probe[32];
	pp_pool p;
	pp_err err;
	size_t i;

	(void)state;
	breaker(&p);
	pp_err_set(&err, PP_ECONNECT, "connection refused");
	for (i = 0; i < 3; i++)
		pool_connect_failed(&p, 0, &err);
	assert_int_equal(p.backoff_ms, 100);
	for (i = 0; i < UNIT_NELEM(want); i++) {
		long long before = pp_now_ms();

		snprintf(probe, sizeof(probe), "failed probe %zu", i + 1);
		p.probing = 1;
		pool_connect_failed(&p, 1, &err);
		unit_int_equal(probe, p.probing, 0);
		unit_int_equal(probe, p.circuit_open, 1);
		unit_int_equal(probe, p.backoff_ms, want[i]);
		if (p.open_until_ms < before + want[i] || p.open_until_ms > pp_now_ms() + want[i])
			fail_msg("%s: open until %lld, not %d ms after it", probe, p.open_until_ms,
				 want[i]);
	}
	/* The probe that succeeds closes the circuit. */
	p.probing = 1;
	pool_connect_succeeded(&p, 1);
	assert_int_equal(p.circuit_open, 0);
	assert_int_equal(p.probing, 0);
	assert_int_equal(p.failures, 0);
	/* Opened again, it starts from the first back-off. */
	for (i = 0; i < 3; i++)
		pool_connect_failed(&p, 0, &err);
	assert_int_equal(p.backoff_ms, 100);
}

/* Idle connections for reaping: created at 0, used at last_used, expiring at expires. */
static pp_pool_conn *idle_conn(pp_pool *p, long long last_used, long long expires)
{
	pp_pool_conn *c = calloc(1, sizeof(*c));

	assert_non_null(c);
	c->pool = p;
	c->last_used_ms = last_used;
	c->expires_ms = expires;
	c->next = p->idle;
	p->idle = c;
	p->n_idle++;
	return c;
}

static int in_list(const pp_pool_conn *list, const pp_pool_conn *c)
{
	for (; list; list = list->next)
		if (list == c)
			return 1;
	return 0;
}

static void free_list(pp_pool_conn *list)
{
	while (list) {
		pp_pool_conn *next = list->next;

		free(list);
		list = next;
	}
}

/* An empty pool for pool_reap_idle: up to 10, idle 1000 ms at most, min_size kept. */
static void reaper_pool(pp_pool *p, int min_size)
{
	memset(p, 0, sizeof(*p));
	pp_pool_opts_init(&p->o, NULL);
	p->o.max_size = 10;
	p->o.idle_timeout_ms = 1000;
	p->o.min_size = min_size;
}

static void housekeeping_reaps_expired_and_idle_connections(void **state)
{
	pp_pool_conn *doomed = NULL, *old, *stale, *fresh, *forever;
	pp_pool p;

	(void)state;
	reaper_pool(&p, 0);
	forever = idle_conn(&p, 9500, 0);   /* no lifetime, used recently */
	fresh = idle_conn(&p, 9500, 20000); /* neither expired nor idle long */
	stale = idle_conn(&p, 9000, 20000); /* idle exactly idle_timeout_ms */
	old = idle_conn(&p, 9999, 10000);   /* expires now */
	pool_reap_idle(&p, 10000, &doomed);
	assert_true(in_list(doomed, old));
	assert_true(in_list(doomed, stale));
	assert_false(in_list(doomed, fresh));
	assert_false(in_list(doomed, forever));
	assert_true(in_list(p.idle, fresh) && in_list(p.idle, forever));
	assert_false(in_list(p.idle, old) || in_list(p.idle, stale));
	assert_int_equal(p.n_idle, 2);
	assert_int_equal(p.st.discards[PP_POOL_DISCARD_LIFETIME], 1);
	assert_int_equal(p.st.discards[PP_POOL_DISCARD_IDLE], 1);
	free_list(doomed);
	doomed = NULL;

	/* Nothing past its time: nothing moves. */
	pool_reap_idle(&p, 10001, &doomed);
	assert_null(doomed);
	assert_int_equal(p.n_idle, 2);
	free_list(p.idle);
}

static void housekeeping_keeps_the_minimum_but_not_past_lifetime(void **state)
{
	pp_pool_conn *doomed = NULL, *a, *b, *c, *expired;
	pp_pool p;

	(void)state;
	reaper_pool(&p, 2);
	a = idle_conn(&p, 0, 0);
	b = idle_conn(&p, 0, 0);
	c = idle_conn(&p, 0, 0);
	pool_reap_idle(&p, 5000, &doomed);
	/* All three idle too long; one goes, the minimum of two stays. */
	assert_int_equal(p.n_idle, 2);
	assert_int_equal(p.st.discards[PP_POOL_DISCARD_IDLE], 1);
	assert_non_null(doomed);
	assert_null(doomed->next);
	assert_true(doomed == a || doomed == b || doomed == c);
	free_list(doomed);
	doomed = NULL;

	/* Connections in use count toward the minimum. */
	p.n_in_use = 1;
	pool_reap_idle(&p, 5000, &doomed);
	assert_int_equal(p.n_idle, 1);
	free_list(doomed);
	doomed = NULL;

	/* A connection past its lifetime goes even below the minimum. */
	expired = idle_conn(&p, 4999, 5000);
	p.n_in_use = 0;
	pool_reap_idle(&p, 5000, &doomed);
	assert_ptr_equal(doomed, expired);
	assert_int_equal(p.st.discards[PP_POOL_DISCARD_LIFETIME], 1);
	free_list(doomed);
	doomed = NULL;

	/* No idle timeout: idle connections stay, whatever the minimum. */
	p.o.idle_timeout_ms = 0;
	p.o.min_size = 0;
	pool_reap_idle(&p, 1000000, &doomed);
	assert_null(doomed);
	assert_int_equal(p.n_idle, 1);
	free_list(p.idle);
}

/*
 * The refusal tests' fixture (*state): a real pool of 2, minimum 0 so
 * nothing connects, whose acquire refuses without trying; cfg outlives it.
 */
typedef struct quiet {
	pp_config cfg;
	pp_pool *p;
} quiet;

static int quiet_up(void **state)
{
	static quiet q;
	pp_pool_opts o;
	pp_err err;

	memset(&q, 0, sizeof(q));
	q.cfg.database_url = "host=/nonexistent-pp-unit-dir";
	pp_pool_opts_init(&o, &q.cfg);
	o.max_size = 2;
	o.min_size = 0;
	pp_err_clear(&err);
	if (pp_pool_new(&o, &q.p, &err) != PP_OK) {
		print_error("pp_pool_new: %s\n", err.msg);
		return -1;
	}
	*state = &q;
	return 0;
}

/* Connections a test lent as far as the counts go (none real) are given back first. */
static int quiet_down(void **state)
{
	quiet *q = *state;

	pthread_mutex_lock(&q->p->mu);
	q->p->n_in_use = 0;
	pthread_mutex_unlock(&q->p->mu);
	pp_pool_free(q->p);
	return 0;
}

/*
 * p refuses a connection (within timeout_ms) with rc and lends none; the
 * reason in err, the pool's statistics after the refusal in st.
 */
static void expect_refused(pp_pool *p, int timeout_ms, pp_rc rc, pp_err *err, pp_pool_stats *st)
{
	pp_pool_conn *c = (pp_pool_conn *)1;

	pp_err_clear(err);
	assert_int_equal(pp_pool_acquire(p, timeout_ms, &c, err), rc);
	assert_null(c);
	pp_pool_stats_get(p, st);
}

static void an_open_circuit_refuses_at_once(void **state)
{
	pp_pool *p = ((quiet *)*state)->p;
	pp_pool_stats st;
	pp_err err;

	pthread_mutex_lock(&p->mu);
	p->circuit_open = 1;
	p->failures = 5;
	p->open_until_ms = pp_now_ms() + 3600 * 1000;
	pthread_mutex_unlock(&p->mu);
	expect_refused(p, 1000, PP_EUNAVAIL, &err, &st);
	assert_non_null(strstr(err.msg, "circuit open: 5 connection attempts in a row failed; "
					"not trying again for "));
	assert_int_equal(st.rejected, 1);
	assert_int_equal(st.connect_failures, 0); /* nothing was tried */
	assert_int_equal(st.circuit_open, 1);
	assert_int_equal(st.consecutive_failures, 5);
	assert_int_equal(st.opening, 0);
}

static void an_exhausted_pool_times_out(void **state)
{
	pp_pool *p = ((quiet *)*state)->p;
	pp_pool_stats st;
	pp_err err;

	/* Both connections lent (as far as the counts go). */
	pthread_mutex_lock(&p->mu);
	p->n_in_use = 2;
	pthread_mutex_unlock(&p->mu);
	expect_refused(p, 0, PP_ETIMEDOUT, &err, &st);
	assert_string_equal(err.msg, "pool exhausted: timed out waiting for a connection (2 in use "
				     "of 2, 0 waiting)");
	assert_int_equal(st.timeouts, 1);
	assert_int_equal(st.max_size, 2);
	assert_int_equal(st.in_use, 2);
	assert_int_equal(st.total, 2);
	assert_int_equal(st.waiting, 0);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(default_max_follows_the_cpus),
	cmocka_unit_test(defaults_without_a_configuration),
	cmocka_unit_test(settings_from_a_configuration),
	cmocka_unit_test(inconsistent_options_are_refused),
	cmocka_unit_test(discard_reasons_have_names),
	cmocka_unit_test(histogram_buckets_hold_their_upper_bound),
	cmocka_unit_test(the_circuit_opens_after_failures_in_a_row),
	cmocka_unit_test(a_failed_probe_doubles_the_back_off_up_to_its_max),
	cmocka_unit_test(housekeeping_reaps_expired_and_idle_connections),
	cmocka_unit_test(housekeeping_keeps_the_minimum_but_not_past_lifetime),
	cmocka_unit_test_setup_teardown(an_open_circuit_refuses_at_once, quiet_up, quiet_down),
	cmocka_unit_test_setup_teardown(an_exhausted_pool_times_out, quiet_up, quiet_down),
};

UNIT_MAIN_WITH("pool", tests, setup, NULL)
