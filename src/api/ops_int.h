/*
 * ops_int.h: the pure parts of ops.c, apart so that tests/unit/api/ops.c can
 * reach them: the pool's part of /metrics in Prometheus' text format, and
 * the descriptors of /v1/me and /v1/statuses (handlers.h). Not for other
 * modules: names carry the ops_ prefix, never pp_. Nothing here blocks or
 * touches a connection.
 */
#ifndef PP_API_OPS_INT_H
#define PP_API_OPS_INT_H

#include "api/handlers.h"
#include "core/buf.h"
#include "db/pool.h"

/*
 * Appends histogram h (per-bucket counts over pp_pool_hist_bounds_ms,
 * milliseconds) as Prometheus histogram name: HELP and TYPE lines,
 * cumulative buckets with le in seconds, the last "+Inf", then _sum in
 * seconds and _count. PP_OK, or out's error.
 */
pp_rc ops_render_hist(pp_buf *out, const char *name, const char *help,
		      const pp_pool_hist *h) PP_WARN_UNUSED;

/*
 * Appends the pool's gauges (connections by state, size, waiting, circuit),
 * its counters (planpipe_pool_*_total), discards by reason and the two
 * histograms (acquire wait, connect time). PP_OK, or out's error.
 */
pp_rc ops_render_pool(pp_buf *out, const pp_pool_stats *st) PP_WARN_UNUSED;

/* GET /v1/me and GET /v1/statuses: no guard, no arguments. */
extern const pp_api_route_sql ops_me, ops_statuses;

#endif
