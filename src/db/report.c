/*
 * report.c: the registry of reports (pp_reports), the statement of each
 * derived from its row, and running it (migrations 0010, 0019; report.h).
 */
#include "db/report.h"

#include <assert.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "db/conn.h"

#define KEYS    PP_REPORT_ARG_KEYS
#define PROJECT PP_REPORT_ARG_PROJECT
#define BACKLOG PP_REPORT_ARG_BACKLOG
#define STORY   PP_REPORT_ARG_STORY
#define FROM    PP_REPORT_ARG_FROM
#define TO      PP_REPORT_ARG_TO
#define LAST    PP_REPORT_ARG_LAST
#define AS_OF   PP_REPORT_ARG_AS_OF

/*
 * The registry: adding a report is its migration, its row here and its
 * tests (docs/contributing.md). One row per report, laid out by hand.
 */
/* clang-format off */
const pp_report_def pp_reports[] = {
	{"status-summary", "planpipe_report_status_summary", {KEYS}, 0,
	 "stories and points per status and category, per project"},
	{"blocked", "planpipe_report_blocked", {KEYS}, 0,
	 "open stories with open blockers (any project), oldest first"},
	{"critical-path", "planpipe_report_critical_path", {PROJECT, STORY}, 0,
	 "the longest chain of open blockers of --story"},
	{"cycle-time", "planpipe_report_cycle_time", {KEYS, FROM, TO}, 0,
	 "cycle and lead time (median, p85, p95) of stories completed"},
	{"throughput", "planpipe_report_throughput", {KEYS, FROM, TO}, 0,
	 "stories and points reaching done per ISO week"},
	{"cumulative-flow", "planpipe_report_cumulative_flow", {KEYS, FROM, TO}, 0,
	 "stories per category at the end of each day"},
	{"burndown", "planpipe_report_burndown", {PROJECT, BACKLOG, FROM, TO}, 0,
	 "remaining points of --backlog per day, scope changes apart"},
	/* The same figures as burndown, under its own name. */
	{"burnup", "planpipe_report_burndown", {PROJECT, BACKLOG, FROM, TO}, 1,
	 "done and scope points of --backlog per day"},
	{"acceptance", "planpipe_report_acceptance", {KEYS}, 0,
	 "acceptance-criteria checkboxes ticked per epic"},
	{"velocity", "planpipe_report_velocity", {KEYS, LAST, AS_OF}, 0,
	 "committed vs done per sprint, mean of last N, sprints left"},
	{"time-in-status", "planpipe_report_time_in_status", {KEYS, FROM, TO}, 0,
	 "days spent in each status (p50, p85), visits"},
	{"aging", "planpipe_report_aging", {KEYS, AS_OF}, 0,
	 "open work by age in its status, oldest stories"},
	{"epics", "planpipe_report_epics", {KEYS}, 0,
	 "stories, points, done % and blocked stories per epic"},
	{NULL, NULL, {PP_REPORT_ARG_END}, 0, NULL},
};
/* clang-format on */

const char *const pp_report_helpers[] = {
	"planpipe_report_as_of",
	"planpipe_report_blocked_by_dependency",
	"planpipe_report_blocked_chains",
	"planpipe_report_blocker_closure",
	"planpipe_report_completions",
	"planpipe_report_open_blocked",
	"planpipe_report_open_blocked_in",
	"planpipe_report_projects",
	"planpipe_report_stats",
	"planpipe_report_story_id",
	"planpipe_report_ts",
	"planpipe_report_window",
	NULL,
};

/* Each argument's SQL type (the cast of its placeholder) and its PP_REPORT_* flag. */
/* clang-format off */
static const struct {
	const char *type;
	unsigned flag;
} arg_kinds[] = {
	[PP_REPORT_ARG_END] = {NULL, 0},
	[KEYS]    = {"text[]", PP_REPORT_PROJECTS},
	[PROJECT] = {"text", PP_REPORT_PROJECT},
	[BACKLOG] = {"text", PP_REPORT_BACKLOG},
	[STORY]   = {"text", PP_REPORT_STORY},
	[FROM]    = {"date", PP_REPORT_WINDOW},
	[TO]      = {"date", PP_REPORT_WINDOW},
	[LAST]    = {"integer", PP_REPORT_LAST},
	[AS_OF]   = {"date", PP_REPORT_AS_OF},
};
/* clang-format on */

