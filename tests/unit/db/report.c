/*
 * tests/unit/db/report.c: src/db/report.c's pure part, the registry of
 * reports (pp_reports) and the statement derived from each row: every report
 * has a statement whose $N placeholders are exactly the parameters it is
 * given, in the order of its row's arguments. The reports themselves run against
 * PostgreSQL in tests/integration/test_report.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "unit.h"

#include "db/report.h"

/* The highest $N in sql. */
static int max_placeholder(const char *sql)
{
	int max = 0;
	const char *p;

	for (p = strchr(sql, '$'); p; p = strchr(p + 1, '$')) {
		int n = (int)strtol(p + 1, NULL, 10);
		if (n > max)
			max = n;
	}
	return max;
}

/* What pp_report_statement fills in; zeroed, keys NULL, before the first call. */
typedef struct stmt {
	char sql[PP_REPORT_SQL_MAX];
	const char *params[PP_REPORT_MAX_PARAMS];
	int n;
	char *keys;
	pp_err err;
} stmt;

/* pp_report_statement of the report name with a, into s. */
static pp_rc statement(const char *name, const pp_report_args *a, stmt *s)
{
	return pp_report_statement(name, a, s->sql, s->params, &s->n, &s->keys, &s->err);
}

static int count_args(const pp_report_def *r)
{
	int n = 0;

	while (r->args[n] != PP_REPORT_ARG_END)
		n++;
	return n;
}

/* Rows the statement builder and the API rely on: names, functions, arguments, summaries. */
static void registry_rows_are_well_formed(void **state)
{
	size_t i, j;

	(void)state;
	for (i = 0; pp_reports[i].name; i++) {
		const pp_report_def *r = &pp_reports[i];
		int n = count_args(r);

		if (*r->name == '\0' ||
		    strspn(r->name, "abcdefghijklmnopqrstuvwxyz-") != strlen(r->name))
			fail_msg("report \"%s\": a name is a-z and -", r->name);
		if (strncmp(r->function, "planpipe_report_", 16) != 0 ||
		    strspn(r->function, "abcdefghijklmnopqrstuvwxyz_") != strlen(r->function))
			fail_msg("report %s: function %s is not planpipe_report_[a-z_]+", r->name,
				 r->function);
		unit_true(r->name, n <= PP_REPORT_MAX_PARAMS);
		unit_true(r->name, r->summary && *r->summary && strlen(r->summary) <= 64);
		for (j = 0; pp_reports[j].name; j++) {
			if (j != i && strcmp(pp_reports[j].name, r->name) == 0)
				fail_msg("report %s is listed twice", r->name);
			/* Two rows share a function only when one of them renames it. */
			if (j != i && strcmp(pp_reports[j].function, r->function) == 0 &&
			    !r->renamed && !pp_reports[j].renamed)
				fail_msg("reports %s and %s both run %s", r->name,
					 pp_reports[j].name, r->function);
		}
		for (j = 0; pp_report_helpers[j]; j++)
			if (strcmp(pp_report_helpers[j], r->function) == 0)
				fail_msg("%s is report %s's function and a helper", r->function,
					 r->name);
		/* One project or many; the window whole. */
		unit_true(r->name, !((pp_report_takes(r->name) & PP_REPORT_PROJECTS) &&
				     (pp_report_takes(r->name) & PP_REPORT_PROJECT)));
		for (j = 0; j < (size_t)n; j++)
			if (r->args[j] == PP_REPORT_ARG_FROM)
				unit_true(r->name,
					  j + 1 < (size_t)n && r->args[j + 1] == PP_REPORT_ARG_TO);
		unit_true(r->name, pp_report_find(r->name) == r);
	}
	assert_true(i >= 13);
	assert_null(pp_report_find("nope"));
	assert_null(pp_report_find(NULL));
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
		const pp_report_def *r = &pp_reports[i];
		stmt st = {.n = -1};
		char call[128];

		unit_int_equal(r->name, statement(r->name, &a, &st), PP_OK);
		unit_int_equal(r->name, st.n, count_args(r));
		if (max_placeholder(st.sql) != st.n)
			fail_msg("report %s: %d parameters for a statement using $%d", r->name,
				 st.n, max_placeholder(st.sql));
		snprintf(call, sizeof(call), "%s(", r->function);
		unit_str_has(r->name, st.sql, call);
		unit_true(r->name, strncmp(st.sql, "SELECT jsonb_pretty(", 20) == 0);
		unit_str_has(r->name, st.sql, ") AS body");
		if (pp_report_takes(r->name) & PP_REPORT_PROJECTS)
			unit_str_equal(r->name, st.params[0], "{\"ALPHA\",\"BETA\"}");
		if (pp_report_takes(r->name) & PP_REPORT_PROJECT)
			unit_str_equal(r->name, st.params[0], "ALPHA");
		free(st.keys);
	}
}

