/*
 * tests/unit/db/report.c: src/db/report.c's pure part, the one list of
 * reports (pp_reports) and the statement built for each: every report has
 * a statement whose $N placeholders are exactly the parameters it is given,
 * in the order of its PP_REPORT_* flags. The reports themselves run against
 * PostgreSQL in tests/integration/test_report.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "db/report.h"

/* The highest $N in sql. */
static int max_placeholder(const char *sql)
{
	int max = 0;
	const char *p;

	for (p = strchr(sql, '$'); p; p = strchr(p + 1, '$')) {
		int n = atoi(p + 1);
		if (n > max)
			max = n;
	}
	return max;
}

static int count_flags(unsigned takes)
{
	int n = 0;

	n += (takes & (PP_REPORT_PROJECTS | PP_REPORT_PROJECT)) ? 1 : 0;
	n += (takes & PP_REPORT_WINDOW) ? 2 : 0;
	n += (takes & PP_REPORT_BACKLOG) ? 1 : 0;
	n += (takes & PP_REPORT_STORY) ? 1 : 0;
	n += (takes & PP_REPORT_LAST) ? 1 : 0;
	n += (takes & PP_REPORT_AS_OF) ? 1 : 0;
	return n;
}

static void every_report_has_a_matching_statement(void **state)
{
	static const char *const keys[] = {"ALPHA", "BETA"};
	pp_report_args a = {.projects = keys,
			    .n_projects = 2,
			    .from = "2026-01-01",
			    .to = "2026-02-01",
			    .backlog = "Sprint 1",
			    .story = "ALPHA-1",
			    .last = "3",
			    .as_of = "2026-03-01"};
	size_t i;

	(void)state;
	for (i = 0; pp_reports[i].name; i++) {
		const char *params[PP_REPORT_MAX_PARAMS], *sql = NULL;
		char *json = NULL;
		int n = -1;
		pp_err err;

		assert_int_equal(
			pp_report_statement(pp_reports[i].name, &a, &sql, params, &n, &json, &err),
			PP_OK);
		assert_non_null(sql);
		assert_int_equal(pp_report_takes(pp_reports[i].name), pp_reports[i].takes);
		assert_int_equal(n, count_flags(pp_reports[i].takes));
		if (max_placeholder(sql) != n)
			fail_msg("report %s: %d parameters for a statement using $%d",
				 pp_reports[i].name, n, max_placeholder(sql));
		assert_non_null(strstr(sql, "AS body"));
		assert_true(pp_reports[i].summary && *pp_reports[i].summary);
		if (pp_reports[i].takes & PP_REPORT_PROJECTS)
			assert_string_equal(params[0], "[\"ALPHA\",\"BETA\"]");
		if (pp_reports[i].takes & PP_REPORT_PROJECT)
			assert_string_equal(params[0], "ALPHA");
		free(json);
	}
	assert_true(i >= 13);
}

static void parameters_follow_the_flags(void **state)
{
	pp_report_args a = {.from = "2026-01-01", .to = "2026-02-01", .last = "4"};
	const char *params[PP_REPORT_MAX_PARAMS];
	const char *sql;
	char *keys = NULL;
	int n;
	pp_err err;

	(void)state;
	/* No project keys: NULL, which the SQL reads as every project the caller sees. */
	assert_int_equal(pp_report_statement("cycle-time", &a, &sql, params, &n, &keys, &err),
			 PP_OK);
	assert_int_equal(n, 3);
	assert_null(params[0]);
	assert_null(keys);
	assert_string_equal(params[1], "2026-01-01");
	assert_string_equal(params[2], "2026-02-01");

	assert_int_equal(pp_report_statement("velocity", &a, &sql, params, &n, &keys, &err), PP_OK);
	assert_int_equal(n, 3);
	assert_string_equal(params[1], "4");
	assert_null(params[2]);
}

static void unknown_names_and_bad_keys_are_refused(void **state)
{
	static const char *const bad[] = {"caf\xe9"};
	pp_report_args a = {.projects = bad, .n_projects = 1};
	const char *params[PP_REPORT_MAX_PARAMS];
	const char *sql;
	char *keys = NULL;
	int n;
	pp_err err;

	(void)state;
	assert_int_equal(pp_report_statement("nope", &a, &sql, params, &n, &keys, &err), PP_EINVAL);
	assert_string_equal(err.msg, "no report named \"nope\"");
	assert_int_equal(pp_report_statement(NULL, &a, &sql, params, &n, &keys, &err), PP_EINVAL);
	assert_int_equal(pp_report_takes("nope"), 0);
	assert_int_equal(pp_report_takes(NULL), 0);
	assert_int_equal(pp_report_statement("blocked", &a, &sql, params, &n, &keys, &err),
			 PP_EINVAL);
	assert_non_null(strstr(err.msg, "is not valid UTF-8"));
	assert_null(keys);
}

static void names_join_lists_all_and_truncates(void **state)
{
	char all[1024], small[12];
	size_t i, len = 0;

	(void)state;
	pp_report_names_join(all, sizeof(all));
	for (i = 0; pp_reports[i].name; i++) {
		assert_non_null(strstr(all, pp_reports[i].name));
		len += strlen(pp_reports[i].name) + (i ? 2 : 0);
	}
	assert_int_equal(strlen(all), len);
	assert_int_equal(strncmp(all, "status-summary, blocked, ", 25), 0);
	pp_report_names_join(small, sizeof(small));
	assert_string_equal(small, "status-summ");
	pp_report_names_join(small, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_report_has_a_matching_statement),
		cmocka_unit_test(parameters_follow_the_flags),
		cmocka_unit_test(unknown_names_and_bad_keys_are_refused),
		cmocka_unit_test(names_join_lists_all_and_truncates),
	};

	return cmocka_run_group_tests_name("report", tests, NULL, NULL);
}
