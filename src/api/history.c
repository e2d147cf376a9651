/*
 * history.c: status history, of one story (all of it, oldest first) and of a
 * project since a time (paginated by (changed_at, id); the cursor is
 * "h|<changed_at>|<id>"). Viewers read both.
 */
#include <stdio.h>
#include <string.h>

#include "api/handlers.h"
#include "api/input.h"

static const char *const no_params[] = {NULL};

#define CHANGE_JSON                                                                                \
	"json_build_object('story', planpipe_story_label(h.story_id), 'from', h.from_status,"      \
	" 'to', h.to_status, 'changed_at', h.changed_at, 'changed_by', u.handle,"                  \
	" 'source', h.source, 'note', h.note)"

static const char sql_story[] =
	"WITH st AS (SELECT s.id FROM stories s WHERE s.project_id = " PP_SQL_PID " AND s.key = $2)"
	"SELECT CASE WHEN NOT EXISTS (SELECT FROM st)"
	"  THEN planpipe_api_fail('PP404', 'no story ' || $1 || ':' || $2)"
	" ELSE coalesce((SELECT json_agg(" CHANGE_JSON " ORDER BY h.changed_at, h.id)"
	"  FROM status_history h LEFT JOIN users u ON u.id = h.changed_by"
	"  WHERE h.story_id = (SELECT id FROM st)), '[]') END AS body";

void pp_api_story_history(void *ctx, pp_http_req *req, pp_http_resp *resp)
{
	pp_tx tx;

	if (pp_api_query_known(req, resp, no_params) != 0)
		return;
	pp_tx_init(&tx);
	pp_tx_read_anywhere(&tx);
	pp_tx_guard(&tx, req->params[0], "viewer");
	pp_api_run_reply(ctx, req, resp, &tx,
			 pp_tx_add(&tx, sql_story, 2, req->params[0], req->params[1]), 200);
}

/* $2 since, $3 limit, $4 and $5 the cursor's changed_at and id. */
static const char sql_project[] =
	"SELECT coalesce(json_agg(j ORDER BY n) FILTER (WHERE n <= $3::int), '[]') AS items,"
	" count(*) > $3::int AS more,"
	" max(ts) FILTER (WHERE n = $3::int) AS last_ts, max(id) FILTER (WHERE n = $3::int) AS last_id"
	" FROM (SELECT h.id, to_char(h.changed_at AT TIME ZONE 'UTC',"
	"   'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') AS ts, " CHANGE_JSON " AS j,"
	"  row_number() OVER (ORDER BY h.changed_at, h.id) AS n"
	"  FROM status_history h LEFT JOIN users u ON u.id = h.changed_by"
	"  WHERE h.project_id = " PP_SQL_PID
	"   AND ($2::timestamptz IS NULL OR h.changed_at >= $2::timestamptz)"
	"   AND ($4::timestamptz IS NULL OR (h.changed_at, h.id) > ($4::timestamptz, $5::bigint))"
	"  ORDER BY h.changed_at, h.id LIMIT $3::int + 1) x";

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
	i = pp_tx_add(&tx, sql_project, 5, req->params[0], since, limit, fields[0], fields[1]);
	if (pp_tx_run(ctx, req, resp, &tx) != PP_OK)
		return;
	res = tx.res[i];
	snprintf(next, sizeof(next), "h|%s|%s", PQgetvalue(res, 0, 2), PQgetvalue(res, 0, 3));
	pp_api_reply_page(req, resp, res, strcmp(PQgetvalue(res, 0, 1), "t") == 0 ? next : NULL);
	pp_tx_free(&tx);
}
