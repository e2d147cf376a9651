/*
 * dependencies.c: dependencies between stories (across projects) and between
 * projects, and the transitive graph of a story.
 *
 * An edge (A, B) reads "A depends on B". A story of a project the caller
 * cannot see shows as "(hidden)" (planpipe_story_label) and is never walked
 * through. Adding a blocking edge that closes a cycle is a 409 naming the
 * cycle (PP001 from the schema's trigger).
 */
#include <string.h>

#include "api/handlers.h"
#include "api/input.h"

static const char *const no_params[] = {NULL};
static const char *const kinds[] = {"blocks", "relates", NULL};

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* The story $2 of project $1, visible to the caller. */
#define ST       " st AS (SELECT s.id FROM stories s WHERE s.project_id = " PP_SQL_PID " AND s.key = $2)"
#define NO_STORY "planpipe_api_fail('PP404', 'no story ' || $1 || ':' || $2)"

/* One end of an edge: the story o (NULL when hidden) of project op, id is the edge's end. */
#define END_JSON(id)                                                                               \
	"json_build_object('ref', planpipe_story_label(" id "), 'project', op.key, 'key', o.key,"  \
	" 'title', o.title, 'status', o.status, 'kind', e.kind, 'created_at', e.created_at)"

static const char sql_list[] =
	"WITH" ST " SELECT CASE WHEN NOT EXISTS (SELECT FROM st) THEN " NO_STORY
	" ELSE json_build_object("
	" 'depends_on', coalesce((SELECT json_agg(" END_JSON(
		"e.depends_on_id") "  ORDER BY planpipe_story_label(e.depends_on_id))"
				   "  FROM story_dependencies e LEFT JOIN stories o ON o.id = e.depends_on_id"
				   "  LEFT JOIN projects op ON op.id = o.project_id WHERE e.story_id = (SELECT id FROM st)), '[]'),"
				   " 'dependents', coalesce((SELECT json_agg(" END_JSON(
					   "e.story_id") "  ORDER BY planpipe_story_label(e.story_id))"
							 "  FROM story_dependencies e LEFT JOIN stories o ON o.id = e.story_id"
							 "  LEFT JOIN projects op ON op.id = o.project_id WHERE e.depends_on_id = (SELECT id FROM st)),"
							 "  '[]'),"
							 " 'unresolved', coalesce((SELECT json_agg(r.project_key || ':' || r.story_key"
							 "  ORDER BY r.project_key, r.story_key) FROM story_dependency_refs r"
							 "  WHERE r.story_id = (SELECT id FROM st)), '[]')) END AS body";

void pp_api_story_deps_list(void *ctx, pp_http_req *req, pp_http_resp *resp)
{
	pp_tx tx;

	if (pp_api_query_known(req, resp, no_params) != 0)
		return;
	pp_tx_init(&tx);
	pp_tx_guard(&tx, req->params[0], "viewer");
	pp_api_run_reply(ctx, req, resp, &tx,
			 pp_tx_add(&tx, sql_list, 2, req->params[0], req->params[1]), 200);
}

static const pp_field add_fields[] = {
	PP_FIELD("project", PP_F_STRING, 0),
	PP_FIELD("story", PP_F_STRING, PP_F_REQUIRED),
	PP_FIELD_ENUM("kind", 0, kinds),
};

/* The cycle check is an AFTER trigger: it runs, and may raise PP001, at the end of this statement.
 */
static const char sql_add[] =
	"WITH i AS (SELECT $3::jsonb AS b)," ST ","
	" dep AS (SELECT o.id FROM stories o JOIN projects op ON op.id = o.project_id, i"
	"  WHERE op.key = coalesce(i.b->>'project', $1) AND o.key = i.b->>'story'),"
	" ins AS (INSERT INTO story_dependencies (story_id, depends_on_id, kind)"
	"  SELECT st.id, dep.id, coalesce(i.b->>'kind', 'blocks') FROM st, dep, i RETURNING *)"
	"SELECT CASE WHEN NOT EXISTS (SELECT FROM st) THEN " NO_STORY
	" WHEN NOT EXISTS (SELECT FROM dep) THEN planpipe_api_fail('PP422', 'no story '"
	"  || coalesce(i.b->>'project', $1) || ':' || (i.b->>'story'), 'story')"
	" ELSE (SELECT json_build_object('story', $1 || ':' || $2,"
	"  'depends_on', planpipe_story_label(ins.depends_on_id), 'kind', ins.kind,"
	"  'created_at', ins.created_at) FROM ins) END AS body FROM i";

