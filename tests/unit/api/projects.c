/*
 * tests/unit/api/projects.c: src/api/projects.c before the database: what a
 * new project needs (key and name), what a change may hold, and who may
 * make it (archiving or restoring is the owner's, like DELETE).
 */
#include "route_cases.h"

#include "api/projects_int.h"

static void create(void **state)
{
	static const route_case cases[] = {
		{NULL, NULL, "{\"key\": \"PLAN\", \"name\": \"Planning\"}", NULL, 0},
		{NULL, NULL,
		 "{\"key\": \"PLAN\", \"name\": \"P\", \"git_remote_url\": null,"
		 " \"git_last_synced_at\": \"2025-01-31T00:00:00Z\","
		 " \"metadata\": {}}",
		 NULL, 0},
		{NULL, NULL, "{\"name\": \"P\"}", T_FIELD("key"), 422},
		{NULL, NULL, "{\"key\": \"PLAN\"}", T_FIELD("name"), 422},
		{NULL, NULL,
		 "{\"key\": \"PLAN\", \"name\": \"P\", \"git_last_synced_at\": "
		 "\"2025-01-31\"}",
		 T_FIELD("git_last_synced_at"), 422},
		{NULL, NULL, "{\"key\": \"PLAN\", \"name\": \"P\", \"metadata\": []}",
		 T_FIELD("metadata"), 422},
		/* A new project is not archived. */
		{NULL, NULL, "{\"key\": \"PLAN\", \"name\": \"P\", \"archived\": true}",
		 T_FIELD("archived"), 400},
	};

	(void)state;
	expect_checks(&projects_create, cases);
	/* Anyone may create one, and becomes its owner: no role to check first. */
	assert_null(projects_create.min_role);
	assert_int_equal(projects_create.status, 201);
}

static void patch(void **state)
{
	static const route_case cases[] = {
		{"PLAN", NULL, "{\"name\": \"New\"}", NULL, 0},
		{"PLAN", NULL, "{\"archived\": true}", NULL, 0},
		/* The key names the project; a change may not empty the name. */
		{"PLAN", NULL, "{\"key\": \"P2\"}", T_FIELD("key"), 400},
		{"PLAN", NULL, "{\"name\": null}", T_FIELD("name"), 422},
		{"PLAN", NULL, "{\"archived\": \"yes\"}", T_FIELD("archived"), 422},
	};

	(void)state;
	expect_checks(&projects_patch, cases);
	assert_true(projects_patch.flags & PP_ROUTE_IF_MATCH);
	assert_string_equal(t_api_str_of(projects_patch_role, "{\"name\": \"New\"}"), "maintainer");
	assert_string_equal(t_api_str_of(projects_patch_role, "{}"), "maintainer");
	assert_string_equal(t_api_str_of(projects_patch_role, "{\"archived\": true}"), "owner");
	assert_string_equal(
		t_api_str_of(projects_patch_role, "{\"archived\": false, \"name\": \"N\"}"),
		"owner");
	assert_string_equal(t_api_str_of(projects_patch_role, "{\"archived\": null}"), "owner");
}

static void get_and_archive(void **state)
{
	(void)state;
	assert_int_equal(t_api_check(&projects_get, "PLAN", NULL, NULL, NULL), 0);
	assert_true(projects_get.flags & PP_ROUTE_CALL);
	assert_string_equal(projects_archive.min_role, "owner");
	assert_true(projects_archive.flags & PP_ROUTE_IF_MATCH);
	assert_int_equal(projects_archive.status, 204);
}

static const struct CMUnitTest tests[] = {cmocka_unit_test(create), cmocka_unit_test(patch),
					  cmocka_unit_test(get_and_archive)};

UNIT_MAIN("projects", tests)