/* The statements as they read, from the rows: casts in the function's order. */
static void statements_are_derived_from_the_rows(void **state)
{
	static const struct {
		const char *name, *sql;
	} cases[] = {
		{"blocked", "SELECT jsonb_pretty(planpipe_report_blocked($1::text[])) AS body"},
		{"critical-path",
		 "SELECT jsonb_pretty(planpipe_report_critical_path($1::text, $2::text)) AS body"},
		{"cycle-time",
		 "SELECT jsonb_pretty(planpipe_report_cycle_time($1::text[], $2::date, "
		 "$3::date)) AS body"},
		{"velocity",
		 "SELECT jsonb_pretty(planpipe_report_velocity($1::text[], $2::integer, "
		 "$3::date)) AS body"},
		{"burndown", "SELECT jsonb_pretty(planpipe_report_burndown($1::text, $2::text, "
			     "$3::date, $4::date)) AS body"},
		{"burnup", "SELECT jsonb_pretty(jsonb_set(planpipe_report_burndown($1::text, "
			   "$2::text, $3::date, $4::date), '{report}', '\"burnup\"')) AS body"},
	};
	pp_report_args a = {0};
	size_t i;

	(void)state;
	for (i = 0; i < UNIT_NELEM(cases); i++) {
		stmt st = {0};

		unit_int_equal(cases[i].name, statement(cases[i].name, &a, &st), PP_OK);
		unit_str_equal(cases[i].name, st.sql, cases[i].sql);
		unit_str_equal(cases[i].name, st.keys, NULL);
	}
	assert_string_equal(pp_report_arg_type(PP_REPORT_ARG_KEYS), "text[]");
	assert_null(pp_report_arg_type(PP_REPORT_ARG_END));
}

static void takes_is_derived_from_the_arguments(void **state)
{
	(void)state;
	assert_int_equal(pp_report_takes("status-summary"), PP_REPORT_PROJECTS);
	assert_int_equal(pp_report_takes("cycle-time"), PP_REPORT_PROJECTS | PP_REPORT_WINDOW);
	assert_int_equal(pp_report_takes("critical-path"), PP_REPORT_PROJECT | PP_REPORT_STORY);
	assert_int_equal(pp_report_takes("burnup"),
			 PP_REPORT_PROJECT | PP_REPORT_BACKLOG | PP_REPORT_WINDOW);
	assert_int_equal(pp_report_takes("velocity"),
			 PP_REPORT_PROJECTS | PP_REPORT_LAST | PP_REPORT_AS_OF);
	assert_int_equal(pp_report_takes("aging"), PP_REPORT_PROJECTS | PP_REPORT_AS_OF);
}

static void parameters_follow_the_arguments(void **state)
{
	pp_report_args a = {.from = "2026-01-01", .to = "2026-02-01", .last = "4"};
	stmt st = {0};

	(void)state;
	/* No project keys: NULL, which the SQL reads as every project the caller sees. */
	assert_int_equal(statement("cycle-time", &a, &st), PP_OK);
	assert_int_equal(st.n, 3);
	assert_null(st.params[0]);
	assert_null(st.keys);
	assert_string_equal(st.params[1], "2026-01-01");
	assert_string_equal(st.params[2], "2026-02-01");

	assert_int_equal(statement("velocity", &a, &st), PP_OK);
	assert_int_equal(st.n, 3);
	assert_string_equal(st.params[1], "4");
	assert_null(st.params[2]);
}

/* Keys travel as an array literal: quotes and backslashes escaped, so any key is data. */
static void keys_are_quoted_array_elements(void **state)
{
	static const char *const odd[] = {"A\"B", "C\\D", "", "E,F}"};
	pp_report_args a = {.projects = odd, .n_projects = 4};
	stmt st = {0};

	(void)state;
	assert_int_equal(statement("epics", &a, &st), PP_OK);
	assert_int_equal(st.n, 1);
	assert_string_equal(st.params[0], "{\"A\\\"B\",\"C\\\\D\",\"\",\"E,F}\"}");
	assert_ptr_equal(st.params[0], st.keys);
	free(st.keys);
}

