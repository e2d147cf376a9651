/*
 * stories.c: one story, /v1/projects/{project}/stories[/{story}]: create
 * (with a key or a generated one), read, partial update, archive (DELETE).
 * Viewers read; developers write. Lists are story_list.c; transitions and
 * moves story_actions.c.
 */
#include "api/handlers.h"
#include "api/input.h"
#include "api/sql.h"

static const char *const no_params[] = {NULL};
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

void pp_api_story_create(void *ctx, pp_http_req *req, pp_http_resp *resp)
{
	pp_api_create(ctx, req, resp, create_fields, N(create_fields), "developer",
		      pp_api_sql("stories.sql", "story_create"));
}

/* ---- GET /v1/projects/{project}/stories/{story} ---- */

void pp_api_story_get(void *ctx, pp_http_req *req, pp_http_resp *resp)
{
	const char *args[2] = {req->params[0], req->params[1]};

	if (pp_api_query_known(req, resp, no_params) != 0)
		return;
	pp_tx_call(ctx, req, resp, pp_api_sql("stories.sql", "story_get"), 2, args, 200);
}

/* ---- PATCH /v1/projects/{project}/stories/{story} ---- */

void pp_api_story_patch(void *ctx, pp_http_req *req, pp_http_resp *resp)
{
	const char *version;
	char vbuf[16];
	json_t *body;
	pp_tx tx;

	if (pp_api_query_known(req, resp, no_params) != 0 ||
	    pp_api_if_match(req, resp, vbuf, &version) != 0)
		return;
	body = pp_api_body(req, resp, patch_fields, N(patch_fields));
	if (body == NULL)
		return;
	json_decref(body);
	pp_tx_init(&tx);
	pp_tx_guard(&tx, req->params[0], "developer");
	pp_api_run_reply(ctx, req, resp, &tx,
			 pp_tx_add(&tx, pp_api_sql("stories.sql", "story_patch"), 4, req->params[0],
				   req->params[1], req->body, version),
			 200);
}

/* ---- DELETE /v1/projects/{project}/stories/{story} ---- */

void pp_api_story_archive(void *ctx, pp_http_req *req, pp_http_resp *resp)
{
	const char *version;
	char vbuf[16];
	pp_tx tx;

	if (pp_api_query_known(req, resp, no_params) != 0 ||
	    pp_api_if_match(req, resp, vbuf, &version) != 0)
		return;
	pp_tx_init(&tx);
	pp_tx_guard(&tx, req->params[0], "developer");
	pp_api_run_reply(ctx, req, resp, &tx,
			 pp_tx_add(&tx, pp_api_sql("stories.sql", "story_archive"), 3,
				   req->params[0], req->params[1], version),
			 204);
}
