/*
 * tests/unit/http/router.c: src/http/router.c's route matching: literal and
 * "{name}" segments, path parameters, 404 against 405 with its Allow list,
 * HEAD as GET, and the first matching route winning.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "unit.h"

#include "http/router.h"

static void h_list(void *ctx, pp_http_req *req, pp_http_resp *resp)
{
	(void)ctx, (void)req, (void)resp;
}

static void h_one(void *ctx, pp_http_req *req, pp_http_resp *resp)
{
	(void)ctx, (void)req, (void)resp;
}

static const pp_route routes[] = {
	{"GET", "/v1/projects", h_list, "list"},
	{"POST", "/v1/projects", h_list, "create"},
	{"GET", "/v1/projects/{project}", h_one, "one"},
	{"PATCH", "/v1/projects/{project}", h_one, "update"},
	{"DELETE", "/v1/projects/{project}", h_one, "delete"},
	{"GET", "/v1/projects/{project}/stories/{story}", h_one, "story"},
	{"PUT", "/v1/a/{b}/c/{d}/e/{f}/g/{h}", h_one, "four params"},
	{"GET", "/v1/projects/mine", h_list, "shadowed by {project}"},
	{"POST", "/v1/reports/{name}", h_one, "no GET"},
};

#define N_ROUTES (UNIT_NELEM(routes))

typedef struct outcome {
	pp_route_result r;
	const pp_route *found;
	char allow[128];
	pp_http_req req;
} outcome;

static void run(outcome *o, const char *method, const char *path)
{
	memset(o, 0, sizeof(*o));
	o->req.method = method;
	o->req.path = path;
	o->r = pp_router_match(routes, N_ROUTES, &o->req, &o->found, o->allow, sizeof(o->allow));
}

static void done(outcome *o)
{
	free(o->req.param_buf);
}

/* method path matches routes[i]; o holds the match (done(o) frees it). */
static void expect_found(outcome *o, const char *method, const char *path, size_t i)
{
	run(o, method, path);
	if (o->r != PP_ROUTE_FOUND || o->found != &routes[i])
		fail_msg("%s %s: not %s %s", method, path, routes[i].method, routes[i].pattern);
}

static void literal_routes_match_by_method(void **state)
{
	outcome o;

	(void)state;
	expect_found(&o, "GET", "/v1/projects", 0);
	assert_string_equal(o.req.route, "/v1/projects");
	assert_int_equal(o.req.n_params, 0);
	done(&o);
	expect_found(&o, "POST", "/v1/projects", 1);
	done(&o);
}

static void params_are_copied_in_order(void **state)
{
	outcome o;

	(void)state;
	expect_found(&o, "GET", "/v1/projects/ALPHA/stories/ALPHA-7", 5);
	assert_int_equal(o.req.n_params, 2);
	assert_string_equal(o.req.params[0], "ALPHA");
	assert_string_equal(o.req.params[1], "ALPHA-7");
	assert_string_equal(o.req.route, "/v1/projects/{project}/stories/{story}");
	done(&o);

	expect_found(&o, "PUT", "/v1/a/1/c/22/e/333/g/4444", 6);
	assert_int_equal(o.req.n_params, PP_HTTP_MAX_PARAMS);
	assert_string_equal(o.req.params[0], "1");
	assert_string_equal(o.req.params[3], "4444");
	done(&o);
}

static void first_match_wins(void **state)
{
	outcome o;

	(void)state;
	/* "/v1/projects/mine" also fits "{project}", which comes first. */
	expect_found(&o, "GET", "/v1/projects/mine", 2);
	assert_string_equal(o.req.params[0], "mine");
	done(&o);
}

