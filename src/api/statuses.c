/*
 * statuses.c: /v1/projects/{project}/statuses[/{status}], a project's
 * workflow. Viewers list it; maintainers add a status (a word planpipe
 * knows, or a new one with its category) and rename or reorder one. The
 * rules live in SQL (migrations/0017_team_vocabulary.sql); each route is one
 * function call under the caller's row security.
 */
#include "api/handlers.h"
#include "api/input.h"
#include "api/sql.h"

static const char *const no_params[] = {NULL};
static const char *const categories[] = {"todo", "active", "done", "cancelled", NULL};

#define N(a) (sizeof(a) / sizeof((a)[0]))

void pp_api_statuses_list(void *ctx, pp_http_req *req, pp_http_resp *resp)
{
	const char *args[1] = {req->params[0]};

	if (pp_api_query_known(req, resp, no_params) != 0)
		return;
	pp_tx_call(ctx, req, resp, pp_api_sql("statuses.sql", "statuses_list"), 1, args, 200);
}

static const pp_field add_fields[] = {
	PP_FIELD("key", PP_F_STRING, PP_F_REQUIRED),
	PP_FIELD_ENUM("category", 0, categories),
	PP_FIELD("name", PP_F_STRING, 0),
	PP_FIELD_INT("position", 0, 0, 1000000),
};

void pp_api_status_add(void *ctx, pp_http_req *req, pp_http_resp *resp)
{
	pp_api_create(ctx, req, resp, add_fields, N(add_fields), "maintainer",
		      pp_api_sql("statuses.sql", "status_add"));
}

static const pp_field patch_fields[] = {
	PP_FIELD("name", PP_F_STRING, 0),
	PP_FIELD_INT("position", 0, 0, 1000000),
};

void pp_api_status_patch(void *ctx, pp_http_req *req, pp_http_resp *resp)
{
	json_t *body;
	pp_tx tx;

	if (pp_api_query_known(req, resp, no_params) != 0)
		return;
	body = pp_api_body(req, resp, patch_fields, N(patch_fields));
	if (body == NULL)
		return;
	json_decref(body);
	pp_tx_init(&tx);
	pp_tx_guard(&tx, req->params[0], "maintainer");
	pp_api_run_reply(ctx, req, resp, &tx,
			 pp_tx_add(&tx, pp_api_sql("statuses.sql", "status_patch"), 3,
				   req->params[0], req->params[1], req->body),
			 200);
}
