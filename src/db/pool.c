/*
 * pool.c: the connection pool (see pool.h). A connection's checks are in
 * pool_conn.c, pp_pool_exec in pool_stmt.c; pool_int.h holds what they share.
 */
#include "db/pool.h"

#include <assert.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"
#include "db/conn.h"
#include "db/pool_int.h"

const double pp_pool_hist_bounds_ms[PP_POOL_HIST_BUCKETS - 1] = {
	0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000,
};

/* What a caller gets when it takes its turn. */
enum turn { T_WAIT, T_CONN, T_SLOT, T_PROBE, T_REFUSED, T_TIMEOUT };

/* A caller queued in pp_pool_acquire; lives on that caller's stack. */
struct waiter {
	pthread_cond_t cond;
	enum turn grant; /* T_WAIT until served */
	pp_pool_conn *conn;
	struct waiter *next;
};

static double now_ms_fine(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

void pool_hist_add(pp_pool_hist *h, double ms)
{
	int i = 0;

	while (i < PP_POOL_HIST_BUCKETS - 1 && ms > pp_pool_hist_bounds_ms[i])
		i++;
	h->counts[i]++;
	h->count++;
	h->sum_ms += ms;
}

static uint64_t next_rand(pp_pool *p)
{
	p->rng ^= p->rng << 13;
	p->rng ^= p->rng >> 7;
	p->rng ^= p->rng << 17;
	return p->rng;
}

static void abs_deadline(long long deadline_ms, struct timespec *ts)
{
	ts->tv_sec = (time_t)(deadline_ms / 1000);
	ts->tv_nsec = (long)(deadline_ms % 1000) * 1000000L;
}

static void on_notice(void *arg, const char *msg)
{
	size_t len = strlen(msg);

	(void)arg;
	while (len > 0 && msg[len - 1] == '\n')
		len--;
	pp_log(PP_LOG_DEBUG, "database: %.*s", (int)len, msg);
}

int pp_pool_default_max(void)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	long n = cpus > 0 ? 2 * cpus : 4;

	return (int)(n < 4 ? 4 : n > 64 ? 64 : n);
}

void pp_pool_opts_init(pp_pool_opts *o, const pp_config *cfg)
{
	memset(o, 0, sizeof(*o));
	o->cfg = cfg;
	o->appname = "planpipe";
	o->max_size = pp_pool_default_max();
	o->acquire_timeout_ms = 5000;
	o->connect_timeout_ms = 10000;
	o->max_lifetime_ms = 1800 * 1000;
	o->idle_timeout_ms = 600 * 1000;
	o->validate_after_ms = 1000;
	o->rollback_timeout_ms = 2000;
	o->circuit_failures = 5;
	o->circuit_backoff_ms = 1000;
	/* At most 2 s: after an outage the API answers again within about 2 s of
	 * the database accepting connections (docs/operations.md). */
	o->circuit_backoff_max_ms = 2000;
	o->housekeeping_ms = 1000;
	if (cfg == NULL)
		return;
	/* A configuration from pp_config_load; zeros in one made by hand keep the defaults. */
	if (cfg->pool_max > 0)
		o->max_size = cfg->pool_max;
	if (cfg->pool_acquire_timeout_ms > 0)
		o->acquire_timeout_ms = cfg->pool_acquire_timeout_ms;
	if (cfg->connect_timeout_s > 0)
		o->connect_timeout_ms = cfg->connect_timeout_s * 1000;
	if (cfg->source[0] != NULL) {
		o->max_lifetime_ms = cfg->pool_max_lifetime_s * 1000;
		o->idle_timeout_ms = cfg->pool_idle_timeout_s * 1000;
	}
	o->min_size = cfg->pool_min < o->max_size ? cfg->pool_min : o->max_size;
	o->prepared = cfg->pool_prepared;
}

