/*
 * tests/unit/cli/cmd_report.c: src/cli/cmd_report.c's pure parts
 * (cmd_report_int.h): the arguments against the registry (pp_reports: an
 * option a report does not take is refused, for every report and option;
 * what one needs is required), --story PROJECT:KEY, dates and --last,
 * --format, the usage (every report and option, every line within 80 columns) and
 * rendering JSON as a table or CSV. (Running reports: tests/integration/
 * test_report.c and test_cli.c.)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "unit.h"

#include "cli/cmd_report_int.h"
#include "cli/report_table.h"
#include "db/report.h"

#define MAX_ARGS 12

static const char *projects[MAX_ARGS + 2];

/* report_parse of "report" and the NULL-terminated args into *a. */
static int parse(report_args *a, ...)
{
	UNIT_VARGV(argv, argc, MAX_ARGS, "report", a);

	memset(a, 0, sizeof(*a));
	memset(projects, 0, sizeof(projects));
	a->projects = projects;
	return report_parse(argc, argv, a);
}

/* Options with the flag of pp_report_takes that lets a report take them. */
static const struct {
	unsigned flag;
	const char *option, *value;
} flagged[] = {
	{PP_REPORT_WINDOW, "--from", "2026-11-01"},
	{PP_REPORT_WINDOW, "--to", "2026-11-30"},
	{PP_REPORT_BACKLOG, "--backlog", "Sprint 1"},
	{PP_REPORT_STORY, "--story", "API-3"},
	{PP_REPORT_LAST, "--last", "5"},
	{PP_REPORT_AS_OF, "--as-of", "2026-11-30"},
};

/*
 * Every report with everything it needs parses; with an option it does not
 * take added, it is refused, whichever report and option.
 */
static void every_report_takes_only_its_options(void **state)
{
	report_args a;
	size_t i, o;

	(void)state;
	for (i = 0; pp_reports[i].name; i++) {
		const char *name = pp_reports[i].name;
		unsigned takes = pp_report_takes(name);
		const char *backlog = takes & PP_REPORT_BACKLOG ? "--backlog" : NULL;
		const char *story = takes & PP_REPORT_STORY ? "--story" : NULL;
		const char *need = backlog ? backlog : story;
		const char *value = backlog ? "Sprint 1" : "API-3";
		int r;

		unit_true(name, takes != 0);
		if (need)
			r = parse(&a, name, "--project", "API", need, value, NULL);
		else
			r = parse(&a, name, NULL);
		if (r != 0)
			fail_msg("%s with what it needs: %d", name, r);
		unit_str_equal(name, a.name, name);
		for (o = 0; o < UNIT_NELEM(flagged); o++) {
			if (takes & flagged[o].flag)
				continue;
			if (need)
				r = parse(&a, name, "--project", "API", need, value,
					  flagged[o].option, flagged[o].value, NULL);
			else
				r = parse(&a, name, flagged[o].option, flagged[o].value, NULL);
			if (r != -1)
				fail_msg("%s took %s", name, flagged[o].option);
		}
	}
}

static void what_a_report_needs(void **state)
{
	report_args a;

	(void)state;
	assert_int_equal(parse(&a, "status-summary", "--project", "API", "--project", "WEB", NULL),
			 0);
	assert_int_equal(a.n_projects, 2);
	assert_string_equal(a.projects[0], "API");
	assert_string_equal(a.projects[1], "WEB");
	/* burndown: one project and a backlog. */
	assert_int_equal(parse(&a, "burndown", "--backlog", "Sprint 1", NULL), -1);
	assert_int_equal(parse(&a, "burndown", "--project", "API", NULL), -1);
	assert_int_equal(parse(&a, "burndown", "--project", "API", "--project", "WEB", "--backlog",
			       "Sprint 1", NULL),
			 -1);
	assert_int_equal(parse(&a, "burndown", "--project", "API", "--backlog", "Sprint 1",
			       "--from", "2026-11-01", "--to", "2026-11-30", NULL),
			 0);
	assert_string_equal(a.backlog, "Sprint 1");
	assert_string_equal(a.from, "2026-11-01");
	assert_string_equal(a.to, "2026-11-30");
	/* critical-path: a story. */
	assert_int_equal(parse(&a, "critical-path", "--project", "API", NULL), -1);
	assert_int_equal(parse(&a, "critical-path", "--story", "API-3", NULL), -1);
	/* One report, a known one. */
	assert_int_equal(parse(&a, NULL), -1);
	assert_int_equal(parse(&a, "blocked", "aging", NULL), -1);
	assert_int_equal(parse(&a, "no-such-report", NULL), -1);
	assert_int_equal(parse(&a, "Blocked", NULL), -1);
}

