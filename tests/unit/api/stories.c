/*
 * tests/unit/api/stories.c: src/api/stories.c before the database: what a
 * new story needs (a title), what its fields may hold (priorities, ranks,
 * estimates, labels), and what a change may not touch (the key, the
 * backlog and rank: those are moves).
 */
#include "api_check.h"
#include "unit.h"

#include "api/sql.h"
#include "api/stories_int.h"

static int create(const char *body, const char *want)
{
	return t_api_check(&stories_create, "PLAN", NULL, body, want);
}

static int patch(const char *body, const char *want)
{
	return t_api_check(&stories_patch, "PLAN", "PLAN-1", body, want);
}

static void created(void **state)
{
	(void)state;
	assert_int_equal(create("{\"title\": \"Log in\"}", NULL), 0);
	assert_int_equal(create("{\"key\": null, \"title\": \"t\", \"priority\": \"critical\","
				" \"priority_rank\": 1000000, \"estimate_points\": 2.5,"
				" \"labels\": [\"ui\", \"auth\"], \"owner\": null, \"backlog\": 3,"
				" \"rank\": 1.5, \"checklist_total\": 4, \"checklist_done\": 0,"
				" \"metadata\": {\"a\": 1}}",
				NULL),
			 0);
	assert_int_equal(create("{\"key\": \"PLAN-7\", \"title\": \"t\"}", NULL), 0);
	assert_int_equal(create("{\"status\": \"todo\"}", T_FIELD("title")), 422);
	assert_int_equal(create("{\"title\": null}", T_FIELD("title")), 422);
	assert_int_equal(
		create("{\"title\": \"t\", \"priority\": \"urgent\"}", T_FIELD("priority")), 422);
	assert_int_equal(
		create("{\"title\": \"t\", \"priority_rank\": 0}", T_FIELD("priority_rank")), 422);
	assert_int_equal(create("{\"title\": \"t\", \"backlog\": 0}", T_FIELD("backlog")), 422);
	assert_int_equal(create("{\"title\": \"t\", \"labels\": [\"a\", 1]}", T_FIELD("labels")),
			 422);
	assert_int_equal(create("{\"title\": \"t\", \"estimate_points\": \"3\"}",
				T_FIELD("estimate_points")),
			 422);
	assert_int_equal(
		create("{\"title\": \"t\", \"checklist_done\": -1}", T_FIELD("checklist_done")),
		422);
	assert_int_equal(create("{\"title\": \"t\", \"archived\": true}", T_FIELD("archived")),
			 400);
	assert_int_equal(create("{\"title\": \"t\", \"colour\": \"red\"}", T_FIELD("colour")), 400);
	/* One statement: the function guards (developer); a keyed create runs its twin. */
	assert_null(stories_create.min_role);
	assert_true(stories_create.flags & PP_ROUTE_CALL);
	assert_non_null(strstr(pp_api_sql("stories.sql", "story_create_in_tx"),
			       "planpipe_api_story_create(NULL,"));
}

static void patched(void **state)
{
	(void)state;
	assert_int_equal(patch("{}", NULL), 0);
	assert_int_equal(patch("{\"priority_rank\": null, \"archived\": false}", NULL), 0);
	/* The title may be left out of a change, but not emptied to null. */
	assert_int_equal(patch("{\"title\": null}", T_FIELD("title")), 422);
	assert_int_equal(patch("{\"key\": \"PLAN-2\"}", T_FIELD("key")), 400);
	assert_int_equal(patch("{\"backlog\": 3}", T_FIELD("backlog")), 400);
	assert_int_equal(patch("{\"rank\": 2}", T_FIELD("rank")), 400);
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
