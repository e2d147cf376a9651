/* routes.c: the route table, and the answers handlers share (see api.h, handlers.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/handlers.h"
#include "api/input.h"
#include "api/routes_int.h"
#include "api/sql.h"
#include "api/tx.h"
#include "web/assets.h"

#define STORY "/v1/projects/{project}/stories/{story}"

/* Matched in order; literal segments and parameters never overlap, so order only reads well. */
static const pp_route routes[] = {
	{"GET", "/livez", pp_api_livez, "the process is up"},
	{"GET", "/readyz", pp_api_readyz, "the database is reachable and migrated"},
	{"GET", "/metrics", pp_api_metrics, "Prometheus metrics"},
	{"GET", "/openapi.json", pp_api_openapi_doc, "this API's OpenAPI 3.1 document"},
	/* The dashboard's page and files (src/web/, docs/dashboard.md): outside /v1. */
	{"GET", "/", pp_web_index, "the dashboard"},
	{"GET", "/ui/{file}", pp_web_ui, "a file of the dashboard"},
	{"GET", "/ui/vendor/{file}", pp_web_ui_vendor, "a vendored library of the dashboard"},
	{"GET", "/v1/me", pp_api_me, "the authenticated user"},
	{"GET", "/v1/statuses", pp_api_statuses, "the story statuses"},
	{"GET", "/v1/projects", pp_api_projects_list, "the caller's projects"},
	{"POST", "/v1/projects", pp_api_project_create, "create a project"},
	{"GET", "/v1/projects/{project}", pp_api_project_get, "one project"},
	{"PATCH", "/v1/projects/{project}", pp_api_project_patch, "change a project"},
	{"DELETE", "/v1/projects/{project}", pp_api_project_archive, "archive a project"},
	{"GET", "/v1/projects/{project}/backlogs", pp_api_backlogs_list, "a project's backlogs"},
	{"POST", "/v1/projects/{project}/backlogs", pp_api_backlog_create, "create a backlog"},
	{"PATCH", "/v1/projects/{project}/backlogs/{backlog}", pp_api_backlog_patch,
	 "change a backlog"},
	{"DELETE", "/v1/projects/{project}/backlogs/{backlog}", pp_api_backlog_archive,
	 "archive a backlog"},
	{"GET", "/v1/projects/{project}/stories", pp_api_stories_list, "a project's stories"},
	{"POST", "/v1/projects/{project}/stories", pp_api_story_create, "create a story"},
	{"GET", STORY, pp_api_story_get, "one story"},
	{"PATCH", STORY, pp_api_story_patch, "change a story"},
	{"DELETE", STORY, pp_api_story_archive, "archive a story"},
	{"POST", STORY "/transitions", pp_api_story_transition, "change a story's status"},
	{"POST", STORY "/move", pp_api_story_move, "move a story in or between backlogs"},
	{"GET", STORY "/dependencies", pp_api_story_deps_list, "a story's dependencies"},
	{"POST", STORY "/dependencies", pp_api_story_dep_add, "add a dependency"},
	{"DELETE", STORY "/dependencies/{other_project}/{other_story}", pp_api_story_dep_remove,
	 "remove a dependency"},
	{"GET", STORY "/graph", pp_api_story_graph, "the transitive dependency graph"},
	{"GET", STORY "/history", pp_api_story_history, "a story's status history"},
	{"GET", "/v1/projects/{project}/dependencies", pp_api_project_deps_list,
	 "a project's dependencies"},
	{"POST", "/v1/projects/{project}/dependencies", pp_api_project_dep_add,
	 "add a project dependency"},
	{"DELETE", "/v1/projects/{project}/dependencies/{other_project}", pp_api_project_dep_remove,
	 "remove a project dependency"},
	{"GET", "/v1/projects/{project}/members", pp_api_members_list, "a project's members"},
	{"PUT", "/v1/projects/{project}/members/{handle}", pp_api_member_put,
	 "add a member or change its role"},
	{"DELETE", "/v1/projects/{project}/members/{handle}", pp_api_member_remove,
	 "remove a member"},
	{"GET", "/v1/projects/{project}/statuses", pp_api_statuses_list, "a project's workflow"},
	{"POST", "/v1/projects/{project}/statuses", pp_api_status_add,
	 "add a status to a project's workflow"},
	{"PATCH", "/v1/projects/{project}/statuses/{status}", pp_api_status_patch,
	 "rename or reorder a status of a project's workflow"},
	{"GET", "/v1/projects/{project}/history", pp_api_project_history,
	 "a project's status changes"},
	{"GET", "/v1/stories", pp_api_stories_search, "stories across the caller's projects"},
	{"GET", "/v1/reports/{name}", pp_api_report, "a report over the caller's projects"},
};

const pp_route *pp_api_routes(size_t *n)
{
	*n = sizeof(routes) / sizeof(routes[0]);
	return routes;
}

void pp_api_run_reply(pp_api *api, pp_http_req *req, pp_http_resp *resp, pp_tx *tx, int which,
		      int status)
{
	const char *idem = pp_http_header(req, "Idempotency-Key");
	char key[PP_API_IDEM_KEY_MAX + 1];
	pp_rc rc;

	/* Writes only: a GET is idempotent already. */
	if (idem != NULL && strcmp(req->method, "GET") != 0 && strcmp(req->method, "HEAD") != 0) {
		if (pp_api_idempotency_key(req, resp, idem, key) != 0) {
			pp_tx_free(tx);
			return;
		}
		/* Success or not, the answer is in resp. */
		rc = pp_tx_run_idempotent(api, req, resp, tx, key, which, status);
		(void)rc;
		return;
	}
	if (pp_tx_run(api, req, resp, tx) != PP_OK)
		return;
	pp_api_reply(req, resp, tx->res[which], status);
	pp_tx_free(tx);
}

