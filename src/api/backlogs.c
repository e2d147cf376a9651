/*
 * backlogs.c: /v1/projects/{project}/backlogs[/{backlog}], a project's
 * ordered lists of stories. {backlog} is the backlog's id. Viewers read;
 * maintainers create, change and archive (DELETE).
 */
#include <string.h>

#include "api/handlers.h"
#include "api/input.h"
#include "api/sql.h"

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
	pp_api_run_reply(ctx, req, resp, &tx,
			 pp_tx_add(&tx, pp_api_sql("backlogs.sql", "backlogs_list"), 2,
				   req->params[0], archived),
			 200);
}

void pp_api_backlog_create(void *ctx, pp_http_req *req, pp_http_resp *resp)
{
	pp_api_create(ctx, req, resp, create_fields, N(create_fields), "maintainer",
		      pp_api_sql("backlogs.sql", "backlog_create"));
}

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
	pp_api_run_reply(ctx, req, resp, &tx,
			 pp_tx_add(&tx, pp_api_sql("backlogs.sql", "backlog_patch"), 4,
				   req->params[0], req->params[1], req->body, version),
			 200);
}

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
			 pp_tx_add(&tx, pp_api_sql("backlogs.sql", "backlog_archive"), 3,
				   req->params[0], req->params[1], version),
			 204);
}
