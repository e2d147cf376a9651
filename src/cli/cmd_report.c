/*
 * cmd_report.c: `planpipe report NAME`, the reports of docs/reports.md as
 * JSON (as PostgreSQL builds it), a table or CSV (rendered from that JSON).
 */
#include <getopt.h>
#include <jansson.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/cmd_report_int.h"
#include "cli/report_table.h"
#include "core/buf.h"
#include "core/date.h"
#include "db/conn.h"
#include "db/report.h"

static const char usage_head[] =
	"usage: planpipe report NAME [--project KEY]... [--from DATE] [--to DATE]\n"
	"                            [--backlog NAME] [--story KEY] [--last N]\n"
	"                            [--as-of DATE] [--format table|json|csv]\n"
	"\n";

/* An option of the usage: its help, then the reports that take it (all of them: takes 0). */
static const struct {
	const char *option;
	unsigned takes;
	const char *help;
} usage_options[] = {
	{"--project KEY", 0, "a project (repeat for more; default: every project)"},
	{"--from, --to", PP_REPORT_WINDOW,
	 "the window, YYYY-MM-DD, UTC days, inclusive (default: per\n"
	 "report, see docs/reports.md)"},
	{"--backlog NAME", PP_REPORT_BACKLOG, "the backlog (with one --project)"},
	{"--story KEY", PP_REPORT_STORY, "the story (with --project), or PROJECT:KEY"},
	{"--last N", PP_REPORT_LAST, "the mean of the last N finished sprints (default 3)"},
	{"--as-of DATE", PP_REPORT_AS_OF, "as at the end of that UTC day (default: now)"},
	{"--format F", 0, "table (default), json (as the API returns it) or csv"},
};

/* Prints text indented to the usage's second column after its first line. */
static void indented(const char *text, FILE *out)
{
	for (; *text; text++) {
		fputc(*text, out);
		if (*text == '\n')
			fprintf(out, "%19s", "");
	}
	fputc('\n', out);
}

/* "for NAME, NAME, ..." in the usage's second column, wrapped before 80 columns. */
static void for_reports(const char *names, FILE *out)
{
	int col = fprintf(out, "%19sfor", "");

	while (*names) {
		size_t n = strcspn(names, ",");
		int last = names[n] == '\0';

		if (col + 1 + (int)n + !last > 80) {
			fputc('\n', out);
			col = fprintf(out, "%19s", "");
		} else
			col += fprintf(out, " ");
		col += fprintf(out, "%.*s%s", (int)n, names, last ? "" : ",");
		names += n + (last ? 0 : 2);
	}
	fputc('\n', out);
}

void report_usage(FILE *out)
{
	char names[512];
	size_t i;

	fputs(usage_head, out);
	for (i = 0; pp_reports[i].name; i++)
		fprintf(out, "  %-16s %s\n", pp_reports[i].name, pp_reports[i].summary);
	fputc('\n', out);
	for (i = 0; i < sizeof(usage_options) / sizeof(usage_options[0]); i++) {
		fprintf(out, "  %-16s ", usage_options[i].option);
		indented(usage_options[i].help, out);
		if (usage_options[i].takes) {
			pp_report_names_taking(usage_options[i].takes, names, sizeof(names));
			for_reports(names, out);
		}
	}
	fputs("\nExit status: 0 printed, 2 error. See docs/reports.md.\n", out);
}

static int usage_error(const char *msg)
{
	pp_cli_error("report", msg);
	return -1;
}

static int unknown_name(const char *name)
{
	char msg[768], names[512];

	pp_report_names_join(names, sizeof(names));
	snprintf(msg, sizeof(msg), "unknown report '%s': expected one of %s", name, names);
	return usage_error(msg);
}

/* "--OPTION is for REPORTS", the reports that take flag, as a usage error. */
static int only_for(const char *option, unsigned flag)
{
	char msg[640], names[512];

	pp_report_names_taking(flag, names, sizeof(names));
	snprintf(msg, sizeof(msg), "%s is for %s", option, names);
	return usage_error(msg);
}

