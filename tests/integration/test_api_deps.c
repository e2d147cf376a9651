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

static const api_step steps[] = {
	{201, "POST", "/v1/projects", "{\"key\":\"APP\",\"name\":\"App\"}"},
	{201, "POST", "/v1/projects", "{\"key\":\"LIB\",\"name\":\"Lib\"}"},
	{201, "POST", "/v1/projects", "{\"key\":\"INFRA\",\"name\":\"Infra\"}"},
	{201, "PUT", "/v1/projects/APP/members/dev", "{\"role\":\"developer\"}"},
	{201, "PUT", "/v1/projects/LIB/members/dev", "{\"role\":\"developer\"}"},
	{201, "PUT", "/v1/projects/APP/members/outsider", "{\"role\":\"developer\"}"},
	/* APP-001..004, LIB-001..004, INFRA-001. */
	{201, "POST", "/v1/projects/APP/stories", "{\"title\":\"app\"}"},
	{201, "POST", "/v1/projects/LIB/stories", "{\"title\":\"lib\"}"},
	{201, "POST", "/v1/projects/APP/stories", "{\"title\":\"app\"}"},
	{201, "POST", "/v1/projects/LIB/stories", "{\"title\":\"lib\"}"},
	{201, "POST", "/v1/projects/APP/stories", "{\"title\":\"app\"}"},
	{201, "POST", "/v1/projects/LIB/stories", "{\"title\":\"lib\"}"},
	{201, "POST", "/v1/projects/APP/stories", "{\"title\":\"app\"}"},
	{201, "POST", "/v1/projects/LIB/stories", "{\"title\":\"lib\"}"},
	{201, "POST", "/v1/projects/INFRA/stories", "{\"title\":\"infra\"}"},
};
static const api_world fixture = {&W.srv, NULL, users, API_N(users), &W.admin, steps, API_N(steps)};

static void add_and_list(void **state)
{
	static const api_step edges[] = {
		{201, "POST", "/v1/projects/LIB/stories/LIB-001/dependencies",
		 "{\"story\":\"LIB-002\"}"},
		{201, "POST", "/v1/projects/LIB/stories/LIB-002/dependencies",
		 "{\"project\":\"APP\",\"story\":\"APP-002\"}"},
		{201, "POST", "/v1/projects/APP/stories/APP-001/dependencies",
		 "{\"story\":\"APP-003\",\"kind\":\"relates\"}"},
	};

	(void)state;
	/* APP-001 -> LIB-001 -> LIB-002 -> APP-002; APP-001 relates to APP-003. */
	api_ok_json(
		201,
		"{\"story\":\"APP:APP-001\",\"depends_on\":\"LIB:LIB-001\",\"kind\":\"blocks\"}",
		&W.srv, "POST", "/v1/projects/APP/stories/APP-001/dependencies", W.dev,
		"{\"project\":\"LIB\",\"story\":\"LIB-001\"}", NULL);
	api_steps(&W.srv, W.dev, edges);
	/* An edge into a project dev cannot see. */
	api_ok_free(201, &W.srv, "POST", "/v1/projects/LIB/stories/LIB-002/dependencies", W.admin,
		    "{\"project\":\"INFRA\",\"story\":\"INFRA-001\"}", NULL);

	api_ok_json(200,
		    "{\"depends_on\":[{},{\"ref\":\"LIB:LIB-001\",\"title\":\"lib\"}],"
		    "\"dependents\":[]}",
		    &W.srv, "GET", "/v1/projects/APP/stories/APP-001/dependencies", W.dev, NULL,
		    NULL);
	/* Visible edge, invisible end: LIB-002's edges to INFRA-001 and APP-002. */
	api_ok_json(200,
		    "{\"dependents\":[{}],\"depends_on\":[{\"ref\":\"(hidden)\",\"key\":null},{}]}",
		    &W.srv, "GET", "/v1/projects/LIB/stories/LIB-002/dependencies", W.dev, NULL,
		    NULL);

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

	(void)state;
	r = api_call(&W.srv, "POST", "/v1/projects/APP/stories/APP-002/dependencies", W.dev,
		     "{\"story\":\"APP-001\"}", NULL);
	api_problem(r, 409, "dependency-cycle");
	pp_t_assert_contains(api_str(&r, "detail"), "APP:APP-002 -> APP:APP-001 -> LIB:LIB-001 -> "
						    "LIB:LIB-002 -> APP:APP-002");
	api_json_is(&r, "{\"sqlstate\":\"PP001\",\"cycle\":[\"APP:APP-002\",\"APP:APP-001\","
			"\"LIB:LIB-001\",\"LIB:LIB-002\",\"APP:APP-002\"]}");
	api_res_free(&r);
	/* The relates kind may close a loop. */
	api_ok_free(201, &W.srv, "POST", "/v1/projects/APP/stories/APP-002/dependencies", W.dev,
		    "{\"story\":\"APP-001\",\"kind\":\"relates\"}", NULL);
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

	/* As many nodes as {}. */
	api_ok_json(200, "{\"nodes\":[{},{},{}]}", &W.srv, "GET",
		    "/v1/projects/APP/stories/APP-001/graph?depth=1", W.dev, NULL, NULL);
	api_ok_json(200, "{\"nodes\":[{}]}", &W.srv, "GET",
		    "/v1/projects/APP/stories/APP-001/graph?depth=0", W.dev, NULL, NULL);
	/* LIB-002 <- LIB-001 <- APP-001 <- APP-002 (relates) */
	api_ok_json(200, "{\"nodes\":[{},{},{},{}]}", &W.srv, "GET",
		    "/v1/projects/LIB/stories/LIB-002/graph?direction=up", W.dev, NULL, NULL);
	/* An admin sees the infra node too. */
	api_ok_json(200, "{\"nodes\":[{},{},{},{},{},{}]}", &W.srv, "GET",
		    "/v1/projects/APP/stories/APP-001/graph", W.admin, NULL, NULL);

	api_refused(422, "validation", &W.srv, "GET",
		    "/v1/projects/APP/stories/APP-001/graph?direction=sideways", W.dev, NULL, NULL);
	api_refused(422, "validation", &W.srv, "GET",
		    "/v1/projects/APP/stories/APP-001/graph?depth=51", W.dev, NULL, NULL);
	api_refused(404, "not-found", &W.srv, "GET", "/v1/projects/APP/stories/NOPE-1/graph", W.dev,
		    NULL, NULL);
}