void pp_api_run_call(pp_api *api, pp_http_req *req, pp_http_resp *resp, const char *file,
		     const char *name, int n, const char *const *args, int status)
{
	char keyed[128];
	pp_tx tx;

	if (pp_http_header(req, "Idempotency-Key") == NULL || strcmp(req->method, "GET") == 0 ||
	    strcmp(req->method, "HEAD") == 0) {
		(void)pp_tx_call(api, req, resp, pp_api_sql(file, name), n, args, status);
		return;
	}
	if (snprintf(keyed, sizeof(keyed), "%s_in_tx", name) >= (int)sizeof(keyed))
		abort();
	pp_tx_init(&tx);
	pp_api_run_reply(api, req, resp, &tx, pp_tx_add_v(&tx, pp_api_sql(file, keyed), n, args),
			 status);
}

int pp_api_route_check(pp_http_req *req, pp_http_resp *resp, const pp_api_route_sql *d,
		       char vbuf[16], const char **version, json_t **body)
{
	static const char *const no_params[] = {NULL};

	*version = NULL;
	*body = NULL;
	if (pp_api_query_known(req, resp, no_params) != 0 ||
	    (d->path_ok != NULL && !d->path_ok(req, resp)) ||
	    ((d->flags & PP_ROUTE_IF_MATCH) && pp_api_if_match(req, resp, vbuf, version) != 0))
		return -1;
	if (d->fields != NULL) {
		*body = pp_api_body(req, resp, d->fields, d->n_fields);
		if (*body == NULL)
			return -1;
	}
	return 0;
}

int routes_args(const pp_api_route_sql *d, const pp_http_req *req, const char *version,
		const char *args[ROUTES_MAX_ARGS])
{
	int n = 0;

	for (; n < ROUTES_MAX_ARGS && d->args[n] != PP_ARG_END; n++) {
		unsigned char a = d->args[n];

		args[n] = a == PP_ARG_BODY      ? req->body
			  : a == PP_ARG_VERSION ? version
						: req->params[a - PP_ARG_P0];
	}
	for (int i = n; i < ROUTES_MAX_ARGS; i++)
		args[i] = NULL;
	return n;
}

void pp_api_route_run(pp_api *api, pp_http_req *req, pp_http_resp *resp, const pp_api_route_sql *d,
		      const char *min_role, const char *version)
{
	const char *args[ROUTES_MAX_ARGS];
	int n = routes_args(d, req, version, args);
	pp_tx tx;

	if (d->flags & PP_ROUTE_CALL) {
		pp_api_run_call(api, req, resp, d->file, d->name, n, args, d->status);
		return;
	}
	pp_tx_init(&tx);
	if (d->flags & PP_ROUTE_ANYWHERE)
		pp_tx_read_anywhere(&tx);
	if (min_role != NULL)
		pp_tx_guard(&tx, req->params[0], min_role);
	pp_api_run_reply(api, req, resp, &tx,
			 pp_tx_add(&tx, pp_api_sql(d->file, d->name), n, args[0], args[1], args[2],
				   args[3], args[4]),
			 d->status);
}

void pp_api_run_sql_route(pp_api *api, pp_http_req *req, pp_http_resp *resp,
			  const pp_api_route_sql *d)
{
	const char *version;
	char vbuf[16];
	json_t *body;

	if (pp_api_route_check(req, resp, d, vbuf, &version, &body) != 0)
		return;
	json_decref(body);
	pp_api_route_run(api, req, resp, d, d->min_role, version);
}

void pp_api_reply_page(pp_http_req *req, pp_http_resp *resp, const PGresult *res, const char *plain)
{
	const char *items = PQntuples(res) > 0 ? PQgetvalue(res, 0, PQfnumber(res, "items")) : "[]";
	pp_buf out, cursor;
	pp_rc rc;

	(void)req;
	pp_buf_init(&out, (size_t)1 << 30);
	pp_buf_init(&cursor, 4096);
	rc = plain ? pp_api_cursor_encode(plain, &cursor) : PP_OK;
	if (rc == PP_OK)
		rc = pp_buf_printf(&out, "{\"items\":%s,\"next_cursor\":%s%s%s}", items,
				   plain ? "\"" : "", plain ? pp_buf_str(&cursor) : "null",
				   plain ? "\"" : "");
	if (rc == PP_OK) {
		size_t len = out.len;
		pp_http_resp_set(resp, 200, "application/json", pp_buf_take(&out), len);
	} else {
		pp_http_resp_set(resp, 500, NULL, NULL, 0);
	}
	pp_buf_free(&out);
	pp_buf_free(&cursor);
}

void pp_api_run_page(pp_api *api, pp_http_req *req, pp_http_resp *resp, pp_tx *tx, int which,
		     char kind, const int *cols, int n_cols)
{
	const PGresult *res;
	char next[256];
	size_t len;
	int i;

	if (pp_tx_run(api, req, resp, tx) != PP_OK)
		return;
	res = tx->res[which];
	len = (size_t)snprintf(next, sizeof(next), "%c", kind);
	for (i = 0; i < n_cols && len < sizeof(next); i++)
		len += (size_t)snprintf(next + len, sizeof(next) - len, "|%s",
					PQgetvalue(res, 0, cols[i]));
	pp_api_reply_page(req, resp, res, strcmp(PQgetvalue(res, 0, 1), "t") == 0 ? next : NULL);
	pp_tx_free(tx);
}
