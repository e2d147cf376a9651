/*
 * test_api_deps.c: story dependencies across projects (a cycle is a 409
 * that names it), the transitive graph up and down to a depth, project
 * dependencies, and status history of a story and of a project since a time.
 */
#include "test_api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct world {
	api_server srv;
	char *admin, *dev, *outsider;
} world;

static world W;
static const api_user users[] = {
	{"admin", 1, &W.admin},
	{"dev", 0, &W.dev},
	{"outsider", 0, &W.outsider},
};

static void call_ok(const char *token, const char *method, const char *path, const char *body)
{
	api_res r = api_call(&W.srv, method, path, token, body, NULL);

	if (r.status >= 300)
		fail_msg("%s %s: %ld %s", method, path, r.status, r.body);
	api_res_free(&r);
}

static int setup(void **state)
{
	static const api_step steps[] = {
		{201, "POST", "/v1/projects", "{\"key\":\"APP\",\"name\":\"App\"}"},
		{201, "POST", "/v1/projects", "{\"key\":\"LIB\",\"name\":\"Lib\"}"},
		{201, "POST", "/v1/projects", "{\"key\":\"INFRA\",\"name\":\"Infra\"}"},
		{201, "PUT", "/v1/projects/APP/members/dev", "{\"role\":\"developer\"}"},
		{201, "PUT", "/v1/projects/LIB/members/dev", "{\"role\":\"developer\"}"},
		{201, "PUT", "/v1/projects/APP/members/outsider", "{\"role\":\"developer\"}"},
	};
	int i;

	(void)state;
	api_world_start(&W.srv, NULL, users);
	api_steps(&W.srv, W.admin, steps);
	for (i = 0; i < 4; i++) {
		call_ok(W.admin, "POST", "/v1/projects/APP/stories", "{\"title\":\"app\"}");
		call_ok(W.admin, "POST", "/v1/projects/LIB/stories", "{\"title\":\"lib\"}");
	}
	call_ok(W.admin, "POST", "/v1/projects/INFRA/stories", "{\"title\":\"infra\"}");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	api_world_stop(&W.srv, users);
	return 0;
}

