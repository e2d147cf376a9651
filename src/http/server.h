/*
 * server.h: the HTTP/1.1 server (libmicrohttpd, one thread per connection).
 *
 * The server reads each request (its body up to max_body bytes, else 413),
 * gives it a request id (the client's X-Request-Id when it is short and
 * plain, else a random one), routes it (404, 405 with Allow), calls the
 * route's handler on the connection's thread (handlers may block), sends
 * the response with X-Request-Id, counts it in the metrics and writes one
 * access log line on standard output. Malformed HTTP is answered by
 * libmicrohttpd itself and never reaches a handler.
 */
#ifndef PP_HTTP_SERVER_H
#define PP_HTTP_SERVER_H

#include <stddef.h>

#include "core/err.h"
#include "http/metrics.h"
#include "http/router.h"

typedef struct pp_http_server pp_http_server;

typedef struct pp_http_opts {
	const char *listen;      /* "HOST:PORT", "[IPV6]:PORT" or ":PORT" (all); port 0: any */
	size_t max_body;         /* bytes; a larger body is refused with 413 */
	int log_json;            /* access log lines as JSON objects, else key=value text */
	unsigned conn_limit;     /* connections at once (each a thread) */
	unsigned conn_timeout_s; /* an idle or stalled connection is closed after this */
	const pp_route *routes;  /* must outlive the server */
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

/* Closes every connection, joins the threads and frees s. Blocks until handlers return. */
void pp_http_server_stop(pp_http_server *s);

#endif
