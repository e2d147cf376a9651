/*
 * response.h: what a handler answers, and errors as application/problem+json
 * (RFC 9457).
 *
 * A handler fills one pp_http_resp; the server sends it after the handler
 * returns, adding X-Request-Id. Every problem carries a stable `type` URI
 * (PP_PROBLEM_BASE + a slug), a title, the status, and the request id;
 * detail, field and sqlstate when known.
 */
#ifndef PP_HTTP_RESPONSE_H
#define PP_HTTP_RESPONSE_H

#include <jansson.h>
#include <stddef.h>

#include "core/err.h"
#include "http/request.h"

#define PP_PROBLEM_BASE     "https://planpipe.dev/problems/"
#define PP_HTTP_MAX_HEADERS 8

typedef struct pp_http_header_kv {
	char *name;
	char *value;
} pp_http_header_kv;

typedef struct pp_http_resp {
	int status;               /* 0 until set: the server then answers 500 */
	const char *content_type; /* static; NULL: no body */
	char *body;               /* malloc'ed, owned; may be NULL */
	size_t body_len;
	pp_http_header_kv headers[PP_HTTP_MAX_HEADERS];
	int n_headers;
} pp_http_resp;

/* What went wrong, for pp_http_problem. Only status, type and title are required. */
typedef struct pp_problem {
	int status;
	const char *type;     /* slug: "validation" -> PP_PROBLEM_BASE "validation" */
	const char *title;    /* short, the same for every occurrence of the type */
	const char *detail;   /* this occurrence, for people; may be NULL */
	const char *field;    /* the request field at fault; may be NULL */
	const char *sqlstate; /* when the database raised it; may be NULL */
	json_t *extra;        /* further members (borrowed, copied in); may be NULL */
} pp_problem;

/* Sets status and body (taking ownership of body, which may be NULL). */
void pp_http_resp_set(pp_http_resp *r, int status, const char *content_type, char *body,
		      size_t len);

/* Sets status and a copy of the NUL-terminated body. */
void pp_http_resp_copy(pp_http_resp *r, int status, const char *content_type, const char *body);

/* Adds a header (both strings copied). PP_ENOMEM, or PP_EINVAL when full. */
pp_rc pp_http_resp_header(pp_http_resp *r, const char *name, const char *value) PP_WARN_UNUSED;

/* Replaces whatever r held with the problem, tagged with req's request id. */
void pp_http_problem(pp_http_resp *r, const pp_http_req *req, const pp_problem *p);

/* Frees what r owns and empties it. Accepts NULL. */
void pp_http_resp_free(pp_http_resp *r);

#endif
