/*
 * read_route.h: reads routed to a hot standby (PLANPIPE_READ_DATABASE_URL).
 *
 * `planpipe serve` keeps a second pool on the standby. Reports, the
 * cross-project story list and history pages (handlers that mark their
 * transaction with pp_tx_read_anywhere) run there when, by the standby's last
 * measurement (at most about a second old, taken by a thread of its own):
 * it answered, it is in recovery, its replay lag is within
 * PLANPIPE_READ_MAX_LAG, and it has replayed the caller's last write
 * (read-your-writes: every write's WAL position is kept per token, and may
 * be sent back in a PlanPipe-LSN request header). Otherwise, or when the
 * standby fails the request, the read runs on the primary with no error to
 * the caller. Everything else runs on the primary. See docs/operations.md,
 * "Reads on the standby", and docs/decisions.md.
 *
 * Pure parts (read_decide.c): LSNs, the routing decision and the per-token
 * table. The router (read_route.c): the pool, the probe thread, counters.
 */
#ifndef PP_API_READ_ROUTE_H
#define PP_API_READ_ROUTE_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/config.h"
#include "core/err.h"
#include "db/pool.h"

/* ---- WAL positions (pg_lsn). ---- */

typedef uint64_t pp_lsn;

/* "FFFFFFFF/FFFFFFFF" and a NUL. */
#define PP_LSN_TEXT 18

/*
 * Parses pg_lsn's text form, "X/Y" with X and Y of 1 to 8 hex digits.
 * Returns 0 and sets *out, or -1 when s is anything else.
 */
int pp_lsn_parse(const char *s, pp_lsn *out);

/* Writes lsn as pg_lsn prints it ("16/B374D848"). */
void pp_lsn_format(pp_lsn lsn, char out[PP_LSN_TEXT]);

/*
 * What a standby must have replayed (pg_last_wal_replay_lsn() >= it) to hold
 * a commit, given pg_current_wal_insert_lsn() read after the commit. The
 * insert position skips a page's header when it stands at a page's start,
 * where replay stops at the page boundary: the boundary is enough then.
 */
pp_lsn pp_lsn_replay_target(pp_lsn insert_lsn);

/* ---- The routing decision. ---- */

/* The standby as the last probe saw it. */
typedef struct pp_standby_state {
	int measured;      /* a probe has finished at least once */
	int up;            /* the last probe (or request) reached it */
	int in_recovery;   /* pg_is_in_recovery() */
	int lag_known;     /* lag_s holds a value (something was replayed) */
	double lag_s;      /* replay lag in seconds; 0 when all received is replayed */
	pp_lsn replay_lsn; /* pg_last_wal_replay_lsn() */
	long long at_ms;   /* when it was measured, pp_now_ms() */
} pp_standby_state;

/* Where a read went, and why when it was not the standby. */
typedef enum {
	PP_READ_STANDBY,     /* on the standby */
	PP_READ_DOWN,        /* the standby could not be reached */
	PP_READ_STALE,       /* no measurement recent enough: its state is unknown */
	PP_READ_NOT_STANDBY, /* the server is not in recovery (promoted, or a primary) */
	PP_READ_LAG,         /* replay lag beyond PLANPIPE_READ_MAX_LAG, or unknown */
	PP_READ_WRITES,      /* the caller's last write is not replayed there yet */
	PP_READ_FAILED,      /* sent to the standby, failed there, run on the primary */
	PP_READ_NROUTES
} pp_read_route;

/* "standby", "down", "stale", "not_standby", "lag", "read_your_writes", "failed". */
const char *pp_read_route_str(pp_read_route r);

/*
 * Where a read goes, from the standby's state st at now_ms: PP_READ_STANDBY
 * or the first reason against it, in the order of pp_read_route. A
 * measurement older than stale_ms is stale; need is the WAL position the
 * caller must see (0: none). Pure.
 */
pp_read_route pp_read_decide(const pp_standby_state *st, long long now_ms, int max_lag_s,
			     int stale_ms, pp_lsn need);

/* ---- Read-your-writes: the last write's position per token. ---- */

typedef struct pp_lsn_table pp_lsn_table;

/* The key: a token's SHA-256 in hex. */
#define PP_LSN_KEY_LEN 64

/*
 * A table of slots entries (a power of two, at least 16), thread-safe. An
 * entry lives until the standby has replayed its position; when a token
 * finds no free slot near its own, the entry with the lowest position makes
 * room and its position becomes a floor every token must see, so that a
 * full table costs reads on the primary, never a stale read. NULL when out
 * of memory; free with pp_lsn_table_free.
 */
pp_lsn_table *pp_lsn_table_new(size_t slots);

/* Accepts NULL. */
void pp_lsn_table_free(pp_lsn_table *t);

/*
 * Notes that key (PP_LSN_KEY_LEN hex characters) wrote up to lsn; entries the
 * standby has replayed (at or below replayed) count as free.
 */
void pp_lsn_table_note(pp_lsn_table *t, const char *key, pp_lsn lsn, pp_lsn replayed);

/*
 * The position key's reads must see: its last write's or the floor,
 * whichever is higher; 0 when replayed covers both (its entry is then
 * dropped).
 */
pp_lsn pp_lsn_table_need(pp_lsn_table *t, const char *key, pp_lsn replayed);

/* Entries held (for tests and metrics). */
size_t pp_lsn_table_count(pp_lsn_table *t);

/* ---- The router. ---- */

typedef struct pp_read_router pp_read_router;

/*
 * With cfg->read_database_url set: checks that it parses (PP_EINVAL naming
 * PLANPIPE_READ_DATABASE_URL, password masked), opens a pool on it with
 * primary's sizes (application_name planpipe-api-read) and starts the probe
 * thread (once a second, its own connection). *out is NULL when the
 * variable is unset. The caller frees it with pp_read_router_free. cfg
 * must outlive the router.
 */
pp_rc pp_read_router_new(const pp_config *cfg, const pp_pool_opts *primary, pp_read_router **out,
			 pp_err *err) PP_WARN_UNUSED;

/* Stops the probe thread, closes the pool. No request may be using it. Accepts NULL. */
void pp_read_router_free(pp_read_router *r);

/* The standby's pool. */
pp_pool *pp_read_router_pool(pp_read_router *r);

/*
 * Where a read of the token key (PP_LSN_KEY_LEN hex) goes, which must see at
 * least header_lsn (0: none). Does not block on the database; counts
 * nothing (pp_read_router_count does, once the read is done).
 */
pp_read_route pp_read_router_pick(pp_read_router *r, const char *key, pp_lsn header_lsn);

/* Counts a routed read by where it finally ran. */
void pp_read_router_count(pp_read_router *r, pp_read_route route);

/*
 * The standby failed a request (could not connect, or lost the
 * connection): reads go to the primary until a probe reaches it again.
 */
void pp_read_router_standby_failed(pp_read_router *r);

/* Notes that key wrote; insert_lsn is pg_current_wal_insert_lsn() after its commit. */
void pp_read_router_note_write(pp_read_router *r, const char *key, pp_lsn insert_lsn);

/* Appends the router's Prometheus metrics (planpipe_read_*) to out. */
pp_rc pp_read_router_render(pp_read_router *r, pp_buf *out) PP_WARN_UNUSED;

/* A copy of the state the router decides by (tests). */
void pp_read_router_state(pp_read_router *r, pp_standby_state *out);

#endif
