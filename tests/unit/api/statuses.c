/*
 * tests/unit/api/statuses.c: src/api/statuses.c before the database: a new
 * status needs its key, its category is one of the four, positions are 0
 * to 1000000; a change is of the name and the position only.
 */
#include "route_cases.h"

#include "api/statuses_int.h"

static void add(void **state)
{
	static const route_case cases[] = {
		{"PLAN", NULL, "{\"key\": \"review\"}", NULL, 0},
		{"PLAN", NULL,
		 "{\"key\": \"qa\", \"category\": \"active\", \"name\": \"QA\","
		 " \"position\": 1000000}",
		 NULL, 0},
		{"PLAN", NULL, "{\"name\": \"QA\"}", T_FIELD("key"), 422},
		{"PLAN", NULL, "{\"key\": \"qa\", \"category\": \"doing\"}", T_FIELD("category"),
		 422},
		{"PLAN", NULL, "{\"key\": \"qa\", \"position\": 1000001}", T_FIELD("position"),
		 422},
		{"PLAN", NULL, "{\"key\": \"qa\", \"position\": -1}", T_FIELD("position"), 422},
	};

	(void)state;
	expect_checks(&statuses_add, cases);
	assert_string_equal(statuses_add.min_role, "maintainer");
	assert_int_equal(statuses_add.status, 201);
}

static void patch(void **state)
{
	static const route_case cases[] = {
		{"PLAN", "qa", "{\"name\": \"Quality\"}", NULL, 0},
		{"PLAN", "qa", "{\"position\": 0}", NULL, 0},
		/* A status keeps its key and its category. */
		{"PLAN", "qa", "{\"key\": \"q\"}", T_FIELD("key"), 400},
		{"PLAN", "qa", "{\"category\": \"done\"}", T_FIELD("category"), 400},
		{"PLAN", "qa", "{\"position\": 1.5}", T_FIELD("position"), 422},
	};

	(void)state;
	expect_checks(&statuses_patch, cases);
}

static void list(void **state)
{
	(void)state;
	/* One function call under the caller's row security: no guard of its own. */
	assert_int_equal(t_api_check(&statuses_list, "PLAN", NULL, NULL, NULL), 0);
	assert_true(statuses_list.flags & PP_ROUTE_CALL);
	assert_null(statuses_list.min_role);
}

static const struct CMUnitTest tests[] = {cmocka_unit_test(add), cmocka_unit_test(patch),
					  cmocka_unit_test(list)};

UNIT_MAIN("statuses", tests)
