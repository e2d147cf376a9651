/*
 * maintain.h: status_history's partitions, maintained (migration 0015,
 * docs/operations.md "History partitions").
 *
 * One step moves the rows of one month out of the default partition into
 * that month's new partition, or creates one empty partition of the months
 * ahead; each step is its own transaction, so a transaction holds at most one
 * month of history and a lock on status_history for that long. `planpipe
 * maintain` runs the steps until none is left; `planpipe serve` does the same
 * in the background (pp_maintainer).
 */
#ifndef PP_DB_MAINTAIN_H
#define PP_DB_MAINTAIN_H

#include <libpq-fe.h>
#include <stdatomic.h>

#include "core/config.h"
#include "core/err.h"

/* One step done, for the caller's log. */
typedef struct pp_maintain_step {
	int moved;             /* 1: rows left the default partition; 0: an empty month ahead */
	const char *partition; /* status_history_pYYYYMM; valid during the callback only */
	long long rows;        /* rows moved */
} pp_maintain_step;

typedef struct pp_maintain_opts {
	int months_ahead;         /* partitions from this month to this many ahead, 0 to 120 */
	int lock_timeout_ms;      /* per step, waiting for status_history's lock; 0: none */
	int stmt_timeout_ms;      /* per step; 0: none */
	int busy_wait_ms;         /* another session running a step: retry this long, then stop */
	const atomic_int *cancel; /* when non-NULL and set, stops between steps */
	void (*on_step)(void *ctx, const pp_maintain_step *s);
	void *ctx;
} pp_maintain_opts;

typedef struct pp_maintain_result {
	int created;     /* partitions created */
	long long moved; /* rows moved out of the default partition */
	int busy;        /* stopped because another session kept running steps */
} pp_maintain_result;

/* Sets *o to the defaults: 12 months, 10 s lock timeout, no statement timeout. */
void pp_maintain_opts_init(pp_maintain_opts *o);

/*
 * Runs maintenance steps on conn (as of the server's now()) until none is
 * left, o->cancel is set, or another session keeps the steps' lock for longer
 * than o->busy_wait_ms (then r->busy and PP_OK). Calls o->on_step after each
 * committed step. Blocks. Fills *r also on failure (the steps committed).
 * Errors: PP_EDB with the server's message and SQLSTATE; 42883 (the schema
 * predates migration 15) and 42501 (the login may not) get a hint; 55P03 is
 * the lock timeout. The connection is left outside a transaction.
 */
pp_rc pp_maintain_history(PGconn *conn, const pp_maintain_opts *o, pp_maintain_result *r,
			  pp_err *err) PP_WARN_UNUSED;

/* A thread that maintains in the background: at start, then every interval. */
typedef struct pp_maintainer pp_maintainer;

/*
 * Starts the thread: it connects with cfg (application_name
 * planpipe-maintain), runs pp_maintain_history with short lock and statement
 * timeouts (so requests never wait long behind it) and logs what it did or
 * why it could not; it retries at the next interval. interval_s must be > 0.
 * Never fails the caller for a database problem; PP_ENOMEM or PP_EIO (no
 * thread) only. *out is freed with pp_maintainer_stop.
 */
pp_rc pp_maintainer_start(const pp_config *cfg, int months_ahead, int interval_s,
			  pp_maintainer **out, pp_err *err) PP_WARN_UNUSED;

/*
 * Stops the thread (cancelling a step under way) and frees m. Blocks until
 * the thread has ended. Accepts NULL.
 */
void pp_maintainer_stop(pp_maintainer *m);

#endif