const char *pp_pool_discard_reason_str(pp_pool_discard_reason r)
{
	static const char *const names[PP_POOL_DISCARD_NREASONS] = {
		"broken", "lifetime", "idle", "rollback", "cancelled", "lost",
	};

	return (unsigned)r < PP_POOL_DISCARD_NREASONS ? names[r] : "?";
}

static void close_conn(pp_pool_conn *c)
{
	if (c == NULL)
		return;
	PQfinish(c->pg);
	free(c->stmts);
	free(c);
}

/* ---- Turns: who gets a connection or the right to open one (mu held). ---- */

/* Reserves room for one more connection, if the circuit lets us. */
static enum turn reserve(pp_pool *p, long long now)
{
	if (p->n_idle + p->n_in_use + p->n_opening >= p->o.max_size)
		return T_WAIT;
	if (p->circuit_open) {
		if (now < p->open_until_ms || p->probing)
			return T_REFUSED;
		p->probing = 1;
		p->n_opening++;
		return T_PROBE;
	}
	p->n_opening++;
	return T_SLOT;
}

static enum turn take(pp_pool *p, long long now, pp_pool_conn **c)
{
	if (p->idle) {
		*c = p->idle;
		p->idle = (*c)->next;
		(*c)->next = NULL;
		p->n_idle--;
		p->n_in_use++;
		return T_CONN;
	}
	return reserve(p, now);
}

/* The counts' invariants (mu held): none negative, never more than max_size connections. */
static void assert_counts(const pp_pool *p)
{
	assert(p->n_idle >= 0 && p->n_in_use >= 0 && p->n_opening >= 0 && p->n_waiting >= 0);
	assert(p->n_idle + p->n_in_use + p->n_opening <= p->o.max_size);
	(void)p;
}

/* Serves queued callers in order for as long as there is something to give. */
static void dispatch(pp_pool *p)
{
	long long now = pp_now_ms();

	assert_counts(p);
	while (p->wq_head) {
		pp_pool_conn *c = NULL;
		enum turn t = take(p, now, &c);
		waiter *w;

		if (t == T_WAIT)
			break;
		w = p->wq_head;
		p->wq_head = w->next;
		if (p->wq_head == NULL)
			p->wq_tail = NULL;
		p->n_waiting--;
		w->grant = t;
		w->conn = c;
		pthread_cond_signal(&w->cond);
	}
}

/* Queues the caller until it is served or its deadline passes. */
static enum turn wait_turn(pp_pool *p, long long deadline, pp_pool_conn **c)
{
	waiter w, **pp;
	struct timespec ts;

	memset(&w, 0, sizeof(w));
	if (pp_now_ms() >= deadline)
		return T_TIMEOUT;
	pthread_cond_init(&w.cond, &p->condattr);
	if (p->wq_tail)
		p->wq_tail->next = &w;
	else
		p->wq_head = &w;
	p->wq_tail = &w;
	p->n_waiting++;
	abs_deadline(deadline, &ts);
	while (w.grant == T_WAIT && pp_now_ms() < deadline)
		pthread_cond_timedwait(&w.cond, &p->mu, &ts);
	if (w.grant == T_WAIT) {
		/* Not served in time: leave the queue. */
		for (pp = &p->wq_head; *pp != &w; pp = &(*pp)->next)
			;
		*pp = w.next;
		if (p->wq_tail == &w) {
			p->wq_tail = NULL;
			for (waiter *q = p->wq_head; q; q = q->next)
				p->wq_tail = q;
		}
		p->n_waiting--;
		w.grant = T_TIMEOUT;
	}
	pthread_cond_destroy(&w.cond);
	*c = w.conn;
	return w.grant;
}

/* ---- The circuit breaker (mu held). ---- */

