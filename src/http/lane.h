/*
 * lane.h: a bounded set of handler threads fed by a FIFO queue ("a lane").
 *
 * The event loop (server.c) never runs a handler itself: it suspends the
 * connection and pushes a job onto a lane; one of the lane's threads runs it
 * (handlers block on the database). A job that has waited longer than the
 * lane's wait_ms without a free thread is expired instead: its run function
 * is called with expired=1 (by the lane's timer thread, at once), so it can
 * answer 503 without calling the handler. Two lanes keep reports from taking
 * every thread (and so every database connection) from the other routes.
 */
#ifndef PP_HTTP_LANE_H
#define PP_HTTP_LANE_H

#include "core/err.h"

typedef struct pp_http_job pp_http_job;

struct pp_http_job {
	/* Called exactly once, on a lane thread; expired: waited too long, do not handle. */
	void (*run)(pp_http_job *j, int expired);
	long long deadline_us; /* set by pp_http_lane_push */
	pp_http_job *next;
};

typedef struct pp_http_lane pp_http_lane;

/*
 * Starts threads handler threads (>= 1) and a timer thread. wait_ms: the
 * longest a job waits for a thread (>= 1). name is used in log lines and
 * must outlive the lane. PP_ENOMEM, PP_EIO (a thread could not start).
 */
pp_rc pp_http_lane_start(const char *name, int threads, int wait_ms, pp_http_lane **out,
			 pp_err *err) PP_WARN_UNUSED;

/* Queues j (never blocks). After pp_http_lane_stop has begun, runs it expired at once. */
void pp_http_lane_push(pp_http_lane *l, pp_http_job *j);

/* Jobs running or queued now (for metrics and tests). */
int pp_http_lane_load(pp_http_lane *l);

/*
 * Lets the running jobs finish, expires the queued ones, joins the threads
 * and frees l. Accepts NULL. Blocks.
 */
void pp_http_lane_stop(pp_http_lane *l);

#endif