/* --story PROJECT:KEY is --project PROJECT --story KEY; with --project they must agree. */
static void story_names_its_project(void **state)
{
	report_args a;

	(void)state;
	assert_int_equal(parse(&a, "critical-path", "--story", "API:API-3", NULL), 0);
	assert_int_equal(a.n_projects, 1);
	assert_string_equal(a.projects[0], "API");
	assert_string_equal(a.story, "API-3");
	assert_int_equal(
		parse(&a, "critical-path", "--project", "API", "--story", "API:API-3", NULL), 0);
	assert_int_equal(a.n_projects, 1);
	assert_string_equal(a.story, "API-3");
	assert_int_equal(
		parse(&a, "critical-path", "--project", "WEB", "--story", "API:API-3", NULL), -1);
	assert_int_equal(parse(&a, "critical-path", "--story", ":API-3", NULL), -1);
	assert_int_equal(parse(&a, "critical-path", "--story", "API:", NULL), -1);
	assert_int_equal(
		parse(&a, "critical-path", "--story",
		      "A_PROJECT_KEY_LONGER_THAN_SIXTY_THREE_CHARACTERS_IS_NOT_ONE_WE_KEEP:X",
		      NULL),
		-1);
}

static void dates_last_and_format(void **state)
{
	static const char *const bad_dates[] = {"2026-13-01", "2026-02-30", "26-11-01",
						"2026-1-1",   "today",      ""};
	static const char *const bad_last[] = {"", "x", "1000", "-1", "3.5", " 3"};
	report_args a;
	size_t i;

	(void)state;
	for (i = 0; i < UNIT_NELEM(bad_dates); i++) {
		if (parse(&a, "throughput", "--from", bad_dates[i], NULL) != -1)
			fail_msg("--from \"%s\" was taken", bad_dates[i]);
		if (parse(&a, "throughput", "--to", bad_dates[i], NULL) != -1)
			fail_msg("--to \"%s\" was taken", bad_dates[i]);
		if (parse(&a, "aging", "--as-of", bad_dates[i], NULL) != -1)
			fail_msg("--as-of \"%s\" was taken", bad_dates[i]);
	}
	assert_int_equal(
		parse(&a, "throughput", "--from", "2026-12-01", "--to", "2026-11-30", NULL), -1);
	assert_int_equal(
		parse(&a, "throughput", "--from", "2026-11-30", "--to", "2026-11-30", NULL), 0);
	assert_int_equal(parse(&a, "aging", "--as-of", "2024-02-29", NULL), 0);
	assert_string_equal(a.as_of, "2024-02-29");
	for (i = 0; i < UNIT_NELEM(bad_last); i++)
		if (parse(&a, "velocity", "--last", bad_last[i], NULL) != -1)
			fail_msg("--last \"%s\" was taken", bad_last[i]);
	assert_int_equal(parse(&a, "velocity", "--last", "100", NULL), 0);
	assert_string_equal(a.last, "100");

	assert_int_equal(parse(&a, "blocked", NULL), 0);
	assert_int_equal(a.format, REPORT_FMT_TABLE);
	assert_int_equal(parse(&a, "blocked", "--format", "json", NULL), 0);
	assert_int_equal(a.format, REPORT_FMT_JSON);
	assert_int_equal(parse(&a, "blocked", "--format", "csv", NULL), 0);
	assert_int_equal(a.format, REPORT_FMT_CSV);
	assert_int_equal(parse(&a, "blocked", "--format", "table", NULL), 0);
	assert_int_equal(a.format, REPORT_FMT_TABLE);
	assert_int_equal(parse(&a, "blocked", "--format", "JSON", NULL), -1);
	assert_int_equal(parse(&a, "blocked", "--format", "xml", NULL), -1);
}

