/*
 * tests/unit/cli/report_table.c: src/cli/report_table.c, the table renderer
 * of `planpipe report --format table|csv`: every report in pp_reports has a
 * table (its own renderer or the generic one; an empty table with no error
 * was once possible), every renderer is a report of pp_reports, the rows of sample JSON
 * as docs/reports.md shapes it, alignment (numbers right, UTF-8 by code
 * point, missing values "-"), and CSV quoting.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "unit.h"

#include "cli/report_table.h"
#include "db/report.h"

/* t rendered by print (0) or csv (1), as a malloc'd string. */
static char *render(const pp_report_table *t, int csv)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	assert_non_null(f);
	if (csv)
		pp_report_table_csv(t, f);
	else
		pp_report_table_print(t, f);
	assert_int_equal(fclose(f), 0);
	return text;
}

/* Fails unless t (of report name) rendered by print (csv 0) or csv (1) is want; names both. */
static void expect_render(const char *name, const pp_report_table *t, int csv, const char *want)
{
	char *text = render(t, csv);

	if (strcmp(text, want) != 0)
		fail_msg("%s, %s output:\n%s\nwant:\n%s", name, csv ? "csv" : "print", text, want);
	free(text);
}

static void fill(const char *name, const char *json, pp_report_table *t)
{
	json_error_t e;
	json_t *j = json_loads(json, 0, &e);

	if (j == NULL)
		fail_msg("sample JSON of %s: %s (line %d)", name, e.text, e.line);
	memset(t, 0, sizeof(*t));
	pp_report_table_fill(name, j, t);
	assert_false(t->failed);
	json_decref(j);
}

/* A cell of a filled table: its index in cells (row by row); want NULL: no value. */
typedef struct cell {
	size_t i;
	const char *want;
} cell;

/* t (of report name) has nrows rows and every cell of the static array cells. */
#define expect_cells(name, t, nrows, cells) expect_cells_n(name, t, nrows, cells, UNIT_NELEM(cells))

static void expect_cells_n(const char *name, const pp_report_table *t, size_t nrows,
			   const cell *cells, size_t n)
{
	char what[128];
	size_t i;

	unit_int_equal(name, t->nrows, nrows);
	for (i = 0; i < n; i++) {
		snprintf(what, sizeof(what), "%s, cell %zu", name, cells[i].i);
		unit_str_equal(what, t->cells[cells[i].i], cells[i].want);
	}
}

/*
 * The sample json of report name as a table: ncols columns, nrows rows (-1:
 * not checked), printed as print and written as csv (NULL: not checked).
 */
static void expect_table(const char *name, const char *json, int ncols, int nrows,
			 const char *print, const char *csv)
{
	pp_report_table t;

	fill(name, json, &t);
	if ((int)t.ncols != ncols || (nrows >= 0 && (int)t.nrows != nrows))
		fail_msg("%s: %d columns and %d rows, want %d and %d", name, (int)t.ncols,
			 (int)t.nrows, ncols, nrows);
	expect_render(name, &t, 0, print);
	if (csv)
		expect_render(name, &t, 1, csv);
	pp_report_table_free(&t);
}

/* Every report prints a table with a header; every renderer is a report of the registry. */
static void every_report_has_a_table(void **state)
{
	json_t *empty = json_object();
	const char *name;
	size_t i;

	(void)state;
	for (i = 0; pp_reports[i].name; i++) {
		pp_report_table t = {0};
		pp_report_table_fill(pp_reports[i].name, empty, &t);
		unit_true(pp_reports[i].name, t.ncols > 0);
		unit_true(pp_reports[i].name, t.heads[0] != NULL);
		pp_report_table_free(&t);
	}
	for (i = 0; (name = pp_report_table_renderer(i)) != NULL; i++)
		if (pp_report_find(name) == NULL)
			fail_msg(
				"src/cli/report_table.c renders %s, which pp_reports does not have",
				name);
	assert_true(i > 0);
	json_decref(empty);
}

/* A report without a renderer of its own: every value by its path, nothing left out. */
static void other_reports_get_the_generic_table(void **state)
{
	static const char json[] = "{\"report\": \"new-one\", \"total\": {\"stories\": 3,"
				   " \"points\": null}, \"weeks\": [{\"week\": \"2026-W01\","
				   " \"done\": 2.5}, {\"week\": \"2026-W02\", \"done\": 10}],"
				   " \"empty\": [], \"none\": {}, \"ok\": true}";
	/* A column holding a number aligns right, as in every table. */
	static const char want[] = "FIELD          VALUE\n"
				   "report          new-one\n"
				   "total.stories         3\n"
				   "total.points          -\n"
				   "weeks[0].week  2026-W01\n"
				   "weeks[0].done       2.5\n"
				   "weeks[1].week  2026-W02\n"
				   "weeks[1].done        10\n"
				   "empty                []\n"
				   "none                 {}\n"
				   "ok                 true\n";

	(void)state;
	expect_table("no-such-report", json, 2, -1, want,
		     "field,value\nreport,new-one\ntotal.stories,3\ntotal.points,\n"
		     "weeks[0].week,2026-W01\nweeks[0].done,2.5\n"
		     "weeks[1].week,2026-W02\nweeks[1].done,10\n"
		     "empty,[]\nnone,{}\nok,true\n");
}

