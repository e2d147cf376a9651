/*
 * tests/unit/cli/sql.c: the command line's statements (src/cli/sql.c,
 * src/cli/sql/). `planpipe export` writes the API's documents: a row's
 * JSON is the database's function that the API's statements call too.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "unit.h"
#include "../sql_set.h"

#include "api/sql.h"
#include "cli/sql.h"

/*
 * The export writes a project, a backlog and a story with the functions the
 * API's statements call (migrations 0035 and 0036), as every project's owner.
 */
static void export_shows_rows_as_the_api_does(void **state)
{
	(void)state;
	assert_non_null(strstr(pp_sql(&pp_cli_sql_set, "export.sql", "projects"),
			       "planpipe_project_json(p, 'owner')"));
	assert_non_null(strstr(pp_api_sql("projects.sql", "projects_list"),
			       "planpipe_project_json(p, planpipe_project_role(p.id))"));
	assert_non_null(strstr(pp_sql(&pp_cli_sql_set, "export.sql", "backlogs"),
			       "planpipe_backlog_json(b)"));
	assert_non_null(
		strstr(pp_api_sql("backlogs.sql", "backlogs_list"), "planpipe_backlog_json(b)"));
	assert_non_null(strstr(pp_sql(&pp_cli_sql_set, "export.sql", "stories"),
			       "planpipe_story_fields(s, p.key)"));
	assert_non_null(strstr(pp_api_sql("stories.sql", "stories_list"),
			       "planpipe_story_fields(s, p.key)"));
}

static void statements_are_whole(void **state)
{
	(void)state;
	expect_whole_statements(&pp_cli_sql_set, pp_cli_sql, 10);
	assert_non_null(strstr(pp_cli_sql("export.sql", "backlogs"),
			       "b.project_id = (SELECT id FROM projects WHERE key = $1)"));
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(export_shows_rows_as_the_api_does),
	cmocka_unit_test(statements_are_whole),
};

UNIT_MAIN("sql", tests)
