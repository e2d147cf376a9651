/*
 * history.c: status history, of one story (all of it, oldest first) and of a
 * project since a time (paginated by (changed_at, id); the cursor is
 * "h|<changed_at>|<id>"). Viewers read both.
 */
#include <stdio.h>
#include <string.h>

#include "api/handlers.h"
#include "api/input.h"
#include "api/sql.h"

static const pp_api_route_sql story_history = {.file = "history.sql",
					       .name = "story_history",
					       .min_role = "viewer",
					       .status = 200,
					       .flags = PP_ROUTE_ANYWHERE,
					       .args = {PP_ARG_P0, PP_ARG_P1}};

void pp_api_story_history(void *ctx, pp_http_req *req, pp_http_resp *resp)
{
	pp_api_run_sql_route(ctx, req, resp, &story_history);
}

void pp_api_project_history(void *ctx, pp_http_req *req, pp_http_resp *resp)
{
	static const char *const allowed[] = {"since", "limit", "cursor", NULL};
	const char *since = pp_http_query(req, "since"), *cursor = pp_http_query(req, "cursor");
	const char *fields[2] = {NULL, NULL};
	char limit[16], buf[128], next[128];
	const PGresult *res;
	pp_tx tx;
	int i;

	if (pp_api_query_known(req, resp, allowed) != 0 ||
	    pp_api_query_limit(req, resp, limit) != 0)
		return;
	if (since && !pp_api_is_time(since)) {
		pp_api_bad(req, resp, 422, "since",
			   "since must be an RFC 3339 date-time, e.g. 2025-01-31T00:00:00Z");
		return;
	}
	if (cursor && (pp_api_cursor_decode(cursor, 'h', buf, sizeof(buf), fields, 2) != 2 ||
		       !pp_api_is_time(fields[0]) || !*fields[1] || strlen(fields[1]) > 18 ||
		       strspn(fields[1], "0123456789") != strlen(fields[1]))) {
		pp_api_bad(req, resp, 400, "cursor", "the cursor is not one this API gave out");
		return;
	}
	pp_tx_init(&tx);
	pp_tx_read_anywhere(&tx);
	pp_tx_guard(&tx, req->params[0], "viewer");
	i = pp_tx_add(&tx, pp_api_sql("history.sql", "project_history"), 5, req->params[0], since,
		      limit, fields[0], fields[1]);
	if (pp_tx_run(ctx, req, resp, &tx) != PP_OK)
		return;
	res = tx.res[i];
	snprintf(next, sizeof(next), "h|%s|%s", PQgetvalue(res, 0, 2), PQgetvalue(res, 0, 3));
	pp_api_reply_page(req, resp, res, strcmp(PQgetvalue(res, 0, 1), "t") == 0 ? next : NULL);
	pp_tx_free(&tx);
}
