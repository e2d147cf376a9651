/*
 * tests/unit/api/dependencies.c: src/api/dependencies.c before the
 * database: the graph's direction, and the fields of a story's and a
 * project's new dependency (what is required, the kinds, unknown fields).
 */
#include "route_cases.h"

#include "api/dependencies_int.h"

static void directions(void **state)
{
	(void)state;
	assert_string_equal(dependencies_direction(NULL), "down");
	assert_string_equal(dependencies_direction("down"), "down");
	assert_string_equal(dependencies_direction("up"), "up");
	assert_null(dependencies_direction(""));
	assert_null(dependencies_direction("UP"));
	assert_null(dependencies_direction("sideways"));
	assert_null(dependencies_direction("up "));
}

static void story_add(void **state)
{
	static const route_case cases[] = {
		{"PLAN", "PLAN-1", "{\"story\": \"PLAN-2\"}", NULL, 0},
		{"PLAN", "PLAN-1",
		 "{\"project\": \"OPS\", \"story\": \"OPS-9\", \"kind\": \"relates\"}", NULL, 0},
		{"PLAN", "PLAN-1", "{\"project\": \"OPS\"}", T_FIELD("story"), 422},
		{"PLAN", "PLAN-1", "{\"story\": \"PLAN-2\", \"kind\": \"duplicates\"}",
		 T_FIELD("kind"), 422},
		{"PLAN", "PLAN-1", "{\"story\": 2}", T_FIELD("story"), 422},
		/* A story's edge has no note; a project's has. */
		{"PLAN", "PLAN-1", "{\"story\": \"PLAN-2\", \"note\": \"n\"}", T_FIELD("note"),
		 400},
	};
	const pp_api_route_sql *d = &dependencies_story_add;

	(void)state;
	expect_checks(d, cases);
	assert_string_equal(d->min_role, "developer");
	assert_int_equal(d->status, 201);
}

static void project_add(void **state)
{
	static const route_case cases[] = {
		{"PLAN", NULL, "{\"project\": \"OPS\", \"note\": null}", NULL, 0},
		{"PLAN", NULL, "{\"kind\": \"blocks\"}", T_FIELD("project"), 422},
		{"PLAN", NULL, "{\"project\": null}", T_FIELD("project"), 422},
		{"PLAN", NULL, "{\"project\": \"OPS\", \"kind\": \"needs\"}", T_FIELD("kind"), 422},
		{"PLAN", NULL, "{\"project\": \"OPS\", \"story\": \"OPS-1\"}", T_FIELD("story"),
		 400},
	};
	const pp_api_route_sql *d = &dependencies_project_add;

	(void)state;
	expect_checks(d, cases);
	/* Between projects it is the maintainers' call; between stories the developers'. */
	assert_string_equal(d->min_role, "maintainer");
	assert_string_equal(dependencies_project_remove.min_role, "maintainer");
	assert_string_equal(dependencies_story_remove.min_role, "developer");
}

static void without_body(void **state)
{
	(void)state;
	assert_int_equal(t_api_check(&dependencies_story_list, "PLAN", "PLAN-1", NULL, NULL), 0);
	assert_int_equal(t_api_check(&dependencies_project_list, "PLAN", NULL, NULL, NULL), 0);
	assert_string_equal(dependencies_story_list.min_role, "viewer");
	assert_int_equal(dependencies_story_remove.status, 204);
}

static const struct CMUnitTest tests[] = {cmocka_unit_test(directions), cmocka_unit_test(story_add),
					  cmocka_unit_test(project_add),
					  cmocka_unit_test(without_body)};

UNIT_MAIN("dependencies", tests)
