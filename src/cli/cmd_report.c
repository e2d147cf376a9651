/*
 * cmd_report.c: `planpipe report NAME`, the reports of docs/reports.md as
 * JSON (as PostgreSQL builds it), a table or CSV (rendered from that JSON).
 */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/buf.h"
#include "db/conn.h"
#include "db/report.h"

static const char usage_text[] =
	"usage: planpipe report NAME [--project KEY]... [--from DATE] [--to DATE]\n"
	"                            [--backlog NAME] [--story KEY] [--format table|json|csv]\n"
	"\n"
	"  status-summary   stories and points per status and category, per project\n"
	"  blocked          open stories with open blockers (any project), oldest first\n"
	"  critical-path    the longest chain of open blockers of --story\n"
	"  cycle-time       cycle and lead time (median, p85, p95) of stories completed\n"
	"  throughput       stories and points reaching done per ISO week\n"
	"  cumulative-flow  stories per category at the end of each day\n"
	"  burndown         remaining points of --backlog per day, scope changes apart\n"
	"  burnup           done and scope points of --backlog per day\n"
	"  acceptance       acceptance-criteria checkboxes ticked per epic\n"
	"\n"
	"  --project KEY    a project (repeat for more; default: every project)\n"
	"  --from, --to     the window, YYYY-MM-DD, UTC days, inclusive (cycle-time,\n"
	"                   throughput: 12 ISO weeks to today; cumulative-flow: 30 days;\n"
	"                   burndown, burnup: the backlog's dates, else 30 days)\n"
	"  --backlog NAME   burndown, burnup: the backlog (with one --project)\n"
	"  --story KEY      critical-path: the story (with --project), or PROJECT:KEY\n"
	"  --format F       table (default), json (as the API returns it) or csv\n"
	"\n"
	"Exit status: 0 printed, 2 error. See docs/reports.md.\n";

typedef enum { FMT_TABLE, FMT_JSON, FMT_CSV } out_format;

typedef struct args {
	const char *name;
	const char **projects; /* argc slots */
	size_t n_projects;
	const char *from, *to, *backlog, *story;
	char story_project[64]; /* PROJECT of --story PROJECT:KEY */
	out_format format;
} args;

static int usage_error(const char *msg)
{
	pp_cli_error("report", msg);
	return -1;
}

