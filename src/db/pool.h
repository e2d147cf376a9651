/*
 * pool.h: a thread-safe pool of libpq connections for the API service.
 *
 * A fixed maximum of connections, optionally a minimum kept warm; waiters
 * are served first come, first served. A connection is checked before it is
 * handed out (cheaply when it was used recently), so a server restart costs
 * the callers nothing: closed connections are discarded and replaced, never
 * PQreset in place. After repeated failures to connect the pool stops trying
 * for a back-off period (a circuit breaker) and lets one probe through at a
 * time.
 *
 * Session state is forbidden on pooled connections, so the pool also works
 * behind PgBouncer in transaction mode: no SET (only SET LOCAL or
 * set_config(name, value, true) inside a transaction), no session advisory
 * locks (only pg_advisory_xact_lock), no LISTEN, no temporary tables, no SQL
 * PREPARE, no WITH HOLD cursors. See docs/operations.md.
 */
#ifndef PP_DB_POOL_H
#define PP_DB_POOL_H

#include <libpq-fe.h>

#include "core/config.h"
#include "core/err.h"

typedef struct pp_pool pp_pool;
typedef struct pp_pool_conn pp_pool_conn;

typedef struct pp_pool_opts {
	const pp_config *cfg;    /* where to connect; must outlive the pool */
	const char *appname;     /* fallback_application_name; copied */
	int max_size;            /* the most connections open at once; 0: pp_pool_default_max() */
	int min_size;            /* kept open even when idle (<= max_size) */
	int acquire_timeout_ms;  /* pp_pool_acquire's default wait */
	int connect_timeout_ms;  /* one connection attempt, at most */
	int max_lifetime_ms;     /* close a connection this old, less up to 10% jitter; 0: never */
	int idle_timeout_ms;     /* close one idle this long, above min_size; 0: never */
	int validate_after_ms;   /* idle longer than this: a round trip before handing it out */
	int rollback_timeout_ms; /* for rolling back, or cancelling, what comes back in use */
	int circuit_failures;    /* consecutive failed connects that open the circuit */
	int circuit_backoff_ms;  /* the first back-off; doubles on each failed probe */
	int circuit_backoff_max_ms;
	int housekeeping_ms; /* how often idle, expired and missing connections are seen to */
	int prepared;        /* 1: pp_pool_exec prepares statements; 0: unnamed ones */
} pp_pool_opts;

/* Why a connection was closed rather than handed out or kept. */
typedef enum {
	PP_POOL_DISCARD_BROKEN,    /* the server had closed it (found when borrowed) */
	PP_POOL_DISCARD_LIFETIME,  /* older than max_lifetime_ms */
	PP_POOL_DISCARD_IDLE,      /* idle longer than idle_timeout_ms */
	PP_POOL_DISCARD_ROLLBACK,  /* returned in a transaction that did not roll back in time */
	PP_POOL_DISCARD_CANCELLED, /* returned with a query in flight */
	PP_POOL_DISCARD_LOST,      /* lost while in use */
	PP_POOL_DISCARD_NREASONS
} pp_pool_discard_reason;

/*
 * Histogram buckets: counts[i] is how many observations were at most
 * pp_pool_hist_bounds_ms[i] and above the bound before it; the last bucket
 * (PP_POOL_HIST_BUCKETS - 1) has no upper bound. Not cumulative.
 */
#define PP_POOL_HIST_BUCKETS 16
extern const double pp_pool_hist_bounds_ms[PP_POOL_HIST_BUCKETS - 1];

typedef struct pp_pool_hist {
	unsigned long long counts[PP_POOL_HIST_BUCKETS];
	unsigned long long count;
	double sum_ms;
} pp_pool_hist;

typedef struct pp_pool_stats {
	int max_size, min_size;
	int total; /* open connections, idle or in use */
	int idle;
	int in_use;
	int opening;                    /* connection attempts under way */
	int waiting;                    /* callers queued in pp_pool_acquire */
	unsigned long long acquired;    /* successful acquires */
	unsigned long long released;    /* releases (equals acquired once all are back) */
	unsigned long long timeouts;    /* PP_ETIMEDOUT: pool exhausted */
	unsigned long long unavailable; /* PP_ECONNECT: database unavailable */
	unsigned long long rejected;    /* PP_EUNAVAIL: circuit open */
	unsigned long long connects;    /* connections opened */
	unsigned long long connect_failures;
	unsigned long long rolled_back; /* released in a transaction, rolled back, kept */
	unsigned long long discards[PP_POOL_DISCARD_NREASONS];
	int circuit_open; /* 1 while failing fast */
	int consecutive_failures;
	pp_pool_hist acquire_wait; /* successful acquires, from call to return */
	pp_pool_hist connect_time; /* successful connects */
} pp_pool_stats;

