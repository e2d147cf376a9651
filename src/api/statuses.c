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

static const char *const categories[] = {"todo", "active", "done", "cancelled", NULL};

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const pp_api_route_sql list = {.file = "statuses.sql",
				      .name = "statuses_list",
				      .status = 200,
				      .flags = PP_ROUTE_CALL,
				      .args = {PP_ARG_P0}};

void pp_api_statuses_list(void *ctx, pp_http_req *req, pp_http_resp *resp)
{
	pp_api_run_sql_route(ctx, req, resp, &list);
}

static const pp_field add_fields[] = {
	PP_FIELD("key", PP_F_STRING, PP_F_REQUIRED),
	PP_FIELD_ENUM("category", 0, categories),
	PP_FIELD("name", PP_F_STRING, 0),
	PP_FIELD_INT("position", 0, 0, 1000000),
};

static const pp_api_route_sql add = {.file = "statuses.sql",
				     .name = "status_add",
				     .min_role = "maintainer",
				     .status = 201,
				     .fields = add_fields,
				     .n_fields = N(add_fields),
				     .args = {PP_ARG_P0, PP_ARG_BODY}};

void pp_api_status_add(void *ctx, pp_http_req *req, pp_http_resp *resp)
{
	pp_api_run_sql_route(ctx, req, resp, &add);
}

static const pp_field patch_fields[] = {
	PP_FIELD("name", PP_F_STRING, 0),
	PP_FIELD_INT("position", 0, 0, 1000000),
};

static const pp_api_route_sql patch = {.file = "statuses.sql",
				       .name = "status_patch",
				       .min_role = "maintainer",
				       .status = 200,
				       .fields = patch_fields,
				       .n_fields = N(patch_fields),
				       .args = {PP_ARG_P0, PP_ARG_P1, PP_ARG_BODY}};

void pp_api_status_patch(void *ctx, pp_http_req *req, pp_http_resp *resp)
{
	pp_api_run_sql_route(ctx, req, resp, &patch);
}