static void add_and_list(void **state)
{
	api_res r;
	json_t *dep;

	(void)state;
	/* APP-001 -> LIB-001 -> LIB-002 -> APP-002; APP-001 relates to APP-003. */
	r = api_ok(201, &W.srv, "POST", "/v1/projects/APP/stories/APP-001/dependencies", W.dev,
		   "{\"project\":\"LIB\",\"story\":\"LIB-001\"}", NULL);
	assert_string_equal(api_str(&r, "story"), "APP:APP-001");
	assert_string_equal(api_str(&r, "depends_on"), "LIB:LIB-001");
	assert_string_equal(api_str(&r, "kind"), "blocks");
	api_res_free(&r);
	call_ok(W.dev, "POST", "/v1/projects/LIB/stories/LIB-001/dependencies",
		"{\"story\":\"LIB-002\"}");
	call_ok(W.dev, "POST", "/v1/projects/LIB/stories/LIB-002/dependencies",
		"{\"project\":\"APP\",\"story\":\"APP-002\"}");
	call_ok(W.dev, "POST", "/v1/projects/APP/stories/APP-001/dependencies",
		"{\"story\":\"APP-003\",\"kind\":\"relates\"}");
	/* An edge into a project dev cannot see. */
	call_ok(W.admin, "POST", "/v1/projects/LIB/stories/LIB-002/dependencies",
		"{\"project\":\"INFRA\",\"story\":\"INFRA-001\"}");

	r = api_ok(200, &W.srv, "GET", "/v1/projects/APP/stories/APP-001/dependencies", W.dev, NULL,
		   NULL);
	assert_int_equal(json_array_size(json_object_get(r.json, "depends_on")), 2);
	dep = json_array_get(json_object_get(r.json, "depends_on"), 1);
	assert_string_equal(json_string_value(json_object_get(dep, "ref")), "LIB:LIB-001");
	assert_string_equal(json_string_value(json_object_get(dep, "title")), "lib");
	assert_int_equal(json_array_size(json_object_get(r.json, "dependents")), 0);
	api_res_free(&r);

	r = api_ok(200, &W.srv, "GET", "/v1/projects/LIB/stories/LIB-002/dependencies", W.dev, NULL,
		   NULL);
	assert_int_equal(json_array_size(json_object_get(r.json, "dependents")), 1);
	/* Visible edge, invisible end. */
	dep = json_array_get(json_object_get(r.json, "depends_on"), 0);
	assert_string_equal(json_string_value(json_object_get(dep, "ref")), "(hidden)");
	assert_true(json_is_null(json_object_get(dep, "key")));
	api_res_free(&r);

	api_refused(409, "already-exists", &W.srv, "POST",
		    "/v1/projects/APP/stories/APP-001/dependencies", W.dev,
		    "{\"project\":\"LIB\",\"story\":\"LIB-001\"}", NULL);
	api_refused_field(422, "validation", "story", &W.srv, "POST",
			  "/v1/projects/APP/stories/APP-001/dependencies", W.dev,
			  "{\"story\":\"APP-001\"}", NULL);
	api_refused(422, "validation", &W.srv, "POST",
		    "/v1/projects/APP/stories/APP-001/dependencies", W.dev,
		    "{\"project\":\"INFRA\",\"story\":\"INFRA-001\"}", NULL);
	api_refused(404, "not-found", &W.srv, "POST",
		    "/v1/projects/APP/stories/APP-999/dependencies", W.dev,
		    "{\"story\":\"APP-001\"}", NULL);
	/* outsider develops APP but cannot see LIB. */
	api_refused(422, "validation", &W.srv, "POST",
		    "/v1/projects/APP/stories/APP-004/dependencies", W.outsider,
		    "{\"project\":\"LIB\",\"story\":\"LIB-003\"}", NULL);
}

static void cycle_is_named(void **state)
{
	api_res r;
	json_t *cycle;

	(void)state;
	r = api_call(&W.srv, "POST", "/v1/projects/APP/stories/APP-002/dependencies", W.dev,
		     "{\"story\":\"APP-001\"}", NULL);
	api_problem(r, 409, "dependency-cycle");
	assert_string_equal(api_str(&r, "sqlstate"), "PP001");
	pp_t_assert_contains(api_str(&r, "detail"), "APP:APP-002 -> APP:APP-001 -> LIB:LIB-001 -> "
						    "LIB:LIB-002 -> APP:APP-002");
	cycle = json_object_get(r.json, "cycle");
	assert_int_equal(json_array_size(cycle), 5);
	assert_string_equal(json_string_value(json_array_get(cycle, 2)), "LIB:LIB-001");
	api_res_free(&r);
	/* The relates kind may close a loop. */
	call_ok(W.dev, "POST", "/v1/projects/APP/stories/APP-002/dependencies",
		"{\"story\":\"APP-001\",\"kind\":\"relates\"}");
}