/*
 * Sets *o to the defaults, overridden by cfg's PLANPIPE_POOL_* and
 * PLANPIPE_CONNECT_TIMEOUT settings when cfg is not NULL. o->cfg = cfg.
 */
void pp_pool_opts_init(pp_pool_opts *o, const pp_config *cfg);

/*
 * The default max_size: twice this host's online CPUs, at least 4 and at
 * most 64. The client cannot see the database server's cores; see
 * docs/operations.md for sizing.
 */
int pp_pool_default_max(void);

/*
 * Creates a pool and starts its housekeeping thread, which opens min_size
 * connections in the background (a database that is down does not stop the
 * pool from being created). The caller frees it with pp_pool_free.
 * PP_EINVAL for inconsistent options, PP_ENOMEM, PP_EIO (threads).
 */
pp_rc pp_pool_new(const pp_pool_opts *o, pp_pool **out, pp_err *err) PP_WARN_UNUSED;

/*
 * Closes every connection and frees the pool. Every acquired connection
 * must have been released and no thread may be in pp_pool_acquire. Blocks
 * until the housekeeping thread has stopped. Accepts NULL.
 */
void pp_pool_free(pp_pool *pool);

/*
 * Borrows a connection, waiting at most timeout_ms (< 0: the pool's
 * acquire_timeout_ms) in all. The connection is open, idle (not in a
 * transaction) and was checked. On success *out is the caller's until
 * pp_pool_release. Blocks. Failures, told apart:
 *   PP_ETIMEDOUT  "pool exhausted": every connection stayed in use;
 *   PP_ECONNECT   "database unavailable": this call tried to connect and
 *                 could not (refused, login failed, timed out);
 *   PP_EUNAVAIL   "circuit open": connecting failed repeatedly of late, so
 *                 the pool fails fast without trying.
 */
pp_rc pp_pool_acquire(pp_pool *pool, int timeout_ms, pp_pool_conn **out,
		      pp_err *err) PP_WARN_UNUSED;

/*
 * Gives a connection back. Only an idle connection is kept: one left in a
 * transaction is rolled back (within rollback_timeout_ms, else closed), one
 * with a query in flight is cancelled (waiting up to rollback_timeout_ms for
 * the server to stop it) and closed, a lost or expired one is closed. May
 * block for the roll-back or the cancel. Accepts NULL.
 */
void pp_pool_release(pp_pool_conn *c);

/*
 * The libpq connection, for what pp_pool_exec does not cover. It stays the
 * pool's: do not PQfinish, PQreset or change session state.
 */
PGconn *pp_pool_conn_pg(pp_pool_conn *c);

/*
 * With opts.prepared, for callers that send on the connection themselves
 * (the API's pipelines): prepares sql once per connection, synchronously
 * (call it outside pipeline mode), writes the statement's name and returns 1.
 * Returns 0, name empty, when statements are unnamed or the prepare failed
 * (send the text then: its error, if any, comes with the results).
 */
#define PP_POOL_STMT_NAME 32
int pp_pool_conn_prepare(pp_pool_conn *c, const char *sql, int n, char name[PP_POOL_STMT_NAME]);

/*
 * Marks the connection unusable so that pp_pool_release closes it, e.g.
 * after a protocol-level surprise the caller cannot clean up.
 */
void pp_pool_conn_discard(pp_pool_conn *c);

/*
 * Runs one statement with text parameters $1..$n (n may be 0) and text
 * results: an unnamed statement (PQexecParams), or with opts.prepared a
 * statement prepared once per connection and reused. Blocks. On success *out
 * (if not NULL) is the result for the caller to PQclear. PP_EDB with the
 * server's message and SQLSTATE; PP_ECONNECT when the connection was lost
 * (it is then closed on release).
 */
pp_rc pp_pool_exec(pp_pool_conn *c, const char *sql, int n, const char *const *params,
		   PGresult **out, pp_err *err) PP_WARN_UNUSED;

/* A consistent copy of the pool's counters. Does not block on the database. */
void pp_pool_stats_get(pp_pool *pool, pp_pool_stats *out);

/* "broken", "lifetime", "idle", "rollback", "cancelled", "lost". */
const char *pp_pool_discard_reason_str(pp_pool_discard_reason r);

#endif
