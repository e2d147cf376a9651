/* report.c: the list of reports and running their functions (migrations 0010, 0019; see report.h).
 */
#include "db/report.h"

#include <assert.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/conn.h"

/*
 * Project keys travel as one JSON array ($1), so that any key, however
 * spelled, reaches the database as data; no keys is NULL (every project).
 */
#define SQL_KEYS "(SELECT array_agg(k) FROM jsonb_array_elements_text($1::jsonb) AS k)"

/* $1 project keys */
static const char sql_status_summary[] =
	"SELECT jsonb_pretty(planpipe_report_status_summary(" SQL_KEYS ")) AS body";
static const char sql_blocked[] =
	"SELECT jsonb_pretty(planpipe_report_blocked(" SQL_KEYS ")) AS body";
static const char sql_acceptance[] =
	"SELECT jsonb_pretty(planpipe_report_acceptance(" SQL_KEYS ")) AS body";
/* $1 project keys, $2 from, $3 to */
static const char sql_cycle_time[] =
	"SELECT jsonb_pretty(planpipe_report_cycle_time(" SQL_KEYS ", $2::date, $3::date)) AS body";
static const char sql_throughput[] =
	"SELECT jsonb_pretty(planpipe_report_throughput(" SQL_KEYS ", $2::date, $3::date)) AS body";
static const char sql_cumulative_flow[] =
	"SELECT jsonb_pretty(planpipe_report_cumulative_flow(" SQL_KEYS
	", $2::date, $3::date)) AS body";
/* $1 project, $2 story */
static const char sql_critical_path[] =
	"SELECT jsonb_pretty(planpipe_report_critical_path($1, $2)) AS body";
/* $1 project, $2 backlog, $3 from, $4 to; burnup is the same figures under its own name */
static const char sql_burndown[] =
	"SELECT jsonb_pretty(planpipe_report_burndown($1, $2, $3::date, $4::date)) AS body";
static const char sql_burnup[] = "SELECT jsonb_pretty(jsonb_set(planpipe_report_burndown($1, $2, "
				 "$3::date, $4::date), '{report}', '\"burnup\"')) AS body";
/* $1 project keys, $2 from, $3 to */
static const char sql_time_in_status[] =
	"SELECT jsonb_pretty(planpipe_report_time_in_status(" SQL_KEYS
	", $2::date, $3::date)) AS body";
/* $1 project keys, $2 last, $3 as_of */
static const char sql_velocity[] = "SELECT jsonb_pretty(planpipe_report_velocity(" SQL_KEYS
				   ", $2::integer, $3::date)) AS body";
/* $1 project keys, $2 as_of */
static const char sql_aging[] =
	"SELECT jsonb_pretty(planpipe_report_aging(" SQL_KEYS ", $2::date)) AS body";
/* $1 project keys */
static const char sql_epics[] = "SELECT jsonb_pretty(planpipe_report_epics(" SQL_KEYS ")) AS body";

#define PROJECTS PP_REPORT_PROJECTS
#define WINDOW   PP_REPORT_WINDOW

/* The takes flags are also the order of the SQL's parameters (pp_report_statement). */
const pp_report_def pp_reports[] = {
	{"status-summary", PROJECTS, "stories and points per status and category, per project"},
	{"blocked", PROJECTS, "open stories with open blockers (any project), oldest first"},
	{"critical-path", PP_REPORT_PROJECT | PP_REPORT_STORY,
	 "the longest chain of open blockers of --story"},
	{"cycle-time", PROJECTS | WINDOW,
	 "cycle and lead time (median, p85, p95) of stories completed"},
	{"throughput", PROJECTS | WINDOW, "stories and points reaching done per ISO week"},
	{"cumulative-flow", PROJECTS | WINDOW, "stories per category at the end of each day"},
	{"burndown", PP_REPORT_PROJECT | PP_REPORT_BACKLOG | WINDOW,
	 "remaining points of --backlog per day, scope changes apart"},
	{"burnup", PP_REPORT_PROJECT | PP_REPORT_BACKLOG | WINDOW,
	 "done and scope points of --backlog per day"},
	{"acceptance", PROJECTS, "acceptance-criteria checkboxes ticked per epic"},
	{"velocity", PROJECTS | PP_REPORT_LAST | PP_REPORT_AS_OF,
	 "committed vs done per sprint, mean of the last N, sprints left"},
	{"time-in-status", PROJECTS | WINDOW, "days spent in each status (p50, p85), visits"},
	{"aging", PROJECTS | PP_REPORT_AS_OF, "open work by age in its status, oldest stories"},
	{"epics", PROJECTS, "stories, points, done % and blocked stories per epic"},
	{NULL, 0, NULL},
};