/* Every report and option in the usage; the lists of reports wrapped within 80 columns. */
static void usage_lists_the_registry(void **state)
{
	static const char *const options[] = {"--project KEY", "--from, --to", "--backlog NAME",
					      "--story KEY",   "--last N",     "--as-of DATE",
					      "--format F"};
	char *text = NULL, *line;
	size_t len = 0, i;
	FILE *f = open_memstream(&text, &len);

	(void)state;
	assert_non_null(f);
	report_usage(f);
	assert_int_equal(fclose(f), 0);
	for (i = 0; pp_reports[i].name; i++) {
		char want[256];
		snprintf(want, sizeof(want), "  %-16s %s\n", pp_reports[i].name,
			 pp_reports[i].summary);
		if (strstr(text, want) == NULL)
			fail_msg("the usage does not list %s:\n%s", pp_reports[i].name, text);
	}
	for (i = 0; i < UNIT_NELEM(options); i++)
		if (strstr(text, options[i]) == NULL)
			fail_msg("the usage does not list %s", options[i]);
	/* Each flagged option names the reports that take it, burndown's backlog among them. */
	assert_non_null(strstr(text, "for burndown, burnup\n"));
	/* Every line within 80 columns: the wrapped lists, the synopsis, the summaries. */
	for (line = text; *line; line += strcspn(line, "\n") + (line[strcspn(line, "\n")] != 0))
		if (strcspn(line, "\n") > 80)
			fail_msg("a line of %zu columns: %.*s", strcspn(line, "\n"),
				 (int)strcspn(line, "\n"), line);
	free(text);
}

/* report_render of name's json in format, as a malloc'd string (NULL when it fails). */
static char *render(const char *name, const char *json, report_format format)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	int rc;

	assert_non_null(f);
	rc = report_render(f, name, json, format);
	assert_int_equal(fclose(f), 0);
	if (rc != 0) {
		assert_int_equal(rc, -1);
		free(text);
		return NULL;
	}
	return text;
}

/* Table and CSV are report_table's rendering of the JSON; JSON that does not parse fails. */
static void render_as_table_or_csv(void **state)
{
	static const char json[] =
		"{\"projects\":[{\"project\":\"API\",\"total\":3,\"by_status\":[]}]}";
	pp_report_table t;
	char *got, *want = NULL;
	size_t len = 0;
	json_t *j;
	FILE *f;
	int csv;

	(void)state;
	for (csv = 0; csv < 2; csv++) {
		const char *format = csv ? "csv" : "table";

		j = json_loads(json, 0, NULL);
		unit_true(format, j != NULL);
		memset(&t, 0, sizeof(t));
		pp_report_table_fill("status-summary", j, &t);
		f = open_memstream(&want, &len);
		unit_true(format, f != NULL);
		if (csv)
			pp_report_table_csv(&t, f);
		else
			pp_report_table_print(&t, f);
		unit_int_equal(format, fclose(f), 0);
		pp_report_table_free(&t);
		json_decref(j);
		got = render("status-summary", json, csv ? REPORT_FMT_CSV : REPORT_FMT_TABLE);
		unit_true(format, got != NULL);
		unit_true(format, strlen(got) > 0);
		unit_str_equal(format, got, want);
		free(got);
		free(want);
		want = NULL;
	}
	assert_null(render("status-summary", "{\"projects\":", REPORT_FMT_TABLE));
	assert_null(render("status-summary", "", REPORT_FMT_CSV));
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(every_report_takes_only_its_options),
	cmocka_unit_test(what_a_report_needs),
	cmocka_unit_test(story_names_its_project),
	cmocka_unit_test(dates_last_and_format),
	cmocka_unit_test(usage_lists_the_registry),
	cmocka_unit_test(render_as_table_or_csv),
};

UNIT_MAIN("cmd_report", tests)