/* Options that the report does not take are errors, not silently ignored. */
static int check_applies(const report_args *a, unsigned takes)
{
	char msg[256];

	if (!(takes & PP_REPORT_WINDOW) && (a->from || a->to)) {
		snprintf(msg, sizeof(msg), "%s has no time window: --from and --to do not apply",
			 a->name);
		return usage_error(msg);
	}
	if (!(takes & PP_REPORT_BACKLOG) && a->backlog)
		return only_for("--backlog", PP_REPORT_BACKLOG);
	if (!(takes & PP_REPORT_STORY) && a->story)
		return only_for("--story", PP_REPORT_STORY);
	if (!(takes & PP_REPORT_LAST) && a->last)
		return only_for("--last", PP_REPORT_LAST);
	if (!(takes & PP_REPORT_AS_OF) && a->as_of) {
		snprintf(msg, sizeof(msg), "%s is not as of a day: --as-of does not apply",
			 a->name);
		return usage_error(msg);
	}
	if ((takes & PP_REPORT_BACKLOG) && (a->n_projects != 1 || a->backlog == NULL)) {
		snprintf(msg, sizeof(msg), "%s needs one --project KEY and --backlog NAME",
			 a->name);
		return usage_error(msg);
	}
	if ((takes & PP_REPORT_STORY) && (a->story == NULL || a->n_projects != 1)) {
		snprintf(msg, sizeof(msg),
			 "%s needs --story KEY with one --project KEY, or --story PROJECT:KEY",
			 a->name);
		return usage_error(msg);
	}
	return 0;
}

/* --story PROJECT:KEY names its project; with --project as well they must agree. */
static int split_story(report_args *a)
{
	const char *colon = a->story ? strchr(a->story, ':') : NULL;
	size_t n;

	if (colon == NULL)
		return 0;
	n = (size_t)(colon - a->story);
	if (n == 0 || n >= sizeof(a->story_project) || colon[1] == '\0')
		return usage_error("--story takes KEY or PROJECT:KEY");
	memcpy(a->story_project, a->story, n);
	a->story_project[n] = '\0';
	a->story = colon + 1;
	if (a->n_projects == 0)
		a->projects[a->n_projects++] = a->story_project;
	else if (a->n_projects > 1 || strcmp(a->projects[0], a->story_project) != 0)
		return usage_error("--story names another project than --project");
	return 0;
}

static int check_dates(const report_args *a)
{
	char msg[256];

	if (a->from && !pp_date_valid(a->from)) {
		snprintf(msg, sizeof(msg), "--from \"%s\" is not a date: expected YYYY-MM-DD",
			 a->from);
		return usage_error(msg);
	}
	if (a->to && !pp_date_valid(a->to)) {
		snprintf(msg, sizeof(msg), "--to \"%s\" is not a date: expected YYYY-MM-DD", a->to);
		return usage_error(msg);
	}
	if (a->as_of && !pp_date_valid(a->as_of)) {
		snprintf(msg, sizeof(msg), "--as-of \"%s\" is not a date: expected YYYY-MM-DD",
			 a->as_of);
		return usage_error(msg);
	}
	if (a->last && (strlen(a->last) == 0 || strlen(a->last) > 3 ||
			strspn(a->last, "0123456789") != strlen(a->last))) {
		snprintf(msg, sizeof(msg), "--last \"%s\" is not a number of sprints (1 to 100)",
			 a->last);
		return usage_error(msg);
	}
	/* YYYY-MM-DD compares as text. */
	if (a->from && a->to && strcmp(a->from, a->to) > 0) {
		snprintf(msg, sizeof(msg), "--from %s is after --to %s", a->from, a->to);
		return usage_error(msg);
	}
	return 0;
}

static int take_project(void *ctx, const pp_cli_opt *opt, const char *arg)
{
	report_args *a = ctx;

	(void)opt;
	a->projects[a->n_projects++] = arg;
	return 0;
}

static int take_format(void *ctx, const pp_cli_opt *opt, const char *arg)
{
	report_args *a = ctx;
	char msg[256];

	(void)opt;
	if (strcmp(arg, "table") == 0)
		a->format = REPORT_FMT_TABLE;
	else if (strcmp(arg, "json") == 0)
		a->format = REPORT_FMT_JSON;
	else if (strcmp(arg, "csv") == 0)
		a->format = REPORT_FMT_CSV;
	else {
		snprintf(msg, sizeof(msg), "unknown --format '%s': expected table, json or csv",
			 arg);
		return usage_error(msg);
	}
	return 0;
}

