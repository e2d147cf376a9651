/*
 * backlogs.c: /v1/projects/{project}/backlogs[/{backlog}], a project's
 * ordered lists of stories. {backlog} is the backlog's id. Viewers read;
 * maintainers create, change and archive (DELETE).
 */
#include <string.h>

#include "api/backlogs_int.h"
#include "api/handlers.h"
#include "api/input.h"
#include "api/sql.h"

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

/* A backlog id is digits; anything else names no backlog (404, not 422). */
int backlogs_id_ok(pp_http_req *req, pp_http_resp *resp)
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

/* clang-format off */
PP_API_SQL_ROUTE(backlogs_create, pp_api_backlog_create, "backlogs.sql", "backlog_create", "maintainer", 201, 0,
		 PP_API_FIELDS(create_fields), NULL, PP_ARG_P0, PP_ARG_BODY)
PP_API_SQL_ROUTE(backlogs_patch, pp_api_backlog_patch, "backlogs.sql", "backlog_patch", "maintainer", 200, PP_ROUTE_IF_MATCH,
		 PP_API_FIELDS(patch_fields), backlogs_id_ok, PP_ARG_P0, PP_ARG_P1, PP_ARG_BODY, PP_ARG_VERSION)
PP_API_SQL_ROUTE(backlogs_archive, pp_api_backlog_archive, "backlogs.sql", "backlog_archive", "maintainer", 204, PP_ROUTE_IF_MATCH,
		 PP_API_NO_FIELDS, backlogs_id_ok, PP_ARG_P0, PP_ARG_P1, PP_ARG_VERSION)
/* clang-format on */
