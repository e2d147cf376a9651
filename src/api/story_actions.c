/*
 * story_actions.c: what happens to a story rather than what it says:
 *   POST .../stories/{story}/transitions  {"to": "done", "note": "...", "force": false}
 *   POST .../stories/{story}/move         {"backlog": 7, "after": "PLAN-012"}
 * Both need the developer role (force: maintainer) and honour If-Match.
 */
#include "api/handlers.h"
#include "api/input.h"
#include "api/sql.h"

static const char *const no_params[] = {NULL};

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* ---- transitions ---- */

static const pp_field transition_fields[] = {
	PP_FIELD("to", PP_F_STRING, PP_F_REQUIRED),
	PP_FIELD("note", PP_F_STRING, PP_F_NULLABLE),
	PP_FIELD("force", PP_F_BOOL, 0),
};

void pp_api_story_transition(void *ctx, pp_http_req *req, pp_http_resp *resp)
{
	const char *version, *note;
	char vbuf[16];
	json_t *body;
	int force, i;
	pp_tx tx;

	if (pp_api_query_known(req, resp, no_params) != 0 ||
	    pp_api_if_match(req, resp, vbuf, &version) != 0)
		return;
	body = pp_api_body(req, resp, transition_fields, N(transition_fields));
	if (body == NULL)
		return;
	force = json_is_true(json_object_get(body, "force"));
	note = json_string_value(json_object_get(body, "note"));
	pp_tx_init(&tx);
	/* Closing a story over open blockers is a maintainer's call. */
	pp_tx_guard(&tx, req->params[0], force ? "maintainer" : "developer");
	pp_tx_add(&tx, pp_api_sql("stories.sql", "story_transition_settings"), 3, note,
		  force ? "on" : "off", json_string_value(json_object_get(body, "to")));
	i = pp_tx_add(&tx, pp_api_sql("stories.sql", "story_transition"), 4, req->params[0],
		      req->params[1], json_string_value(json_object_get(body, "to")), version);
	pp_api_run_reply(ctx, req, resp, &tx, i, 200);
	json_decref(body);
}

/* ---- move ---- */

static const pp_field move_fields[] = {
	PP_FIELD_INT("backlog", PP_F_NULLABLE, 1, 9223372036854775807LL),
	PP_FIELD("before", PP_F_STRING, 0),
	PP_FIELD("after", PP_F_STRING, 0),
	PP_FIELD("rank", PP_F_NUMBER, 0),
};

void pp_api_story_move(void *ctx, pp_http_req *req, pp_http_resp *resp)
{
	const char *version;
	char vbuf[16];
	json_t *body;
	pp_tx tx;
	int anchors;

	if (pp_api_query_known(req, resp, no_params) != 0 ||
	    pp_api_if_match(req, resp, vbuf, &version) != 0)
		return;
	body = pp_api_body(req, resp, move_fields, N(move_fields));
	if (body == NULL)
		return;
	anchors = pp_api_has(body, "before") + pp_api_has(body, "after") + pp_api_has(body, "rank");
	json_decref(body);
	if (anchors > 1) {
		pp_api_bad(req, resp, 422, NULL, "give at most one of before, after and rank");
		return;
	}
	pp_tx_init(&tx);
	pp_tx_guard(&tx, req->params[0], "developer");
	pp_api_run_reply(ctx, req, resp, &tx,
			 pp_tx_add(&tx, pp_api_sql("stories.sql", "story_move"), 4, req->params[0],
				   req->params[1], req->body, version),
			 200);
}
