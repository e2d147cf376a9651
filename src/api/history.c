/*
 * history.c: status history, of one story (all of it, oldest first) and of a
 * project since a time (paginated by (changed_at, id); the cursor is
 * "h|<changed_at>|<id>"). Viewers read both.
 */
#include <string.h>

#include "api/handlers.h"
#include "api/history_int.h"
#include "api/input.h"
#include "api/sql.h"

/* clang-format off */
PP_API_SQL_ROUTE(history_story, pp_api_story_history, "history.sql", "story_history", "viewer", 200, PP_ROUTE_ANYWHERE,
		 PP_API_NO_FIELDS, NULL, PP_ARG_P0, PP_ARG_P1)
/* clang-format on */

int history_cursor_ok(const char *cursor, char buf[128], const char *fields[2])
{
	return pp_api_cursor_decode(cursor, 'h', buf, 128, fields, 2) == 2 &&
	       pp_api_is_time(fields[0]) && *fields[1] && strlen(fields[1]) <= 18 &&
	       strspn(fields[1], "0123456789") == strlen(fields[1]);
}

void pp_api_project_history(void *ctx, pp_http_req *req, pp_http_resp *resp)
{
	static const char *const allowed[] = {"since", "limit", "cursor", NULL};
	static const int cursor_cols[] = {2, 3};
	const char *since = pp_http_query(req, "since"), *cursor = pp_http_query(req, "cursor");
	const char *fields[2] = {NULL, NULL};
	char limit[16], buf[128];
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
	if (cursor && !history_cursor_ok(cursor, buf, fields)) {
		pp_api_bad(req, resp, 400, "cursor", "the cursor is not one this API gave out");
		return;
	}
	pp_tx_init(&tx);
	pp_tx_read_anywhere(&tx);
	pp_tx_guard(&tx, req->params[0], "viewer");
	i = pp_tx_add(&tx, pp_api_sql("history.sql", "project_history"), 5, req->params[0], since,
		      limit, fields[0], fields[1]);
	pp_api_run_page(ctx, req, resp, &tx, i, 'h', cursor_cols, 2);
}
