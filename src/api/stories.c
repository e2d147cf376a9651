/*
 * stories.c: one story, /v1/projects/{project}/stories[/{story}]: create
 * (with a key or a generated one), read, partial update, archive (DELETE).
 * Viewers read; developers write. Lists are story_list.c; transitions and
 * moves story_actions.c.
 */
#include "api/handlers.h"
#include "api/input.h"
#include "api/sql.h"

static const char *const priorities[] = {"critical", "high", "medium", "low", NULL};

#define STORY_VALUE_FIELDS(title_flags)                                                            \
	PP_FIELD("title", PP_F_STRING, title_flags), PP_FIELD("status", PP_F_STRING, 0),           \
		PP_FIELD_ENUM("priority", 0, priorities),                                          \
		PP_FIELD_INT("priority_rank", PP_F_NULLABLE, 1, 1000000),                          \
		PP_FIELD("estimate_points", PP_F_NUMBER, PP_F_NULLABLE),                           \
		PP_FIELD("estimate_raw", PP_F_STRING, PP_F_NULLABLE),                              \
		PP_FIELD("epic", PP_F_STRING, PP_F_NULLABLE), PP_FIELD("labels", PP_F_STRINGS, 0), \
		PP_FIELD("owner", PP_F_STRING, PP_F_NULLABLE),                                     \
		PP_FIELD("author", PP_F_STRING, PP_F_NULLABLE),                                    \
		PP_FIELD("branch_name", PP_F_STRING, PP_F_NULLABLE),                               \
		PP_FIELD("body", PP_F_STRING, 0),                                                  \
		PP_FIELD_INT("checklist_total", 0, 0, 2147483647),                                 \
		PP_FIELD_INT("checklist_done", 0, 0, 2147483647),                                  \
		PP_FIELD("metadata", PP_F_OBJECT, 0),                                              \
		PP_FIELD("source_path", PP_F_STRING, PP_F_NULLABLE),                               \
		PP_FIELD("source_blob_id", PP_F_STRING, PP_F_NULLABLE)

static const pp_field create_fields[] = {
	PP_FIELD("key", PP_F_STRING, PP_F_NULLABLE),
	STORY_VALUE_FIELDS(PP_F_REQUIRED),
	PP_FIELD_INT("backlog", PP_F_NULLABLE, 1, 9223372036854775807LL),
	PP_FIELD("rank", PP_F_NUMBER, PP_F_NULLABLE),
};

/* The key names the story in URLs and files: not changed here; backlog and rank: move. */
static const pp_field patch_fields[] = {
	STORY_VALUE_FIELDS(0),
	PP_FIELD("archived", PP_F_BOOL, 0),
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* ---- POST /v1/projects/{project}/stories ---- */

static const pp_api_route_sql create = {.file = "stories.sql",
					.name = "story_create",
					.min_role = "developer",
					.status = 201,
					.fields = create_fields,
					.n_fields = N(create_fields),
					.args = {PP_ARG_P0, PP_ARG_BODY}};

void pp_api_story_create(void *ctx, pp_http_req *req, pp_http_resp *resp)
{
	pp_api_run_sql_route(ctx, req, resp, &create);
}

/* ---- GET /v1/projects/{project}/stories/{story} ---- */

static const pp_api_route_sql get = {.file = "stories.sql",
				     .name = "story_get",
				     .status = 200,
				     .flags = PP_ROUTE_CALL,
				     .args = {PP_ARG_P0, PP_ARG_P1}};

void pp_api_story_get(void *ctx, pp_http_req *req, pp_http_resp *resp)
{
	pp_api_run_sql_route(ctx, req, resp, &get);
}

/* ---- PATCH /v1/projects/{project}/stories/{story} ---- */

static const pp_api_route_sql patch = {.file = "stories.sql",
				       .name = "story_patch",
				       .min_role = "developer",
				       .status = 200,
				       .flags = PP_ROUTE_IF_MATCH,
				       .fields = patch_fields,
				       .n_fields = N(patch_fields),
				       .args = {PP_ARG_P0, PP_ARG_P1, PP_ARG_BODY, PP_ARG_VERSION}};

void pp_api_story_patch(void *ctx, pp_http_req *req, pp_http_resp *resp)
{
	pp_api_run_sql_route(ctx, req, resp, &patch);
}

/* ---- DELETE /v1/projects/{project}/stories/{story} ---- */

static const pp_api_route_sql archive = {.file = "stories.sql",
					 .name = "story_archive",
					 .min_role = "developer",
					 .status = 204,
					 .flags = PP_ROUTE_IF_MATCH,
					 .args = {PP_ARG_P0, PP_ARG_P1, PP_ARG_VERSION}};

void pp_api_story_archive(void *ctx, pp_http_req *req, pp_http_resp *resp)
{
	pp_api_run_sql_route(ctx, req, resp, &archive);
}