static void status_summary_aligned(void **state)
{
	static const char json[] =
		"{\"by_project\": [{\"project\": \"ALPHA\", \"stories\": 12, \"points\": 30.5,"
		" \"categories\": {\"todo\": {\"stories\": 5}, \"active\": {\"stories\": 4},"
		" \"done\": {\"stories\": 3}, \"cancelled\": {\"stories\": 0}}, \"unestimated\": 1},"
		" {\"project\": \"BÉTA\", \"stories\": 2, \"points\": null,"
		" \"categories\": {\"todo\": {\"stories\": 2}}, \"unestimated\": 2}],"
		" \"total\": {\"stories\": 14, \"points\": 30.5, \"categories\": {\"todo\":"
		" {\"stories\": 7}, \"active\": {\"stories\": 4}, \"done\": {\"stories\": 3},"
		" \"cancelled\": {\"stories\": 0}}, \"unestimated\": 3}}";
	static const char want[] =
		"PROJECT  STORIES  POINTS  TODO  ACTIVE  DONE  CANCELLED  UNESTIMATED\n"
		"ALPHA         12    30.5     5       4     3          0            1\n"
		"BÉTA           2       -     2       -     -          -            2\n"
		"TOTAL         14    30.5     7       4     3          0            3\n";

	(void)state;
	expect_table("status-summary", json, 8, 3, want,
		     "project,stories,points,todo,active,done,cancelled,unestimated\n"
		     "ALPHA,12,30.5,5,4,3,0,1\n"
		     "BÉTA,2,,2,,,,2\n"
		     "TOTAL,14,30.5,7,4,3,0,3\n");
}

static void blocked_lists_direct_blockers(void **state)
{
	static const char json[] =
		"{\"stories\": [{\"project\": \"A\", \"key\": \"A-1\", \"status\": \"todo\","
		" \"blocked_since\": \"2026-01-02T03:04:05Z\", \"depth\": 2,"
		" \"title\": \"Say \\\"hi\\\", then\\nleave\","
		" \"blockers\": [{\"project\": \"A\", \"key\": \"A-2\", \"depth\": 1},"
		" {\"project\": null, \"key\": null, \"depth\": 1},"
		" {\"project\": \"B\", \"key\": \"B-9\", \"depth\": 2}]}]}";
	static const cell cells[] = {
		{0, "A:A-1"},
		/* Depth 1 only, a hidden one as such; the count covers them all. */
		{4, "A:A-2, (hidden)"},
		{5, "3"},
	};
	pp_report_table t;

	(void)state;
	fill("blocked", json, &t);
	expect_cells("blocked", &t, 1, cells);
	expect_render("blocked", &t, 1,
		      "story,status,blocked_since,depth,blocked_by,all_blockers,title\n"
		      "A:A-1,todo,2026-01-02T03:04:05Z,2,\"A:A-2, (hidden)\",3,"
		      "\"Say \"\"hi\"\", then\nleave\"\n");
	pp_report_table_free(&t);
}

static void throughput_and_cycle_time_rows(void **state)
{
	static const char tp[] = "{\"weeks\": [{\"week\": \"2026-W01\", \"from\": \"2025-12-29\","
				 " \"to\": \"2026-01-04\", \"stories\": 3, \"points\": 5}],"
				 " \"total\": {\"stories\": 3, \"points\": 5}}";
	static const char ct[] =
		"{\"overall\": {\"stories\": 4, \"cycle_time\": {\"n\": 4, \"median\": 1.5}},"
		" \"by_epic\": [{\"project\": \"A\", \"epic\": \"login\", \"stories\": 1}],"
		" \"by_week\": [{\"week\": \"2026-W02\", \"stories\": 2}]}";
	static const cell tp_cells[] = {{5, "TOTAL"}, {6, ""}, {8, "3"}};
	static const cell ct_cells[] = {
		{0, "all"},      {4, "1.5"},   {5, NULL},        {11, "epic"},
		{12, "A/login"}, {22, "week"}, {23, "2026-W02"},
	};
	pp_report_table t;

	(void)state;
	fill("throughput", tp, &t);
	expect_cells("throughput", &t, 2, tp_cells);
	pp_report_table_free(&t);

	fill("cycle-time", ct, &t);
	assert_int_equal(t.ncols, 11);
	expect_cells("cycle-time", &t, 3, ct_cells);
	pp_report_table_free(&t);
}

static void empty_reports_print_the_header_only(void **state)
{
	(void)state;
	expect_table("cumulative-flow", "{\"days\": []}", 5, 0,
		     "DAY  TODO  ACTIVE  DONE  CANCELLED\n", NULL);
}