static void graph(void **state)
{
	api_res r;
	json_t *nodes, *edges;

	(void)state;
	r = api_ok(200, &W.srv, "GET", "/v1/projects/APP/stories/APP-001/graph", W.dev, NULL, NULL);
	assert_string_equal(api_str(&r, "direction"), "down");
	nodes = json_object_get(r.json, "nodes");
	edges = json_object_get(r.json, "edges");
	/* APP-001; LIB-001, APP-003; LIB-002; APP-002 (INFRA-001 is hidden from dev). */
	assert_int_equal(json_array_size(nodes), 5);
	assert_string_equal(json_string_value(json_object_get(json_array_get(nodes, 0), "ref")),
			    "APP:APP-001");
	{
		size_t i;
		json_t *n;
		json_array_foreach(nodes, i, n)
		{
			if (strcmp(json_string_value(json_object_get(n, "ref")), "APP:APP-002") ==
			    0)
				assert_int_equal(json_integer_value(json_object_get(n, "depth")),
						 3);
			assert_string_not_equal(json_string_value(json_object_get(n, "ref")),
						"(hidden)");
		}
	}
	assert_true(json_array_size(edges) >= 5);
	api_res_free(&r);

	r = api_ok(200, &W.srv, "GET", "/v1/projects/APP/stories/APP-001/graph?depth=1", W.dev,
		   NULL, NULL);
	assert_int_equal(json_array_size(json_object_get(r.json, "nodes")), 3);
	api_res_free(&r);
	r = api_ok(200, &W.srv, "GET", "/v1/projects/APP/stories/APP-001/graph?depth=0", W.dev,
		   NULL, NULL);
	assert_int_equal(json_array_size(json_object_get(r.json, "nodes")), 1);
	api_res_free(&r);

	r = api_ok(200, &W.srv, "GET", "/v1/projects/LIB/stories/LIB-002/graph?direction=up", W.dev,
		   NULL, NULL);
	nodes = json_object_get(r.json, "nodes");
	/* LIB-002 <- LIB-001 <- APP-001 <- APP-002 (relates) */
	assert_int_equal(json_array_size(nodes), 4);
	api_res_free(&r);
	/* An admin sees the infra node too. */
	r = api_ok(200, &W.srv, "GET", "/v1/projects/APP/stories/APP-001/graph", W.admin, NULL,
		   NULL);
	assert_int_equal(json_array_size(json_object_get(r.json, "nodes")), 6);
	api_res_free(&r);

	api_refused(422, "validation", &W.srv, "GET",
		    "/v1/projects/APP/stories/APP-001/graph?direction=sideways", W.dev, NULL, NULL);
	api_refused(422, "validation", &W.srv, "GET",
		    "/v1/projects/APP/stories/APP-001/graph?depth=51", W.dev, NULL, NULL);
	api_refused(404, "not-found", &W.srv, "GET", "/v1/projects/APP/stories/NOPE-1/graph", W.dev,
		    NULL, NULL);
}

static void remove_edges(void **state)
{
	api_res r;

	(void)state;
	api_ok_free(204, &W.srv, "DELETE",
		    "/v1/projects/APP/stories/APP-001/dependencies/APP/APP-003", W.dev, NULL, NULL);
	api_refused(404, "not-found", &W.srv, "DELETE",
		    "/v1/projects/APP/stories/APP-001/dependencies/APP/APP-003", W.dev, NULL, NULL);
	r = api_ok(200, &W.srv, "GET", "/v1/projects/APP/stories/APP-001/dependencies", W.dev, NULL,
		   NULL);
	assert_int_equal(json_array_size(json_object_get(r.json, "depends_on")), 1);
	api_res_free(&r);
}

static void project_dependencies(void **state)
{
	api_res r;

	(void)state;
	api_ok_member(201, "depends_on", "LIB", &W.srv, "POST", "/v1/projects/APP/dependencies",
		      W.admin, "{\"project\":\"LIB\",\"note\":\"uses the library\"}", NULL);
	call_ok(W.admin, "POST", "/v1/projects/LIB/dependencies", "{\"project\":\"INFRA\"}");
	api_refused_detail(409, "dependency-cycle", "INFRA -> APP -> LIB -> INFRA", &W.srv, "POST",
			   "/v1/projects/INFRA/dependencies", W.admin, "{\"project\":\"APP\"}",
			   NULL);
	api_refused(422, "validation", &W.srv, "POST", "/v1/projects/APP/dependencies", W.admin,
		    "{\"project\":\"APP\"}", NULL);
	api_refused_field(422, "validation", "project", &W.srv, "POST",
			  "/v1/projects/APP/dependencies", W.admin, "{\"project\":\"NONE\"}", NULL);

	r = api_ok(200, &W.srv, "GET", "/v1/projects/LIB/dependencies", W.dev, NULL, NULL);
	assert_string_equal(
		json_string_value(json_object_get(
			json_array_get(json_object_get(r.json, "depends_on"), 0), "project")),
		"(hidden)");
	assert_string_equal(
		json_string_value(json_object_get(
			json_array_get(json_object_get(r.json, "dependents"), 0), "note")),
		"uses the library");
	api_res_free(&r);

	api_ok_free(204, &W.srv, "DELETE", "/v1/projects/LIB/dependencies/INFRA", W.admin, NULL,
		    NULL);
	api_refused(404, "not-found", &W.srv, "DELETE", "/v1/projects/LIB/dependencies/INFRA",
		    W.admin, NULL, NULL);
}

