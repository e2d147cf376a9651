/*
 * read_route_int.h: the pure parts of the read router (read_route.c): the
 * probe's row as a standby state, the check of PLANPIPE_READ_DATABASE_URL
 * and the /metrics text of a snapshot, apart so that
 * tests/unit/api/read_route.c can reach them. (The routing decision itself
 * is read_decide.c's.) Not for other modules: names carry the read_route_
 * prefix, never pp_. None of them blocks, takes a lock or touches a
 * connection.
 */
#ifndef PP_API_READ_ROUTE_INT_H
#define PP_API_READ_ROUTE_INT_H

#include <stddef.h>

#include "api/read_route.h"
#include "core/buf.h"
#include "core/config.h"
#include "core/err.h"

/*
 * The standby's state from the probe's row (src/api/sql/read_route.sql,
 * standby_state), its columns as text, NULL for SQL NULL: in_recovery "t"
 * or "f", replay_lsn a pg_lsn (0 when NULL or not one), lag seconds (not
 * known when NULL); measured and up, at at_ms.
 */
void read_route_state_of(const char *in_recovery, const char *replay_lsn, const char *lag,
			 long long at_ms, pp_standby_state *st);

/*
 * PP_OK when rcfg->database_url (PLANPIPE_READ_DATABASE_URL) parses as a
 * connection string; else PP_EINVAL with err saying so, libpq's reason
 * without its trailing newline and every password of rcfg masked.
 */
pp_rc read_route_check_url(const pp_config *rcfg, pp_err *err);

/* What /metrics shows of the router, taken at once (read_route_render). */
typedef struct read_route_view {
	unsigned long long counts[PP_READ_NROUTES]; /* reads by pp_read_route */
	pp_standby_state st;                        /* the last probe's */
	int in_use;                 /* reads without writes behind go to the standby */
	int max_lag_s;              /* PLANPIPE_READ_MAX_LAG */
	size_t tracked;             /* tokens in the table of writes */
	int pool_idle, pool_in_use; /* the standby pool's connections */
	long long now_ms;           /* for the probe's age */
} read_route_view;

/* Appends v to out in Prometheus' text format (docs/operations.md). PP_OK, or out's error. */
pp_rc read_route_render(const read_route_view *v, pp_buf *out) PP_WARN_UNUSED;

#endif
