/*
 * metrics.h: request counters and latency histograms in the Prometheus text
 * format (version 0.0.4).
 *
 *   planpipe_http_requests_total{method,route,status}      counter
 *   planpipe_http_request_duration_seconds{method,route}   histogram
 *   planpipe_http_requests_in_flight                       gauge
 *
 * route is the matched pattern ("/v1/projects/{project}"), never the raw
 * path, so the number of series stays bounded; requests that matched no
 * route count as "unmatched". Thread-safe.
 */
#ifndef PP_HTTP_METRICS_H
#define PP_HTTP_METRICS_H

#include "core/buf.h"
#include "core/err.h"

typedef struct pp_http_metrics pp_http_metrics;

/* A new, empty set; NULL when out of memory. Free with pp_http_metrics_free. */
pp_http_metrics *pp_http_metrics_new(void);

/* Accepts NULL. */
void pp_http_metrics_free(pp_http_metrics *m);

/* Counts one finished request. method and route are copied when first seen. */
void pp_http_metrics_observe(pp_http_metrics *m, const char *method, const char *route, int status,
			     double seconds);

/* Adds delta (+1 or -1) to the in-flight gauge. */
void pp_http_metrics_in_flight(pp_http_metrics *m, int delta);

/* Appends every series to out. */
pp_rc pp_http_metrics_render(pp_http_metrics *m, pp_buf *out) PP_WARN_UNUSED;

#endif