void pool_connect_failed(pp_pool *p, int probe, const pp_err *err)
{
	long long now = pp_now_ms();

	p->st.connect_failures++;
	p->failures++;
	if (probe) {
		p->probing = 0;
		p->backoff_ms = p->backoff_ms * 2 > p->o.circuit_backoff_max_ms
					? p->o.circuit_backoff_max_ms
					: p->backoff_ms * 2;
		p->open_until_ms = now + p->backoff_ms;
		pp_log(PP_LOG_WARN, "pool: probe failed, circuit stays open for %d ms: %s",
		       p->backoff_ms, err->msg);
	} else if (!p->circuit_open && p->failures >= p->o.circuit_failures) {
		p->circuit_open = 1;
		p->backoff_ms = p->o.circuit_backoff_ms;
		p->open_until_ms = now + p->backoff_ms;
		pp_log(PP_LOG_WARN,
		       "pool: %d connection attempts failed in a row, circuit open for %d ms: %s",
		       p->failures, p->backoff_ms, err->msg);
	}
}

void pool_connect_succeeded(pp_pool *p, int probe)
{
	if (p->circuit_open)
		pp_log(PP_LOG_INFO, "pool: the database answers again, circuit closed");
	p->failures = 0;
	p->circuit_open = 0;
	if (probe)
		p->probing = 0;
}

/* ---- Opening and discarding connections (checks: pool_conn.c). ---- */

/* Opens a connection for a reserved slot, without mu held. */
static pp_rc open_conn(pp_pool *p, long long deadline, pp_pool_conn **out, double *ms, pp_err *err)
{
	long long left = deadline - pp_now_ms();
	int limit = (int)(left < p->o.connect_timeout_ms ? left : p->o.connect_timeout_ms);
	double t0 = now_ms_fine();
	pp_pool_conn *c;
	pp_rc rc;

	*out = NULL;
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return pp_err_set(err, PP_ENOMEM, "out of memory");
	rc = pp_db_connect(p->o.cfg, p->appname, limit < 1 ? 1 : limit, &c->pg, err);
	if (rc != PP_OK) {
		free(c);
		return rc;
	}
	*ms = now_ms_fine() - t0;
	PQsetNoticeProcessor(c->pg, on_notice, NULL);
	c->pool = p;
	c->created_ms = c->last_used_ms = pp_now_ms();
	*out = c;
	return PP_OK;
}

/* Accounts for a new connection (mu held); jitter spreads the reconnects. */
static void adopt(pp_pool *p, pp_pool_conn *c, int probe, double connect_ms)
{
	p->n_opening--;
	p->st.connects++;
	pool_hist_add(&p->st.connect_time, connect_ms);
	if (p->o.max_lifetime_ms > 0)
		c->expires_ms =
			c->created_ms + p->o.max_lifetime_ms -
			(long long)(next_rand(p) % (uint64_t)(p->o.max_lifetime_ms / 10 + 1));
	pool_connect_succeeded(p, probe);
}

/* Forgets an in-use connection (mu held); the caller closes it after unlocking. */
static void drop_in_use(pp_pool *p, pp_pool_discard_reason why)
{
	p->n_in_use--;
	p->st.discards[why]++;
}

/* ---- Acquire and release. ---- */

typedef struct attempt {
	long long deadline;
	double t0;
	int tried;    /* this call tried to connect and failed */
	int failures; /* how many times */
	pp_err last;  /* the last connect error */
} attempt;

static pp_rc fail_acquire(pp_pool *p, enum turn t, const attempt *a, pp_err *err)
{
	if (a->tried) {
		p->st.unavailable++;
		pp_err_set(err, PP_ECONNECT, "database unavailable: %s", a->last.msg);
		return PP_ECONNECT;
	}
	if (t == T_REFUSED) {
		long long left = p->open_until_ms - pp_now_ms();
		p->st.rejected++;
		return pp_err_set(
			err, PP_EUNAVAIL,
			"circuit open: %d connection attempts in a row failed; not trying "
			"again for %lld ms",
			p->failures, left > 0 ? left : 0);
	}
	p->st.timeouts++;
	return pp_err_set(err, PP_ETIMEDOUT,
			  "pool exhausted: timed out waiting for a connection (%d in use of %d, "
			  "%d waiting)",
			  p->n_in_use, p->o.max_size, p->n_waiting);
}

