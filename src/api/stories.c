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

/* The story $2 of project $1, locked (see projects.c for why). */
#define CUR_STORY                                                                                  \
	" cur AS (SELECT s.* FROM stories s WHERE s.project_id = " PP_SQL_PID " AND s.key = $2"    \
	"  FOR NO KEY UPDATE)"

/* ---- POST /v1/projects/{project}/stories ---- */

static const char sql_create[] =
	"WITH s AS ("
	" INSERT INTO stories (project_id, key, title, status, priority, priority_rank, estimate_points,"
	"  estimate_raw, epic, labels, owner, author, branch_name, body, checklist_total,"
	"  checklist_done, metadata, source_path, source_blob_id, backlog_id, rank)"
	" SELECT " PP_SQL_PID ", i.b->>'key', i.b->>'title', coalesce(i.b->>'status', 'draft'),"
	"  coalesce(i.b->>'priority', 'medium'), (i.b->>'priority_rank')::int,"
	"  (i.b->>'estimate_points')::numeric,"
	"  i.b->>'estimate_raw', i.b->>'epic', ARRAY(SELECT jsonb_array_elements_text(i.b->'labels')),"
	"  i.b->>'owner', i.b->>'author', i.b->>'branch_name', coalesce(i.b->>'body', ''),"
	"  coalesce((i.b->>'checklist_total')::int, 0), coalesce((i.b->>'checklist_done')::int, 0),"
	"  coalesce(i.b->'metadata', '{}'), i.b->>'source_path', i.b->>'source_blob_id',"
	"  (i.b->>'backlog')::bigint, (i.b->>'rank')::numeric"
	" FROM (SELECT $2::jsonb AS b) i RETURNING *)"
	"SELECT " PP_SQL_STORY_FULL_JSON " AS body, s.version,"
	" '/v1/projects/' || p.key || '/stories/' || s.key AS location"
	" FROM s JOIN projects p ON p.id = s.project_id";

void pp_api_story_create(void *ctx, pp_http_req *req, pp_http_resp *resp)
{
	pp_api_create(ctx, req, resp, create_fields, N(create_fields), "developer", sql_create);
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

static const char sql_patch[] =
	"WITH i AS (SELECT $3::jsonb AS b)," CUR_STORY ","
	" upd AS (UPDATE stories t SET " PP_SQL_SET("title") ", " PP_SQL_SET(
		"status") ","
			  "  " PP_SQL_SET("priority") ", " PP_SQL_SET_AS("priority_rank", "int") ", " PP_SQL_SET_AS(
				  "estimate_points",
				  "numeric") ","
					     "  " PP_SQL_SET("estimate_raw") ", " PP_SQL_SET(
						     "epic") ","
							     "  labels = CASE WHEN i.b ? 'labels'"
							     "   THEN ARRAY(SELECT jsonb_array_elements_text(i.b->'labels')) ELSE t.labels END,"
							     "  " PP_SQL_SET("owner") ", " PP_SQL_SET("author") ", " PP_SQL_SET(
								     "branch_name") ","
										    "  " PP_SQL_SET("body") ", " PP_SQL_SET_AS(
											    "checklist_total",
											    "int") ","
												   "  " PP_SQL_SET_AS("checklist_done", "int") ", " PP_SQL_SET_JSON(
													   "metadata") ","
														       "  " PP_SQL_SET("source_path") ", " PP_SQL_SET(
															       "source_blob_id") ", " PP_SQL_SET_ARCHIVED
																		 "  FROM i, cur WHERE t.id = cur.id AND ($4::int IS NULL OR t.version = $4::int)"
																		 "  RETURNING t.*)"
																		 "SELECT CASE WHEN EXISTS (SELECT FROM upd)"
																		 "  THEN (SELECT " PP_SQL_STORY_FULL_JSON
																		 " FROM upd s JOIN projects p ON p.id = s.project_id)"
																		 " WHEN NOT EXISTS (SELECT FROM cur) THEN planpipe_api_fail('PP404', 'no story ' || $1 || ':' || $2)"
																		 " WHEN $4::int IS NOT NULL AND (SELECT version FROM cur) <> $4::int"
																		 "  THEN " PP_SQL_STALE(
																			 "'story ' || $1 || ':' || $2",
																			 "$4") " ELSE"
																			       "  (SELECT " PP_SQL_STORY_FULL_JSON
																			       " FROM cur s JOIN projects p ON p.id = s.project_id)"
																			       " END AS body, coalesce((SELECT version FROM upd), (SELECT version FROM cur)) AS version";

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
	pp_api_run_reply(
		ctx, req, resp, &tx,
		pp_tx_add(&tx, sql_patch, 4, req->params[0], req->params[1], req->body, version),
		200);
}

/* ---- DELETE /v1/projects/{project}/stories/{story} ---- */

static const char sql_archive[] =
	"WITH" CUR_STORY ","
	" upd AS (UPDATE stories t SET archived_at = coalesce(t.archived_at, now()) FROM cur"
	"  WHERE t.id = cur.id AND ($3::int IS NULL OR t.version = $3::int) RETURNING t.id)"
	"SELECT CASE WHEN NOT EXISTS (SELECT FROM cur)"
	"  THEN planpipe_api_fail('PP404', 'no story ' || $1 || ':' || $2)"
	" WHEN NOT EXISTS (SELECT FROM upd) AND $3::int IS NOT NULL"
	"  AND (SELECT version FROM cur) <> $3::int"
	"  THEN " PP_SQL_STALE("'story ' || $1 || ':' || $2", "$3") " END AS body";

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
			 pp_tx_add(&tx, sql_archive, 3, req->params[0], req->params[1], version),
			 204);
}
