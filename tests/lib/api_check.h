/*
 * api_check.h: a route's checks, or a handler's refusals, on a request built
 * without a connection (no query string, no headers), for the unit tests of
 * src/api's resources (tests/unit/api/). What reaches the database is
 * tests/integration/test_api_*.c's.
 */
#ifndef PP_T_API_CHECK_H
#define PP_T_API_CHECK_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "api/handlers.h"

/* A request with path parameters p0, p1 (NULL: none) and body (NULL: ""). */
static inline void t_api_req(pp_http_req *req, const char *p0, const char *p1, const char *body)
{
	memset(req, 0, sizeof(*req));
	req->method = "POST";
	req->path = "/v1/test";
	req->params[0] = p0;
	req->params[1] = p1;
	req->n_params = p1 ? 2 : p0 ? 1 : 0;
	req->body = body ? body : "";
	req->body_len = strlen(req->body);
}

/* The status of resp's problem, after checking that its body holds want (when not NULL). */
static inline int t_api_status(pp_http_resp *resp, const char *what, const char *want)
{
	int status = resp->status;

	if (status != 0 && want != NULL && (resp->body == NULL || !strstr(resp->body, want)))
		fail_msg("%s: %d %s lacks %s", what, status, resp->body ? resp->body : "(none)",
			 want);
	pp_http_resp_free(resp);
	return status;
}

/*
 * pp_api_route_check of d on {p0}/{p1} and body: 0 when accepted (nothing
 * in resp), else the problem's status, its body holding want (e.g.
 * "\"field\":\"name\"").
 */
static inline int t_api_check(const pp_api_route_sql *d, const char *p0, const char *p1,
			      const char *body, const char *want)
{
	pp_http_req req;
	pp_http_resp resp;
	const char *version = "unset";
	char vbuf[16];
	json_t *j = NULL;
	int rc;

	t_api_req(&req, p0, p1, body);
	memset(&resp, 0, sizeof(resp));
	rc = pp_api_route_check(&req, &resp, d, vbuf, &version, &j);
	if (rc == 0) {
		assert_int_equal(resp.status, 0);
		assert_null(version); /* no If-Match header */
		if (d->fields != NULL)
			assert_true(json_is_object(j));
		else
			assert_null(j);
		json_decref(j);
		return 0;
	}
	assert_null(j);
	return t_api_status(&resp, body ? body : "(no body)", want);
}

/*
 * Handler h on {p0}/{p1} and body, with no server behind it (ctx NULL): only
 * for a request h refuses before the database. The problem's status, its
 * body holding want.
 */
static inline int t_api_refused(pp_http_handler h, const char *p0, const char *p1, const char *body,
				const char *want)
{
	pp_http_req req;
	pp_http_resp resp;

	t_api_req(&req, p0, p1, body);
	memset(&resp, 0, sizeof(resp));
	h(NULL, &req, &resp);
	assert_int_not_equal(resp.status, 0);
	return t_api_status(&resp, body ? body : "(no body)", want);
}

#define T_FIELD(name) "\"field\":\"" name "\""

/* fn's answer for body, which must be JSON (parsed for the call, then freed). */
static inline const char *t_api_str_of(const char *(*fn)(const json_t *), const char *body)
{
	json_t *j = json_loads(body, 0, NULL);
	const char *v;

	assert_non_null(j);
	v = fn(j);
	json_decref(j);
	return v;
}

/* The same for a function answering a number. */
static inline int t_api_int_of(int (*fn)(const json_t *), const char *body)
{
	json_t *j = json_loads(body, 0, NULL);
	int v;

	assert_non_null(j);
	v = fn(j);
	json_decref(j);
	return v;
}

#endif
