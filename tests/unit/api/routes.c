/*
 * tests/unit/api/routes.c: src/api/routes.c's route table (well formed,
 * each method and pattern once, each in the OpenAPI document, requests
 * matched to the handler meant for them) and how a route's descriptor
 * becomes its statement's parameters and checks.
 */
#include "api_check.h"
#include "unit.h"

#include "api/api.h"
#include "api/routes_int.h"
#include "http/router.h"
#include "web/assets.h"

static void table(void **state)
{
	static const char *const methods[] = {"GET", "POST", "PUT", "PATCH", "DELETE"};
	size_t n, i, j, m;
	const pp_route *r = pp_api_routes(&n);

	(void)state;
	assert_true(n > 30);
	for (i = 0; i < n; i++) {
		const char *p;
		int params = 0, known = 0;

		for (m = 0; m < UNIT_NELEM(methods); m++)
			known |= strcmp(r[i].method, methods[m]) == 0;
		if (!known || r[i].pattern[0] != '/' || r[i].handler == NULL ||
		    r[i].summary == NULL || r[i].summary[0] == '\0')
			fail_msg("route %zu: %s %s", i, r[i].method, r[i].pattern);
		for (p = r[i].pattern; (p = strchr(p, '{')) != NULL; p++)
			params++;
		unit_true(r[i].pattern, params <= PP_HTTP_MAX_PARAMS);
		for (j = 0; j < i; j++)
			if (strcmp(r[i].method, r[j].method) == 0 &&
			    strcmp(r[i].pattern, r[j].pattern) == 0)
				fail_msg("%s %s twice", r[i].method, r[i].pattern);
	}
}

/* Every route of /v1 is in docs/openapi.json under its method, and the other way round. */
static void openapi_agrees(void **state)
{
	size_t n, i, len, documented = 0, v1 = 0;
	const pp_route *r = pp_api_routes(&n);
	const char *doc = pp_api_openapi(&len), *path;
	json_t *paths, *ops, *j = json_loadb(doc, len, 0, NULL);
	char method[8];

	(void)state;
	assert_non_null(j);
	paths = json_object_get(j, "paths");
	for (i = 0; i < n; i++) {
		size_t k;

		if (strncmp(r[i].pattern, "/v1/", 4) != 0)
			continue;
		v1++;
		for (k = 0; r[i].method[k] && k < sizeof(method) - 1; k++)
			method[k] = (char)(r[i].method[k] - 'A' + 'a');
		method[k] = '\0';
		if (json_object_get(json_object_get(paths, r[i].pattern), method) == NULL)
			fail_msg("%s %s is not in docs/openapi.json", r[i].method, r[i].pattern);
	}
	json_object_foreach(paths, path, ops)
	{
		if (strncmp(path, "/v1/", 4) == 0)
			documented += json_object_size(ops) -
				      (json_object_get(ops, "parameters") != NULL ? 1 : 0);
	}
	assert_int_equal(documented, v1);
	json_decref(j);
}

/* The handler that method and path reach; NULL when none (allow then says which methods). */
static pp_http_handler reached(const char *method, const char *path, char allow[64])
{
	size_t n;
	const pp_route *r = pp_api_routes(&n), *found = NULL;
	pp_http_req req;
	pp_route_result rc;

	memset(&req, 0, sizeof(req));
	req.method = method;
	req.path = path;
	rc = pp_router_match(r, n, &req, &found, allow, 64);
	free(req.param_buf);
	return rc == PP_ROUTE_FOUND ? found->handler : NULL;
}

