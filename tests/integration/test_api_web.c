/*
 * test_api_web.c: the dashboard's files as `planpipe serve` answers them
 * (src/web/web.c: the embedded web/ files, their types, ETags and security
 * headers, 304s, 404s), and `planpipe export json|site` (src/cli/cmd_export.c:
 * the files, the index, the same JSON as the API, the errors, the symbolic
 * links it refuses and the one it follows). The page
 * itself runs in a real browser in tests/browser.
 */
#include "test_api.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "web/assets.h"

typedef struct world {
	api_server srv;
	char *admin;
} world;

static world W;
static const api_user users[] = {
	{"root", 1, &W.admin},
};

static const api_step steps[] = {
	{201, "POST", "/v1/projects", "{\"key\":\"PLAN\",\"name\":\"Planning\"}"},
	{201, "POST", "/v1/projects/PLAN/backlogs",
	 "{\"name\":\"Sprint 1\",\"kind\":\"sprint\",\"starts_on\":\"2024-01-08\","
	 "\"ends_on\":\"2024-01-19\"}"},
	{201, "POST", "/v1/projects/PLAN/stories",
	 "{\"key\":\"PLAN-1\",\"title\":\"Login\",\"estimate_points\":3,\"epic\":\"auth\","
	 "\"body\":\"<script>alert(1)</script>\"}"},
	{201, "POST", "/v1/projects/PLAN/stories",
	 "{\"key\":\"PLAN-2\",\"title\":\"Logout\",\"status\":\"in_progress\"}"},
	{201, "POST", "/v1/projects/PLAN/stories/PLAN-2/dependencies", "{\"story\":\"PLAN-1\"}"},
};
static const api_world fixture = {&W.srv, NULL, users, API_N(users), &W.admin, steps, API_N(steps)};

/* GET / is web/index.html, byte for byte, with the page's security headers. */
static void index_page(void **state)
{
	const char *root = getenv("PP_SOURCE_ROOT");
	char path[1024], *file;
	api_res r = api_ok(200, &W.srv, "GET", "/", NULL, NULL, NULL);

	(void)state;
	snprintf(path, sizeof(path), "%s/web/index.html", root);
	file = pp_t_slurp(path, 0);
	assert_string_equal(r.body, file);
	api_header_is(&r, "Content-Type", "text/html; charset=utf-8");
	api_header_is(&r, "Content-Security-Policy", PP_WEB_CSP);
	api_header_is(&r, "X-Content-Type-Options", "nosniff");
	api_header_is(&r, "X-Frame-Options", "DENY");
	api_header_is(&r, "Referrer-Policy", "no-referrer");
	api_header_is(&r, "Cache-Control", "no-cache");
	api_header_is(&r, "ETag", pp_web_asset_find("index.html")->etag);
	pp_t_assert_contains(PP_WEB_CSP, "frame-ancestors 'none'");
	assert_null(strstr(PP_WEB_CSP, "unsafe"));
	free(file);
	api_res_free(&r);
}

/* Every file under web/ is served at its path, with its type. */
static void every_file_served(void **state)
{
	size_t i;

	(void)state;
	assert_true(pp_web_assets_count >= 10);
	for (i = 0; i < pp_web_assets_count; i++) {
		const pp_web_asset *a = &pp_web_assets[i];
		char url[512];
		api_res r;

		if (strcmp(a->path, "index.html") == 0)
			continue;
		snprintf(url, sizeof(url), "/%s", a->path);
		r = api_ok(200, &W.srv, "GET", url, NULL, NULL, NULL);
		assert_int_equal(strlen(r.body), a->len);
		assert_memory_equal(r.body, a->data, a->len);
		api_header_is(&r, "Content-Type", pp_web_content_type(a->path));
		api_header_is(&r, "ETag", a->etag);
		api_res_free(&r);
	}
	assert_string_equal(pp_web_content_type("ui/app.js"), "text/javascript; charset=utf-8");
	assert_string_equal(pp_web_content_type("ui/app.css"), "text/css; charset=utf-8");
	assert_string_equal(pp_web_content_type("ui/icon.svg"), "image/svg+xml");
	assert_non_null(pp_web_asset_find("ui/vendor/chart.umd.min.js"));
	assert_non_null(pp_web_asset_find("ui/vendor/chart.js.LICENSE.md"));
}

