/*
 * projects.c: /v1/projects and /v1/projects/{project}.
 *
 * A caller lists only the projects it is a member of (row-level security;
 * all of them for an admin). Any user may create a project and becomes its
 * owner; maintainers change it; only owners archive it (DELETE, or PATCH
 * with "archived") or bring it back.
 */
#include <string.h>

#include "api/handlers.h"
#include "api/input.h"
#include "api/projects_int.h"
#include "api/sql.h"

/* The project's repository and metadata: the same in POST and PATCH. */
#define PROJECT_GIT_FIELDS                                                                         \
	PP_FIELD("git_remote_url", PP_F_STRING, PP_F_NULLABLE),                                    \
		PP_FIELD("git_submodule_path", PP_F_STRING, PP_F_NULLABLE),                        \
		PP_FIELD("git_default_branch", PP_F_STRING, 0),                                    \
		PP_FIELD("git_stories_dir", PP_F_STRING, PP_F_NULLABLE),                           \
		PP_FIELD("git_last_synced_commit", PP_F_STRING, PP_F_NULLABLE),                    \
		PP_FIELD("git_last_synced_at", PP_F_TIME, PP_F_NULLABLE),                          \
		PP_FIELD("metadata", PP_F_OBJECT, 0)

static const pp_field project_fields[] = {
	PP_FIELD("key", PP_F_STRING, PP_F_REQUIRED),
	PP_FIELD("name", PP_F_STRING, PP_F_REQUIRED),
	PP_FIELD("description", PP_F_STRING, 0),
	PP_FIELD("story_key_prefix", PP_F_STRING, PP_F_NULLABLE),
	PROJECT_GIT_FIELDS,
};

/* What PATCH accepts: the same less the key (it names the project everywhere), plus archived. */
static const pp_field patch_fields[] = {
	PP_FIELD("name", PP_F_STRING, 0),
	PP_FIELD("description", PP_F_STRING, 0),
	PP_FIELD("story_key_prefix", PP_F_STRING, 0),
	PROJECT_GIT_FIELDS,
	PP_FIELD("archived", PP_F_BOOL, 0),
};

/* ---- GET /v1/projects ---- */

void pp_api_projects_list(void *ctx, pp_http_req *req, pp_http_resp *resp)
{
	static const char *const allowed[] = {"archived", "limit", "cursor", NULL};
	static const int cursor_cols[] = {2};
	const char *archived, *after = NULL, *cursor = pp_http_query(req, "cursor");
	char limit[16], buf[128];
	pp_tx tx;
	int i;

	if (pp_api_query_known(req, resp, allowed) != 0 ||
	    pp_api_query_bool(req, resp, "archived", 0, &archived) != 0 ||
	    pp_api_query_limit(req, resp, limit) != 0)
		return;
	if (cursor && pp_api_cursor_decode(cursor, 'p', buf, sizeof(buf), &after, 1) != 1) {
		pp_api_bad(req, resp, 400, "cursor", "the cursor is not one this API gave out");
		return;
	}
	pp_tx_init(&tx);
	i = pp_tx_add(&tx, pp_api_sql("projects.sql", "projects_list"), 3, archived, after, limit);
	pp_api_run_page(ctx, req, resp, &tx, i, 'p', cursor_cols, 1);
}

/* POST /v1/projects, GET and DELETE /v1/projects/{project}. */
/* clang-format off */
PP_API_SQL_ROUTE(projects_create, pp_api_project_create, "projects.sql", "project_create", NULL, 201, 0,
		 PP_API_FIELDS(project_fields), NULL, PP_ARG_BODY)
PP_API_SQL_ROUTE(projects_get, pp_api_project_get, "projects.sql", "project_get", NULL, 200, PP_ROUTE_CALL,
		 PP_API_NO_FIELDS, NULL, PP_ARG_P0)
PP_API_SQL_ROUTE(projects_archive, pp_api_project_archive, "projects.sql", "project_archive", "owner", 204, PP_ROUTE_IF_MATCH,
		 PP_API_NO_FIELDS, NULL, PP_ARG_P0, PP_ARG_VERSION)
/* clang-format on */

/* ---- PATCH /v1/projects/{project} ---- */

const pp_api_route_sql projects_patch = {.file = "projects.sql",
					 .name = "project_patch",
					 .status = 200,
					 .flags = PP_ROUTE_IF_MATCH,
					 .fields = PP_API_FIELDS(patch_fields),
					 .args = {PP_ARG_P0, PP_ARG_BODY, PP_ARG_VERSION}};

const char *projects_patch_role(const json_t *body)
{
	/* Archiving (or restoring) is the owner's, as DELETE is (issue 17; 0018 holds it too). */
	return json_object_get(body, "archived") != NULL ? "owner" : "maintainer";
}

void pp_api_project_patch(void *ctx, pp_http_req *req, pp_http_resp *resp)
{
	const char *version, *role;
	char vbuf[16];
	json_t *body;

	if (pp_api_route_check(req, resp, &projects_patch, vbuf, &version, &body) != 0)
		return;
	role = projects_patch_role(body);
	json_decref(body);
	pp_api_route_run(ctx, req, resp, &projects_patch, role, version);
}
