/*
 * backlogs.c: /v1/projects/{project}/backlogs[/{backlog}], a project's
 * ordered lists of stories. {backlog} is the backlog's id. Viewers read;
 * maintainers create, change and archive (DELETE).
 */
#include <string.h>

#include "api/handlers.h"
#include "api/input.h"

static const char *const no_params[] = {NULL};
static const char *const kinds[] = {"backlog", "sprint", "kanban", "icebox", NULL};

static const pp_field create_fields[] = {
	PP_FIELD("name", PP_F_STRING, PP_F_REQUIRED),
	PP_FIELD_ENUM("kind", 0, kinds),
	PP_FIELD_INT("position", 0, 0, 2147483647),
	PP_FIELD("description", PP_F_STRING, 0),
	PP_FIELD("starts_on", PP_F_DATE, PP_F_NULLABLE),
	PP_FIELD("ends_on", PP_F_DATE, PP_F_NULLABLE),
};

static const pp_field patch_fields[] = {
	PP_FIELD("name", PP_F_STRING, 0),
	PP_FIELD_ENUM("kind", 0, kinds),
	PP_FIELD_INT("position", 0, 0, 2147483647),
	PP_FIELD("description", PP_F_STRING, 0),
	PP_FIELD("starts_on", PP_F_DATE, PP_F_NULLABLE),
	PP_FIELD("ends_on", PP_F_DATE, PP_F_NULLABLE),
	PP_FIELD("archived", PP_F_BOOL, 0),
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* A backlog id is digits; anything else names no backlog (404, not 422). */
static int backlog_id_ok(pp_http_req *req, pp_http_resp *resp)
{
	const char *id = req->params[1];

	if (strlen(id) <= 18 && strspn(id, "0123456789") == strlen(id))
		return 1;
	pp_problem p = {.status = 404,
			.type = "not-found",
			.title = "Not found",
			.detail = "no such backlog"};
	pp_http_problem(resp, req, &p);
	return 0;
}

static const char sql_list[] =
	"SELECT coalesce(json_agg(" PP_SQL_BACKLOG_JSON " ORDER BY b.position, b.id), '[]') AS body"
	" FROM backlogs b WHERE b.project_id = " PP_SQL_PID
	" AND ($2::boolean OR b.archived_at IS NULL)";

void pp_api_backlogs_list(void *ctx, pp_http_req *req, pp_http_resp *resp)
{
	static const char *const allowed[] = {"archived", NULL};
	const char *archived;
	pp_tx tx;

	if (pp_api_query_known(req, resp, allowed) != 0 ||
	    pp_api_query_bool(req, resp, "archived", 0, &archived) != 0)
		return;
	pp_tx_init(&tx);
	pp_tx_guard(&tx, req->params[0], "viewer");
	pp_api_run_reply(ctx, req, resp, &tx, pp_tx_add(&tx, sql_list, 2, req->params[0], archived),
			 200);
}

static const char sql_create[] =
	"WITH b AS ("
	" INSERT INTO backlogs (project_id, name, kind, position, description, starts_on, ends_on)"
	" SELECT " PP_SQL_PID ", i.b->>'name', coalesce(i.b->>'kind', 'backlog'),"
	"  coalesce((i.b->>'position')::int, 0), coalesce(i.b->>'description', ''),"
	"  (i.b->>'starts_on')::date, (i.b->>'ends_on')::date"
	" FROM (SELECT $2::jsonb AS b) i RETURNING *)"
	"SELECT " PP_SQL_BACKLOG_JSON " AS body, b.version,"
	" '/v1/projects/' || $1 || '/backlogs/' || b.id AS location FROM b";

void pp_api_backlog_create(void *ctx, pp_http_req *req, pp_http_resp *resp)
{
	pp_api_create(ctx, req, resp, create_fields, N(create_fields), "maintainer", sql_create);
}

/* See projects.c for how cur, upd and If-Match work together. */
static const char sql_patch[] =
	"WITH i AS (SELECT $3::jsonb AS b),"
	" cur AS (SELECT b.* FROM backlogs b WHERE b.project_id = " PP_SQL_PID
	" AND b.id = $2::bigint"
	"  FOR NO KEY UPDATE),"
	" upd AS (UPDATE backlogs t SET " PP_SQL_SET("name") ", " PP_SQL_SET(
		"kind") ","
			"  " PP_SQL_SET_AS("position", "int") ", " PP_SQL_SET(
				"description") ","
					       "  " PP_SQL_SET_AS("starts_on", "date") ", " PP_SQL_SET_AS(
						       "ends_on",
						       "date") ","
							       "  " PP_SQL_SET_ARCHIVED
							       "  FROM i, cur WHERE t.id = cur.id AND ($4::int IS NULL OR t.version = $4::int)"
							       "  RETURNING t.*)"
							       "SELECT CASE WHEN EXISTS (SELECT FROM upd) THEN (SELECT " PP_SQL_BACKLOG_JSON
							       " FROM upd b)"
							       " WHEN NOT EXISTS (SELECT FROM cur) THEN planpipe_api_fail('PP404', 'no backlog ' || $2)"
							       " WHEN $4::int IS NOT NULL AND (SELECT version FROM cur) <> $4::int"
							       "  THEN " PP_SQL_STALE(
								       "'backlog ' || $2",
								       "$4") " ELSE (SELECT " PP_SQL_BACKLOG_JSON
									     " FROM cur b) END AS body,"
									     " coalesce((SELECT version FROM upd), (SELECT version FROM cur)) AS version";

void pp_api_backlog_patch(void *ctx, pp_http_req *req, pp_http_resp *resp)
{
	const char *version;
	char vbuf[16];
	json_t *body;
	pp_tx tx;

	if (pp_api_query_known(req, resp, no_params) != 0 || !backlog_id_ok(req, resp) ||
	    pp_api_if_match(req, resp, vbuf, &version) != 0)
		return;
	body = pp_api_body(req, resp, patch_fields, N(patch_fields));
	if (body == NULL)
		return;
	json_decref(body);
	pp_tx_init(&tx);
	pp_tx_guard(&tx, req->params[0], "maintainer");
	pp_api_run_reply(
		ctx, req, resp, &tx,
		pp_tx_add(&tx, sql_patch, 4, req->params[0], req->params[1], req->body, version),
		200);
}

static const char sql_archive[] =
	"WITH cur AS (SELECT b.* FROM backlogs b WHERE b.project_id = " PP_SQL_PID
	"  AND b.id = $2::bigint FOR NO KEY UPDATE),"
	" upd AS (UPDATE backlogs t SET archived_at = coalesce(t.archived_at, now()) FROM cur"
	"  WHERE t.id = cur.id AND ($3::int IS NULL OR t.version = $3::int) RETURNING t.id)"
	"SELECT CASE WHEN NOT EXISTS (SELECT FROM cur) THEN planpipe_api_fail('PP404', 'no backlog ' || $2)"
	" WHEN NOT EXISTS (SELECT FROM upd) AND $3::int IS NOT NULL"
	"  AND (SELECT version FROM cur) <> $3::int THEN " PP_SQL_STALE("'backlog ' || $2",
									"$3") " END AS body";

void pp_api_backlog_archive(void *ctx, pp_http_req *req, pp_http_resp *resp)
{
	const char *version;
	char vbuf[16];
	pp_tx tx;

	if (pp_api_query_known(req, resp, no_params) != 0 || !backlog_id_ok(req, resp) ||
	    pp_api_if_match(req, resp, vbuf, &version) != 0)
		return;
	pp_tx_init(&tx);
	pp_tx_guard(&tx, req->params[0], "maintainer");
	pp_api_run_reply(ctx, req, resp, &tx,
			 pp_tx_add(&tx, sql_archive, 3, req->params[0], req->params[1], version),
			 204);
}