static void history(void **state)
{
	api_res r;
	char path[256], since[64];
	json_t *items;
	int seen = 0;

	(void)state;
	call_ok(W.dev, "POST", "/v1/projects/LIB/stories/LIB-004/transitions",
		"{\"to\":\"ready\",\"note\":\"refined\"}");
	call_ok(W.dev, "POST", "/v1/projects/LIB/stories/LIB-004/transitions",
		"{\"to\":\"in_progress\"}");

	r = api_ok(200, &W.srv, "GET", "/v1/projects/LIB/stories/LIB-004/history", W.dev, NULL,
		   NULL);
	assert_int_equal(json_array_size(r.json), 3);
	assert_true(json_is_null(json_object_get(json_array_get(r.json, 0), "from")));
	assert_string_equal(json_string_value(json_object_get(json_array_get(r.json, 1), "to")),
			    "ready");
	assert_string_equal(json_string_value(json_object_get(json_array_get(r.json, 1), "note")),
			    "refined");
	snprintf(since, sizeof(since), "%s",
		 json_string_value(json_object_get(json_array_get(r.json, 1), "changed_at")));
	api_res_free(&r);

	/* The project's changes, in pages of 2: 4 creations and 2 transitions. */
	snprintf(path, sizeof(path), "/v1/projects/LIB/history?limit=2");
	for (;;) {
		const char *next;
		r = api_ok(200, &W.srv, "GET", path, W.dev, NULL, NULL);
		seen += (int)json_array_size(json_object_get(r.json, "items"));
		next = api_str(&r, "next_cursor");
		if (next == NULL) {
			api_res_free(&r);
			break;
		}
		snprintf(path, sizeof(path), "/v1/projects/LIB/history?limit=2&cursor=%s", next);
		api_res_free(&r);
	}
	assert_int_equal(seen, 6);

	/* since: only the two transitions (the timestamp has +00:00: encode the plus). */
	{
		char enc[128];
		size_t i, o = 0;
		for (i = 0; since[i] && o + 4 < sizeof(enc); i++)
			o += (size_t)(since[i] == '+'
					      ? snprintf(enc + o, sizeof(enc) - o, "%%2B")
					      : snprintf(enc + o, sizeof(enc) - o, "%c", since[i]));
		snprintf(path, sizeof(path), "/v1/projects/LIB/history?since=%s", enc);
	}
	r = api_ok(200, &W.srv, "GET", path, W.dev, NULL, NULL);
	items = json_object_get(r.json, "items");
	assert_int_equal(json_array_size(items), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(items, 0), "story")),
			    "LIB:LIB-004");
	api_res_free(&r);
	api_refused(422, "validation", &W.srv, "GET", "/v1/projects/LIB/history?since=last%20week",
		    W.dev, NULL, NULL);
	api_refused(404, "not-found", &W.srv, "GET", "/v1/projects/LIB/stories/LIB-999/history",
		    W.dev, NULL, NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(add_and_list),
		cmocka_unit_test(cycle_is_named),
		cmocka_unit_test(graph),
		cmocka_unit_test(remove_edges),
		cmocka_unit_test(project_dependencies),
		cmocka_unit_test(history),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
