/*
 * tests/unit/cli/sql.c: the command line's statements (src/cli/sql.c,
 * src/cli/sql/). `planpipe export` writes the API's documents with
 * its own copy of the rows' JSON (export.sql's fragments): it must say what
 * the API says (src/api/sql/'s fragments of the same names).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "api/sql.h"
#include "cli/sql.h"

/* s with every run of blanks as one space and none after '(' or before ')'. */
static void squeeze(const char *s, char *out, size_t size)
{
	size_t n = 0;
	int blank = 0;

	for (; *s && n + 2 < size; s++) {
		if (*s == ' ' || *s == '\n' || *s == '\t') {
			blank = 1;
			continue;
		}
		if (blank && n > 0 && out[n - 1] != '(' && *s != ')')
			out[n++] = ' ';
		blank = 0;
		out[n++] = *s;
	}
	out[n] = '\0';
}

static void assert_same_sql(const char *a, const char *b)
{
	static char x[8192], y[8192];

	squeeze(a, x, sizeof(x));
	squeeze(b, y, sizeof(y));
	assert_string_equal(x, y);
}

static void export_shows_rows_as_the_api_does(void **state)
{
	const char *api_role = "'role', planpipe_project_role(p.id),";
	const char *export_role = "'role', 'owner',";
	char project[4096];
	const char *api = pp_api_sql_fragment("projects.sql", "project_json");
	const char *role = strstr(api, api_role);

	(void)state;
	/* The export connects as the schema owner: the one difference is the role. */
	assert_non_null(role);
	assert_true(snprintf(project, sizeof(project), "%.*s%s%s", (int)(role - api), api,
			     export_role, role + strlen(api_role)) < (int)sizeof(project));
	assert_same_sql(project, pp_sql_fragment(&pp_cli_sql_set, "export.sql", "project_json"));
	assert_same_sql(pp_api_sql_fragment("backlogs.sql", "backlog_json"),
			pp_sql_fragment(&pp_cli_sql_set, "export.sql", "backlog_json"));
	/* Stories: both ask the database's planpipe_story_fields() and planpipe_story_json(). */
	assert_non_null(strstr(pp_sql(&pp_cli_sql_set, "export.sql", "stories"),
			       "planpipe_story_fields(s, p.key)"));
}

static void statements_are_whole(void **state)
{
	const char *file, *name, *sql;
	size_t i;

	(void)state;
	for (i = 0; (sql = pp_sql_at(&pp_cli_sql_set, i, &file, &name)) != NULL; i++) {
		assert_null(strstr(sql, "{{"));
		assert_null(strstr(sql, "-- name:"));
		assert_ptr_equal(sql, pp_cli_sql(file, name));
	}
	assert_true(i >= 10);
	assert_non_null(strstr(pp_cli_sql("export.sql", "backlogs"),
			       "b.project_id = (SELECT id FROM projects WHERE key = $1)"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(export_shows_rows_as_the_api_does),
		cmocka_unit_test(statements_are_whole),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
