/*
 * members.c: /v1/projects/{project}/members[/{handle}]. Viewers list;
 * maintainers add, change and remove members below owner, owners anyone
 * (row-level security refuses the rest: 403); any member may leave. A
 * project keeps at least one owner (PP004: 409).
 */
#include "api/handlers.h"
#include "api/members_int.h"
#include "api/input.h"
#include "api/sql.h"

static const char *const no_params[] = {NULL};
static const char *const roles[] = {"viewer", "developer", "maintainer", "owner", NULL};

/* clang-format off */
PP_API_SQL_ROUTE(members_list, pp_api_members_list, "members.sql", "members_list", "viewer", 200, 0,
		 PP_API_NO_FIELDS, NULL, PP_ARG_P0)
/* clang-format on */

static const pp_field put_fields[] = {
	PP_FIELD_ENUM("role", PP_F_REQUIRED, roles),
};

/* Its checks; the role comes from the body. */
const pp_api_route_sql members_put = {.fields = put_fields,
				      .n_fields = sizeof(put_fields) / sizeof(put_fields[0])};

void pp_api_member_put(void *ctx, pp_http_req *req, pp_http_resp *resp)
{
	const char *version;
	char vbuf[16];
	json_t *body;
	pp_tx tx;
	int i;

	if (pp_api_route_check(req, resp, &members_put, vbuf, &version, &body) != 0)
		return;
	pp_tx_init(&tx);
	pp_tx_guard(&tx, req->params[0], "maintainer");
	i = pp_tx_add(&tx, pp_api_sql("members.sql", "member_put"), 3, req->params[0],
		      req->params[1], json_string_value(json_object_get(body, "role")));
	pp_api_run_reply(ctx, req, resp, &tx, i, 200);
	json_decref(body);
}

void pp_api_member_remove(void *ctx, pp_http_req *req, pp_http_resp *resp)
{
	pp_tx tx;

	if (pp_api_query_known(req, resp, no_params) != 0)
		return;
	pp_tx_init(&tx);
	pp_tx_add(&tx, pp_api_sql("members.sql", "member_remove_guard"), 2, req->params[0],
		  req->params[1]);
	pp_api_run_reply(ctx, req, resp, &tx,
			 pp_tx_add(&tx, pp_api_sql("members.sql", "member_remove"), 2,
				   req->params[0], req->params[1]),
			 204);
}