static void succeed(pp_pool *p, pp_pool_conn *c, const attempt *a, pp_pool_conn **out)
{
	p->st.acquired++;
	pool_hist_add(&p->st.acquire_wait, now_ms_fine() - a->t0);
	*out = c;
}

/*
 * Uses a reserved slot (mu held, released while connecting). Returns 1 with
 * *out set, 0 to go round again, -1 to give up.
 */
static int use_slot(pp_pool *p, int probe, attempt *a, pp_pool_conn **out)
{
	pp_pool_conn *c = NULL;
	double ms = 0;
	pp_rc rc;

	if (pp_now_ms() >= a->deadline) {
		/* Served too late to connect: give the slot back unused. */
		p->n_opening--;
		if (probe)
			p->probing = 0;
		dispatch(p);
		return -1;
	}
	pthread_mutex_unlock(&p->mu);
	rc = open_conn(p, a->deadline, &c, &ms, &a->last);
	pthread_mutex_lock(&p->mu);
	if (rc == PP_OK) {
		adopt(p, c, probe, ms);
		p->n_in_use++;
		*out = c;
		return 1;
	}
	p->n_opening--;
	pool_connect_failed(p, probe, &a->last);
	dispatch(p);
	a->tried = 1;
	a->failures++;
	if (rc == PP_ENOMEM || p->circuit_open || pp_now_ms() >= a->deadline)
		return -1;
	/* A refused connection fails at once: pause before the next try. */
	{
		long long pause = 50LL << (a->failures < 5 ? a->failures : 5);
		long long left = a->deadline - pp_now_ms();
		struct timespec ts;

		if (pause > left)
			pause = left;
		ts.tv_sec = (time_t)(pause / 1000);
		ts.tv_nsec = (long)(pause % 1000) * 1000000L;
		pthread_mutex_unlock(&p->mu);
		nanosleep(&ts, NULL);
		pthread_mutex_lock(&p->mu);
	}
	return 0;
}

pp_rc pp_pool_acquire(pp_pool *p, int timeout_ms, pp_pool_conn **out, pp_err *err)
{
	attempt a;
	int jump_queue = 0; /* served already, but what we got was unusable */
	pp_rc rc = PP_OK;

	*out = NULL;
	memset(&a, 0, sizeof(a));
	a.t0 = now_ms_fine();
	a.deadline = pp_now_ms() + (timeout_ms < 0 ? p->o.acquire_timeout_ms : timeout_ms);
	pthread_mutex_lock(&p->mu);
	for (;;) {
		pp_pool_conn *c = NULL;
		enum turn t = T_WAIT;
		int why, r;

		if (jump_queue || p->wq_head == NULL)
			t = take(p, pp_now_ms(), &c);
		if (t == T_WAIT)
			t = wait_turn(p, a.deadline, &c);
		jump_queue = 0;
		if (t == T_CONN) {
			pthread_mutex_unlock(&p->mu);
			why = pool_conn_check(p, c, a.deadline);
			pthread_mutex_lock(&p->mu);
			if (why < 0) {
				succeed(p, c, &a, out);
				goto out;
			}
			drop_in_use(p, (pp_pool_discard_reason)why);
			pthread_mutex_unlock(&p->mu);
			close_conn(c);
			pthread_mutex_lock(&p->mu);
			jump_queue = 1;
			continue;
		}
		if (t == T_SLOT || t == T_PROBE) {
			r = use_slot(p, t == T_PROBE, &a, &c);
			if (r > 0) {
				succeed(p, c, &a, out);
				goto out;
			}
			if (r == 0)
				continue;
			t = T_TIMEOUT;
		}
		if (t == T_REFUSED)
			dispatch(p); /* queued callers are refused alike */
		rc = fail_acquire(p, t, &a, err);
		goto out;
	}
out:
	pthread_mutex_unlock(&p->mu);
	return rc;
}