static void unknown_paths_are_404(void **state)
{
	static const char *const paths[] = {
		"/",
		"",
		"/v1",
		"/v1/projects/",
		"/v1/projects//",
		"/v1//projects",
		"/v1/projectsX",
		"/v1/projects/A/stories",
		"/v1/projects/A/stories/",
		"v1/projects",
		"/v1/projects/A/stories/B/x",
	};
	size_t i;
	outcome o;

	(void)state;
	for (i = 0; i < UNIT_NELEM(paths); i++) {
		run(&o, "GET", paths[i]);
		unit_int_equal(paths[i], o.r, PP_ROUTE_NOT_FOUND);
		if (o.found != NULL)
			fail_msg("GET %s: a route found", paths[i]);
		unit_str_equal(paths[i], o.allow, "");
		unit_str_equal(paths[i], o.req.route, NULL);
		done(&o);
	}
	/* A "{name}" segment is never empty. */
	run(&o, "DELETE", "/v1/projects/");
	assert_int_equal(o.r, PP_ROUTE_NOT_FOUND);
	done(&o);
}

static void other_methods_are_405_with_allow(void **state)
{
	static const struct {
		const char *method, *path, *allow;
	} cases[] = {
		{"PUT", "/v1/projects/ALPHA", "GET, HEAD, PATCH, DELETE"},
		{"DELETE", "/v1/projects", "GET, HEAD, POST"},
		{"GET", "/v1/reports/burnup", "POST"}, /* no GET route: no HEAD either */
	};
	size_t i;
	outcome o;

	(void)state;
	for (i = 0; i < UNIT_NELEM(cases); i++) {
		run(&o, cases[i].method, cases[i].path);
		unit_int_equal(cases[i].path, o.r, PP_ROUTE_BAD_METHOD);
		if (o.found != NULL)
			fail_msg("%s %s: a route found", cases[i].method, cases[i].path);
		unit_str_equal(cases[i].path, o.allow, cases[i].allow);
		done(&o);
	}
}

static void allow_is_truncated_not_overrun(void **state)
{
	pp_http_req req;
	const pp_route *found;
	char allow[8];

	(void)state;
	memset(&req, 0, sizeof(req));
	memset(allow, 'x', sizeof(allow));
	req.method = "PUT";
	req.path = "/v1/projects/ALPHA";
	assert_int_equal(pp_router_match(routes, N_ROUTES, &req, &found, allow, sizeof(allow)),
			 PP_ROUTE_BAD_METHOD);
	assert_non_null(memchr(allow, '\0', sizeof(allow)));
	assert_int_equal(strncmp(allow, "GET, H", 6), 0);
}

static void head_is_get(void **state)
{
	outcome o;

	(void)state;
	expect_found(&o, "HEAD", "/v1/projects/BETA", 2);
	assert_string_equal(o.req.params[0], "BETA");
	done(&o);
	/* Methods are case-sensitive (RFC 9110, 9.1). */
	run(&o, "get", "/v1/projects");
	assert_int_equal(o.r, PP_ROUTE_BAD_METHOD);
	done(&o);
}

static void a_second_match_replaces_the_params(void **state)
{
	outcome o;

	(void)state;
	run(&o, "GET", "/v1/projects/ONE");
	assert_int_equal(o.r, PP_ROUTE_FOUND);
	/* The same request matched again (as the server may): the old buffer is freed. */
	o.req.path = "/v1/projects/TWO/stories/TWO-1";
	o.r = pp_router_match(routes, N_ROUTES, &o.req, &o.found, o.allow, sizeof(o.allow));
	assert_int_equal(o.r, PP_ROUTE_FOUND);
	assert_int_equal(o.req.n_params, 2);
	assert_string_equal(o.req.params[0], "TWO");
	done(&o);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(literal_routes_match_by_method),
	cmocka_unit_test(params_are_copied_in_order),
	cmocka_unit_test(first_match_wins),
	cmocka_unit_test(unknown_paths_are_404),
	cmocka_unit_test(other_methods_are_405_with_allow),
	cmocka_unit_test(allow_is_truncated_not_overrun),
	cmocka_unit_test(head_is_get),
	cmocka_unit_test(a_second_match_replaces_the_params),
};

UNIT_MAIN("router", tests)