static void unknown_names_and_bad_keys_are_refused(void **state)
{
	static const char *const bad[] = {"caf\xe9"};
	pp_report_args a = {.projects = bad, .n_projects = 1};
	stmt st = {0};

	(void)state;
	assert_int_equal(statement("nope", &a, &st), PP_EINVAL);
	assert_string_equal(st.err.msg, "no report named \"nope\"");
	assert_int_equal(statement(NULL, &a, &st), PP_EINVAL);
	assert_int_equal(pp_report_takes("nope"), 0);
	assert_int_equal(pp_report_takes(NULL), 0);
	assert_int_equal(statement("blocked", &a, &st), PP_EINVAL);
	assert_non_null(strstr(st.err.msg, "is not valid UTF-8"));
	assert_null(st.keys);
}

static void names_join_lists_all_and_truncates(void **state)
{
	char all[1024], small[12];
	size_t i, len = 0;

	(void)state;
	pp_report_names_join(all, sizeof(all));
	for (i = 0; pp_reports[i].name; i++) {
		unit_str_has(pp_reports[i].name, all, pp_reports[i].name);
		len += strlen(pp_reports[i].name) + (i ? 2 : 0);
	}
	assert_int_equal(strlen(all), len);
	assert_int_equal(strncmp(all, "status-summary, blocked, ", 25), 0);
	pp_report_names_join(small, sizeof(small));
	assert_string_equal(small, "status-summ");
	pp_report_names_join(small, 0);
	/* Only the reports that take a flag, for the CLI's usage and its messages. */
	pp_report_names_taking(PP_REPORT_BACKLOG, all, sizeof(all));
	assert_string_equal(all, "burndown, burnup");
	pp_report_names_taking(PP_REPORT_STORY | PP_REPORT_LAST, all, sizeof(all));
	assert_string_equal(all, "critical-path, velocity");
	pp_report_names_taking(0, small, sizeof(small));
	assert_string_equal(small, "status-summ");
}

/* The file at PP_SOURCE_ROOT/rel, whole, malloc'd. */
static char *source_file(const char *rel)
{
	const char *root = getenv("PP_SOURCE_ROOT");
	char path[1024], *text;
	FILE *f;
	long size;

	if (root == NULL)
		fail_msg("PP_SOURCE_ROOT is not set: run the tests through meson");
	snprintf(path, sizeof(path), "%s/%s", root, rel);
	f = fopen(path, "rb");
	if (f == NULL)
		fail_msg("cannot open %s", path);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	size = ftell(f);
	assert_true(size > 0);
	rewind(f);
	text = malloc((size_t)size + 1);
	assert_non_null(text);
	assert_int_equal(fread(text, 1, (size_t)size, f), (size_t)size);
	text[size] = '\0';
	fclose(f);
	return text;
}

/* The line of text that starts with prefix and holds all of needles (NULL-ended), or NULL. */
static const char *line_with(const char *text, const char *prefix, const char *const *needles)
{
	const char *line;

	for (line = text; line && *line;
	     line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
		size_t len = strcspn(line, "\n"), i;
		char buf[512];

		if (len >= sizeof(buf) || strncmp(line, prefix, strlen(prefix)) != 0)
			continue;
		memcpy(buf, line, len);
		buf[len] = '\0';
		for (i = 0; needles[i] && strstr(buf, needles[i]); i++)
			;
		if (needles[i] == NULL)
			return line;
	}
	return NULL;
}

/*
 * docs/reports.md documents every report of the registry: a row of its
 * table naming the report and its function, and a section of its own.
 */
static void reports_md_documents_every_report(void **state)
{
	char *md = source_file("docs/reports.md");
	size_t i;

	(void)state;
	for (i = 0; pp_reports[i].name; i++) {
		char name[64], call[96];
		const char *row[] = {name, call, NULL}, *head[] = {pp_reports[i].name, NULL};

		snprintf(name, sizeof(name), "`%s`", pp_reports[i].name);
		snprintf(call, sizeof(call), "`%s(", pp_reports[i].function);
		if (line_with(md, "| ", row) == NULL)
			fail_msg("docs/reports.md: no row of the table names %s and %s", name,
				 call);
		if (line_with(md, "## ", head) == NULL)
			fail_msg("docs/reports.md: no section for %s", pp_reports[i].name);
	}
	free(md);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(registry_rows_are_well_formed),
	cmocka_unit_test(every_report_has_a_matching_statement),
	cmocka_unit_test(statements_are_derived_from_the_rows),
	cmocka_unit_test(takes_is_derived_from_the_arguments),
	cmocka_unit_test(parameters_follow_the_arguments),
	cmocka_unit_test(keys_are_quoted_array_elements),
	cmocka_unit_test(unknown_names_and_bad_keys_are_refused),
	cmocka_unit_test(names_join_lists_all_and_truncates),
	cmocka_unit_test(reports_md_documents_every_report),
};

UNIT_MAIN("report", tests)