void pp_pool_release(pp_pool_conn *c)
{
	int rolled_back = 0, why;
	pp_pool *p;

	if (c == NULL)
		return;
	p = c->pool;
	why = pool_conn_reset(p, c, &rolled_back);
	pthread_mutex_lock(&p->mu);
	p->st.released++;
	if (why >= 0) {
		drop_in_use(p, (pp_pool_discard_reason)why);
		dispatch(p); /* there is room for a new connection now */
		pthread_mutex_unlock(&p->mu);
		close_conn(c);
		return;
	}
	p->st.rolled_back += (unsigned)rolled_back;
	c->last_used_ms = pp_now_ms();
	p->n_in_use--;
	c->next = p->idle;
	p->idle = c;
	p->n_idle++;
	dispatch(p);
	pthread_mutex_unlock(&p->mu);
}

/* ---- Housekeeping: idle and expired connections out, the minimum in. ---- */

void pool_reap_idle(pp_pool *p, long long now, pp_pool_conn **doomed)
{
	pp_pool_conn **pp = &p->idle;
	int removed = 0;

	while (*pp) {
		pp_pool_conn *c = *pp;
		int why = -1;

		if (c->expires_ms && now >= c->expires_ms)
			why = PP_POOL_DISCARD_LIFETIME;
		else if (p->o.idle_timeout_ms > 0 &&
			 now - c->last_used_ms >= p->o.idle_timeout_ms &&
			 p->n_idle + p->n_in_use + p->n_opening > p->o.min_size)
			why = PP_POOL_DISCARD_IDLE;
		if (why < 0) {
			pp = &c->next;
			continue;
		}
		*pp = c->next;
		c->next = *doomed;
		*doomed = c;
		p->n_idle--;
		p->st.discards[why]++;
		removed++;
	}
	if (removed)
		dispatch(p);
}

/* Opens connections up to min_size (mu held, released while connecting). */
static void warm_up(pp_pool *p)
{
	while (!p->stopping && p->wq_head == NULL &&
	       p->n_idle + p->n_in_use + p->n_opening < p->o.min_size) {
		enum turn t = reserve(p, pp_now_ms());
		pp_pool_conn *c = NULL;
		double ms = 0;
		pp_err err;
		pp_rc rc;

		if (t != T_SLOT && t != T_PROBE)
			return;
		pthread_mutex_unlock(&p->mu);
		rc = open_conn(p, pp_now_ms() + p->o.connect_timeout_ms, &c, &ms, &err);
		pthread_mutex_lock(&p->mu);
		if (rc != PP_OK) {
			p->n_opening--;
			pool_connect_failed(p, t == T_PROBE, &err);
			dispatch(p);
			return;
		}
		adopt(p, c, t == T_PROBE, ms);
		c->next = p->idle;
		p->idle = c;
		p->n_idle++;
		dispatch(p);
	}
}

