/*
 * test_api_docs.c: the documents agree with the server. docs/openapi.json
 * names exactly the router's routes (and the server serves that very file
 * and answers every route in it); docs/api.md lists every route, and each of
 * its `sh` blocks runs, in order, against a real server. (The OpenAPI
 * validator itself runs from tests/openapi/run.sh.)
 */
#include "test_api.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api/api.h"

typedef struct world {
	api_server srv;
	char *admin;
	json_t *doc;
} world;

static world W;
static const api_user users[] = {
	{"root", 1, &W.admin},
};

static char *read_source(const char *rel)
{
	const char *root = getenv("PP_SOURCE_ROOT");
	char path[1024];

	if (root == NULL)
		fail_msg("PP_SOURCE_ROOT is not set: run the tests through meson");
	snprintf(path, sizeof(path), "%s/%s", root, rel);
	return pp_t_slurp(path, 0);
}

static int setup(void **state)
{
	char *text = read_source("docs/openapi.json");
	json_error_t e;

	(void)state;
	W.doc = json_loads(text, 0, &e);
	if (W.doc == NULL)
		fail_msg("docs/openapi.json: line %d: %s", e.line, e.text);
	free(text);
	api_world_start(&W.srv, NULL, users);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	api_world_stop(&W.srv, users);
	json_decref(W.doc);
	return 0;
}

static void lower(const char *in, char *out, size_t size)
{
	size_t i;

	for (i = 0; in[i] && i + 1 < size; i++)
		out[i] = (char)tolower((unsigned char)in[i]);
	out[i] = '\0';
}

/* Every route of the router is documented, and every documented operation is a route. */
static void openapi_matches_router(void **state)
{
	json_t *paths = json_object_get(W.doc, "paths"), *item, *op;
	const char *path, *method;
	size_t n, i, ops = 0;
	const pp_route *routes = pp_api_routes(&n);
	char m[16];

	(void)state;
	assert_string_equal(json_string_value(json_object_get(W.doc, "openapi")), "3.1.0");
	for (i = 0; i < n; i++) {
		lower(routes[i].method, m, sizeof(m));
		op = json_object_get(json_object_get(paths, routes[i].pattern), m);
		if (op == NULL)
			fail_msg("%s %s is not in docs/openapi.json", routes[i].method,
				 routes[i].pattern);
		/* /v1 needs the token; the operational routes do not. */
		if (strncmp(routes[i].pattern, "/v1/", 4) == 0)
			assert_null(json_object_get(op, "security"));
		else
			assert_int_equal(json_array_size(json_object_get(op, "security")), 0);
	}
	json_object_foreach(paths, path, item)
	{
		json_object_foreach(item, method, op)
		{
			for (i = 0; i < n; i++) {
				lower(routes[i].method, m, sizeof(m));
				if (strcmp(routes[i].pattern, path) == 0 && strcmp(m, method) == 0)
					break;
			}
			if (i == n)
				fail_msg(
					"docs/openapi.json has %s %s, which the server does not route",
					method, path);
			ops++;
		}
	}
	assert_int_equal(ops, n);
}

/* /openapi.json is docs/openapi.json, byte for byte (the build embeds it). */
static void served_document_is_the_file(void **state)
{
	char *file = read_source("docs/openapi.json");
	api_res r = api_ok(200, &W.srv, "GET", "/openapi.json", NULL, NULL, NULL);

	(void)state;
	assert_string_equal(r.body, file);
	api_res_free(&r);
	free(file);
}

/* The documented path with every {parameter} replaced by "X" (backlogs: 1). */
static void fill(const char *path, char *out, size_t size)
{
	size_t o = 0;

	while (*path && o + 2 < size) {
		if (*path == '{') {
			const char *close = strchr(path, '}');
			out[o++] = strncmp(path, "{backlog}", 9) == 0 ? '1' : 'X';
			path = close ? close + 1 : path + strlen(path);
		} else {
			out[o++] = *path++;
		}
	}
	out[o] = '\0';
}