static void matched(void **state)
{
	char allow[64];

	(void)state;
	assert_ptr_equal(reached("GET", "/v1/projects", allow), pp_api_projects_list);
	assert_ptr_equal(reached("HEAD", "/v1/projects/PLAN", allow), pp_api_project_get);
	assert_ptr_equal(reached("PATCH", "/v1/projects/PLAN/backlogs/7", allow),
			 pp_api_backlog_patch);
	assert_ptr_equal(reached("GET", "/v1/projects/PLAN/stories/PLAN-1/graph", allow),
			 pp_api_story_graph);
	assert_ptr_equal(
		reached("DELETE", "/v1/projects/PLAN/stories/PLAN-1/dependencies/OPS/OPS-2", allow),
		pp_api_story_dep_remove);
	assert_ptr_equal(reached("DELETE", "/v1/projects/PLAN/dependencies/OPS", allow),
			 pp_api_project_dep_remove);
	assert_ptr_equal(reached("PUT", "/v1/projects/PLAN/members/ada", allow), pp_api_member_put);
	assert_ptr_equal(reached("GET", "/v1/reports/burndown", allow), pp_api_report);
	assert_ptr_equal(reached("GET", "/ui/vendor/chart.js", allow), pp_web_ui_vendor);
	assert_null(reached("PUT", "/v1/projects", allow));
	assert_string_equal(allow, "GET, HEAD, POST");
	assert_null(reached("GET", "/v1/projects/PLAN/nothing", allow));
}

static void arguments(void **state)
{
	static const pp_api_route_sql d = {
		.args = {PP_ARG_P1, PP_ARG_BODY, PP_ARG_VERSION, PP_ARG_P0, PP_ARG_P3}};
	static const pp_api_route_sql two = {.args = {PP_ARG_VERSION, PP_ARG_P0}};
	static const pp_api_route_sql none = {.name = "me"};
	const char *args[ROUTES_MAX_ARGS];
	pp_http_req req;

	(void)state;
	t_api_req(&req, "PLAN", "PLAN-1", "{\"a\": 1}");
	req.params[3] = "OPS-2";
	assert_int_equal(routes_args(&d, &req, "7", args), 5);
	assert_string_equal(args[0], "PLAN-1");
	assert_string_equal(args[1], "{\"a\": 1}");
	assert_string_equal(args[2], "7");
	assert_string_equal(args[3], "PLAN");
	assert_string_equal(args[4], "OPS-2");
	assert_int_equal(routes_args(&two, &req, NULL, args), 2);
	assert_null(args[0]); /* no If-Match: NULL, for the statement's "any version" */
	assert_string_equal(args[1], "PLAN");
	assert_null(args[2]);
	assert_null(args[4]);
	assert_int_equal(routes_args(&none, &req, "7", args), 0);
	assert_null(args[0]);
}

static int path_refused(pp_http_req *req, pp_http_resp *resp)
{
	pp_api_bad(req, resp, 404, NULL, "no such thing");
	return 0;
}

static void checks(void **state)
{
	static const pp_field fields[] = {PP_FIELD("name", PP_F_STRING, PP_F_REQUIRED)};
	static const pp_api_route_sql guarded = {.path_ok = path_refused,
						 .fields = PP_API_FIELDS(fields)};
	static const pp_api_route_sql bodied = {.fields = PP_API_FIELDS(fields)};
	static const pp_api_route_sql bare = {.name = "x"};

	(void)state;
	/* The path is checked before the body. */
	assert_int_equal(t_api_check(&guarded, "P", NULL, "{\"name\": 1}", "no such thing"), 404);
	assert_int_equal(t_api_check(&bodied, "P", NULL, "{\"name\": 1}", T_FIELD("name")), 422);
	assert_int_equal(t_api_check(&bodied, "P", NULL, "{\"name\": \"n\"}", NULL), 0);
	/* Without fields the body is not read at all. */
	assert_int_equal(t_api_check(&bare, "P", NULL, "not json", NULL), 0);
}

static const struct CMUnitTest tests[] = {cmocka_unit_test(table), cmocka_unit_test(openapi_agrees),
					  cmocka_unit_test(matched), cmocka_unit_test(arguments),
					  cmocka_unit_test(checks)};

UNIT_MAIN("routes", tests)
