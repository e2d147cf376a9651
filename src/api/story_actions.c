/*
 * story_actions.c: what happens to a story rather than what it says:
 *   POST .../stories/{story}/transitions  {"to": "done", "note": "...", "force": false}
 *   POST .../stories/{story}/move         {"backlog": 7, "after": "PLAN-012"}
 * Both need the developer role (force: maintainer) and honour If-Match.
 */
#include "api/handlers.h"
#include "api/input.h"

static const char *const no_params[] = {NULL};

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* The story $2 of project $1, locked (see projects.c for why). */
#define CUR_STORY                                                                                  \
	" cur AS (SELECT s.* FROM stories s WHERE s.project_id = " PP_SQL_PID " AND s.key = $2"    \
	"  FOR NO KEY UPDATE)"

/* The answer of an update of the story: see projects.c. $4 is If-Match. */
#define STORY_ANSWER                                                                               \
	"SELECT CASE WHEN EXISTS (SELECT FROM upd)"                                                \
	"  THEN (SELECT " PP_SQL_STORY_FULL_JSON                                                   \
	" FROM upd s JOIN projects p ON p.id = s.project_id)"                                      \
	" WHEN NOT EXISTS (SELECT FROM cur)"                                                       \
	"  THEN planpipe_api_fail('PP404', 'no story ' || $1 || ':' || $2)"                        \
	" WHEN $4::int IS NOT NULL AND (SELECT version FROM cur) <> $4::int"                       \
	"  THEN " PP_SQL_STALE(                                                                    \
		"'story ' || $1 || ':' || $2",                                                     \
		"$4") " ELSE"                                                                      \
		      "  (SELECT " PP_SQL_STORY_FULL_JSON                                          \
		      " FROM cur s JOIN projects p ON p.id = s.project_id)"                        \
		      " END AS body, coalesce((SELECT version FROM upd), (SELECT version FROM cur)) AS version"

/* ---- transitions ---- */

static const pp_field transition_fields[] = {
	PP_FIELD("to", PP_F_STRING, PP_F_REQUIRED),
	PP_FIELD("note", PP_F_STRING, PP_F_NULLABLE),
	PP_FIELD("force", PP_F_BOOL, 0),
};

/* The note and force go to status_history and the open-blockers rule (docs/schema.md). */
static const char sql_settings[] = "SELECT set_config('planpipe.note', coalesce($1, ''), true),"
				   " set_config('planpipe.force', $2, true),"
				   " (SELECT planpipe_api_fail('PP422', 'no status ' || $3, 'to')"
				   "  WHERE NOT EXISTS (SELECT FROM statuses WHERE key = $3))";

static const char sql_transition[] =
	"WITH" CUR_STORY ","
	" upd AS (UPDATE stories t SET status = $3 FROM cur"
	"  WHERE t.id = cur.id AND ($4::int IS NULL OR t.version = $4::int)"
	"  RETURNING t.*) " STORY_ANSWER;

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
	pp_tx_add(&tx, sql_settings, 3, note, force ? "on" : "off",
		  json_string_value(json_object_get(body, "to")));
	i = pp_tx_add(&tx, sql_transition, 4, req->params[0], req->params[1],
		      json_string_value(json_object_get(body, "to")), version);
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

/*
 * The new place: the backlog asked for (or the story's own), and a rank
 * there: the one given, halfway between the anchor and its neighbour
 * (multiplying by 0.5 keeps numeric exact, so halving never runs out), or
 * after the last story. Without a backlog there is no rank.
 */
static const char sql_move[] =
	"WITH i AS (SELECT $3::jsonb AS b)," CUR_STORY ","
	" tgt AS (SELECT CASE WHEN i.b ? 'backlog' THEN (i.b->>'backlog')::bigint"
	"   ELSE cur.backlog_id END AS backlog_id,"
	"  coalesce(i.b->>'before', i.b->>'after') AS anchor_key, i.b ? 'after' AS after"
	"  FROM i, cur),"
	" anc AS (SELECT a.id, a.rank FROM stories a, cur, tgt"
	"  WHERE a.project_id = cur.project_id AND a.key = tgt.anchor_key"
	"   AND a.backlog_id = tgt.backlog_id AND a.id <> cur.id),"
	" pos AS (SELECT tgt.backlog_id, CASE"
	"   WHEN tgt.backlog_id IS NULL THEN NULL"
	"   WHEN i.b ? 'rank' THEN (i.b->>'rank')::numeric"
	"   WHEN tgt.anchor_key IS NULL THEN coalesce((SELECT max(x.rank) FROM stories x"
	"    WHERE x.backlog_id = tgt.backlog_id AND x.id <> cur.id), 0) + 1"
	"   WHEN NOT EXISTS (SELECT FROM anc) THEN planpipe_api_fail('PP422',"
	"    'no story ' || tgt.anchor_key || ' in that backlog to move next to',"
	"    CASE WHEN tgt.after THEN 'after' ELSE 'before' END)::text::numeric"
	"   WHEN tgt.after THEN ((SELECT rank FROM anc) + coalesce((SELECT min(x.rank) FROM stories x"
	"    WHERE x.backlog_id = tgt.backlog_id AND x.rank > (SELECT rank FROM anc)"
	"     AND x.id <> cur.id), (SELECT rank FROM anc) + 2)) * 0.5"
	"   ELSE ((SELECT rank FROM anc) + coalesce((SELECT max(x.rank) FROM stories x"
	"    WHERE x.backlog_id = tgt.backlog_id AND x.rank < (SELECT rank FROM anc)"
	"     AND x.id <> cur.id), (SELECT rank FROM anc) - 2)) * 0.5 END AS rank"
	"  FROM i, cur, tgt),"
	" upd AS (UPDATE stories t SET backlog_id = pos.backlog_id, rank = pos.rank FROM cur, pos"
	"  WHERE t.id = cur.id AND ($4::int IS NULL OR t.version = $4::int) RETURNING t.*) " STORY_ANSWER;

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
	pp_api_run_reply(
		ctx, req, resp, &tx,
		pp_tx_add(&tx, sql_move, 4, req->params[0], req->params[1], req->body, version),
		200);
}