/* Every documented operation reaches a handler: no router 404, no 405. */
static void every_documented_route_is_answered(void **state)
{
	json_t *item, *op;
	const char *path, *method;
	char url[512], upper[16];

	(void)state;
	json_object_foreach(json_object_get(W.doc, "paths"), path, item)
	{
		json_object_foreach(item, method, op)
		{
			api_res r;
			size_t i;

			for (i = 0; method[i] && i + 1 < sizeof(upper); i++)
				upper[i] = (char)toupper((unsigned char)method[i]);
			upper[i] = '\0';
			fill(path, url, sizeof(url));
			r = api_call(&W.srv, upper, url, W.admin,
				     json_object_get(op, "requestBody") ? "{}" : NULL, NULL);
			if (r.status == 405 || r.status >= 500 ||
			    (r.status == 404 && strstr(r.body, "no such route")))
				fail_msg("%s %s: %ld %s", upper, url, r.status, r.body);
			api_res_free(&r);
		}
	}
}

/* docs/api.md's route table names every route pattern. */
static void api_md_lists_every_route(void **state)
{
	char *md = read_source("docs/api.md");
	size_t n, i;
	const pp_route *routes = pp_api_routes(&n);

	(void)state;
	for (i = 0; i < n; i++) {
		char cell[300];
		snprintf(cell, sizeof(cell), "| `%s` |", routes[i].pattern);
		if (strstr(md, cell) == NULL)
			fail_msg("docs/api.md's route table lacks %s", routes[i].pattern);
	}
	free(md);
}

/* Every ```sh block of docs/api.md, in order, in one shell, against this server. */
static void api_md_examples_run(void **state)
{
	char *md = read_source("docs/api.md"), *dir = pp_t_tempdir();
	char script[1024], shim[1024], cmd[4096];
	const char *p = md;
	int blocks = 0, st;
	FILE *f;
	char *out;

	(void)state;
	snprintf(shim, sizeof(shim), "%s/planpipe", dir);
	if (symlink(pp_t_bin(), shim) != 0)
		fail_msg("symlink %s", shim);
	snprintf(script, sizeof(script), "%s/examples.sh", dir);
	f = fopen(script, "w");
	assert_non_null(f);
	fprintf(f, "set -eu\nexec 2>&1\n");
	while ((p = strstr(p, "\n```sh\n")) != NULL) {
		const char *end = strstr(p + 7, "\n```");
		if (end == NULL)
			fail_msg("docs/api.md: an unclosed sh block");
		fprintf(f, "echo '### block %d'\n%.*s\necho\n", ++blocks, (int)(end - p - 7),
			p + 7);
		p = end + 4;
	}
	fclose(f);
	assert_true(blocks >= 10);
	snprintf(cmd, sizeof(cmd), "PATH='%s':\"$PATH\" PLANPIPE_URL='%s' sh '%s' >'%s.out'", dir,
		 W.srv.url, script, script);
	st = system(cmd);
	snprintf(cmd, sizeof(cmd), "%s.out", script);
	out = pp_t_slurp(cmd, 0);
	if (st != 0)
		fail_msg("docs/api.md examples failed (status %d):\n%s", st, out);
	/* The examples that show errors show the right ones. */
	pp_t_assert_contains_all(out, "problems/precondition-failed\"",
				 "\"cycle\":[\"INFRA:INFRA-001\",\"PLAN:PLAN-001\"",
				 "open-blockers", "\"detail\":\"no project INFRA\"",
				 "planpipe_pool_connections{state=\"idle\"}");
	free(out);
	free(md);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(openapi_matches_router),
		cmocka_unit_test(served_document_is_the_file),
		cmocka_unit_test(every_documented_route_is_answered),
		cmocka_unit_test(api_md_lists_every_route),
		cmocka_unit_test(api_md_examples_run),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
