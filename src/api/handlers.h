/*
 * handlers.h: the API's handlers (one file per resource) and the SQL they
 * share: how a row is shown as JSON, kept in one place so that a story looks
 * the same in a list, a response to PATCH and a search.
 *
 * Every handler has the pp_http_handler signature; ctx is the pp_api.
 */
#ifndef PP_API_HANDLERS_H
#define PP_API_HANDLERS_H

#include <libpq-fe.h>

#include "api/api.h"
#include "api/input.h"
#include "api/tx.h"
#include "http/request.h"
#include "http/response.h"

/* A project row p; role is an SQL expression for the caller's role. */
#define PP_SQL_PROJECT_JSON(role)                                                                    \
	"json_build_object('key', p.key, 'name', p.name, 'description', p.description,"              \
	" 'story_key_prefix', p.story_key_prefix, 'git_remote_url', p.git_remote_url,"               \
	" 'git_submodule_path', p.git_submodule_path, 'git_default_branch', p.git_default_branch,"   \
	" 'git_stories_dir', p.git_stories_dir, 'git_last_synced_commit', p.git_last_synced_commit," \
	" 'git_last_synced_at', p.git_last_synced_at, 'metadata', p.metadata, 'role', " role ","     \
	" 'created_at', p.created_at, 'updated_at', p.updated_at, 'archived_at', p.archived_at,"     \
	" 'version', p.version)"

/* A backlog row b. */
#define PP_SQL_BACKLOG_JSON                                                                        \
	"json_build_object('id', b.id, 'name', b.name, 'kind', b.kind, 'position', b.position,"    \
	" 'description', b.description, 'starts_on', b.starts_on, 'ends_on', b.ends_on,"           \
	" 'created_at', b.created_at, 'updated_at', b.updated_at, 'archived_at', b.archived_at,"   \
	" 'version', b.version)"

/* A story row s of project row p, without its body (lists) and with it (one story). */
#define PP_SQL_STORY_FIELDS                                                                        \
	"'project', p.key, 'key', s.key, 'ref', p.key || ':' || s.key, 'title', s.title,"          \
	" 'status', s.status, 'category', planpipe_status_category(s.status),"                     \
	" 'priority', s.priority, 'priority_rank', s.priority_rank,"                               \
	" 'estimate_points', s.estimate_points,"                                                   \
	" 'estimate_raw', s.estimate_raw, 'epic', s.epic, 'labels', s.labels, 'owner', s.owner,"   \
	" 'author', s.author, 'branch_name', s.branch_name, 'checklist_total', s.checklist_total," \
	" 'checklist_done', s.checklist_done, 'backlog', s.backlog_id, 'rank', s.rank,"            \
	" 'source_path', s.source_path, 'source_blob_id', s.source_blob_id,"                       \
	" 'metadata', s.metadata, 'last_updated', s.last_updated,"                                 \
	" 'created_at', s.created_at, 'updated_at', s.updated_at,"                                 \
	" 'started_at', s.started_at, 'completed_at', s.completed_at,"                             \
	" 'archived_at', s.archived_at, 'version', s.version"
#define PP_SQL_STORY_JSON      "json_build_object(" PP_SQL_STORY_FIELDS ")"
#define PP_SQL_STORY_FULL_JSON "json_build_object(" PP_SQL_STORY_FIELDS ", 'body', s.body)"

/*
 * SET clauses of a partial update (PATCH): a column changes only when the
 * body i.b (a jsonb) has its member. The target table is aliased t.
 */
#define PP_SQL_SET(col) col " = CASE WHEN i.b ? '" col "' THEN i.b->>'" col "' ELSE t." col " END"
#define PP_SQL_SET_AS(col, type)                                                                   \
	col " = CASE WHEN i.b ? '" col "' THEN (i.b->>'" col "')::" type " ELSE t." col " END"
#define PP_SQL_SET_JSON(col)                                                                       \
	col " = CASE WHEN i.b ? '" col "' THEN i.b->'" col "' ELSE t." col " END"
#define PP_SQL_SET_ARCHIVED                                                                        \
	"archived_at = CASE WHEN NOT i.b ? 'archived' THEN t.archived_at"                          \
	" WHEN (i.b->>'archived')::boolean THEN coalesce(t.archived_at, now()) END"

/* The 412 of an update whose locked current row is cur; what names the row, ifm the If-Match. */
#define PP_SQL_STALE(what, ifm)                                                                    \
	"planpipe_api_fail('PP412', format('%s is at version %s; If-Match names %s', " what ","    \
	" (SELECT version FROM cur), " ifm "))"

/* The id of the project whose key is $1 (the guard has checked access already). */
#define PP_SQL_PID "(SELECT id FROM projects WHERE key = $1)"