/* The statement of each report, by its index in pp_reports. */
static const char *const sqls[] = {
	sql_status_summary,  sql_blocked,  sql_critical_path, sql_cycle_time, sql_throughput,
	sql_cumulative_flow, sql_burndown, sql_burnup,        sql_acceptance, sql_velocity,
	sql_time_in_status,  sql_aging,    sql_epics,
};

#define N_REPORTS (sizeof(sqls) / sizeof(sqls[0]))

_Static_assert(sizeof(pp_reports) / sizeof(pp_reports[0]) == N_REPORTS + 1,
	       "one statement per report");

void pp_report_names_join(char *out, size_t cap)
{
	size_t i, len = 0;

	if (cap == 0)
		return;
	out[0] = '\0';
	for (i = 0; pp_reports[i].name && len < cap; i++) {
		int n = snprintf(out + len, cap - len, "%s%s", i ? ", " : "", pp_reports[i].name);
		if (n < 0)
			return;
		len += (size_t)n;
	}
}

/* The index of report name in pp_reports, N_REPORTS when there is none. */
static size_t find(const char *name)
{
	size_t i;

	for (i = 0; name && i < N_REPORTS; i++)
		if (strcmp(pp_reports[i].name, name) == 0)
			return i;
	return N_REPORTS;
}

unsigned pp_report_takes(const char *name)
{
	size_t i = find(name);

	return i < N_REPORTS ? pp_reports[i].takes : 0;
}

/* The keys as a compact JSON array in *out (caller frees), NULL for none. */
static pp_rc keys_json(const pp_report_args *a, char **out, pp_err *err)
{
	json_t *arr = NULL;
	pp_rc rc = PP_OK;
	size_t i;

	*out = NULL;
	if (a->n_projects == 0)
		return PP_OK;
	arr = json_array();
	if (arr == NULL) {
		rc = pp_err_set(err, PP_ENOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < a->n_projects; i++) {
		json_t *s = json_string(a->projects[i]);
		if (s == NULL) {
			rc = pp_err_set(err, PP_EINVAL, "project key \"%s\" is not valid UTF-8",
					a->projects[i]);
			goto out;
		}
		if (json_array_append_new(arr, s) != 0) {
			rc = pp_err_set(err, PP_ENOMEM, "out of memory");
			goto out;
		}
	}
	*out = json_dumps(arr, JSON_COMPACT);
	if (*out == NULL)
		rc = pp_err_set(err, PP_ENOMEM, "out of memory");
out:
	json_decref(arr);
	return rc;
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

pp_rc pp_report_statement(const char *name, const pp_report_args *a, const char **sql,
			  const char *params[PP_REPORT_MAX_PARAMS], int *n, char **keys,
			  pp_err *err)
{
	size_t i = find(name);
	unsigned takes;
	pp_rc rc;

	*n = 0;
	*keys = NULL;
	if (i == N_REPORTS)
		return pp_err_set(err, PP_EINVAL, "no report named \"%s\"", name ? name : "");
	rc = keys_json(a, keys, err);
	if (rc != PP_OK)
		return rc;
	takes = pp_reports[i].takes;
	if (takes & PP_REPORT_PROJECTS)
		params[(*n)++] = *keys;
	if (takes & PP_REPORT_PROJECT)
		params[(*n)++] = a->n_projects > 0 ? a->projects[0] : NULL;
	if (takes & PP_REPORT_BACKLOG)
		params[(*n)++] = a->backlog;
	if (takes & PP_REPORT_STORY)
		params[(*n)++] = a->story;
	if (takes & PP_REPORT_WINDOW) {
		params[(*n)++] = a->from;
		params[(*n)++] = a->to;
	}
	if (takes & PP_REPORT_LAST)
		params[(*n)++] = a->last;
	if (takes & PP_REPORT_AS_OF)
		params[(*n)++] = a->as_of;
	assert(*n <= PP_REPORT_MAX_PARAMS);
	*sql = sqls[i];
	return PP_OK;
}

pp_rc pp_report_run(PGconn *conn, const char *name, const pp_report_args *a, char **json,
		    pp_err *err)
{
	const char *params[PP_REPORT_MAX_PARAMS];
	const char *sql;
	char *keys = NULL;
	PGresult *res = NULL;
	pp_rc rc;
	int n = 0;

	*json = NULL;
	rc = pp_report_statement(name, a, &sql, params, &n, &keys, err);
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
