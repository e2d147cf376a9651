/*
 * request.h: one HTTP request as the handlers see it.
 *
 * The server (server.c) fills it in: method, decoded path, body, request id;
 * the router adds the matched route and its path parameters. Handlers read
 * headers and query parameters through the accessors below. Everything a
 * request holds lives until the response has been sent; handlers never free
 * any of it. One request is handled by one thread.
 */
#ifndef PP_HTTP_REQUEST_H
#define PP_HTTP_REQUEST_H

#include <stddef.h>

#define PP_HTTP_MAX_PARAMS     4
#define PP_HTTP_REQUEST_ID_MAX 64

typedef struct pp_http_req {
	const char *method; /* as sent: "GET", "POST", ... */
	const char *path;   /* percent-decoded, without the query string */
	const char *body;   /* NUL-terminated (body_len bytes before the NUL); "" when none */
	size_t body_len;
	char request_id[PP_HTTP_REQUEST_ID_MAX + 1];

	/* Set by the router. */
	const char *route; /* the matched pattern, e.g. "/v1/projects/{project}"; NULL: none */
	const char *params[PP_HTTP_MAX_PARAMS]; /* path parameters in pattern order */
	int n_params;
	char *param_buf; /* owns the params' bytes */

	/* Set by handlers, for the access log: the authenticated user's id, "" if none. */
	char user_id[24];

	void *conn; /* the server's connection (struct MHD_Connection) */
} pp_http_req;

/* The first value of header name (case-insensitive), or NULL. */
const char *pp_http_header(const pp_http_req *r, const char *name);

/*
 * The first value of query parameter name, or NULL when absent. A parameter
 * given without "=" reads as "". Percent-decoded.
 */
const char *pp_http_query(const pp_http_req *r, const char *name);

/*
 * Calls fn for each query parameter in order, repeated names included
 * (value "" when given without "="); stops early when fn returns non-zero
 * and returns that value, else 0.
 */
int pp_http_query_each(const pp_http_req *r,
		       int (*fn)(void *ctx, const char *key, const char *value), void *ctx);

#endif