void pp_report_names_taking(unsigned takes, char *out, size_t cap)
{
	size_t i, len = 0;
	int n;

	if (cap == 0)
		return;
	out[0] = '\0';
	for (i = 0; pp_reports[i].name && len < cap; i++) {
		if (takes && !(pp_report_takes(pp_reports[i].name) & takes))
			continue;
		n = snprintf(out + len, cap - len, "%s%s", len ? ", " : "", pp_reports[i].name);
		if (n < 0)
			return;
		len += (size_t)n;
	}
}

void pp_report_names_join(char *out, size_t cap)
{
	pp_report_names_taking(0, out, cap);
}

const pp_report_def *pp_report_find(const char *name)
{
	size_t i;

	for (i = 0; name && pp_reports[i].name; i++)
		if (strcmp(pp_reports[i].name, name) == 0)
			return &pp_reports[i];
	return NULL;
}

const char *pp_report_arg_type(pp_report_arg arg)
{
	assert((size_t)arg < sizeof(arg_kinds) / sizeof(arg_kinds[0]));
	return arg_kinds[arg].type;
}

unsigned pp_report_takes(const char *name)
{
	const pp_report_def *r = pp_report_find(name);
	unsigned takes = 0;
	size_t i;

	for (i = 0; r && r->args[i] != PP_REPORT_ARG_END; i++)
		takes |= arg_kinds[r->args[i]].flag;
	return takes;
}

#define KEYS_MAX (1 << 20)

/*
 * The keys as a PostgreSQL array literal in *out (caller frees), NULL for
 * none: each element double-quoted, " and \ escaped, so that any key
 * reaches the database as data.
 */
static pp_rc keys_array(const pp_report_args *a, char **out, pp_err *err)
{
	pp_buf b;
	pp_rc rc = PP_OK;
	size_t i;

	*out = NULL;
	if (a->n_projects == 0)
		return PP_OK;
	pp_buf_init(&b, KEYS_MAX);
	rc = pp_buf_adds(&b, "{");
	for (i = 0; i < a->n_projects && rc == PP_OK; i++) {
		const char *k = a->projects[i];
		json_t *utf8 = json_string(k); /* NULL: not UTF-8 */

		if (utf8 == NULL) {
			rc = pp_err_set(err, PP_EINVAL, "project key \"%s\" is not valid UTF-8", k);
			break;
		}
		json_decref(utf8);
		rc = pp_buf_adds(&b, i ? ",\"" : "\"");
		for (; *k && rc == PP_OK; k++)
			rc = (*k == '"' || *k == '\\') ? pp_buf_printf(&b, "\\%c", *k)
						       : pp_buf_add(&b, k, 1);
		if (rc == PP_OK)
			rc = pp_buf_adds(&b, "\"");
	}
	if (rc == PP_OK)
		rc = pp_buf_adds(&b, "}");
	if (rc == PP_OK && (*out = pp_buf_take(&b)) == NULL)
		rc = PP_ENOMEM;
	if (rc == PP_ETOOBIG)
		pp_err_set(err, rc, "the project keys are over %d bytes", KEYS_MAX);
	else if (rc == PP_ENOMEM)
		pp_err_set(err, rc, "out of memory");
	pp_buf_free(&b);
	return rc;
}

/*
 * Report r's statement in sql, from its row: its function over one cast
 * placeholder per argument, pretty-printed; a renamed report's JSON says
 * its own name. Names are the registry's (a-z and -, a unit test holds
 * them to it), so the name is spelled into the text as a literal.
 */
