/*
 * report_table.c: a report's JSON (docs/reports.md) as the rows of a
 * table, printed aligned (numbers to the right) or as CSV (RFC 4180
 * quoting, LF line ends), for `planpipe report`. One rows_* per report.
 */
#include "cli/report_table.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"

#define MAX_COLS PP_REPORT_TABLE_COLS

typedef pp_report_table table;

void pp_report_table_free(pp_report_table *t)
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

/*
 * The levels of a summary: a row per element of by_epic when epics, then
 * of by_project (the epic column "(all)" when epics), then the total
 * ("TOTAL" in the first column); paths: the n paths of a row.
 */
static void add_levels(table *t, const json_t *j, const char *const *paths, size_t n, int epics)
{
	const char *q[MAX_COLS];

	assert(n <= MAX_COLS);
	memcpy(q, paths, n * sizeof(*q));
	if (epics) {
		add_each(t, j, "by_epic", paths);
		q[1] = "=(all)";
	}
	add_each(t, j, "by_project", q);
	q[0] = "=TOTAL";
	add_paths(t, json_object_get(j, "total"), q);
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

	heads(t, h);
	add_levels(t, j, p, sizeof(p) / sizeof(p[0]), 0);
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

static void rows_acceptance(const json_t *j, table *t)
{
	static const char *const h[] = {"PROJECT",        "EPIC",     "STORIES",
					"WITH CHECKLIST", "CHECKED",  "BOXES",
					"PERCENT",        "COMPLETE", NULL};
	static const char *const p[] = {"project",        "epic",           "stories",
					"with_checklist", "checklist_done", "checklist_total",
					"percent",        "complete"};

	heads(t, h);
	add_levels(t, j, p, sizeof(p) / sizeof(p[0]), 1);
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
void pp_report_table_print(const pp_report_table *t, FILE *out)
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
void pp_report_table_csv(const pp_report_table *t, FILE *out)
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

/* One row per sprint, then each project's mean and what is left (velocity). */
static void rows_velocity(const json_t *j, table *t)
{
	static const char *const h[] = {
		"PROJECT",       "SPRINT", "STARTS",   "ENDS",     "FINISHED", "COMMITTED",
		"COMMITTED PTS", "DONE",   "DONE PTS", "FORECAST", NULL};
	static const char *const sprint[] = {"=",
					     "backlog",
					     "starts_on",
					     "ends_on",
					     "finished",
					     "committed.stories",
					     "committed.points",
					     "done.stories",
					     "done.points",
					     "="};
	static const char *const mean[] = {
		"=",           "=(mean)",         "=", "=", "=", "=", "=", "mean.stories",
		"mean.points", "forecast_sprints"};
	static const char *const left[] = {"=",
					   "=(remaining)",
					   "=",
					   "=",
					   "=",
					   "remaining.stories",
					   "remaining.points",
					   "=",
					   "=",
					   "="};
	const json_t *p, *s;
	const char *q[10];
	char project[64];
	size_t i, k;

	heads(t, h);
	json_array_foreach(json_object_get(j, "by_project"), i, p)
	{
		const char *key = json_string_value(json_object_get(p, "project"));
		snprintf(project, sizeof(project), "=%s", key ? key : "");
		memcpy(q, sprint, sizeof(q));
		q[0] = project;
		json_array_foreach(json_object_get(p, "sprints"), k, s) add_paths(t, s, q);
		memcpy(q, mean, sizeof(q));
		q[0] = project;
		add_paths(t, p, q);
		memcpy(q, left, sizeof(q));
		q[0] = project;
		add_paths(t, p, q);
	}
}

/* Per status the counts per age bucket, a TOTAL row, then the oldest stories. */
static void rows_aging(const json_t *j, table *t)
{
	static const char *const h[] = {"STATUS", "STORIES", "POINTS", "OLDEST DAYS",
					"0-1D",   "1-3D",    "3-7D",   "7-14D",
					"14-30D", "30D+",    NULL};
	static const char *const p[] = {
		"status",       "stories",      "points",        "oldest_days",    "buckets.0-1d",
		"buckets.1-3d", "buckets.3-7d", "buckets.7-14d", "buckets.14-30d", "buckets.30d+"};
	const json_t *b, *o;
	size_t i;

	heads(t, h);
	add_each(t, j, "by_status", p);
	{
		const json_t *v[10] = {NULL, json_object_get(j, "stories"),
				       json_object_get(j, "points")};
		char *text[10] = {strdup("TOTAL")};
		json_array_foreach(json_object_get(j, "buckets"), i, b) if (i < 6) v[4 + i] =
			json_object_get(b, "stories");
		add_row(t, text, v);
	}
	json_array_foreach(json_object_get(j, "oldest"), i, o)
	{
		const json_t *v[10] = {NULL, NULL, json_object_get(o, "points"),
				       json_object_get(o, "age_days")};
		char *text[10] = {NULL};
		char *l = label(o);
		const char *st = json_string_value(json_object_get(o, "status"));
		pp_buf b2;

		pp_buf_init(&b2, 1024);
		if (l == NULL || pp_buf_printf(&b2, "oldest %s (%s)", l, st ? st : "") != PP_OK)
			t->failed = 1;
		free(l);
		text[0] = pp_buf_take(&b2);
		add_row(t, text, v);
	}
}

static void rows_epics(const json_t *j, table *t)
{
	static const char *const h[] = {"PROJECT", "EPIC",     "STORIES",      "POINTS",
					"DONE",    "DONE PTS", "DONE PCT PTS", "DONE PCT",
					"OPEN",    "BLOCKED",  "UNESTIMATED",  NULL};
	static const char *const p[] = {"project",
					"epic",
					"stories",
					"points",
					"done_stories",
					"done_points",
					"done_percent_points",
					"done_percent_stories",
					"open",
					"blocked",
					"unestimated"};

	heads(t, h);
	add_levels(t, j, p, sizeof(p) / sizeof(p[0]), 1);
}

#define PATH_MAX_LEN 256

/*
 * The generic table of a report without a renderer of its own: every value
 * of its JSON as a row, FIELD its path ("by_project[0].stories"), an empty
 * array or object as [] or {}, so nothing is left out and no report prints
 * an empty table.
 */
static void rows_generic_at(const json_t *v, char *path, size_t len, table *t)
{
	const json_t *values[2] = {NULL, v};
	char *text[2] = {NULL, NULL};
	const char *key;
	json_t *el;
	size_t i;

	if (json_is_object(v) && json_object_size(v) > 0) {
		json_object_foreach((json_t *)v, key, el)
		{
			int n = snprintf(path + len, PATH_MAX_LEN - len, "%s%s", len ? "." : "",
					 key);
			rows_generic_at(el, path, n < 0 ? len : strlen(path), t);
			path[len] = '\0';
		}
		return;
	}
	if (json_is_array(v) && json_array_size(v) > 0) {
		json_array_foreach(v, i, el)
		{
			int n = snprintf(path + len, PATH_MAX_LEN - len, "[%zu]", i);
			rows_generic_at(el, path, n < 0 ? len : strlen(path), t);
			path[len] = '\0';
		}
		return;
	}
	text[0] = strdup(path);
	if (json_is_object(v) || json_is_array(v))
		text[1] = strdup(json_is_object(v) ? "{}" : "[]");
	if (text[0] == NULL || ((json_is_object(v) || json_is_array(v)) && text[1] == NULL)) {
		free(text[0]);
		free(text[1]);
		t->failed = 1;
		return;
	}
	add_row(t, text, values);
}

static void rows_generic(const json_t *j, table *t)
{
	static const char *const h[] = {"FIELD", "VALUE", NULL};
	char path[PATH_MAX_LEN] = "";

	heads(t, h);
	rows_generic_at(j, path, 0, t);
}

/* The reports whose table is one row per element of an array: their heads and paths. */
static const char *const flow_h[] = {"DAY", "TODO", "ACTIVE", "DONE", "CANCELLED", NULL};
static const char *const flow_p[] = {"day", "todo", "active", "done", "cancelled"};
static const char *const burndown_h[] = {"DAY",      "SCOPE", "ADDED",     "REMOVED", "COMPLETED",
					 "REOPENED", "DONE",  "REMAINING", NULL};
static const char *const burndown_p[] = {"day",       "scope",    "added", "removed",
					 "completed", "reopened", "done",  "remaining"};
static const char *const burnup_h[] = {"DAY", "DONE", "SCOPE", "ADDED", "REMOVED", NULL};
static const char *const burnup_p[] = {"day", "done", "scope", "added", "removed"};
static const char *const tis_h[] = {"STATUS",   "CATEGORY", "VISITS",   "STORIES",
				    "P50 DAYS", "P85 DAYS", "P95 DAYS", NULL};
static const char *const tis_p[] = {"status",      "category", "visits",  "stories",
				    "days.median", "days.p85", "days.p95"};

/*
 * The reports with a table of their own, by name; any other report gets
 * rows_generic. tests/unit/cli/report_table.c holds every name here to
 * pp_reports (the registry).
 */
static const struct {
	const char *name;
	void (*rows)(const json_t *j, table *t); /* NULL: a row per element of key */
	const char *key;
	const char *const *h, *const *p;
} renderers[] = {
	{.name = "status-summary", .rows = rows_status_summary},
	{.name = "blocked", .rows = rows_blocked},
	{.name = "critical-path", .rows = rows_critical_path},
	{.name = "cycle-time", .rows = rows_cycle_time},
	{.name = "throughput", .rows = rows_throughput},
	{.name = "cumulative-flow", .key = "days", .h = flow_h, .p = flow_p},
	{.name = "burndown", .key = "days", .h = burndown_h, .p = burndown_p},
	{.name = "burnup", .key = "days", .h = burnup_h, .p = burnup_p},
	{.name = "acceptance", .rows = rows_acceptance},
	{.name = "velocity", .rows = rows_velocity},
	{.name = "time-in-status", .key = "statuses", .h = tis_h, .p = tis_p},
	{.name = "aging", .rows = rows_aging},
	{.name = "epics", .rows = rows_epics},
};

#define N_RENDERERS (sizeof(renderers) / sizeof(renderers[0]))

const char *pp_report_table_renderer(size_t i)
{
	return i < N_RENDERERS ? renderers[i].name : NULL;
}

void pp_report_table_fill(const char *name, const json_t *j, pp_report_table *t)
{
	size_t i;

	for (i = 0; name && i < N_RENDERERS; i++)
		if (strcmp(renderers[i].name, name) == 0) {
			if (renderers[i].rows) {
				renderers[i].rows(j, t);
			} else {
				heads(t, renderers[i].h);
				add_each(t, j, renderers[i].key, renderers[i].p);
			}
			return;
		}
	rows_generic(j, t);
}
