/*
 * tests/unit/http/response.c: src/http/response.c, the handlers' answer:
 * bodies taken or copied, the header limit, and problem+json (RFC 9457)
 * with its stable type URI, optional members, and text that is not UTF-8.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "unit.h"

#include "http/response.h"

static void bodies_and_headers(void **state)
{
	pp_http_resp r;
	char *body = strdup("{}");
	int i;

	(void)state;
	memset(&r, 0, sizeof(r));
	pp_http_resp_set(&r, 201, "application/json", body, 2);
	assert_int_equal(r.status, 201);
	assert_ptr_equal(r.body, body);
	assert_int_equal(r.body_len, 2);
	pp_http_resp_copy(&r, 200, "text/plain", "ok");
	assert_string_equal(r.body, "ok");
	assert_int_equal(r.body_len, 2);
	pp_http_resp_copy(&r, 204, NULL, NULL);
	assert_null(r.body);
	assert_int_equal(r.body_len, 0);
	for (i = 0; i < PP_HTTP_MAX_HEADERS; i++)
		assert_int_equal(pp_http_resp_header(&r, "X-N", "v"), PP_OK);
	assert_int_equal(pp_http_resp_header(&r, "X-Full", "v"), PP_EINVAL);
	assert_int_equal(r.n_headers, PP_HTTP_MAX_HEADERS);
	pp_http_resp_free(&r);
	assert_int_equal(r.n_headers, 0);
	assert_null(r.body);
	pp_http_resp_free(NULL);
}

static json_t *problem_of(const pp_problem *p, pp_http_resp *r)
{
	pp_http_req req;
	json_t *j;

	memset(&req, 0, sizeof(req));
	strcpy(req.request_id, "rid-7");
	memset(r, 0, sizeof(*r));
	pp_http_problem(r, &req, p);
	assert_string_equal(r->content_type, "application/problem+json");
	j = json_loadb(r->body, r->body_len, 0, NULL);
	assert_non_null(j);
	return j;
}

static void problems(void **state)
{
	json_t *extra = json_pack("{s:[s,s]}", "cycle", "A:1", "B:2");
	pp_problem p = {.status = 422,
			.type = "validation",
			.title = "Invalid request",
			.detail = "title is required",
			.field = "title",
			.sqlstate = "23502",
			.extra = extra};
	pp_problem bare = {.status = 404, .type = "not-found", .title = "Not found"};
	pp_http_resp r;
	json_t *j;

	(void)state;
	j = problem_of(&p, &r);
	assert_int_equal(r.status, 422);
	assert_string_equal(json_string_value(json_object_get(j, "type")),
			    PP_PROBLEM_BASE "validation");
	assert_string_equal(json_string_value(json_object_get(j, "title")), "Invalid request");
	assert_int_equal(json_integer_value(json_object_get(j, "status")), 422);
	assert_string_equal(json_string_value(json_object_get(j, "detail")), "title is required");
	assert_string_equal(json_string_value(json_object_get(j, "field")), "title");
	assert_string_equal(json_string_value(json_object_get(j, "sqlstate")), "23502");
	assert_string_equal(json_string_value(json_object_get(j, "request_id")), "rid-7");
	assert_int_equal(json_array_size(json_object_get(j, "cycle")), 2);
	json_decref(j);
	pp_http_resp_free(&r);
	json_decref(extra);

	j = problem_of(&bare, &r);
	assert_null(json_object_get(j, "detail"));
	assert_null(json_object_get(j, "field"));
	assert_null(json_object_get(j, "sqlstate"));
	json_decref(j);
	pp_http_resp_free(&r);

	/* A detail that is not UTF-8 (a client's bytes echoed) still gives valid JSON. */
	bare.detail = "bad \xff byte";
	j = problem_of(&bare, &r);
	assert_string_equal(json_string_value(json_object_get(j, "detail")), "(not valid UTF-8)");
	json_decref(j);
	pp_http_resp_free(&r);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(bodies_and_headers),
	cmocka_unit_test(problems),
};

UNIT_MAIN("response", tests)