void pp_api_story_dep_add(void *ctx, pp_http_req *req, pp_http_resp *resp)
{
	json_t *body;
	pp_tx tx;

	if (pp_api_query_known(req, resp, no_params) != 0)
		return;
	body = pp_api_body(req, resp, add_fields, N(add_fields));
	if (body == NULL)
		return;
	json_decref(body);
	pp_tx_init(&tx);
	pp_tx_guard(&tx, req->params[0], "developer");
	pp_api_run_reply(ctx, req, resp, &tx,
			 pp_tx_add(&tx, sql_add, 3, req->params[0], req->params[1], req->body),
			 201);
}

static const char sql_remove[] =
	"WITH" ST ","
	" del AS (DELETE FROM story_dependencies e USING stories o, projects op"
	"  WHERE e.story_id = (SELECT id FROM st) AND e.depends_on_id = o.id"
	"   AND o.project_id = op.id AND op.key = $3 AND o.key = $4 RETURNING 1)"
	"SELECT CASE WHEN NOT EXISTS (SELECT FROM st) THEN " NO_STORY
	" WHEN NOT EXISTS (SELECT FROM del) THEN planpipe_api_fail('PP404',"
	"  $1 || ':' || $2 || ' does not depend on ' || $3 || ':' || $4) END AS body";

void pp_api_story_dep_remove(void *ctx, pp_http_req *req, pp_http_resp *resp)
{
	pp_tx tx;

	if (pp_api_query_known(req, resp, no_params) != 0)
		return;
	pp_tx_init(&tx);
	pp_tx_guard(&tx, req->params[0], "developer");
	pp_api_run_reply(ctx, req, resp, &tx,
			 pp_tx_add(&tx, sql_remove, 4, req->params[0], req->params[1],
				   req->params[2], req->params[3]),
			 204);
}

/*
 * The stories reachable from $1:$2 following edges down (what it depends
 * on) or up (what depends on it) at most $4 steps, through visible stories
 * only; each at its shortest depth, and every edge between them. The
 * direction is a parameter of a custom plan, so the OR folds away and the
 * right index serves each step.
 */
static const char sql_graph[] =
	"WITH RECURSIVE" ST ","
	" walk(id, depth) AS (SELECT id, 0 FROM st UNION"
	"  SELECT CASE WHEN $3 = 'down' THEN e.depends_on_id ELSE e.story_id END, w.depth + 1"
	"  FROM walk w JOIN story_dependencies e"
	"   ON ($3 = 'down' AND e.story_id = w.id) OR ($3 = 'up' AND e.depends_on_id = w.id)"
	"  JOIN stories n ON n.id = CASE WHEN $3 = 'down' THEN e.depends_on_id ELSE e.story_id END"
	"  WHERE w.depth < $4::int),"
	" nodes AS (SELECT id, min(depth) AS depth FROM walk GROUP BY id)"
	"SELECT CASE WHEN NOT EXISTS (SELECT FROM st) THEN " NO_STORY " ELSE json_build_object("
	" 'root', $1 || ':' || $2, 'direction', $3, 'depth', $4::int,"
	" 'nodes', (SELECT json_agg(json_build_object('ref', p.key || ':' || s.key,"
	"   'project', p.key, 'key', s.key, 'title', s.title, 'status', s.status,"
	"   'category', planpipe_status_category(s.status), 'depth', nd.depth)"
	"   ORDER BY nd.depth, p.key, s.key)"
	"  FROM nodes nd JOIN stories s ON s.id = nd.id JOIN projects p ON p.id = s.project_id),"
	" 'edges', coalesce((SELECT json_agg(json_build_object("
	"   'from', planpipe_story_label(e.story_id), 'to', planpipe_story_label(e.depends_on_id),"
	"   'kind', e.kind) ORDER BY e.story_id, e.depends_on_id)"
	"  FROM story_dependencies e WHERE e.story_id IN (SELECT id FROM nodes)"
	"   AND e.depends_on_id IN (SELECT id FROM nodes)), '[]')) END AS body";