/* If-None-Match with the ETag: 304 and no body; another ETag: the file. */
static void etag_revalidation(void **state)
{
	const pp_web_asset *a = pp_web_asset_find("ui/app.js");
	char inm[128];
	const char *h[] = {inm, NULL};
	api_res r;

	(void)state;
	snprintf(inm, sizeof(inm), "If-None-Match: %s", a->etag);
	r = api_ok(304, &W.srv, "GET", "/ui/app.js", NULL, NULL, h);
	assert_string_equal(r.body, "");
	api_header_is(&r, "ETag", a->etag);
	api_res_free(&r);
	snprintf(inm, sizeof(inm), "If-None-Match: \"0000000000000000\"");
	r = api_ok(200, &W.srv, "GET", "/ui/app.js", NULL, NULL, h);
	assert_int_equal(strlen(r.body), a->len);
	api_res_free(&r);
}

/* Unknown files are 404 problems naming them; nothing outside web/; writes are 405. */
static void not_found(void **state)
{
	api_res r = api_call(&W.srv, "GET", "/ui/nope.js", NULL, NULL, NULL);

	(void)state;
	api_problem(r, 404, "not-found");
	assert_string_equal(api_str(&r, "detail"), "no dashboard file ui/nope.js");
	api_res_free(&r);
	api_refused(404, "not-found", &W.srv, "GET", "/ui/%2e%2e", NULL, NULL, NULL);
	/* An encoded slash never reaches a route (the framing checks' 400). */
	api_refused(400, "bad-request", &W.srv, "GET", "/ui/..%2fmeson.build", NULL, NULL, NULL);
	api_refused(400, "bad-request", &W.srv, "GET", "/ui/vendor/..%2f..%2findex.html", NULL,
		    NULL, NULL);
	api_refused(405, "method-not-allowed", &W.srv, "POST", "/", W.admin, "{}", NULL);
}

static json_t *load(const char *dir, const char *rel)
{
	char path[1024], *text;
	json_error_t e;
	json_t *j;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	text = pp_t_slurp(path, 0);
	j = json_loads(text, JSON_DECODE_ANY, &e);
	if (j == NULL)
		fail_msg("%s: line %d: %s", path, e.line, e.text);
	free(text);
	return j;
}

/* The export's file rel is what the API answers to GET path. */
static void same_as_api(const char *dir, const char *rel, const char *path)
{
	json_t *file = load(dir, rel);
	api_res r = api_ok(200, &W.srv, "GET", path, W.admin, NULL, NULL);

	if (!json_equal(file, r.json)) {
		char *a = json_dumps(file, JSON_COMPACT), *b = json_dumps(r.json, JSON_COMPACT);
		fail_msg("%s differs from GET %s:\n  file: %s\n  API:  %s", rel, path, a, b);
	}
	json_decref(file);
	api_res_free(&r);
}

