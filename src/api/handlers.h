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
 * A request as one statement, name of file (pp_tx_call, with status). A
 * write (not GET or HEAD) sent with an Idempotency-Key runs instead
 * name's twin "<name>_in_tx", which takes the same args without the token
 * hash, inside the key's transaction (pp_api_run_reply): the statement's
 * function then acts as the user that transaction authenticated.
 */
void pp_api_run_call(pp_api *api, pp_http_req *req, pp_http_resp *resp, const char *file,
		     const char *name, int n, const char *const *args, int status);

/* Where an argument of a route's statement comes from (pp_api_route_sql.args). */
enum {
	PP_ARG_END, /* no more arguments */
	PP_ARG_P0,  /* the path's parameters, in order: {project}, ... */
	PP_ARG_P1,
	PP_ARG_P2,
	PP_ARG_P3,
	PP_ARG_BODY,    /* the request's body (JSON text) */
	PP_ARG_VERSION, /* If-Match's version, NULL when absent */
};

#define PP_ROUTE_IF_MATCH 1u /* reads If-Match (pp_api_if_match) */
#define PP_ROUTE_ANYWHERE 2u /* reads only: pp_tx_read_anywhere */
#define PP_ROUTE_CALL     4u /* one statement, no guard: pp_api_run_call */

/*
 * A route whose work is checks plus one statement. In this order: the query
 * string is empty (400), path_ok (when not NULL) accepts the path, If-Match
 * (PP_ROUTE_IF_MATCH), the body has only fields (when not NULL) and their
 * types; then, in one transaction, the caller has min_role in the project
 * {project} (when not NULL) and the statement name of file runs with args;
 * its first row is the answer, with status.
 */
typedef struct pp_api_route_sql {
	const char *file, *name; /* the statement (sql.h) */
	const char *min_role;    /* pp_tx_guard on {project}; NULL: none */
	int status;
	unsigned flags; /* PP_ROUTE_* */
	const pp_field *fields;
	size_t n_fields;
	int (*path_ok)(pp_http_req *req, pp_http_resp *resp); /* 1: go on; 0: resp says why */
	unsigned char args[5];                                /* PP_ARG_*, up to PP_ARG_END */
} pp_api_route_sql;

/*
 * A pp_api_route_sql's fields and n_fields: the table t, or none (also
 * after ".fields =", where n_fields follows).
 */
#define PP_API_FIELDS(t) (t), (sizeof(t) / sizeof((t)[0]))
#define PP_API_NO_FIELDS NULL, 0

/*
 * One route of a resource's table: defines the descriptor var (declared in
 * the file's FILE_int.h, for its unit test) and the handler fn that answers
 * as var says (pp_api_run_sql_route). The arguments are the descriptor's
 * members in order: file, name, min_role, status, flags, fields
 * (PP_API_FIELDS or PP_API_NO_FIELDS), path_ok, then the statement's args.
 */
#define PP_API_SQL_ROUTE(var, fn, file, name, min_role, status, flags, fields, path_ok, ...)       \
	const pp_api_route_sql var = {file,  name,   min_role, status,                             \
				      flags, fields, path_ok,  {__VA_ARGS__}};                     \
	void fn(void *ctx, pp_http_req *req, pp_http_resp *resp)                                   \
	{                                                                                          \
		pp_api_run_sql_route(ctx, req, resp, &var);                                        \
	}

/* Answers the request as d says (above). */
void pp_api_run_sql_route(pp_api *api, pp_http_req *req, pp_http_resp *resp,
			  const pp_api_route_sql *d);

/*
 * d's statement alone, after pp_api_route_check, under min_role instead of
 * d->min_role (NULL: no guard), with version for PP_ARG_VERSION: for
 * handlers whose role or checks depend on the body.
 */
void pp_api_route_run(pp_api *api, pp_http_req *req, pp_http_resp *resp, const pp_api_route_sql *d,
		      const char *min_role, const char *version);

/*
 * The checks of d alone (its statement and role unused), for handlers that
 * decide more from the body: 0 with *version set and *body the parsed body
 * (the caller json_decref()s it; NULL when d has no fields), or -1 with the
 * problem in resp.
 */
int pp_api_route_check(pp_http_req *req, pp_http_resp *resp, const pp_api_route_sql *d,
		       char vbuf[16], const char **version, json_t **body);

/*
 * Runs tx and answers a page (pp_api_reply_page) from its statement which's
 * first row: columns items and more, and when more is "t" the next cursor
 * "KIND|A|B...", its fields the row's columns cols[0..n_cols). tx is freed.
 */
void pp_api_run_page(pp_api *api, pp_http_req *req, pp_http_resp *resp, pp_tx *tx, int which,
		     char kind, const int *cols, int n_cols);

/*
 * Answers a page: {"items": <items>, "next_cursor": <cursor or null>} from
 * the first row of res (columns items, more) and the cursor text plain
 * (NULL when there is no next page), base64url-encoded.
 */
void pp_api_reply_page(pp_http_req *req, pp_http_resp *resp, const PGresult *res,
		       const char *plain);

#endif