void pp_api_story_graph(void *ctx, pp_http_req *req, pp_http_resp *resp)
{
	static const char *const allowed[] = {"direction", "depth", NULL};
	const char *direction = pp_http_query(req, "direction"), *depth;
	char dbuf[24];
	pp_tx tx;

	if (pp_api_query_known(req, resp, allowed) != 0 ||
	    pp_api_query_int(req, resp, "depth", 50, "5", dbuf, &depth) != 0)
		return;
	if (direction == NULL)
		direction = "down";
	if (strcmp(direction, "down") != 0 && strcmp(direction, "up") != 0) {
		pp_api_bad(req, resp, 422, "direction", "direction must be up or down");
		return;
	}
	pp_tx_init(&tx);
	pp_tx_guard(&tx, req->params[0], "viewer");
	pp_api_run_reply(
		ctx, req, resp, &tx,
		pp_tx_add(&tx, sql_graph, 4, req->params[0], req->params[1], direction, depth),
		200);
}

/* ---- project dependencies ---- */

#define PROJECT_END(id)                                                                            \
	"json_build_object('project', planpipe_project_label(" id "), 'kind', e.kind,"             \
	" 'note', e.note, 'created_at', e.created_at)"

static const char sql_project_list[] =
	"SELECT json_build_object("
	" 'depends_on', coalesce((SELECT json_agg(" PROJECT_END(
		"e.depends_on_project_id") "  ORDER BY planpipe_project_label(e.depends_on_project_id)) FROM project_dependencies e"
					   "  WHERE e.project_id = " PP_SQL_PID "), '[]'),"
					   " 'dependents', coalesce((SELECT json_agg(" PROJECT_END(
						   "e.project_id") "  ORDER BY planpipe_project_label(e.project_id)) FROM project_dependencies e"
								   "  WHERE e.depends_on_project_id = " PP_SQL_PID
								   "), '[]')) AS body";

void pp_api_project_deps_list(void *ctx, pp_http_req *req, pp_http_resp *resp)
{
	pp_tx tx;

	if (pp_api_query_known(req, resp, no_params) != 0)
		return;
	pp_tx_init(&tx);
	pp_tx_guard(&tx, req->params[0], "viewer");
	pp_api_run_reply(ctx, req, resp, &tx, pp_tx_add(&tx, sql_project_list, 1, req->params[0]),
			 200);
}

static const pp_field project_add_fields[] = {
	PP_FIELD("project", PP_F_STRING, PP_F_REQUIRED),
	PP_FIELD_ENUM("kind", 0, kinds),
	PP_FIELD("note", PP_F_STRING, PP_F_NULLABLE),
};

static const char sql_project_add[] =
	"WITH i AS (SELECT $2::jsonb AS b),"
	" dep AS (SELECT op.id FROM projects op, i WHERE op.key = i.b->>'project'),"
	" ins AS (INSERT INTO project_dependencies (project_id, depends_on_project_id, kind, note)"
	"  SELECT " PP_SQL_PID ", dep.id, coalesce(i.b->>'kind', 'blocks'), i.b->>'note'"
	"  FROM dep, i RETURNING *)"
	"SELECT CASE WHEN NOT EXISTS (SELECT FROM dep)"
	"  THEN planpipe_api_fail('PP422', 'no project ' || (i.b->>'project'), 'project')"
	" ELSE (SELECT json_build_object('project', $1, 'depends_on', i.b->>'project',"
	"  'kind', ins.kind, 'note', ins.note, 'created_at', ins.created_at) FROM ins) END AS body"
	" FROM i";

void pp_api_project_dep_add(void *ctx, pp_http_req *req, pp_http_resp *resp)
{
	pp_api_create(ctx, req, resp, project_add_fields, N(project_add_fields), "maintainer",
		      sql_project_add);
}

static const char sql_project_remove[] =
	"WITH del AS (DELETE FROM project_dependencies e USING projects op"
	"  WHERE e.project_id = " PP_SQL_PID " AND e.depends_on_project_id = op.id AND op.key = $2"
	"  RETURNING 1)"
	"SELECT CASE WHEN NOT EXISTS (SELECT FROM del)"
	"  THEN planpipe_api_fail('PP404', $1 || ' does not depend on ' || $2) END AS body";

void pp_api_project_dep_remove(void *ctx, pp_http_req *req, pp_http_resp *resp)
{
	pp_tx tx;

	if (pp_api_query_known(req, resp, no_params) != 0)
		return;
	pp_tx_init(&tx);
	pp_tx_guard(&tx, req->params[0], "maintainer");
	pp_api_run_reply(ctx, req, resp, &tx,
			 pp_tx_add(&tx, sql_project_remove, 2, req->params[0], req->params[1]),
			 204);
}
