/* report.c: runs the report functions of migration 0010 (see report.h). */
#include "db/report.h"

#include <jansson.h>
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

typedef struct report {
	const char *name;
	const char *sql;
	unsigned takes; /* PP_REPORT_*, also the order of the SQL's parameters */
} report;

static const report reports[] = {
	{"status-summary", sql_status_summary, PP_REPORT_PROJECTS},
	{"blocked", sql_blocked, PP_REPORT_PROJECTS},
	{"critical-path", sql_critical_path, PP_REPORT_PROJECT | PP_REPORT_STORY},
	{"cycle-time", sql_cycle_time, PP_REPORT_PROJECTS | PP_REPORT_WINDOW},
	{"throughput", sql_throughput, PP_REPORT_PROJECTS | PP_REPORT_WINDOW},
	{"cumulative-flow", sql_cumulative_flow, PP_REPORT_PROJECTS | PP_REPORT_WINDOW},
	{"burndown", sql_burndown, PP_REPORT_PROJECT | PP_REPORT_BACKLOG | PP_REPORT_WINDOW},
	{"burnup", sql_burnup, PP_REPORT_PROJECT | PP_REPORT_BACKLOG | PP_REPORT_WINDOW},
	{"acceptance", sql_acceptance, PP_REPORT_PROJECTS},
};

#define N_REPORTS (sizeof(reports) / sizeof(reports[0]))

const char *const pp_report_names[] = {
	"status-summary",  "blocked",  "critical-path", "cycle-time", "throughput",
	"cumulative-flow", "burndown", "burnup",        "acceptance", NULL,
};

static const report *find(const char *name)
{
	size_t i;

	for (i = 0; name && i < N_REPORTS; i++)
		if (strcmp(reports[i].name, name) == 0)
			return &reports[i];
	return NULL;
}

unsigned pp_report_takes(const char *name)
{
	const report *r = find(name);

	return r ? r->takes : 0;
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
	const report *r = find(name);
	pp_rc rc;

	*n = 0;
	*keys = NULL;
	if (r == NULL)
		return pp_err_set(err, PP_EINVAL, "no report named \"%s\"", name ? name : "");
	rc = keys_json(a, keys, err);
	if (rc != PP_OK)
		return rc;
	if (r->takes & PP_REPORT_PROJECTS)
		params[(*n)++] = *keys;
	if (r->takes & PP_REPORT_PROJECT)
		params[(*n)++] = a->n_projects > 0 ? a->projects[0] : NULL;
	if (r->takes & PP_REPORT_BACKLOG)
		params[(*n)++] = a->backlog;
	if (r->takes & PP_REPORT_STORY)
		params[(*n)++] = a->story;
	if (r->takes & PP_REPORT_WINDOW) {
		params[(*n)++] = a->from;
		params[(*n)++] = a->to;
	}
	*sql = r->sql;
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