/* ops.c */
void pp_api_livez(void *ctx, pp_http_req *req, pp_http_resp *resp);
void pp_api_readyz(void *ctx, pp_http_req *req, pp_http_resp *resp);
void pp_api_metrics(void *ctx, pp_http_req *req, pp_http_resp *resp);
void pp_api_openapi_doc(void *ctx, pp_http_req *req, pp_http_resp *resp);
void pp_api_me(void *ctx, pp_http_req *req, pp_http_resp *resp);
void pp_api_statuses(void *ctx, pp_http_req *req, pp_http_resp *resp);

/* projects.c */
void pp_api_projects_list(void *ctx, pp_http_req *req, pp_http_resp *resp);
void pp_api_project_create(void *ctx, pp_http_req *req, pp_http_resp *resp);
void pp_api_project_get(void *ctx, pp_http_req *req, pp_http_resp *resp);
void pp_api_project_patch(void *ctx, pp_http_req *req, pp_http_resp *resp);
void pp_api_project_archive(void *ctx, pp_http_req *req, pp_http_resp *resp);

/* backlogs.c */
void pp_api_backlogs_list(void *ctx, pp_http_req *req, pp_http_resp *resp);
void pp_api_backlog_create(void *ctx, pp_http_req *req, pp_http_resp *resp);
void pp_api_backlog_patch(void *ctx, pp_http_req *req, pp_http_resp *resp);
void pp_api_backlog_archive(void *ctx, pp_http_req *req, pp_http_resp *resp);

/* stories.c */
void pp_api_story_create(void *ctx, pp_http_req *req, pp_http_resp *resp);
void pp_api_story_get(void *ctx, pp_http_req *req, pp_http_resp *resp);
void pp_api_story_patch(void *ctx, pp_http_req *req, pp_http_resp *resp);
void pp_api_story_archive(void *ctx, pp_http_req *req, pp_http_resp *resp);

/* story_list.c */
void pp_api_stories_list(void *ctx, pp_http_req *req, pp_http_resp *resp);
void pp_api_stories_search(void *ctx, pp_http_req *req, pp_http_resp *resp);

/* story_actions.c */
void pp_api_story_transition(void *ctx, pp_http_req *req, pp_http_resp *resp);
void pp_api_story_move(void *ctx, pp_http_req *req, pp_http_resp *resp);

/* dependencies.c */
void pp_api_story_deps_list(void *ctx, pp_http_req *req, pp_http_resp *resp);
void pp_api_story_dep_add(void *ctx, pp_http_req *req, pp_http_resp *resp);
void pp_api_story_dep_remove(void *ctx, pp_http_req *req, pp_http_resp *resp);
void pp_api_story_graph(void *ctx, pp_http_req *req, pp_http_resp *resp);
void pp_api_project_deps_list(void *ctx, pp_http_req *req, pp_http_resp *resp);
void pp_api_project_dep_add(void *ctx, pp_http_req *req, pp_http_resp *resp);
void pp_api_project_dep_remove(void *ctx, pp_http_req *req, pp_http_resp *resp);

/* members.c */
void pp_api_members_list(void *ctx, pp_http_req *req, pp_http_resp *resp);
void pp_api_member_put(void *ctx, pp_http_req *req, pp_http_resp *resp);
void pp_api_member_remove(void *ctx, pp_http_req *req, pp_http_resp *resp);

/* statuses.c: a project's workflow */
void pp_api_statuses_list(void *ctx, pp_http_req *req, pp_http_resp *resp);
void pp_api_status_add(void *ctx, pp_http_req *req, pp_http_resp *resp);
void pp_api_status_patch(void *ctx, pp_http_req *req, pp_http_resp *resp);

/* reports.c */
void pp_api_report(void *ctx, pp_http_req *req, pp_http_resp *resp);

/* history.c */
void pp_api_story_history(void *ctx, pp_http_req *req, pp_http_resp *resp);
void pp_api_project_history(void *ctx, pp_http_req *req, pp_http_resp *resp);

/*
 * Shared by the handlers (routes.c): runs tx and answers with its statement
 * `which`'s first row (pp_api_reply) with status. tx is freed. For handlers
 * whose work is one guard plus one statement.
 */
void pp_api_run_reply(pp_api *api, pp_http_req *req, pp_http_resp *resp, pp_tx *tx, int which,
		      int status);

/*
 * The handlers that create something from a JSON body: checks that the
 * query string is empty and the body has only fields (and their types), that
 * the caller has min_role in the project params[0], then runs sql with $1 the
 * project key and $2 the body, and answers 201 with its first row.
 */
void pp_api_create(pp_api *api, pp_http_req *req, pp_http_resp *resp, const pp_field *fields,
		   size_t n, const char *min_role, const char *sql);

/*
 * Answers a page: {"items": <items>, "next_cursor": <cursor or null>} from
 * the first row of res (columns items, more) and the cursor text plain
 * (NULL when there is no next page), base64url-encoded.
 */
void pp_api_reply_page(pp_http_req *req, pp_http_resp *resp, const PGresult *res,
		       const char *plain);

#endif
