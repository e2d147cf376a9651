/*
 * test_api_access.c: the access-control matrix. On every project-scoped
 * route a user who is not a member gets 404 (exactly as for a project that
 * does not exist: existence never leaks) and a viewer gets 403 on every
 * route that writes (and 200 on those that read). The matrix must name
 * every project-scoped route of the router's table. The server logs in as
 * the API does in production: a login that is only a member of
 * planpipe_app, which acts as a user only through a token (migration 0022).
 */
#include "test_api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"

typedef struct cell {
	const char *method;
	const char *pattern;
	const char *body; /* a valid body, so that the check is about access only */
} cell;

#define STORY "/v1/projects/{project}/stories/{story}"

static const cell matrix[] = {
	{"GET", "/v1/projects/{project}", NULL},
	{"PATCH", "/v1/projects/{project}", "{\"description\":\"x\"}"},
	{"DELETE", "/v1/projects/{project}", NULL},
	{"GET", "/v1/projects/{project}/backlogs", NULL},
	{"POST", "/v1/projects/{project}/backlogs", "{\"name\":\"Another\"}"},
	{"PATCH", "/v1/projects/{project}/backlogs/{backlog}", "{\"description\":\"x\"}"},
	{"DELETE", "/v1/projects/{project}/backlogs/{backlog}", NULL},
	{"GET", "/v1/projects/{project}/stories", NULL},
	{"POST", "/v1/projects/{project}/stories", "{\"title\":\"t\"}"},
	{"GET", STORY, NULL},
	{"PATCH", STORY, "{\"title\":\"x\"}"},
	{"DELETE", STORY, NULL},
	{"POST", STORY "/transitions", "{\"to\":\"ready\"}"},
	{"POST", STORY "/move", "{\"backlog\":null}"},
	{"GET", STORY "/dependencies", NULL},
	{"POST", STORY "/dependencies", "{\"story\":\"ACL-003\"}"},
	{"DELETE", STORY "/dependencies/{other_project}/{other_story}", NULL},
	{"GET", STORY "/graph", NULL},
	{"GET", STORY "/history", NULL},
	{"GET", "/v1/projects/{project}/dependencies", NULL},
	{"POST", "/v1/projects/{project}/dependencies", "{\"project\":\"OTH\"}"},
	{"DELETE", "/v1/projects/{project}/dependencies/{other_project}", NULL},
	{"GET", "/v1/projects/{project}/members", NULL},
	{"PUT", "/v1/projects/{project}/members/{handle}", "{\"role\":\"developer\"}"},
	{"DELETE", "/v1/projects/{project}/members/{handle}", NULL},
	{"GET", "/v1/projects/{project}/statuses", NULL},
	{"POST", "/v1/projects/{project}/statuses", "{\"key\":\"wip\"}"},
	{"PATCH", "/v1/projects/{project}/statuses/{status}", "{\"name\":\"x\"}"},
	{"GET", "/v1/projects/{project}/history", NULL},
};

#define N_CELLS (sizeof(matrix) / sizeof(matrix[0]))

typedef struct world {
	api_server srv;
	char *admin, *viewer, *stranger;
	char backlog[24];
} world;

static world W;
static const api_user users[] = {
	{"admin", 1, &W.admin},
	{"viewer", 0, &W.viewer},
	{"stranger", 0, &W.stranger},
};

static int setup(void **state)
{
	static const api_step setup_steps[] = {
		{201, "POST", "/v1/projects", "{\"key\":\"ACL\",\"name\":\"Access\"}"},
		{201, "POST", "/v1/projects", "{\"key\":\"OTH\",\"name\":\"Other\"}"},
		{201, "POST", "/v1/projects/ACL/stories", "{\"title\":\"one\"}"},
		{201, "POST", "/v1/projects/ACL/stories", "{\"title\":\"two\"}"},
		{201, "POST", "/v1/projects/ACL/stories", "{\"title\":\"three\"}"},
		{201, "POST", "/v1/projects/ACL/stories/ACL-001/dependencies",
		 "{\"story\":\"ACL-002\"}"},
		{201, "POST", "/v1/projects/ACL/dependencies", "{\"project\":\"OTH\"}"},
		{201, "PUT", "/v1/projects/ACL/members/viewer", "{\"role\":\"viewer\"}"},
		{201, "PUT", "/v1/projects/OTH/members/stranger", "{\"role\":\"owner\"}"},
	};
	const char *const as_api[] = {"PGUSER=pp_api_login", "PLANPIPE_HISTORY_MAINTAIN_INTERVAL=0",
				      NULL};
	PGconn *c;
	api_res r;

	(void)state;
	api_setup_db();
	c = pp_t_connect();
	free(pp_t_query(c,
			"DO $$ BEGIN"
			" IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'pp_api_login') THEN"
			"  CREATE ROLE pp_api_login LOGIN; GRANT planpipe_app TO pp_api_login;"
			" END IF; END $$"));
	PQfinish(c);
	api_users_add(users);
	api_server_start(&W.srv, as_api);
	api_steps(&W.srv, W.admin, setup_steps);
	r = api_ok(201, &W.srv, "POST", "/v1/projects/ACL/backlogs", W.admin, "{\"name\":\"B\"}",
		   NULL);
	snprintf(W.backlog, sizeof(W.backlog), "%lld",
		 json_integer_value(json_object_get(r.json, "id")));
	api_res_free(&r);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	api_world_stop(&W.srv, users);
	return 0;
}

