/*
 * projects.c: /v1/projects and /v1/projects/{project}.
 *
 * A caller lists only the projects it is a member of (row-level security;
 * all of them for an admin). Any user may create a project and becomes its
 * owner; maintainers change it; only owners archive it (DELETE, or PATCH
 * with "archived") or bring it back.
 */
#include <stdio.h>
#include <string.h>

#include "api/handlers.h"
#include "api/input.h"
#include "api/sql.h"

static const pp_field project_fields[] = {
	PP_FIELD("key", PP_F_STRING, PP_F_REQUIRED),
	PP_FIELD("name", PP_F_STRING, PP_F_REQUIRED),
	PP_FIELD("description", PP_F_STRING, 0),
	PP_FIELD("story_key_prefix", PP_F_STRING, PP_F_NULLABLE),
	PP_FIELD("git_remote_url", PP_F_STRING, PP_F_NULLABLE),
	PP_FIELD("git_submodule_path", PP_F_STRING, PP_F_NULLABLE),
	PP_FIELD("git_default_branch", PP_F_STRING, 0),
	PP_FIELD("git_stories_dir", PP_F_STRING, PP_F_NULLABLE),
	PP_FIELD("git_last_synced_commit", PP_F_STRING, PP_F_NULLABLE),
	PP_FIELD("git_last_synced_at", PP_F_TIME, PP_F_NULLABLE),
	PP_FIELD("metadata", PP_F_OBJECT, 0),
};

/* What PATCH accepts: the same less the key (it names the project everywhere), plus archived. */
static const pp_field patch_fields[] = {
	PP_FIELD("name", PP_F_STRING, 0),
	PP_FIELD("description", PP_F_STRING, 0),
	PP_FIELD("story_key_prefix", PP_F_STRING, 0),
	PP_FIELD("git_remote_url", PP_F_STRING, PP_F_NULLABLE),
	PP_FIELD("git_submodule_path", PP_F_STRING, PP_F_NULLABLE),
	PP_FIELD("git_default_branch", PP_F_STRING, 0),
	PP_FIELD("git_stories_dir", PP_F_STRING, PP_F_NULLABLE),
	PP_FIELD("git_last_synced_commit", PP_F_STRING, PP_F_NULLABLE),
	PP_FIELD("git_last_synced_at", PP_F_TIME, PP_F_NULLABLE),
	PP_FIELD("metadata", PP_F_OBJECT, 0),
	PP_FIELD("archived", PP_F_BOOL, 0),
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* ---- GET /v1/projects ---- */

void pp_api_projects_list(void *ctx, pp_http_req *req, pp_http_resp *resp)
{
	static const char *const allowed[] = {"archived", "limit", "cursor", NULL};
	const char *archived, *after = NULL, *cursor = pp_http_query(req, "cursor");
	char limit[16], buf[128], next[160];
	const PGresult *res;
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
	if (pp_tx_run(ctx, req, resp, &tx) != PP_OK)
		return;
	res = tx.res[i];
	snprintf(next, sizeof(next), "p|%s", PQgetvalue(res, 0, 2));
	pp_api_reply_page(req, resp, res, strcmp(PQgetvalue(res, 0, 1), "t") == 0 ? next : NULL);
	pp_tx_free(&tx);
}

/* ---- POST /v1/projects ---- */

static const pp_api_route_sql create = {.file = "projects.sql",
					.name = "project_create",
					.status = 201,
					.fields = project_fields,
					.n_fields = N(project_fields),
					.args = {PP_ARG_BODY}};

void pp_api_project_create(void *ctx, pp_http_req *req, pp_http_resp *resp)
{
	pp_api_run_sql_route(ctx, req, resp, &create);
}

/* ---- GET /v1/projects/{project} ---- */

static const pp_api_route_sql get = {.file = "projects.sql",
				     .name = "project_get",
				     .status = 200,
				     .flags = PP_ROUTE_CALL,
				     .args = {PP_ARG_P0}};

void pp_api_project_get(void *ctx, pp_http_req *req, pp_http_resp *resp)
{
	pp_api_run_sql_route(ctx, req, resp, &get);
}

/* ---- PATCH /v1/projects/{project} ---- */

static const pp_api_route_sql patch = {.file = "projects.sql",
				       .name = "project_patch",
				       .status = 200,
				       .flags = PP_ROUTE_IF_MATCH,
				       .fields = patch_fields,
				       .n_fields = N(patch_fields),
				       .args = {PP_ARG_P0, PP_ARG_BODY, PP_ARG_VERSION}};

void pp_api_project_patch(void *ctx, pp_http_req *req, pp_http_resp *resp)
{
	int archiving;
	const char *version;
	char vbuf[16];
	json_t *body;

	if (pp_api_route_check(req, resp, &patch, vbuf, &version, &body) != 0)
		return;
	/* Archiving (or restoring) is the owner's, as DELETE is (issue 17; 0018 holds it too). */
	archiving = json_object_get(body, "archived") != NULL;
	json_decref(body);
	pp_api_route_run(ctx, req, resp, &patch, archiving ? "owner" : "maintainer", version);
}

/* ---- DELETE /v1/projects/{project} ---- */

static const pp_api_route_sql archive = {.file = "projects.sql",
					 .name = "project_archive",
					 .min_role = "owner",
					 .status = 204,
					 .flags = PP_ROUTE_IF_MATCH,
					 .args = {PP_ARG_P0, PP_ARG_VERSION}};

void pp_api_project_archive(void *ctx, pp_http_req *req, pp_http_resp *resp)
{
	pp_api_run_sql_route(ctx, req, resp, &archive);
}
