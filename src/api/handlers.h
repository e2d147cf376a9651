/*
 * handlers.h: the API's handlers (one file per resource). Their SQL is in
 * src/api/sql/RESOURCE.sql (sql.h), where a row's JSON is a fragment shared
 * by the statements of its file, so that a story looks the same in a list,
 * a response to PATCH and a search.
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
