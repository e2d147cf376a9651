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

#include "api/dependencies_int.h"
#include "api/handlers.h"
#include "api/input.h"
#include "api/sql.h"

static const char *const kinds[] = {"blocks", "relates", NULL};

static const pp_field add_fields[] = {
	PP_FIELD("project", PP_F_STRING, 0),
	PP_FIELD("story", PP_F_STRING, PP_F_REQUIRED),
	PP_FIELD_ENUM("kind", 0, kinds),
};

static const pp_field project_add_fields[] = {
	PP_FIELD("project", PP_F_STRING, PP_F_REQUIRED),
	PP_FIELD_ENUM("kind", 0, kinds),
	PP_FIELD("note", PP_F_STRING, PP_F_NULLABLE),
};

/* clang-format off */
PP_API_SQL_ROUTE(dependencies_story_list, pp_api_story_deps_list, "dependencies.sql", "story_deps_list", "viewer", 200, 0,
		 PP_API_NO_FIELDS, NULL, PP_ARG_P0, PP_ARG_P1)
PP_API_SQL_ROUTE(dependencies_story_add, pp_api_story_dep_add, "dependencies.sql", "story_dep_add", "developer", 201, 0,
		 PP_API_FIELDS(add_fields), NULL, PP_ARG_P0, PP_ARG_P1, PP_ARG_BODY)
PP_API_SQL_ROUTE(dependencies_story_remove, pp_api_story_dep_remove, "dependencies.sql", "story_dep_remove", "developer", 204, 0,
		 PP_API_NO_FIELDS, NULL, PP_ARG_P0, PP_ARG_P1, PP_ARG_P2, PP_ARG_P3)
/* ---- project dependencies ---- */
PP_API_SQL_ROUTE(dependencies_project_list, pp_api_project_deps_list, "dependencies.sql", "project_deps_list", "viewer", 200, 0,
		 PP_API_NO_FIELDS, NULL, PP_ARG_P0)
PP_API_SQL_ROUTE(dependencies_project_add, pp_api_project_dep_add, "dependencies.sql", "project_dep_add", "maintainer", 201, 0,
		 PP_API_FIELDS(project_add_fields), NULL, PP_ARG_P0, PP_ARG_BODY)
PP_API_SQL_ROUTE(dependencies_project_remove, pp_api_project_dep_remove, "dependencies.sql", "project_dep_remove", "maintainer", 204, 0,
		 PP_API_NO_FIELDS, NULL, PP_ARG_P0, PP_ARG_P1)
/* clang-format on */

const char *dependencies_direction(const char *v)
{
	if (v == NULL)
		return "down";
	if (strcmp(v, "down") == 0 || strcmp(v, "up") == 0)
		return v;
	return NULL;
}

void pp_api_story_graph(void *ctx, pp_http_req *req, pp_http_resp *resp)
{
	static const char *const allowed[] = {"direction", "depth", NULL};
	const char *direction = dependencies_direction(pp_http_query(req, "direction")), *depth;
	char dbuf[24];
	pp_tx tx;

	if (pp_api_query_known(req, resp, allowed) != 0 ||
	    pp_api_query_int(req, resp, "depth", 50, "5", dbuf, &depth) != 0)
		return;
	if (direction == NULL) {
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