/* The pattern with its parameters filled in, for project (ACL or a missing one). */
static void fill(const char *pattern, const char *project, char *out, size_t size)
{
	static const char *const values[][2] = {
		{"{project}", NULL},        {"{story}", "ACL-001"},       {"{backlog}", NULL},
		{"{other_project}", "ACL"}, {"{other_story}", "ACL-002"}, {"{handle}", "admin"},
		{"{status}", "review"},
	};
	size_t o = 0, i;
	const char *p = pattern;

	while (*p && o + 1 < size) {
		for (i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
			size_t n = strlen(values[i][0]);
			if (strncmp(p, values[i][0], n) == 0) {
				const char *v = i == 0   ? project
						: i == 2 ? W.backlog
							 : values[i][1];
				o += (size_t)snprintf(out + o, size - o, "%s", v);
				p += n;
				break;
			}
		}
		if (i == sizeof(values) / sizeof(values[0]))
			out[o++] = *p++;
	}
	out[o < size ? o : size - 1] = '\0';
}

static int is_read(const cell *c)
{
	return strcmp(c->method, "GET") == 0;
}

/* Every project-scoped route of the router is in the matrix, and every cell is a route. */
static void matrix_covers_the_router(void **state)
{
	size_t n, i, j;
	const pp_route *routes = pp_api_routes(&n);
	int scoped = 0;

	(void)state;
	for (i = 0; i < n; i++) {
		if (strstr(routes[i].pattern, "{project}") == NULL)
			continue;
		scoped++;
		for (j = 0; j < N_CELLS; j++)
			if (strcmp(matrix[j].method, routes[i].method) == 0 &&
			    strcmp(matrix[j].pattern, routes[i].pattern) == 0)
				break;
		if (j == N_CELLS)
			fail_msg("%s %s is not in the access matrix", routes[i].method,
				 routes[i].pattern);
	}
	assert_int_equal(scoped, (int)N_CELLS);
}

/* Not a member: 404 everywhere, the same answer as for a project that does not exist. */
static void non_member_gets_404(void **state)
{
	char path[512], missing[512];
	size_t i;

	(void)state;
	for (i = 0; i < N_CELLS; i++) {
		api_res r, m;

		fill(matrix[i].pattern, "ACL", path, sizeof(path));
		fill(matrix[i].pattern, "NOSUCH", missing, sizeof(missing));
		r = api_call(&W.srv, matrix[i].method, path, W.stranger, matrix[i].body, NULL);
		m = api_call(&W.srv, matrix[i].method, missing, W.stranger, matrix[i].body, NULL);
		if (r.status != 404 || m.status != 404)
			fail_msg("%s %s as a non-member: %ld %s (missing project: %ld)",
				 matrix[i].method, path, r.status, r.body, m.status);
		api_problem(r, 404, "not-found");
		api_json_is(&r, "{\"detail\":\"no project ACL\"}");
		api_json_is(&m, "{\"detail\":\"no project NOSUCH\"}");
		api_res_free(&r);
		api_res_free(&m);
	}
}

/* A viewer reads everything and writes nothing: 403 on every write. */
static void viewer_gets_403_on_writes(void **state)
{
	char path[512];
	size_t i;
	int writes = 0;

	(void)state;
	for (i = 0; i < N_CELLS; i++) {
		api_res r;

		fill(matrix[i].pattern, "ACL", path, sizeof(path));
		r = api_call(&W.srv, matrix[i].method, path, W.viewer, matrix[i].body, NULL);
		if (is_read(&matrix[i])) {
			if (r.status != 200)
				fail_msg("GET %s as a viewer: %ld %s", path, r.status, r.body);
		} else {
			if (r.status != 403)
				fail_msg("%s %s as a viewer: %ld %s", matrix[i].method, path,
					 r.status, r.body);
			api_problem(r, 403, "forbidden");
			writes++;
		}
		api_res_free(&r);
	}
	assert_true(writes >= 16);
	/* Nothing changed. */
	api_ok_json(200, "{\"version\":1,\"archived_at\":null}", &W.srv, "GET", "/v1/projects/ACL",
		    W.admin, NULL, NULL);
}

/* The routes outside projects see only the caller's own things. */
static void unscoped_routes(void **state)
{
	(void)state;
	api_items_are(1, &W.srv, W.stranger, "/v1/projects");
	api_items_are(0, &W.srv, W.stranger, "/v1/stories");
	api_items_are(3, &W.srv, W.viewer, "/v1/stories");
	/* A dependency on a project the caller cannot see names it (hidden). */
	api_ok_json(200, "{\"depends_on\":[{\"project\":\"(hidden)\"}]}", &W.srv, "GET",
		    "/v1/projects/ACL/dependencies", W.viewer, NULL, NULL);
}

/*
 * The API's database login alone, without a token, reads nothing: naming a
 * user (even the admin) in planpipe.user_id opens no project and no story.
 */
static void api_login_alone_reads_nothing(void **state)
{
	PGconn *c;

	(void)state;
	c = PQconnectdb("user=pp_api_login");
	assert_int_equal(PQstatus(c), CONNECTION_OK);
	free(pp_t_query(c, "SELECT set_config('planpipe.user_id',"
			   " (SELECT id FROM users WHERE handle = 'admin')::text, false),"
			   " set_config('role', 'planpipe_app', false)"));
	pp_t_query_is(c,
		      "SELECT (SELECT count(*) FROM projects) + (SELECT count(*) FROM stories)"
		      " + (SELECT count(*) FROM story_dependencies)",
		      "0");
	pp_t_query_is(c, "SELECT planpipe_story_label(min(id)) FROM generate_series(1, 3) id",
		      "(hidden)");
	PQfinish(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(matrix_covers_the_router),
		cmocka_unit_test(non_member_gets_404),
		cmocka_unit_test(viewer_gets_403_on_writes),
		cmocka_unit_test(unscoped_routes),
		cmocka_unit_test(api_login_alone_reads_nothing),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