static void statement(const pp_report_def *r, char sql[PP_REPORT_SQL_MAX])
{
	char args[PP_REPORT_SQL_MAX] = "", call[PP_REPORT_SQL_MAX];
	size_t i, len = 0;
	int w;

	for (i = 0; r->args[i] != PP_REPORT_ARG_END; i++) {
		w = snprintf(args + len, sizeof(args) - len, "%s$%zu::%s", i ? ", " : "", i + 1,
			     arg_kinds[r->args[i]].type);
		assert(w > 0 && (size_t)w < sizeof(args) - len);
		len += (size_t)w;
	}
	if (r->renamed)
		w = snprintf(call, sizeof(call), "jsonb_set(%s(%s), '{report}', '\"%s\"')",
			     r->function, args, r->name);
	else
		w = snprintf(call, sizeof(call), "%s(%s)", r->function, args);
	assert(w > 0 && (size_t)w < sizeof(call));
	/* sql-in-c: the function and its arguments' casts come from the registry (reports[]). */
	w = snprintf(sql, PP_REPORT_SQL_MAX, "SELECT jsonb_pretty(%s) AS body", call);
	assert(w > 0 && w < PP_REPORT_SQL_MAX);
	(void)w;
}

/*
 * A refusal of the request (no such project, backlog or story: PP404; a bad
 * value: class 22) is the user's to fix and is told as the database says it;
 * anything else is reported whole, with its SQLSTATE.
 */
static pp_rc result_err(PGconn *conn, const PGresult *res, const char *name, pp_err *err)
{
	const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	const char *primary = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);

	if (state && primary && (strcmp(state, "PP404") == 0 || strncmp(state, "22", 2) == 0)) {
		pp_err_set(err, PP_EINVAL, "%s", primary);
		snprintf(err->sqlstate, sizeof(err->sqlstate), "%s", state);
		return PP_EINVAL;
	}
	pp_db_err(err, conn, res, name);
	return PP_EDB;
}

pp_rc pp_report_statement(const char *name, const pp_report_args *a, char sql[PP_REPORT_SQL_MAX],
			  const char *params[PP_REPORT_MAX_PARAMS], int *n, char **keys,
			  pp_err *err)
{
	const pp_report_def *r = pp_report_find(name);
	pp_rc rc;
	size_t i;

	*n = 0;
	*keys = NULL;
	if (r == NULL)
		return pp_err_set(err, PP_EINVAL, "no report named \"%s\"", name ? name : "");
	rc = keys_array(a, keys, err);
	if (rc != PP_OK)
		return rc;
	for (i = 0; r->args[i] != PP_REPORT_ARG_END; i++) {
		const char *v = NULL;

		assert(i < PP_REPORT_MAX_PARAMS);
		switch (r->args[i]) {
		case PP_REPORT_ARG_KEYS:
			v = *keys;
			break;
		case PP_REPORT_ARG_PROJECT:
			v = a->n_projects > 0 ? a->projects[0] : NULL;
			break;
		case PP_REPORT_ARG_BACKLOG:
			v = a->backlog;
			break;
		case PP_REPORT_ARG_STORY:
			v = a->story;
			break;
		case PP_REPORT_ARG_FROM:
			v = a->from;
			break;
		case PP_REPORT_ARG_TO:
			v = a->to;
			break;
		case PP_REPORT_ARG_LAST:
			v = a->last;
			break;
		case PP_REPORT_ARG_AS_OF:
			v = a->as_of;
			break;
		case PP_REPORT_ARG_END:
			break;
		}
		params[(*n)++] = v;
	}
	statement(r, sql);
	return PP_OK;
}

pp_rc pp_report_run(PGconn *conn, const char *name, const pp_report_args *a, char **json,
		    pp_err *err)
{
	const char *params[PP_REPORT_MAX_PARAMS];
	char sql[PP_REPORT_SQL_MAX];
	char *keys = NULL;
	PGresult *res = NULL;
	pp_rc rc;
	int n = 0;

	*json = NULL;
	rc = pp_report_statement(name, a, sql, params, &n, &keys, err);
	if (rc != PP_OK)
		goto out;
	res = PQexecParams(conn, sql, n, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		rc = result_err(conn, res, name, err);
		goto out;
	}
	if (PQntuples(res) != 1 || PQgetisnull(res, 0, 0)) {
		rc = pp_err_set(err, PP_EDB, "report %s: the database returned no report", name);
		goto out;
	}
	*json = strdup(PQgetvalue(res, 0, 0));
	if (*json == NULL)
		rc = pp_err_set(err, PP_ENOMEM, "out of memory");
out:
	PQclear(res);
	free(keys);
	return rc;
}
