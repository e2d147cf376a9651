/*
 * migrate.h: applies migrations to a database, one runner at a time.
 *
 * Each transactional migration runs in its own transaction together with
 * its history row, so a failure leaves the database exactly as it was and the
 * next run simply retries: there is no dirty state. Runners take turns
 * through a session-level advisory lock that is polled with
 * pg_try_advisory_lock and never waited for inside the server, so a waiting
 * runner holds no snapshot that CREATE INDEX CONCURRENTLY would wait for.
 */
#ifndef PP_DB_MIGRATE_H
#define PP_DB_MIGRATE_H

#include <libpq-fe.h>

#include "core/err.h"
#include "db/migration.h"

/* The advisory lock key: "planpipe" in ASCII. */
#define PP_MIG_LOCK_KEY 0x706c616e70697065LL

typedef enum {
	PP_MIG_APPLIED,      /* applied, and the file agrees */
	PP_MIG_PENDING,      /* not applied, above every applied version */
	PP_MIG_OUT_OF_ORDER, /* not applied, below an applied version */
	PP_MIG_CHANGED,      /* applied, but the file's checksum differs */
	PP_MIG_MISSING,      /* applied, but there is no such file */
} pp_mig_state;

typedef struct pp_mig_row {
	int version;
	char name[128];
	pp_mig_state state;
	const pp_mig *file;        /* NULL when MISSING */
	char applied_checksum[65]; /* "" when not applied */
	char applied_at[40];       /* ISO 8601 UTC, "" when not applied */
	char applied_by[160];
	char kind[16]; /* "applied" or "baseline" */
	long duration_ms;
} pp_mig_row;

typedef struct pp_mig_status {
	pp_mig_row *rows; /* by version */
	size_t count;
	int has_history;  /* whether the history table exists */
	int db_version;   /* highest applied version, 0 for none */
	int file_version; /* highest file version */
	size_t n_pending, n_out_of_order, n_changed, n_missing;
} pp_mig_status;

typedef enum {
	PP_MIG_EV_WAITING,     /* text: who holds the lock */
	PP_MIG_EV_LOCKED,      /* ms: how long it waited */
	PP_MIG_EV_APPLYING,    /* m */
	PP_MIG_EV_APPLIED,     /* m, ms */
	PP_MIG_EV_NOTICE,      /* m (may be NULL), text */
	PP_MIG_EV_MAINTENANCE, /* text: what planpipe_maintenance() returned */
} pp_mig_event_kind;

typedef struct pp_mig_event {
	pp_mig_event_kind kind;
	const pp_mig *m;
	long long ms;
	const char *text;
} pp_mig_event;

typedef struct pp_mig_opts {
	int to_version;         /* 0: the latest */
	int allow_out_of_order; /* apply files below the highest applied version */
	int lock_timeout_ms;    /* how long to wait for another runner */
	void (*on_event)(void *ctx, const pp_mig_event *ev); /* may be NULL */
	void *ctx;
} pp_mig_opts;

/*
 * Compares the history table with set. Takes no lock, changes nothing.
 * Blocks. The caller frees *st with pp_mig_status_free, also on failure.
 */
pp_rc pp_mig_status_read(PGconn *conn, const pp_mig_set *set, pp_mig_status *st,
			 pp_err *err) PP_WARN_UNUSED;

void pp_mig_status_free(pp_mig_status *st);

/* "applied", "pending", "out-of-order", "changed", "missing". */
const char *pp_mig_state_str(pp_mig_state s);

/*
 * What `up` would apply, in order, into *todo (caller frees; *n entries), or
 * the reason it would refuse: a changed or missing applied migration
 * (PP_ECONFLICT), an out-of-order file without allow_out_of_order
 * (PP_ECONFLICT, listing them), an unknown to_version (PP_EINVAL).
 */
pp_rc pp_mig_plan(const pp_mig_status *st, const pp_mig_opts *o, const pp_mig ***todo, size_t *n,
		  pp_err *err) PP_WARN_UNUSED;

/*
 * Takes the lock (waiting up to o->lock_timeout_ms: PP_EBUSY naming the
 * holder), creates the history table if needed, applies what
 * pp_mig_plan selects, runs public.planpipe_maintenance() when it exists,
 * and releases the lock. *applied (may be NULL) counts what this call
 * applied. A failing statement is PP_EDB with err->file, err->line and
 * err->sqlstate set. Blocks; reports progress through o->on_event.
 */
pp_rc pp_mig_up(PGconn *conn, const pp_mig_set *set, const pp_mig_opts *o, int *applied,
		pp_err *err) PP_WARN_UNUSED;

/*
 * Records every migration up to version as applied without running it, for a
 * database whose schema was created by other means. Refused (PP_ECONFLICT)
 * when the history table already has rows. Takes the lock.
 */
pp_rc pp_mig_baseline(PGconn *conn, const pp_mig_set *set, int version, const pp_mig_opts *o,
		      pp_err *err) PP_WARN_UNUSED;

/* The highest applied version, 0 when none or no history table; -1 on error. */
int pp_mig_db_version(PGconn *conn, pp_err *err);

#endif
