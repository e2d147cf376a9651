/*
 * members.c: /v1/projects/{project}/members[/{handle}]. Viewers list;
 * maintainers add, change and remove members below owner, owners anyone
 * (row-level security refuses the rest: 403); any member may leave. A
 * project keeps at least one owner (PP004: 409).
 */
#include "api/handlers.h"
#include "api/input.h"

static const char *const no_params[] = {NULL};
static const char *const roles[] = {"viewer", "developer", "maintainer", "owner", NULL};

#define N(a) (sizeof(a) / sizeof((a)[0]))

#define MEMBER_JSON                                                                                \
	"json_build_object('handle', u.handle, 'display_name', u.display_name, 'role', m.role,"    \
	" 'disabled', u.disabled_at IS NOT NULL, 'created_at', m.created_at,"                      \
	" 'updated_at', m.updated_at)"

static const char sql_list[] =
	"SELECT coalesce(json_agg(" MEMBER_JSON " ORDER BY m.role DESC, u.handle), '[]') AS body"
	" FROM project_members m JOIN users u ON u.id = m.user_id"
	" WHERE m.project_id = " PP_SQL_PID;

void pp_api_members_list(void *ctx, pp_http_req *req, pp_http_resp *resp)
{
	pp_tx tx;

	if (pp_api_query_known(req, resp, no_params) != 0)
		return;
	pp_tx_init(&tx);
	pp_tx_guard(&tx, req->params[0], "viewer");
	pp_api_run_reply(ctx, req, resp, &tx, pp_tx_add(&tx, sql_list, 1, req->params[0]), 200);
}

static const pp_field put_fields[] = {
	PP_FIELD_ENUM("role", PP_F_REQUIRED, roles),
};

/*
 * An upsert; xmax = 0 tells a new row from an updated one. Setting the role
 * a member already has is suppressed by a trigger (no row returned): the
 * membership as it is is the answer.
 */
static const char sql_put[] =
	"WITH u AS (SELECT * FROM planpipe_user_by_handle($2)),"
	" up AS (INSERT INTO project_members AS m (project_id, user_id, role)"
	"  SELECT " PP_SQL_PID ", u.id, $3::member_role FROM u"
	"  ON CONFLICT (project_id, user_id) DO UPDATE SET role = EXCLUDED.role"
	"  RETURNING m.*, (xmax = 0) AS created)"
	"SELECT CASE WHEN NOT EXISTS (SELECT FROM u) THEN planpipe_api_fail('PP404', 'no user ' || $2)"
	" WHEN EXISTS (SELECT FROM up) THEN (SELECT " MEMBER_JSON " FROM up m, u)"
	" ELSE (SELECT " MEMBER_JSON " FROM project_members m, u"
	"  WHERE m.project_id = " PP_SQL_PID " AND m.user_id = u.id) END AS body,"
	" CASE WHEN (SELECT created FROM up) THEN 201 ELSE 200 END AS status,"
	" CASE WHEN (SELECT created FROM up) THEN '/v1/projects/' || $1 || '/members/' || $2"
	" END AS location";

void pp_api_member_put(void *ctx, pp_http_req *req, pp_http_resp *resp)
{
	json_t *body;
	pp_tx tx;
	int i;

	if (pp_api_query_known(req, resp, no_params) != 0)
		return;
	body = pp_api_body(req, resp, put_fields, N(put_fields));
	if (body == NULL)
		return;
	pp_tx_init(&tx);
	pp_tx_guard(&tx, req->params[0], "maintainer");
	i = pp_tx_add(&tx, sql_put, 3, req->params[0], req->params[1],
		      json_string_value(json_object_get(body, "role")));
	pp_api_run_reply(ctx, req, resp, &tx, i, 200);
	json_decref(body);
}

/* Leaving needs no role beyond membership; removing someone else needs maintainer. */
static const char sql_guard_remove[] =
	"SELECT planpipe_api_project($1, CASE WHEN $2 = (SELECT handle FROM users"
	" WHERE id = planpipe_setting_user_id()) THEN 'viewer' ELSE 'maintainer' END::member_role)";

/* Row-level security hides an owner from a maintainer's DELETE: tell that (403) from absence. */
static const char sql_remove[] =
	"WITH d AS (DELETE FROM project_members m USING users u"
	"  WHERE m.project_id = " PP_SQL_PID " AND m.user_id = u.id AND u.handle = $2 RETURNING 1)"
	"SELECT CASE WHEN EXISTS (SELECT FROM d) THEN NULL"
	" WHEN EXISTS (SELECT FROM project_members m JOIN users u ON u.id = m.user_id"
	"  WHERE m.project_id = " PP_SQL_PID " AND u.handle = $2)"
	"  THEN planpipe_api_fail('PP403', 'only an owner removes an owner')"
	" ELSE planpipe_api_fail('PP404', $2 || ' is not a member of ' || $1) END AS body";

void pp_api_member_remove(void *ctx, pp_http_req *req, pp_http_resp *resp)
{
	pp_tx tx;

	if (pp_api_query_known(req, resp, no_params) != 0)
		return;
	pp_tx_init(&tx);
	pp_tx_add(&tx, sql_guard_remove, 2, req->params[0], req->params[1]);
	pp_api_run_reply(ctx, req, resp, &tx,
			 pp_tx_add(&tx, sql_remove, 2, req->params[0], req->params[1]), 204);
}