static void export_json(void **state)
{
	char *dir = pp_t_tempdir();
	pp_t_result r = pp_t_run("export", "json", dir, "--project", "PLAN", NULL);
	json_t *index, *story;

	(void)state;
	if (r.status != 0)
		fail_msg("export json: %s", r.err);
	pp_t_result_free(&r);
	index = load(dir, "index.json");
	assert_string_equal(json_string_value(json_object_get(index, "schema")),
			    "planpipe-export/1");
	assert_int_equal(json_array_size(json_object_get(index, "projects")), 1);
	assert_string_equal(
		json_string_value(json_object_get(
			json_object_get(
				json_object_get(
					json_array_get(json_object_get(index, "projects"), 0),
					"files"),
				"reports"),
			"velocity")),
		"PLAN/reports/velocity.json");
	json_decref(index);
	same_as_api(dir, "PLAN/reports/status-summary.json",
		    "/v1/reports/status-summary?project=PLAN");
	same_as_api(dir, "PLAN/reports/blocked.json", "/v1/reports/blocked?project=PLAN");
	same_as_api(dir, "PLAN/reports/epics.json", "/v1/reports/epics?project=PLAN");
	same_as_api(dir, "PLAN/reports/burndown/1.json",
		    "/v1/reports/burndown?project=PLAN&backlog=Sprint%201");
	same_as_api(dir, "PLAN/statuses.json", "/v1/projects/PLAN/statuses");
	same_as_api(dir, "PLAN/backlogs.json", "/v1/projects/PLAN/backlogs");
	same_as_api(dir, "status-summary.json", "/v1/reports/status-summary?project=PLAN");
	story = load(dir, "PLAN/stories/PLAN-2.json");
	{
		api_res a = api_ok(200, &W.srv, "GET", "/v1/projects/PLAN/stories/PLAN-2", W.admin,
				   NULL, NULL);
		api_res h = api_ok(200, &W.srv, "GET", "/v1/projects/PLAN/stories/PLAN-2/history",
				   W.admin, NULL, NULL);
		api_res d =
			api_ok(200, &W.srv, "GET", "/v1/projects/PLAN/stories/PLAN-2/dependencies",
			       W.admin, NULL, NULL);
		api_res g = api_ok(200, &W.srv, "GET",
				   "/v1/projects/PLAN/stories/PLAN-2/graph?direction=down", W.admin,
				   NULL, NULL);
		assert_true(json_equal(json_object_get(story, "story"), a.json));
		assert_true(json_equal(json_object_get(story, "history"), h.json));
		assert_true(json_equal(json_object_get(story, "dependencies"), d.json));
		assert_true(json_equal(json_object_get(json_object_get(story, "graph"), "down"),
				       g.json));
		api_res_free(&a);
		api_res_free(&h);
		api_res_free(&d);
		api_res_free(&g);
	}
	json_decref(story);
	free(dir);
}

static void export_site(void **state)
{
	char *dir = pp_t_tempdir(), path[1024], *html, *data;
	pp_t_result r = pp_t_run("export", "site", dir, NULL);

	(void)state;
	if (r.status != 0)
		fail_msg("export site: %s", r.err);
	pp_t_result_free(&r);
	snprintf(path, sizeof(path), "%s/index.html", dir);
	html = pp_t_slurp(path, 0);
	pp_t_assert_contains_all(html, "<script src=\"data.js\"></script>\n<script defer",
				 "http-equiv=\"Content-Security-Policy\"");
	snprintf(path, sizeof(path), "%s/data.js", dir);
	data = pp_t_slurp(path, 0);
	pp_t_assert_contains_all(data, "window.PP_STATIC = {",
				 "\"/v1/reports/cumulative-flow?project=PLAN\":",
				 "\"/v1/reports/burndown?project=PLAN&backlog=Sprint%201\":");
	/* The body's markup cannot end the script: "</" is written "<\/". */
	assert_null(strstr(data, "</script>"));
	pp_t_assert_contains(data, "<\\/script>");
	snprintf(path, sizeof(path), "%s/ui/vendor/chart.umd.min.js", dir);
	free(pp_t_slurp(path, 0));
	json_decref(load(dir, "data/index.json"));
	free(html);
	free(data);
	free(dir);
}

static void export_errors(void **state)
{
	char *dir = pp_t_tempdir();
	pp_t_result r = pp_t_run("export", "json", dir, "--project", "NOPE", NULL);

	(void)state;
	assert_int_equal(r.status, 2);
	pp_t_assert_contains(r.err, "no project NOPE");
	pp_t_result_free(&r);
	pp_t_expect(2, NULL, "expected json DIR or site DIR", "export", "pdf", dir, NULL);
	pp_t_expect(2, NULL, NULL, "export", "json", NULL);
	pp_t_expect(0, "usage: planpipe export json DIR", NULL, "export", "--help", NULL);
	free(dir);
}

/* A link where the export writes, and what it leads to outside DIR. */
typedef struct link_case {
	const char *kind;   /* "json" or "site" */
	const char *link;   /* under DIR */
	const char *target; /* under the outside directory; "" the directory itself */
} link_case;