/* The usage lists them from usage_options, with the reports that take each. */
static const pp_cli_opt opts[] = {
	{.name = "project", .kind = PP_CLI_TAKE, .take = take_project},
	PP_CLI_STRING_OPT("from", report_args, from),
	PP_CLI_STRING_OPT("to", report_args, to),
	PP_CLI_STRING_OPT("backlog", report_args, backlog),
	PP_CLI_STRING_OPT("story", report_args, story),
	PP_CLI_STRING_OPT("last", report_args, last),
	PP_CLI_STRING_OPT("as-of", report_args, as_of),
	{.name = "format", .kind = PP_CLI_TAKE, .take = take_format},
	{0},
};

static const pp_cli_spec spec = {.cmd = "report", .opts = opts, .usage = report_usage};

int report_parse(int argc, char **argv, report_args *a)
{
	unsigned takes;
	int r;

	r = pp_cli_parse(argc, argv, &spec, a);
	if (r != 0)
		return r;
	if (optind >= argc) {
		report_usage(stderr);
		return -1;
	}
	if (optind + 1 < argc)
		return usage_error("one report at a time (see planpipe report --help)");
	a->name = argv[optind];
	takes = pp_report_takes(a->name);
	if (takes == 0)
		return unknown_name(a->name);
	if (split_story(a) != 0 || check_applies(a, takes) != 0 || check_dates(a) != 0)
		return -1;
	return 0;
}

int report_render(FILE *out, const char *name, const char *text, report_format format)
{
	pp_report_table t;
	json_error_t jerr;
	json_t *j = json_loads(text, 0, &jerr);
	int rc = 0;

	memset(&t, 0, sizeof(t));
	if (j == NULL) {
		char msg[256];
		snprintf(msg, sizeof(msg), "the database returned JSON that does not parse: %s",
			 jerr.text);
		pp_cli_error("report", msg);
		return -1;
	}
	pp_report_table_fill(name, j, &t);
	if (t.failed) {
		pp_cli_error("report", "out of memory");
		rc = -1;
	} else if (format == REPORT_FMT_CSV)
		pp_report_table_csv(&t, out);
	else
		pp_report_table_print(&t, out);
	pp_report_table_free(&t);
	json_decref(j);
	return rc;
}

int pp_cli_report(int argc, char **argv, const pp_config *cfg)
{
	pp_report_args ra;
	PGconn *conn = NULL;
	char *json = NULL;
	pp_err err;
	report_args a;
	int r, code = PP_EXIT_ERROR;

	memset(&a, 0, sizeof(a));
	a.projects = calloc((size_t)argc + 1, sizeof(*a.projects));
	if (a.projects == NULL) {
		pp_cli_error("report", "out of memory");
		return PP_EXIT_ERROR;
	}
	r = report_parse(argc, argv, &a);
	if (r != 0) {
		code = pp_cli_parse_exit(r);
		goto out;
	}
	memset(&ra, 0, sizeof(ra));
	ra.projects = a.projects;
	ra.n_projects = a.n_projects;
	ra.from = a.from;
	ra.to = a.to;
	ra.backlog = a.backlog;
	ra.story = a.story;
	ra.last = a.last;
	ra.as_of = a.as_of;
	conn = pp_cli_connect(cfg, "report", "planpipe report");
	if (conn == NULL)
		goto out;
	pp_err_clear(&err);
	if (pp_report_run(conn, a.name, &ra, &json, &err) != PP_OK) {
		pp_cli_error("report", err.msg);
		goto out;
	}
	if (a.format == REPORT_FMT_JSON) {
		fputs(json, stdout);
		fputc('\n', stdout);
	} else if (report_render(stdout, a.name, json, a.format) != 0)
		goto out;
	code = fflush(stdout) == 0 ? PP_EXIT_OK : PP_EXIT_ERROR;
out:
	free(json);
	PQfinish(conn);
	free(a.projects);
	return code;
}