/* The reports that are a row per element of one array: their heads, then each path in order. */
static void array_reports_take_each_path(void **state)
{
	(void)state;
	expect_table(
		"burnup",
		"{\"days\": [{\"day\": \"2026-12-01\", \"done\": 3, \"scope\": 8,"
		" \"added\": 1, \"removed\": 0, \"extra\": 9}]}",
		5, 1,
		"DAY         DONE  SCOPE  ADDED  REMOVED\n2026-12-01     3      8      1        0\n",
		"day,done,scope,added,removed\n2026-12-01,3,8,1,0\n");
	expect_table("burndown",
		     "{\"days\": [{\"day\": \"2026-12-01\", \"scope\": 8, \"added\": 1,"
		     " \"removed\": 0, \"completed\": 2, \"reopened\": 1, \"done\": 3,"
		     " \"remaining\": 5}]}",
		     8, 1,
		     "DAY         SCOPE  ADDED  REMOVED  COMPLETED  REOPENED  DONE  REMAINING\n"
		     "2026-12-01      8      1        0          2         1     3          5\n",
		     "day,scope,added,removed,completed,reopened,done,remaining\n"
		     "2026-12-01,8,1,0,2,1,3,5\n");
	expect_table("time-in-status",
		     "{\"statuses\": [{\"status\": \"review\", \"category\": \"active\","
		     " \"visits\": 4, \"stories\": 3, \"days\": {\"median\": 1.5, \"p85\": 4,"
		     " \"p95\": 6}}]}",
		     7, 1,
		     "STATUS  CATEGORY  VISITS  STORIES  P50 DAYS  P85 DAYS  P95 DAYS\n"
		     "review  active         4        3       1.5         4         6\n",
		     "status,category,visits,stories,p50_days,p85_days,p95_days\n"
		     "review,active,4,3,1.5,4,6\n");
}

/* Per epic, per project (the epic "(all)"), then the total, for epics and acceptance. */
static void epic_reports_roll_up_to_the_total(void **state)
{
	static const char acceptance[] =
		"{\"by_epic\": [{\"project\": \"A\", \"epic\": \"login\", \"stories\": 2,"
		" \"with_checklist\": 1, \"checklist_done\": 3, \"checklist_total\": 4,"
		" \"percent\": 75, \"complete\": 0}],"
		" \"by_project\": [{\"project\": \"A\", \"stories\": 2, \"with_checklist\": 1,"
		" \"checklist_done\": 3, \"checklist_total\": 4, \"percent\": 75, \"complete\": 0}],"
		" \"total\": {\"stories\": 2, \"with_checklist\": 1, \"checklist_done\": 3,"
		" \"checklist_total\": 4, \"percent\": 75, \"complete\": 0}}";
	static const char epics[] =
		"{\"by_epic\": [{\"project\": \"A\", \"epic\": \"login\", \"stories\": 2,"
		" \"points\": 5, \"done_stories\": 1, \"done_points\": 3,"
		" \"done_percent_points\": 60, \"done_percent_stories\": 50, \"open\": 1,"
		" \"blocked\": 0, \"unestimated\": 0}],"
		" \"by_project\": [{\"project\": \"A\", \"stories\": 2, \"points\": 5}],"
		" \"total\": {\"stories\": 2, \"points\": 5}}";

	(void)state;
	expect_table("acceptance", acceptance, 8, 3,
		     "PROJECT  EPIC   STORIES  WITH CHECKLIST  CHECKED  BOXES  PERCENT  COMPLETE\n"
		     "A        login        2               1        3      4       75         0\n"
		     "A        (all)        2               1        3      4       75         0\n"
		     "TOTAL    (all)        2               1        3      4       75         0\n",
		     NULL);
	/* Missing values print "-", right-aligned in a column of numbers. */
	expect_table("epics", epics, 11, 3,
		     "PROJECT  EPIC   STORIES  POINTS  DONE  DONE PTS  DONE PCT PTS  DONE PCT  OPEN"
		     "  BLOCKED  UNESTIMATED\n"
		     "A        login        2       5     1         3            60        50     1"
		     "        0            0\n"
		     "A        (all)        2       5     -         -             -         -     -"
		     "        -            -\n"
		     "TOTAL    (all)        2       5     -         -             -         -     -"
		     "        -            -\n",
		     NULL);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(every_report_has_a_table),
	cmocka_unit_test(other_reports_get_the_generic_table),
	cmocka_unit_test(status_summary_aligned),
	cmocka_unit_test(blocked_lists_direct_blockers),
	cmocka_unit_test(throughput_and_cycle_time_rows),
	cmocka_unit_test(empty_reports_print_the_header_only),
	cmocka_unit_test(array_reports_take_each_path),
	cmocka_unit_test(epic_reports_roll_up_to_the_total),
};

UNIT_MAIN("report_table", tests)