/* Whether s is a real calendar date written YYYY-MM-DD. */
static int is_date(const char *s)
{
	static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int i, y, m, d, leap;

	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return 0;
	for (i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return 0;
	y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
	m = (s[5] - '0') * 10 + (s[6] - '0');
	d = (s[8] - '0') * 10 + (s[9] - '0');
	leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return y >= 1 && m >= 1 && m <= 12 && d >= 1 && d <= days[m - 1] + (m == 2 && leap);
}

static int unknown_name(const char *name)
{
	char msg[512];
	pp_buf b;
	size_t i;

	pp_buf_init(&b, 512);
	for (i = 0; pp_report_names[i]; i++)
		if (pp_buf_printf(&b, "%s%s", i ? ", " : "", pp_report_names[i]) != PP_OK)
			break;
	snprintf(msg, sizeof(msg), "unknown report '%s': expected one of %s", name, pp_buf_str(&b));
	pp_buf_free(&b);
	return usage_error(msg);
}

/* Options that the report does not take are errors, not silently ignored. */
static int check_applies(const args *a, unsigned takes)
{
	char msg[256];

	if (!(takes & PP_REPORT_WINDOW) && (a->from || a->to)) {
		snprintf(msg, sizeof(msg), "%s has no time window: --from and --to do not apply",
			 a->name);
		return usage_error(msg);
	}
	if (!(takes & PP_REPORT_BACKLOG) && a->backlog)
		return usage_error("--backlog is for burndown and burnup");
	if (!(takes & PP_REPORT_STORY) && a->story)
		return usage_error("--story is for critical-path");
	if ((takes & PP_REPORT_BACKLOG) && (a->n_projects != 1 || a->backlog == NULL)) {
		snprintf(msg, sizeof(msg), "%s needs one --project KEY and --backlog NAME",
			 a->name);
		return usage_error(msg);
	}
	if ((takes & PP_REPORT_STORY) && (a->story == NULL || a->n_projects != 1))
		return usage_error("critical-path needs --story KEY with one --project KEY, or "
				   "--story PROJECT:KEY");
	return 0;
}

/* --story PROJECT:KEY names its project; with --project as well they must agree. */
static int split_story(args *a)
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

static int check_dates(const args *a)
{
	char msg[256];

	if (a->from && !is_date(a->from)) {
		snprintf(msg, sizeof(msg), "--from \"%s\" is not a date: expected YYYY-MM-DD",
			 a->from);
		return usage_error(msg);
	}
	if (a->to && !is_date(a->to)) {
		snprintf(msg, sizeof(msg), "--to \"%s\" is not a date: expected YYYY-MM-DD", a->to);
		return usage_error(msg);
	}
	/* YYYY-MM-DD compares as text. */
	if (a->from && a->to && strcmp(a->from, a->to) > 0) {
		snprintf(msg, sizeof(msg), "--from %s is after --to %s", a->from, a->to);
		return usage_error(msg);
	}
	return 0;
}

/* 0 to run, 1 help was printed, -1 usage error (printed). */
static int parse(int argc, char **argv, args *a)
{
	static const struct option opts[] = {
		{"project", required_argument, NULL, 'p'},
		{"from", required_argument, NULL, 'f'},
		{"to", required_argument, NULL, 't'},
		{"backlog", required_argument, NULL, 'b'},
		{"story", required_argument, NULL, 's'},
		{"format", required_argument, NULL, 'F'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	char msg[256];
	unsigned takes;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			a->projects[a->n_projects++] = optarg;
			break;
		case 'f':
			a->from = optarg;
			break;
		case 't':
			a->to = optarg;
			break;
		case 'b':
			a->backlog = optarg;
			break;
		case 's':
			a->story = optarg;
			break;
		case 'F':
			if (strcmp(optarg, "table") == 0)
				a->format = FMT_TABLE;
			else if (strcmp(optarg, "json") == 0)
				a->format = FMT_JSON;
			else if (strcmp(optarg, "csv") == 0)
				a->format = FMT_CSV;
			else {
				snprintf(msg, sizeof(msg),
					 "unknown --format '%s': expected table, json or csv",
					 optarg);
				return usage_error(msg);
			}
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 1;
		default:
			fputs(usage_text, stderr);
			return -1;
		}
	}
	if (optind >= argc) {
		fputs(usage_text, stderr);
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

/* ---------------------------------------------------------------------------
 * Tables: rows of cells rendered from the report's JSON, printed aligned
 * (numbers to the right) or as CSV (RFC 4180 quoting, LF line ends).
 * ------------------------------------------------------------------------- */

#define MAX_COLS 12

typedef struct table {
	size_t ncols;
	const char *heads[MAX_COLS];
	char **cells;         /* nrows * ncols, each malloc'd; NULL cell: no value */
	unsigned char *right; /* per cell: a number, aligned right */
	size_t nrows, cap;
	int failed; /* out of memory */
} table;

static void table_free(table *t)
{
	size_t i;

	for (i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	free(t->right);
}

/* The value at a dotted path ("categories.todo.stories"), or NULL. */
static const json_t *at(const json_t *o, const char *path)
{
	char key[64];

	while (o && *path) {
		size_t n = strcspn(path, ".");
		if (n >= sizeof(key))
			return NULL;
		memcpy(key, path, n);
		key[n] = '\0';
		o = json_object_get(o, key);
		path += n + (path[n] == '.');
	}
	return o;
}

/* A scalar as text (malloc'd), NULL for null or a missing value. */
static char *scalar(const json_t *v, int *is_number)
{
	char buf[64];

	*is_number = json_is_number(v);
	if (v == NULL || json_is_null(v))
		return NULL;
	if (json_is_string(v))
		return strdup(json_string_value(v));
	if (json_is_integer(v))
		snprintf(buf, sizeof(buf), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
	else if (json_is_real(v))
		snprintf(buf, sizeof(buf), "%.15g", json_real_value(v));
	else if (json_is_boolean(v))
		snprintf(buf, sizeof(buf), "%s", json_is_true(v) ? "true" : "false");
	else
		return NULL;
	return strdup(buf);
}

/* Appends a row; cell i is text[i] if given (owned by the table now), else values[i]. */
static void add_row(table *t, char *const *text, const json_t *const *values)
{
	size_t i, base;

	if (t->nrows == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 64;
		char **cells = realloc(t->cells, cap * t->ncols * sizeof(*cells));
		unsigned char *right;
		if (cells == NULL)
			goto fail;
		t->cells = cells;
		right = realloc(t->right, cap * t->ncols);
		if (right == NULL)
			goto fail;
		t->right = right;
		t->cap = cap;
	}
	base = t->nrows * t->ncols;
	for (i = 0; i < t->ncols; i++) {
		int num = 0;
		t->cells[base + i] = text && text[i] ? text[i] : scalar(values[i], &num);
		t->right[base + i] = (unsigned char)num;
	}
	t->nrows++;
	return;
fail:
	for (i = 0; text && i < t->ncols; i++)
		free(text[i]);
	t->failed = 1;
}

/* Adds a row whose cells are the values at paths[] of o; a path "=TEXT" is that text. */
static void add_paths(table *t, const json_t *o, const char *const *paths)
{
	const json_t *values[MAX_COLS];
	char *text[MAX_COLS];
	size_t i;

	for (i = 0; i < t->ncols; i++) {
		text[i] = paths[i][0] == '=' ? strdup(paths[i] + 1) : NULL;
		values[i] = paths[i][0] == '=' ? NULL : at(o, paths[i]);
	}
	add_row(t, text, values);
}

/* One row per element of array `key` of root. */
static void add_each(table *t, const json_t *root, const char *key, const char *const *paths)
{
	const json_t *arr = json_object_get(root, key), *el;
	size_t i;

	json_array_foreach(arr, i, el) add_paths(t, el, paths);
}

/* "PROJECT:KEY", or "(hidden)" for a story the caller may not see (malloc'd). */
static char *label(const json_t *o)
{
	const char *p = json_string_value(json_object_get(o, "project"));
	const char *k = json_string_value(json_object_get(o, "key"));
	pp_buf b;

	pp_buf_init(&b, 256);
	if (pp_buf_printf(&b, "%s%s%s", p ? p : "", p ? ":" : "", k ? k : "(hidden)") != PP_OK)
		return NULL;
	return pp_buf_take(&b);
}

static void heads(table *t, const char *const *h)
{
	for (t->ncols = 0; h[t->ncols] && t->ncols < MAX_COLS; t->ncols++)
		t->heads[t->ncols] = h[t->ncols];
}

static void rows_status_summary(const json_t *j, table *t)
{
	static const char *const h[] = {"PROJECT", "STORIES",   "POINTS",      "TODO", "ACTIVE",
					"DONE",    "CANCELLED", "UNESTIMATED", NULL};
	static const char *const p[] = {"project",
					"stories",
					"points",
					"categories.todo.stories",
					"categories.active.stories",
					"categories.done.stories",
					"categories.cancelled.stories",
					"unestimated"};
	const char *total[8];

	heads(t, h);
	add_each(t, j, "by_project", p);
	memcpy(total, p, sizeof(total));
	total[0] = "=TOTAL";
	add_paths(t, json_object_get(j, "total"), total);
}

static void rows_blocked(const json_t *j, table *t)
{
	static const char *const h[] = {"STORY",      "STATUS",       "BLOCKED SINCE", "DEPTH",
					"BLOCKED BY", "ALL BLOCKERS", "TITLE",         NULL};
	const json_t *s, *b;
	size_t i, k;

	heads(t, h);
	json_array_foreach(json_object_get(j, "stories"), i, s)
	{
		const json_t *blockers = json_object_get(s, "blockers");
		json_t *count = json_integer((json_int_t)json_array_size(blockers));
		const json_t *v[7] = {NULL,
				      json_object_get(s, "status"),
				      json_object_get(s, "blocked_since"),
				      json_object_get(s, "depth"),
				      NULL,
				      count,
				      json_object_get(s, "title")};
		char *text[7] = {label(s), NULL, NULL, NULL, NULL, NULL, NULL};
		pp_buf direct;

		pp_buf_init(&direct, 1 << 16);
		json_array_foreach(blockers, k, b)
		{
			char *l;
			if (json_integer_value(json_object_get(b, "depth")) != 1)
				continue;
			l = label(b);
			if (l == NULL ||
			    pp_buf_printf(&direct, "%s%s", direct.len ? ", " : "", l) != PP_OK)
				t->failed = 1;
			free(l);
		}
		text[4] = strdup(pp_buf_str(&direct));
		pp_buf_free(&direct);
		add_row(t, text, v);
		json_decref(count);
	}
}

static void rows_critical_path(const json_t *j, table *t)
{
	static const char *const h[] = {"DEPTH", "STORY", "STATUS", "POINTS", "TITLE", NULL};
	const json_t *s;
	size_t i;

	heads(t, h);
	json_array_foreach(json_object_get(j, "path"), i, s)
	{
		const json_t *v[5] = {json_object_get(s, "depth"), NULL,
				      json_object_get(s, "status"), json_object_get(s, "points"),
				      json_object_get(s, "title")};
		char *text[5] = {NULL, label(s), NULL, NULL, NULL};
		add_row(t, text, v);
	}
}

static void rows_cycle_time(const json_t *j, table *t)
{
	static const char *const h[] = {"GROUP",     "NAME",      "STORIES",   "CYCLE N",
					"CYCLE MED", "CYCLE P85", "CYCLE P95", "LEAD N",
					"LEAD MED",  "LEAD P85",  "LEAD P95",  NULL};
	static const char *const stats[] = {
		"stories",          "cycle_time.n",   "cycle_time.median",
		"cycle_time.p85",   "cycle_time.p95", "lead_time.n",
		"lead_time.median", "lead_time.p85",  "lead_time.p95"};
	static const struct {
		const char *key, *group, *name;
	} groups[] = {{"by_project", "=project", "project"},
		      {"by_epic", "=epic", NULL},
		      {"by_week", "=week", "week"}};
	const char *p[11];
	const json_t *el;
	size_t g, i;

	heads(t, h);
	p[0] = "=all";
	p[1] = "=";
	memcpy(p + 2, stats, sizeof(stats));
	add_paths(t, json_object_get(j, "overall"), p);
	for (g = 0; g < sizeof(groups) / sizeof(groups[0]); g++) {
		p[0] = groups[g].group;
		p[1] = groups[g].name;
		json_array_foreach(json_object_get(j, groups[g].key), i, el)
		{
			char name[256];
			if (groups[g].name == NULL) { /* an epic: PROJECT/EPIC */
				const char *e = json_string_value(json_object_get(el, "epic"));
				const char *pk = json_string_value(json_object_get(el, "project"));
				snprintf(name, sizeof(name), "=%s/%s", pk ? pk : "-", e ? e : "-");
				p[1] = name;
			}
			add_paths(t, el, p);
		}
	}
}

static void rows_throughput(const json_t *j, table *t)
{
	static const char *const h[] = {"WEEK", "FROM", "TO", "STORIES", "POINTS", NULL};
	static const char *const p[] = {"week", "from", "to", "stories", "points"};
	static const char *const total[] = {"=TOTAL", "=", "=", "stories", "points"};

	heads(t, h);
	add_each(t, j, "weeks", p);
	add_paths(t, json_object_get(j, "total"), total);
}

static void rows_cumulative_flow(const json_t *j, table *t)
{
	static const char *const h[] = {"DAY", "TODO", "ACTIVE", "DONE", "CANCELLED", NULL};
	static const char *const p[] = {"day", "todo", "active", "done", "cancelled"};

	heads(t, h);
	add_each(t, j, "days", p);
}

static void rows_burndown(const json_t *j, table *t)
{
	static const char *const h[] = {"DAY",      "SCOPE", "ADDED",     "REMOVED", "COMPLETED",
					"REOPENED", "DONE",  "REMAINING", NULL};
	static const char *const p[] = {"day",       "scope",    "added", "removed",
					"completed", "reopened", "done",  "remaining"};

	heads(t, h);
	add_each(t, j, "days", p);
}

static void rows_burnup(const json_t *j, table *t)
{
	static const char *const h[] = {"DAY", "DONE", "SCOPE", "ADDED", "REMOVED", NULL};
	static const char *const p[] = {"day", "done", "scope", "added", "removed"};

	heads(t, h);
	add_each(t, j, "days", p);
}

static void rows_acceptance(const json_t *j, table *t)
{
	static const char *const h[] = {"PROJECT",        "EPIC",     "STORIES",
					"WITH CHECKLIST", "CHECKED",  "BOXES",
					"PERCENT",        "COMPLETE", NULL};
	static const char *const p[] = {"project",        "epic",           "stories",
					"with_checklist", "checklist_done", "checklist_total",
					"percent",        "complete"};
	const char *q[8];

	heads(t, h);
	add_each(t, j, "by_epic", p);
	memcpy(q, p, sizeof(q));
	q[1] = "=(all)";
	add_each(t, j, "by_project", q);
	q[0] = "=TOTAL";
	add_paths(t, json_object_get(j, "total"), q);
}

/* Display width of UTF-8 text: code points (titles may hold any). */
static size_t width(const char *s)
{
	size_t n = 0;

	for (; s && *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

/* Columns holding a number align right, their missing values ("-") too. */
static void print_table(const table *t, FILE *out)
{
	size_t w[MAX_COLS], r, c;
	int right[MAX_COLS] = {0};

	for (c = 0; c < t->ncols; c++)
		w[c] = width(t->heads[c]);
	for (r = 0; r < t->nrows; r++)
		for (c = 0; c < t->ncols; c++) {
			size_t n = width(t->cells[r * t->ncols + c] ? t->cells[r * t->ncols + c]
								    : "-");
			w[c] = n > w[c] ? n : w[c];
			right[c] |= t->right[r * t->ncols + c];
		}
	for (c = 0; c < t->ncols; c++)
		fprintf(out, "%s%s%*s", c ? "  " : "", t->heads[c],
			c + 1 < t->ncols ? (int)(w[c] - width(t->heads[c])) : 0, "");
	fputc('\n', out);
	for (r = 0; r < t->nrows; r++) {
		for (c = 0; c < t->ncols; c++) {
			const char *v =
				t->cells[r * t->ncols + c] ? t->cells[r * t->ncols + c] : "-";
			int pad = (int)(w[c] - width(v));
			if (c)
				fputs("  ", out);
			if (right[c])
				fprintf(out, "%*s%s", pad, "", v);
			else
				fprintf(out, "%s%*s", v, c + 1 < t->ncols ? pad : 0, "");
		}
		fputc('\n', out);
	}
}

static void csv_cell(const char *v, FILE *out)
{
	if (v == NULL)
		return;
	if (strpbrk(v, ",\"\r\n") == NULL) {
		fputs(v, out);
		return;
	}
	fputc('"', out);
	for (; *v; v++) {
		if (*v == '"')
			fputc('"', out);
		fputc(*v, out);
	}
	fputc('"', out);
}

/* The header in snake case: "BLOCKED SINCE" -> blocked_since. */
static void print_csv(const table *t, FILE *out)
{
	size_t r, c;
	const char *h;

	for (c = 0; c < t->ncols; c++) {
		if (c)
			fputc(',', out);
		for (h = t->heads[c]; *h; h++)
			fputc(*h == ' ' ? '_' : (*h >= 'A' && *h <= 'Z' ? *h - 'A' + 'a' : *h),
			      out);
	}
	fputc('\n', out);
	for (r = 0; r < t->nrows; r++) {
		for (c = 0; c < t->ncols; c++) {
			if (c)
				fputc(',', out);
			csv_cell(t->cells[r * t->ncols + c], out);
		}
		fputc('\n', out);
	}
}

static const struct {
	const char *name;
	void (*rows)(const json_t *j, table *t);
} renderers[] = {
	{"status-summary", rows_status_summary},
	{"blocked", rows_blocked},
	{"critical-path", rows_critical_path},
	{"cycle-time", rows_cycle_time},
	{"throughput", rows_throughput},
	{"cumulative-flow", rows_cumulative_flow},
	{"burndown", rows_burndown},
	{"burnup", rows_burnup},
	{"acceptance", rows_acceptance},
};

/* Prints the report's JSON text as a table or CSV. 0, or -1 (error printed). */
static int render(const char *name, const char *text, out_format format)
{
	table t;
	json_error_t jerr;
	json_t *j = json_loads(text, 0, &jerr);
	size_t i;
	int rc = 0;

	memset(&t, 0, sizeof(t));
	if (j == NULL) {
		char msg[256];
		snprintf(msg, sizeof(msg), "the database returned JSON that does not parse: %s",
			 jerr.text);
		pp_cli_error("report", msg);
		return -1;
	}
	for (i = 0; i < sizeof(renderers) / sizeof(renderers[0]); i++)
		if (strcmp(renderers[i].name, name) == 0)
			renderers[i].rows(j, &t);
	if (t.failed) {
		pp_cli_error("report", "out of memory");
		rc = -1;
	} else if (format == FMT_CSV)
		print_csv(&t, stdout);
	else
		print_table(&t, stdout);
	table_free(&t);
	json_decref(j);
	return rc;
}

int pp_cli_report(int argc, char **argv, const pp_config *cfg)
{
	pp_report_args ra;
	PGconn *conn = NULL;
	char *json = NULL;
	pp_err err;
	args a;
	int r, code = PP_EXIT_ERROR;

	memset(&a, 0, sizeof(a));
	a.projects = calloc((size_t)argc + 1, sizeof(*a.projects));
	if (a.projects == NULL) {
		pp_cli_error("report", "out of memory");
		return PP_EXIT_ERROR;
	}
	r = parse(argc, argv, &a);
	if (r != 0) {
		code = r > 0 ? PP_EXIT_OK : PP_EXIT_ERROR;
		goto out;
	}
	memset(&ra, 0, sizeof(ra));
	ra.projects = a.projects;
	ra.n_projects = a.n_projects;
	ra.from = a.from;
	ra.to = a.to;
	ra.backlog = a.backlog;
	ra.story = a.story;
	pp_err_clear(&err);
	if (pp_db_connect(cfg, "planpipe report", cfg->connect_timeout_s * 1000, &conn, &err) !=
		    PP_OK ||
	    pp_report_run(conn, a.name, &ra, &json, &err) != PP_OK) {
		pp_cli_error("report", err.msg);
		goto out;
	}
	if (a.format == FMT_JSON) {
		fputs(json, stdout);
		fputc('\n', stdout);
	} else if (render(a.name, json, a.format) != 0)
		goto out;
	code = fflush(stdout) == 0 ? PP_EXIT_OK : PP_EXIT_ERROR;
out:
	free(json);
	PQfinish(conn);
	free(a.projects);
	return code;
}