/* The names in dir, sorted, one per line (caller frees). */
static char *listing(const char *dir)
{
	struct dirent **names;
	int i, n = scandir(dir, &names, NULL, alphasort);
	size_t len = 0;
	char *s;

	if (n < 0)
		fail_msg("scandir %s: %s", dir, strerror(errno));
	s = calloc(1, 4096);
	assert_non_null(s);
	for (i = 0; i < n; i++) {
		if (strcmp(names[i]->d_name, ".") != 0 && strcmp(names[i]->d_name, "..") != 0)
			len += (size_t)snprintf(s + len, 4096 - len, "%s\n", names[i]->d_name);
		free(names[i]);
	}
	free(names);
	return s;
}

/*
 * The export refuses the link c (exit status 2, the message naming it), and
 * the directory the link leads to holds what it held: only "precious", as it was.
 */
static void refuses_link(const link_case *c)
{
	char *dir = pp_t_tempdir(), *outside = pp_t_tempdir(), link[1024], target[1024];
	char want[1200], what[200], *slash, *got;
	pp_t_result r;

	pp_t_write(outside, "precious", "precious\n");
	snprintf(link, sizeof(link), "%s/%s", dir, c->link);
	snprintf(target, sizeof(target), "%s%s%s", outside, c->target[0] ? "/" : "", c->target);
	for (slash = strchr(link + strlen(dir) + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		if (mkdir(link, 0755) != 0)
			fail_msg("mkdir %s: %s", link, strerror(errno));
		*slash = '/';
	}
	if (symlink(target, link) != 0)
		fail_msg("symlink %s: %s", link, strerror(errno));
	snprintf(what, sizeof(what), "export %s with %s -> outside/%s", c->kind, c->link,
		 c->target);
	r = pp_t_run("export", c->kind, dir, "--project", "PLAN", NULL);
	if (r.status != 2)
		fail_msg("%s: exit status %d, expected 2; stderr: %s", what, r.status, r.err);
	snprintf(want, sizeof(want),
		 "%s is a symbolic link: export writes only regular files it creates", link);
	if (strstr(r.err, want) == NULL)
		fail_msg("%s: stderr \"%s\" lacks \"%s\"", what, r.err, want);
	pp_t_result_free(&r);
	got = listing(outside);
	if (strcmp(got, "precious\n") != 0)
		fail_msg("%s: outside holds \"%s\", expected only precious", what, got);
	free(got);
	got = pp_t_slurp_in(outside, "precious");
	if (strcmp(got, "precious\n") != 0)
		fail_msg("%s: outside/precious is now \"%s\"", what, got);
	free(got);
	free(outside);
	free(dir);
}

/* A symbolic link at a file or a directory the export writes is refused, the outside untouched. */
static void export_refuses_links(void **state)
{
	static const link_case cases[] = {
		{"json", "status-summary.json", "precious"},
		{"json", "index.json", "target.txt"},
		{"json", "PLAN", ""},
		{"json", "PLAN/project.json", "precious"},
		{"json", "PLAN/reports", ""},
		{"json", "PLAN/reports/burndown/1.json", "precious"},
		{"json", "PLAN/stories/PLAN-1.json", "new.json"},
		{"site", "data", ""},
		{"site", "ui", ""},
		{"site", "index.html", "precious"},
		{"site", "data.js", "precious"},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		refuses_link(&cases[i]);
}

/* DIR itself may be a link: the one the user named is followed, as any path given. */
static void export_follows_the_named_dir(void **state)
{
	char *real = pp_t_tempdir(), *dir = pp_t_tempdir(), link[1024];
	pp_t_result r;

	(void)state;
	snprintf(link, sizeof(link), "%s/out", dir);
	if (symlink(real, link) != 0)
		fail_msg("symlink %s: %s", link, strerror(errno));
	r = pp_t_run("export", "json", link, "--project", "PLAN", NULL);
	if (r.status != 0)
		fail_msg("export json into a linked DIR: %s", r.err);
	pp_t_result_free(&r);
	json_decref(load(real, "index.json"));
	json_decref(load(real, "PLAN/project.json"));
	free(real);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(index_page),
		cmocka_unit_test(every_file_served),
		cmocka_unit_test(etag_revalidation),
		cmocka_unit_test(not_found),
		cmocka_unit_test(export_json),
		cmocka_unit_test(export_site),
		cmocka_unit_test(export_errors),
		cmocka_unit_test(export_refuses_links),
		cmocka_unit_test(export_follows_the_named_dir),
	};
	return api_world_run(tests, &fixture);
}
