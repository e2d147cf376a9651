/*
 * story_actions.c: what happens to a story rather than what it says:
 *   POST .../stories/{story}/transitions  {"to": "done", "note": "...", "force": false}
 *   POST .../stories/{story}/move         {"backlog": 7, "after": "PLAN-012"}
 * Both need the developer role (force: maintainer) and honour If-Match.
 */
#include "api/handlers.h"
#include "api/input.h"
#include "api/sql.h"
#include "api/story_actions_int.h"

/* ---- transitions ---- */

static const pp_field transition_fields[] = {
	PP_FIELD("to", PP_F_STRING, PP_F_REQUIRED),
	PP_FIELD("note", PP_F_STRING, PP_F_NULLABLE),
	PP_FIELD("force", PP_F_BOOL, 0),
};

/* Its checks; the statements are below. */
const pp_api_route_sql story_actions_transition = {.flags = PP_ROUTE_IF_MATCH,
						   .fields = PP_API_FIELDS(transition_fields)};

void story_actions_transition_args(const char *project, const char *story, const json_t *body,
				   const char *version, const char *args[6])
{
	args[0] = project;
	args[1] = story;
	args[2] = json_string_value(json_object_get(body, "to"));
	args[3] = version;
	args[4] = json_string_value(json_object_get(body, "note"));
	/* Closing a story over open blockers is a maintainer's call: the function decides. */
	args[5] = json_is_true(json_object_get(body, "force")) ? "true" : "false";
}

/* One statement (stories.sql's story_transition; pp_api_run_call). */
void pp_api_story_transition(void *ctx, pp_http_req *req, pp_http_resp *resp)
{
	const char *version, *args[6];
	char vbuf[16];
	json_t *body;

	if (pp_api_route_check(req, resp, &story_actions_transition, vbuf, &version, &body) != 0)
		return;
	story_actions_transition_args(req->params[0], req->params[1], body, version, args);
	pp_api_run_call(ctx, req, resp, "stories.sql", "story_transition", 6, args, 200);
	json_decref(body);
}

/* ---- move ---- */

static const pp_field move_fields[] = {
	PP_FIELD_INT("backlog", PP_F_NULLABLE, 1, 9223372036854775807LL),
	PP_FIELD("before", PP_F_STRING, 0),
	PP_FIELD("after", PP_F_STRING, 0),
	PP_FIELD("rank", PP_F_NUMBER, 0),
};

/* clang-format off */
const pp_api_route_sql story_actions_move = {"stories.sql", "story_move", NULL, 200, PP_ROUTE_IF_MATCH | PP_ROUTE_CALL,
	PP_API_FIELDS(move_fields), NULL, {PP_ARG_P0, PP_ARG_P1, PP_ARG_BODY, PP_ARG_VERSION}};
/* clang-format on */

int story_actions_anchors(const json_t *body)
{
	return pp_api_has(body, "before") + pp_api_has(body, "after") + pp_api_has(body, "rank");
}

void pp_api_story_move(void *ctx, pp_http_req *req, pp_http_resp *resp)
{
	const char *version;
	char vbuf[16];
	json_t *body;
	int anchors;

	if (pp_api_route_check(req, resp, &story_actions_move, vbuf, &version, &body) != 0)
		return;
	anchors = story_actions_anchors(body);
	json_decref(body);
	if (anchors > 1) {
		pp_api_bad(req, resp, 422, NULL, "give at most one of before, after and rank");
		return;
	}
	pp_api_route_run(ctx, req, resp, &story_actions_move, story_actions_move.min_role, version);
}
