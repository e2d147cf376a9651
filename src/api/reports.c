/*
 * reports.c: GET /v1/reports/{name}, the reports of docs/reports.md over
 * the caller's projects. project= (repeatable; absent: all the caller's
 * projects), from/to and as_of (YYYY-MM-DD), backlog=, story= and last=
 * where the report takes them (its row in pp_reports, the registry, says which). The report
 * functions run as planpipe_app like every request, so row-level security decides what they count;
 * a project the caller cannot see is "no project", 404, the same as one that does not exist.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/handlers.h"
#include "api/input.h"
#include "api/reports_int.h"
#include "db/report.h"
#include "core/date.h"
#include "core/limits.h"

#define MAX_PROJECTS REPORTS_MAX_PROJECTS

int reports_collect(void *ctx, const char *key, const char *value)
{
	reports_keys *k = ctx;

	if (strcmp(key, "project") != 0)
		return 0;
	if (k->n == MAX_PROJECTS) {
		k->too_many = 1;
		return 1;
	}
	if (!pp_project_key_valid(value, strlen(value))) {
		k->bad = 1;
		return 1;
	}
	k->v[k->n++] = value;
	return 0;
}

#define MAX_ALLOWED REPORTS_MAX_ALLOWED

void reports_allowed_for(unsigned takes, const char *out[MAX_ALLOWED])
{
	int n = 0;

	if (takes & (PP_REPORT_PROJECTS | PP_REPORT_PROJECT))
		out[n++] = "project";
	if (takes & PP_REPORT_WINDOW) {
		out[n++] = "from";
		out[n++] = "to";
	}
	if (takes & PP_REPORT_BACKLOG)
		out[n++] = "backlog";
	if (takes & PP_REPORT_STORY)
		out[n++] = "story";
	if (takes & PP_REPORT_LAST)
		out[n++] = "last";
	if (takes & PP_REPORT_AS_OF)
		out[n++] = "as_of";
	out[n] = NULL;
}

int reports_check_args(const pp_http_req *req, pp_http_resp *resp, unsigned takes,
		       const reports_keys *k, const pp_report_args *a)
{
	if (k->too_many) {
		pp_api_bad(req, resp, 422, "project", "at most %d projects", MAX_PROJECTS);
		return -1;
	}
	if (k->bad) {
		pp_api_bad(req, resp, 422, "project", PP_PROJECT_KEY_RULE);
		return -1;
	}
	if ((takes & PP_REPORT_PROJECT) && k->n != 1) {
		pp_api_bad(req, resp, 422, "project", "this report takes exactly one project=");
		return -1;
	}
	if ((takes & PP_REPORT_BACKLOG) && a->backlog == NULL) {
		pp_api_bad(req, resp, 422, "backlog", "this report needs backlog=NAME");
		return -1;
	}
	if ((takes & PP_REPORT_STORY) && a->story == NULL) {
		pp_api_bad(req, resp, 422, "story", "this report needs story=KEY");
		return -1;
	}
	if (a->from && !pp_date_valid(a->from)) {
		pp_api_bad(req, resp, 422, "from", "from must be a date, YYYY-MM-DD");
		return -1;
	}
	if (a->to && !pp_date_valid(a->to)) {
		pp_api_bad(req, resp, 422, "to", "to must be a date, YYYY-MM-DD");
		return -1;
	}
	if (a->as_of && !pp_date_valid(a->as_of)) {
		pp_api_bad(req, resp, 422, "as_of", "as_of must be a date, YYYY-MM-DD");
		return -1;
	}
	/* 1 to 3 digits here; the database says 1 to 100. */
	if (a->last && (*a->last == '\0' || strlen(a->last) > 3 ||
			strspn(a->last, "0123456789") != strlen(a->last))) {
		pp_api_bad(req, resp, 422, "last", "last must be a number of sprints, 1 to 100");
		return -1;
	}
	return 0;
}

void pp_api_report(void *ctx, pp_http_req *req, pp_http_resp *resp)
{
	const char *name = req->params[0], *allowed[MAX_ALLOWED],
		   *params[PP_REPORT_MAX_PARAMS] = {NULL};
	unsigned takes = pp_report_takes(name);
	reports_keys k = {{NULL}, 0, 0, 0};
	pp_report_args a;
	char *keys_lit = NULL, sql[PP_REPORT_SQL_MAX];
	pp_err err;
	pp_tx tx;
	int n = 0;

	if (takes == 0) {
		char names[512];
		pp_report_names_join(names, sizeof(names));
		pp_api_bad(req, resp, 404, NULL, "no report named \"%s\": %s", name, names);
		return;
	}
	reports_allowed_for(takes, allowed);
	if (pp_api_query_known(req, resp, allowed) != 0)
		return;
	pp_http_query_each(req, reports_collect, &k);
	memset(&a, 0, sizeof(a));
	a.projects = k.v;
	a.n_projects = k.n;
	a.from = pp_http_query(req, "from");
	a.to = pp_http_query(req, "to");
	a.backlog = pp_http_query(req, "backlog");
	a.story = pp_http_query(req, "story");
	a.last = pp_http_query(req, "last");
	a.as_of = pp_http_query(req, "as_of");
	if (reports_check_args(req, resp, takes, &k, &a) != 0)
		return;
	pp_err_clear(&err);
	if (pp_report_statement(name, &a, sql, params, &n, &keys_lit, &err) != PP_OK) {
		pp_api_bad(req, resp, 422, "project", "%s", err.msg);
		free(keys_lit);
		return;
	}
	pp_tx_init(&tx);
	pp_tx_read_anywhere(&tx);
	/* One project: the usual guard, so a non-member gets 404 before the report runs. */
	if (takes & PP_REPORT_PROJECT)
		pp_tx_guard(&tx, k.v[0], "viewer");
	pp_api_run_reply(ctx, req, resp, &tx,
			 pp_tx_add(&tx, sql, n, params[0], params[1], params[2], params[3]), 200);
	free(keys_lit);
}