static void *housekeep(void *arg)
{
	pp_pool *p = arg;

	pthread_mutex_lock(&p->mu);
	while (!p->stopping) {
		pp_pool_conn *doomed = NULL;
		struct timespec ts;

		pool_reap_idle(p, pp_now_ms(), &doomed);
		if (doomed) {
			pthread_mutex_unlock(&p->mu);
			while (doomed) {
				pp_pool_conn *next = doomed->next;
				close_conn(doomed);
				doomed = next;
			}
			pthread_mutex_lock(&p->mu);
		}
		warm_up(p);
		if (p->stopping)
			break;
		abs_deadline(pp_now_ms() + p->o.housekeeping_ms, &ts);
		pthread_cond_timedwait(&p->hk_cond, &p->mu, &ts);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

/* ---- Life cycle and statistics. ---- */

static pp_rc check_opts(const pp_pool_opts *o, pp_err *err)
{
	if (o->cfg == NULL)
		return pp_err_set(err, PP_EINVAL, "pool: no configuration");
	if (o->max_size < 1 || o->max_size > 10000)
		return pp_err_set(err, PP_EINVAL, "pool: max_size %d is not from 1 to 10000",
				  o->max_size);
	if (o->min_size < 0 || o->min_size > o->max_size)
		return pp_err_set(err, PP_EINVAL, "pool: min_size %d is not from 0 to max_size %d",
				  o->min_size, o->max_size);
	if (o->acquire_timeout_ms < 0 || o->connect_timeout_ms < 1 || o->max_lifetime_ms < 0 ||
	    o->idle_timeout_ms < 0 || o->validate_after_ms < 0 || o->rollback_timeout_ms < 1 ||
	    o->circuit_failures < 1 || o->circuit_backoff_ms < 1 ||
	    o->circuit_backoff_max_ms < o->circuit_backoff_ms || o->housekeeping_ms < 1)
		return pp_err_set(err, PP_EINVAL, "pool: a timeout or threshold is out of range");
	return PP_OK;
}

pp_rc pp_pool_new(const pp_pool_opts *o, pp_pool **out, pp_err *err)
{
	pp_pool *p;
	pp_rc rc;
	int inited = 0;

	*out = NULL;
	rc = check_opts(o, err);
	if (rc != PP_OK)
		return rc;
	p = calloc(1, sizeof(*p));
	if (p == NULL)
		return pp_err_set(err, PP_ENOMEM, "out of memory");
	p->o = *o;
	p->appname = strdup(o->appname ? o->appname : "planpipe");
	if (p->appname == NULL) {
		rc = pp_err_set(err, PP_ENOMEM, "out of memory");
		goto out;
	}
	p->o.appname = p->appname;
	p->rng = (uint64_t)pp_now_ms() ^ (uint64_t)(uintptr_t)p ^ 0x9e3779b97f4a7c15ULL;
	if (pthread_mutex_init(&p->mu, NULL) != 0 || pthread_condattr_init(&p->condattr) != 0 ||
	    pthread_condattr_setclock(&p->condattr, CLOCK_MONOTONIC) != 0 ||
	    pthread_cond_init(&p->hk_cond, &p->condattr) != 0) {
		rc = pp_err_set(err, PP_EIO, "pool: cannot initialise its locks");
		goto out;
	}
	inited = 1;
	if (pthread_create(&p->housekeeper, NULL, housekeep, p) != 0) {
		rc = pp_err_set(err, PP_EIO, "pool: cannot start the housekeeping thread");
		goto out;
	}
	*out = p;
	return PP_OK;
out:
	if (inited) {
		pthread_cond_destroy(&p->hk_cond);
		pthread_condattr_destroy(&p->condattr);
		pthread_mutex_destroy(&p->mu);
	}
	free(p->appname);
	free(p);
	return rc;
}

void pp_pool_free(pp_pool *p)
{
	pp_pool_conn *c;

	if (p == NULL)
		return;
	pthread_mutex_lock(&p->mu);
	p->stopping = 1;
	pthread_cond_signal(&p->hk_cond);
	pthread_mutex_unlock(&p->mu);
	pthread_join(p->housekeeper, NULL);
	if (p->n_in_use > 0 || p->n_waiting > 0)
		pp_log(PP_LOG_ERROR, "pool freed with %d connections in use and %d callers waiting",
		       p->n_in_use, p->n_waiting);
	while ((c = p->idle) != NULL) {
		p->idle = c->next;
		close_conn(c);
	}
	pthread_cond_destroy(&p->hk_cond);
	pthread_condattr_destroy(&p->condattr);
	pthread_mutex_destroy(&p->mu);
	free(p->appname);
	free(p);
}

void pp_pool_stats_get(pp_pool *p, pp_pool_stats *out)
{
	pthread_mutex_lock(&p->mu);
	*out = p->st;
	out->max_size = p->o.max_size;
	out->min_size = p->o.min_size;
	out->idle = p->n_idle;
	out->in_use = p->n_in_use;
	out->total = p->n_idle + p->n_in_use;
	out->opening = p->n_opening;
	out->waiting = p->n_waiting;
	out->circuit_open = p->circuit_open;
	out->consecutive_failures = p->failures;
	pthread_mutex_unlock(&p->mu);
}
