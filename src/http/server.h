/*
 * server.h: the HTTP/1.1 server (libmicrohttpd in epoll mode, docs/decisions.md).
 *
 * A few event loop threads read and write every socket and never block on
 * one: a slow or idle client costs a socket and a little memory, not a
 * thread. The server reads each request (its body up to max_body bytes,
 * else 413; the whole request within request_timeout_s, else the connection
 * is cut), gives it a request id (the client's X-Request-Id when it is short
 * and plain, else a random one), routes it (404, 405 with Allow), and then
 * suspends the connection while one of its handler threads runs the route's
 * handler (handlers may block on the database): report routes (a path
 * segment "reports") on report_workers threads of their own, every other
 * route on workers threads. A request that finds no free thread of its lane
 * within the lane's wait gets 503 problem+json with Retry-After. The response
 * goes out with X-Request-Id, is counted in the metrics and written as one
 * access log line on standard output.
 *
 * Framing is strict: a conflicting or malformed Content-Length,
 * Content-Length with Transfer-Encoding, a Transfer-Encoding other than
 * "chunked", and %00 in the URI get 400 problem+json (and the connection
 * closes). Other malformed HTTP is answered by libmicrohttpd itself and
 * never reaches a handler.
 */
#ifndef PP_HTTP_SERVER_H
#define PP_HTTP_SERVER_H

#include <stddef.h>

#include "core/err.h"
#include "http/metrics.h"
#include "http/router.h"

typedef struct pp_http_server pp_http_server;

typedef struct pp_http_opts {
	const char *listen;         /* "HOST:PORT", "[IPV6]:PORT" or ":PORT" (all); port 0: any */
	size_t max_body;            /* bytes; a larger body is refused with 413 */
	int log_json;               /* access log lines as JSON objects, else key=value text */
	unsigned conn_limit;        /* connections at once, in all */
	unsigned per_ip_limit;      /* connections at once from one client address; 0: no limit */
	unsigned request_timeout_s; /* a request must arrive whole within this (>= 1) */
	unsigned event_threads;     /* event loop threads (>= 1) */
	int workers;                /* handler threads for every route but the reports (>= 1) */
	int wait_ms;                /* how long a request waits for one of them (>= 1) */
	int report_workers;         /* handler threads for the reports (>= 1) */
	int report_wait_ms;         /* how long a report waits for one of them (>= 1) */
	const pp_route *routes;     /* must outlive the server */
	size_t n_routes;
	void *ctx;                /* passed to the handlers */
	pp_http_metrics *metrics; /* must outlive the server */
} pp_http_opts;

/*
 * Parses a listen address into a socket address. PP_EINVAL naming what is
 * wrong: a missing or out-of-range port, a host that is not a numeric IPv4
 * or IPv6 address (or "localhost").
 */
pp_rc pp_http_parse_listen(const char *listen, void *sockaddr_storage, unsigned *len,
			   pp_err *err) PP_WARN_UNUSED;

/*
 * Binds and starts serving in background threads. On success *out is the
 * server, which the caller stops with pp_http_server_stop. PP_EINVAL (bad
 * address), PP_EIO (cannot bind: the message names the address), PP_ENOMEM.
 */
pp_rc pp_http_server_start(const pp_http_opts *o, pp_http_server **out, pp_err *err) PP_WARN_UNUSED;

/* The port actually bound (useful with port 0). */
int pp_http_server_port(const pp_http_server *s);

/*
 * Stops accepting connections and waits, at most timeout_ms, until no
 * request is being handled; responses sent meanwhile carry "Connection:
 * close". Returns how many requests were still running at the deadline.
 * Blocks.
 */
int pp_http_server_drain(pp_http_server *s, int timeout_ms);

/*
 * Lets the running handlers finish (queued requests get 503), closes every
 * connection, joins the threads and frees s. Accepts NULL. Blocks.
 */
void pp_http_server_stop(pp_http_server *s);

#endif
