/*
 * pool_int.h: what the pool's files share among themselves (pool.c,
 * pool_conn.c, pool_stmt.c). Not for other modules: they use pool.h.
 *
 *   pool.c       who gets a connection and when (turns, the circuit
 *                breaker), opening and closing, acquire and release,
 *                housekeeping, life cycle and statistics
 *   pool_conn.c  one connection: checked before it is lent, brought back
 *                to idle when it returns (roll back, cancel); the
 *                pp_pool_conn_* accessors
 *   pool_stmt.c  pp_pool_exec and the per-connection statement cache
 *
 * Names: what one of these files calls in another is not static and carries
 * the pool_ prefix (never pp_: it is not public). The unit tests
 * (tests/unit/db/pool.c, pool_stmt.c) call the pure ones the same way.
 *
 * Locking: p->o and p->appname are set before the housekeeping thread starts
 * and never change, so they are read without mu. A connection's own fields
 * belong to whoever holds it (the borrower, or the pool while it is idle).
 */
#ifndef PP_DB_POOL_INT_H
#define PP_DB_POOL_INT_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "db/pool.h"

struct pp_pool_conn {
	pp_pool *pool;
	PGconn *pg;
	long long created_ms;
	long long expires_ms; /* 0: never */
	long long last_used_ms;
	int broken;      /* set by the user or pp_pool_exec: close on release */
	uint64_t *stmts; /* hashes of the statements prepared on this connection */
	size_t n_stmts, cap_stmts;
	pp_pool_conn *next; /* in the idle stack */
};

/* A caller queued in pp_pool_acquire (pool.c). */
typedef struct waiter waiter;

struct pp_pool {
	pthread_mutex_t mu;
	pthread_condattr_t condattr; /* CLOCK_MONOTONIC, like pp_now_ms */
	pp_pool_opts o;
	char *appname;

	/* Everything below is guarded by mu. */
	pp_pool_conn *idle; /* most recently used on top: the hot ones need no round trip */
	int n_idle, n_in_use, n_opening;
	waiter *wq_head, *wq_tail; /* first come, first served */
	int n_waiting;

	int circuit_open;
	int failures; /* consecutive failed connects */
	int probing;  /* a probe is under way */
	int backoff_ms;
	long long open_until_ms;

	pp_pool_stats st; /* counters and histograms; gauges filled in by pp_pool_stats_get */
	uint64_t rng;

	pthread_t housekeeper;
	pthread_cond_t hk_cond;
	int stopping;
};

/*
 * Checks a borrowed connection, without mu held; returns -1 when it is fit
 * to hand out, else why it must go (a pp_pool_discard_reason). Blocks for a
 * round trip when the connection was idle longer than validate_after_ms: up
 * to connect_timeout_ms, or until deadline when that is sooner.
 */
int pool_conn_check(pp_pool *p, pp_pool_conn *c, long long deadline);

/*
 * Brings a returned connection back to idle, without mu held: a transaction
 * is rolled back (*rolled_back set to 1), a query in flight cancelled.
 * Returns -1 when it can be kept, else why it cannot (a
 * pp_pool_discard_reason). Blocks up to about rollback_timeout_ms.
 */
int pool_conn_reset(pp_pool *p, pp_pool_conn *c, int *rolled_back);

/* Counts one observation of ms milliseconds in h (pp_pool_hist_bounds_ms) (pool.c). */
void pool_hist_add(pp_pool_hist *h, double ms);

/*
 * The circuit breaker, told how a connection attempt went (mu held; pool.c).
 * A failure counts; circuit_failures of them in a row open the circuit for
 * circuit_backoff_ms. A failed probe (probe: the one attempt let through an
 * open circuit) doubles the back-off, up to circuit_backoff_max_ms, and
 * keeps it open that long from now. A success closes it and resets the
 * count. Logs the circuit's changes.
 */
void pool_connect_failed(pp_pool *p, int probe, const pp_err *err);
void pool_connect_succeeded(pp_pool *p, int probe);

/*
 * Housekeeping (mu held; pool.c): unlinks the idle connections past their
 * time at now onto *doomed (linked by next) for the caller to close after
 * unlocking, counting each in st.discards: past expires_ms (lifetime), or
 * idle for idle_timeout_ms while the pool holds more than min_size
 * (counted as the list is walked, so it never drops below min_size).
 */
void pool_reap_idle(pp_pool *p, long long now, pp_pool_conn **doomed);

/* The name a prepared statement gets: FNV-1a 64 of its text (pool_stmt.c). */
uint64_t pool_hash_sql(const char *s);

/*
 * Records that the statement hashed h is prepared on c (its cache grows
 * 16, 32, ...). 0, or -1 when out of memory (c unchanged) (pool_stmt.c).
 */
int pool_remember_stmt(pp_pool_conn *c, uint64_t h);

#endif