static void remove_edges(void **state)
{
	(void)state;
	api_ok_free(204, &W.srv, "DELETE",
		    "/v1/projects/APP/stories/APP-001/dependencies/APP/APP-003", W.dev, NULL, NULL);
	api_refused(404, "not-found", &W.srv, "DELETE",
		    "/v1/projects/APP/stories/APP-001/dependencies/APP/APP-003", W.dev, NULL, NULL);
	api_ok_json(200, "{\"depends_on\":[{}]}", &W.srv, "GET",
		    "/v1/projects/APP/stories/APP-001/dependencies", W.dev, NULL, NULL);
}

static void project_dependencies(void **state)
{
	(void)state;
	api_ok_member(201, "depends_on", "LIB", &W.srv, "POST", "/v1/projects/APP/dependencies",
		      W.admin, "{\"project\":\"LIB\",\"note\":\"uses the library\"}", NULL);
	api_ok_free(201, &W.srv, "POST", "/v1/projects/LIB/dependencies", W.admin,
		    "{\"project\":\"INFRA\"}", NULL);
	api_refused_detail(409, "dependency-cycle", "INFRA -> APP -> LIB -> INFRA", &W.srv, "POST",
			   "/v1/projects/INFRA/dependencies", W.admin, "{\"project\":\"APP\"}",
			   NULL);
	api_refused(422, "validation", &W.srv, "POST", "/v1/projects/APP/dependencies", W.admin,
		    "{\"project\":\"APP\"}", NULL);
	api_refused_field(422, "validation", "project", &W.srv, "POST",
			  "/v1/projects/APP/dependencies", W.admin, "{\"project\":\"NONE\"}", NULL);

	/* LIB depends on INFRA, hidden from dev; APP depends on LIB. */
	api_ok_json(200,
		    "{\"depends_on\":[{\"project\":\"(hidden)\"}],"
		    "\"dependents\":[{\"note\":\"uses the library\"}]}",
		    &W.srv, "GET", "/v1/projects/LIB/dependencies", W.dev, NULL, NULL);

	api_ok_free(204, &W.srv, "DELETE", "/v1/projects/LIB/dependencies/INFRA", W.admin, NULL,
		    NULL);
	api_refused(404, "not-found", &W.srv, "DELETE", "/v1/projects/LIB/dependencies/INFRA",
		    W.admin, NULL, NULL);
}

static void history(void **state)
{
	static const api_step moves[] = {
		{200, "POST", "/v1/projects/LIB/stories/LIB-004/transitions",
		 "{\"to\":\"ready\",\"note\":\"refined\"}"},
		{200, "POST", "/v1/projects/LIB/stories/LIB-004/transitions",
		 "{\"to\":\"in_progress\"}"},
	};
	api_res r;
	char path[256], since[64];
	json_t *items;

	(void)state;
	api_steps(&W.srv, W.dev, moves);
	r = api_ok(200, &W.srv, "GET", "/v1/projects/LIB/stories/LIB-004/history", W.dev, NULL,
		   NULL);
	api_json_is(&r, "[{\"from\":null},{\"to\":\"ready\",\"note\":\"refined\"},{}]");
	snprintf(since, sizeof(since), "%s",
		 json_string_value(json_object_get(json_array_get(r.json, 1), "changed_at")));
	api_res_free(&r);

	/* The project's changes, in pages of 2: 4 creations and 2 transitions. */
	items = api_all_pages(&W.srv, W.dev, "/v1/projects/LIB/history?limit=2", NULL);
	assert_int_equal(json_array_size(items), 6);
	json_decref(items);

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
	api_ok_json(200, "{\"items\":[{\"story\":\"LIB:LIB-004\"},{}]}", &W.srv, "GET", path, W.dev,
		    NULL, NULL);
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

	return api_world_run(tests, &fixture);
}
