/*
 * dependencies.c: dependencies between stories (across projects) and between
 * projects, and the transitive graph of a story.
 *
 * An edge (A, B) reads "A depends on B". A story of a project the caller
 * cannot see shows as "(hidden)" (planpipe_story_label) and is never walked
 * through. Adding a blocking edge that closes a cycle is a 409 naming the
 * cycle (PP001 from the schema's trigger).
 */
#include <string.h>

#include "api/handlers.h"
#include "api/input.h"
#include "api/sql.h"

static const char *const kinds[] = {"blocks", "relates", NULL};

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const pp_api_route_sql deps_list = {.file = "dependencies.sql",
					   .name = "story_deps_list",
					   .min_role = "viewer",
					   .status = 200,
					   .args = {PP_ARG_P0, PP_ARG_P1}};

void pp_api_story_deps_list(void *ctx, pp_http_req *req, pp_http_resp *resp)
{
	pp_api_run_sql_route(ctx, req, resp, &deps_list);
}

static const pp_field add_fields[] = {
	PP_FIELD("project", PP_F_STRING, 0),
	PP_FIELD("story", PP_F_STRING, PP_F_REQUIRED),
	PP_FIELD_ENUM("kind", 0, kinds),
};

static const pp_api_route_sql dep_add = {.file = "dependencies.sql",
					 .name = "story_dep_add",
					 .min_role = "developer",
					 .status = 201,
					 .fields = add_fields,
					 .n_fields = N(add_fields),
					 .args = {PP_ARG_P0, PP_ARG_P1, PP_ARG_BODY}};

void pp_api_story_dep_add(void *ctx, pp_http_req *req, pp_http_resp *resp)
{
	pp_api_run_sql_route(ctx, req, resp, &dep_add);
}

static const pp_api_route_sql dep_remove = {.file = "dependencies.sql",
					    .name = "story_dep_remove",
					    .min_role = "developer",
					    .status = 204,
					    .args = {PP_ARG_P0, PP_ARG_P1, PP_ARG_P2, PP_ARG_P3}};

void pp_api_story_dep_remove(void *ctx, pp_http_req *req, pp_http_resp *resp)
{
	pp_api_run_sql_route(ctx, req, resp, &dep_remove);
}

void pp_api_story_graph(void *ctx, pp_http_req *req, pp_http_resp *resp)
{
	static const char *const allowed[] = {"direction", "depth", NULL};
	const char *direction = pp_http_query(req, "direction"), *depth;
	char dbuf[24];
	pp_tx tx;

	if (pp_api_query_known(req, resp, allowed) != 0 ||
	    pp_api_query_int(req, resp, "depth", 50, "5", dbuf, &depth) != 0)
		return;
	if (direction == NULL)
		direction = "down";
	if (strcmp(direction, "down") != 0 && strcmp(direction, "up") != 0) {
		pp_api_bad(req, resp, 422, "direction", "direction must be up or down");
		return;
	}
	pp_tx_init(&tx);
	pp_tx_guard(&tx, req->params[0], "viewer");
	pp_api_run_reply(ctx, req, resp, &tx,
			 pp_tx_add(&tx, pp_api_sql("dependencies.sql", "story_graph"), 4,
				   req->params[0], req->params[1], direction, depth),
			 200);
}

/* ---- project dependencies ---- */

static const pp_api_route_sql project_deps_list = {.file = "dependencies.sql",
						   .name = "project_deps_list",
						   .min_role = "viewer",
						   .status = 200,
						   .args = {PP_ARG_P0}};

void pp_api_project_deps_list(void *ctx, pp_http_req *req, pp_http_resp *resp)
{
	pp_api_run_sql_route(ctx, req, resp, &project_deps_list);
}

static const pp_field project_add_fields[] = {
	PP_FIELD("project", PP_F_STRING, PP_F_REQUIRED),
	PP_FIELD_ENUM("kind", 0, kinds),
	PP_FIELD("note", PP_F_STRING, PP_F_NULLABLE),
};

static const pp_api_route_sql project_dep_add = {.file = "dependencies.sql",
						 .name = "project_dep_add",
						 .min_role = "maintainer",
						 .status = 201,
						 .fields = project_add_fields,
						 .n_fields = N(project_add_fields),
						 .args = {PP_ARG_P0, PP_ARG_BODY}};

void pp_api_project_dep_add(void *ctx, pp_http_req *req, pp_http_resp *resp)
{
	pp_api_run_sql_route(ctx, req, resp, &project_dep_add);
}

static const pp_api_route_sql project_dep_remove = {.file = "dependencies.sql",
						    .name = "project_dep_remove",
						    .min_role = "maintainer",
						    .status = 204,
						    .args = {PP_ARG_P0, PP_ARG_P1}};

void pp_api_project_dep_remove(void *ctx, pp_http_req *req, pp_http_resp *resp)
{
	pp_api_run_sql_route(ctx, req, resp, &project_dep_remove);
}
