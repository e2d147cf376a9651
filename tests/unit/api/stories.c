/*
 * tests/unit/api/stories.c: src/api/stories.c before the database: what a
 * new story needs (a title), what its fields may hold (priorities, ranks,
 * estimates, labels), and what a change may not touch (the key, the
 * backlog and rank: those are moves).
 */
#include "route_cases.h"

#include "api/sql.h"
#include "api/stories_int.h"

static void created(void **state)
{
	static const route_case cases[] = {
		{"PLAN", NULL, "{\"title\": \"Log in\"}", NULL, 0},
		{"PLAN", NULL,
		 "{\"key\": null, \"title\": \"t\", \"priority\": \"critical\","
		 " \"priority_rank\": 1000000, \"estimate_points\": 2.5,"
		 " \"labels\": [\"ui\", \"auth\"], \"owner\": null, \"backlog\": 3,"
		 " \"rank\": 1.5, \"checklist_total\": 4, \"checklist_done\": 0,"
		 " \"metadata\": {\"a\": 1}}",
		 NULL, 0},
		{"PLAN", NULL, "{\"key\": \"PLAN-7\", \"title\": \"t\"}", NULL, 0},
		{"PLAN", NULL, "{\"status\": \"todo\"}", T_FIELD("title"), 422},
		{"PLAN", NULL, "{\"title\": null}", T_FIELD("title"), 422},
		{"PLAN", NULL, "{\"title\": \"t\", \"priority\": \"urgent\"}", T_FIELD("priority"),
		 422},
		{"PLAN", NULL, "{\"title\": \"t\", \"priority_rank\": 0}", T_FIELD("priority_rank"),
		 422},
		{"PLAN", NULL, "{\"title\": \"t\", \"backlog\": 0}", T_FIELD("backlog"), 422},
		{"PLAN", NULL, "{\"title\": \"t\", \"labels\": [\"a\", 1]}", T_FIELD("labels"),
		 422},
		{"PLAN", NULL, "{\"title\": \"t\", \"estimate_points\": \"3\"}",
		 T_FIELD("estimate_points"), 422},
		/* numeric(8, 2): the bound named here, not PostgreSQL's overflow. */
		{"PLAN", NULL, "{\"title\": \"t\", \"estimate_points\": 1e308}",
		 T_FIELD("estimate_points"), 422},
		{"PLAN", NULL, "{\"title\": \"t\", \"estimate_points\": 1000000}",
		 T_FIELD("estimate_points"), 422},
		{"PLAN", NULL, "{\"title\": \"t\", \"estimate_points\": -0.5}",
		 T_FIELD("estimate_points"), 422},
		{"PLAN", NULL, "{\"title\": \"t\", \"estimate_points\": 999999.99}", NULL, 0},
		{"PLAN", NULL, "{\"title\": \"t\", \"checklist_done\": -1}",
		 T_FIELD("checklist_done"), 422},
		{"PLAN", NULL, "{\"title\": \"t\", \"archived\": true}", T_FIELD("archived"), 400},
		{"PLAN", NULL, "{\"title\": \"t\", \"colour\": \"red\"}", T_FIELD("colour"), 400},
	};

	(void)state;
	expect_checks(&stories_create, cases);
	/* One statement: the function guards (developer); a keyed create runs its twin. */
	assert_null(stories_create.min_role);
	assert_true(stories_create.flags & PP_ROUTE_CALL);
	assert_non_null(strstr(pp_api_sql("stories.sql", "story_create_in_tx"),
			       "planpipe_api_story_create(NULL,"));
}

static void patched(void **state)
{
	static const route_case cases[] = {
		{"PLAN", "PLAN-1", "{}", NULL, 0},
		{"PLAN", "PLAN-1", "{\"priority_rank\": null, \"archived\": false}", NULL, 0},
		/* The title may be left out of a change, but not emptied to null. */
		{"PLAN", "PLAN-1", "{\"title\": null}", T_FIELD("title"), 422},
		{"PLAN", "PLAN-1", "{\"key\": \"PLAN-2\"}", T_FIELD("key"), 400},
		{"PLAN", "PLAN-1", "{\"backlog\": 3}", T_FIELD("backlog"), 400},
		{"PLAN", "PLAN-1", "{\"rank\": 2}", T_FIELD("rank"), 400},
	};

	(void)state;
	expect_checks(&stories_patch, cases);
	assert_true(stories_patch.flags & PP_ROUTE_IF_MATCH);
	assert_true(stories_archive.flags & PP_ROUTE_IF_MATCH);
	/* One statement each, the function guarding; keyed, their twins. */
	assert_true(stories_patch.flags & PP_ROUTE_CALL);
	assert_true(stories_archive.flags & PP_ROUTE_CALL);
	assert_null(stories_patch.min_role);
	assert_null(stories_archive.min_role);
	assert_non_null(strstr(pp_api_sql("stories.sql", "story_patch_in_tx"),
			       "planpipe_api_story_patch(NULL,"));
	assert_non_null(strstr(pp_api_sql("stories.sql", "story_archive_in_tx"),
			       "planpipe_api_story_archive(NULL,"));
	assert_int_equal(stories_archive.status, 204);
}

static void read(void **state)
{
	(void)state;
	assert_int_equal(t_api_check(&stories_get, "PLAN", "PLAN-1", NULL, NULL), 0);
	assert_true(stories_get.flags & PP_ROUTE_CALL);
}

static const struct CMUnitTest tests[] = {cmocka_unit_test(created), cmocka_unit_test(patched),
					  cmocka_unit_test(read)};

UNIT_MAIN("stories", tests)
