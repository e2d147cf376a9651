/*
 * tests/unit/api/sql.c: the API's named statements (src/api/sql.c), read from the
 * src/api/sql/ files embedded at build time: each block from its
 * "-- name:" line to the next, without a trailing semicolon.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "unit.h"
#include "../sql_set.h"

#include "api/sql.h"
#include "db/migration.h"

extern const pp_embedded_file pp_embedded_api_sql[];
extern const size_t pp_embedded_api_sql_count;

static int ends_with(const char *s, const char *end)
{
	size_t a = strlen(s), b = strlen(end);

	return a >= b && strcmp(s + a - b, end) == 0;
}

static void each_route_statement(void **state)
{
	const char *get = pp_api_sql("stories.sql", "story_get");
	const char *project = pp_api_sql("projects.sql", "project_get");

	(void)state;
	assert_true(ends_with(get, "FROM planpipe_api_story_get($1::bytea, $2, $3)"));
	assert_true(ends_with(project, "FROM planpipe_api_project_get($1::bytea, $2)"));
	assert_true(ends_with(pp_api_sql("statuses.sql", "statuses_list"),
			      "FROM planpipe_api_statuses_list($1::bytea, $2)"));
	assert_null(strstr(get, "-- name:"));
	assert_null(strstr(get, "project_get"));
	/* The same text each time: built once. */
	assert_ptr_equal(get, pp_api_sql("stories.sql", "story_get"));
}

/* A statement gets its fragments' text, without their comment lines, in place of {{NAME}}. */
static void fragments_are_expanded(void **state)
{
	const char *list = pp_api_sql("members.sql", "members_list");
	const char *json = pp_api_sql_fragment("members.sql", "member_json");

	(void)state;
	assert_non_null(strstr(list, json));
	assert_null(strstr(list, "{{"));
	assert_null(strstr(json, "--"));
	assert_true(strncmp(json, "json_build_object(", 18) == 0);
	/* Projects and backlogs: the database's documents (migration 0036). */
	assert_non_null(strstr(pp_api_sql("projects.sql", "project_patch"),
			       "planpipe_project_json(p::projects, planpipe_project_role(p.id))"));
	assert_non_null(
		strstr(pp_api_sql("backlogs.sql", "backlogs_list"), "planpipe_backlog_json(b)"));
	/* A story's document is the database's (migration 0035), wherever it is answered. */
	assert_non_null(strstr(pp_api_sql("stories.sql", "stories_list"),
			       "planpipe_story_fields(s, p.key)"));
	assert_non_null(
		strstr(pp_api_sql("stories.sql", "story_move"), "planpipe_api_story_move("));
}

/* Every statement, one by one: the loader lost none and left no mark in a text. */
static void each_statement_is_whole(void **state)
{
	const char *file, *name, *sql;
	size_t i = 0;

	(void)state;
	expect_whole_statements(&pp_api_sql_set, pp_api_sql, 40);
	/* pp_api_sql_at is pp_sql_at on that set, to its end. */
	do {
		sql = pp_api_sql_at(i, &file, &name);
		if (sql != pp_sql_at(&pp_api_sql_set, i, &file, &name))
			fail_msg("statement %zu: pp_api_sql_at and pp_sql_at differ", i);
		i++;
	} while (sql != NULL);
	assert_true(ends_with(pp_api_sql("tx.sql", "begin"), "BEGIN"));
}

static void files_are_embedded(void **state)
{
	size_t i;
	int stories = 0, projects = 0;

	(void)state;
	for (i = 0; i < pp_embedded_api_sql_count; i++) {
		stories |= strcmp(pp_embedded_api_sql[i].name, "stories.sql") == 0;
		projects |= strcmp(pp_embedded_api_sql[i].name, "projects.sql") == 0;
		unit_int_equal(pp_embedded_api_sql[i].name, strlen(pp_embedded_api_sql[i].data),
			       pp_embedded_api_sql[i].len);
	}
	assert_true(stories && projects);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(each_route_statement),
	cmocka_unit_test(files_are_embedded),
	cmocka_unit_test(fragments_are_expanded),
	cmocka_unit_test(each_statement_is_whole),
};

UNIT_MAIN("sql", tests)
