/*
 * test_api_core.c: `planpipe serve` and `planpipe user` against a real
 * cluster over real HTTP: users and tokens, the operational routes, every
 * kind of client error, body limits, request ids and access logs, row-level
 * security under the switched role, 1,000 malformed requests, graceful
 * shutdown. Run through scripts/with-pg.sh (tests/api.build).
 */
#include "test_api.h"

#include <pthread.h>
#include <regex.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

typedef struct world {
	api_server srv;
	char *admin, *bob;
} world;

static world W;
static const api_user users[] = {
	{"alice", 1, &W.admin},
	{"bob", 0, &W.bob},
};

static const api_world fixture = {&W.srv, NULL, users, API_N(users), NULL, NULL, 0};

static long me_status(const char *token)
{
	api_res r = api_call(&W.srv, "GET", "/v1/me", token, NULL, NULL);
	long st = r.status;

	api_res_free(&r);
	return st;
}

/* user add prints the token alone; token rotates; disable and enable take effect at once. */
static void user_cli(void **state)
{
	regex_t re;
	pp_t_result r;
	char *old, *fresh;

	(void)state;
	r = pp_t_run("user", "add", "dave", "--name", "Dave D", "--email", "dave@example.org",
		     NULL);
	assert_int_equal(r.status, 0);
	assert_int_equal(regcomp(&re, "^pp_[A-Za-z0-9_-]{43}\n$", REG_EXTENDED), 0);
	if (regexec(&re, r.out, 0, NULL, 0) != 0)
		fail_msg("user add printed \"%s\", not a token alone", r.out);
	old = strndup(r.out, strlen(r.out) - 1);
	pp_t_result_free(&r);

	api_ok_json(200, "{\"handle\":\"dave\",\"display_name\":\"Dave D\"}", &W.srv, "GET",
		    "/v1/me", old, NULL, NULL);

	r = pp_t_run("user", "add", "dave", NULL);
	assert_int_equal(r.status, 2);
	assert_string_equal(r.out, "");
	pp_t_assert_contains(r.err, "exists already");
	pp_t_result_free(&r);
	pp_t_expect(2, NULL, NULL, "user", "add", "Not Valid", NULL);

	r = pp_t_run("user", "token", "dave", NULL);
	assert_int_equal(r.status, 0);
	if (regexec(&re, r.out, 0, NULL, 0) != 0)
		fail_msg("user token printed \"%s\"", r.out);
	fresh = strndup(r.out, strlen(r.out) - 1);
	pp_t_result_free(&r);
	assert_int_equal(me_status(old), 401);
	assert_int_equal(me_status(fresh), 200);

	pp_t_expect(0, NULL, NULL, "user", "disable", "dave", NULL);
	assert_int_equal(me_status(fresh), 401);
	pp_t_expect(0, NULL, NULL, "user", "enable", "dave", NULL);
	assert_int_equal(me_status(fresh), 200);

	pp_t_expect(2, NULL, "no user", "user", "token", "nobody", NULL);

	/* Only the hash is stored. */
	{
		PGconn *c = pp_t_connect();
		char sql[256];
		snprintf(sql, sizeof(sql),
			 "SELECT count(*) FROM users WHERE api_token_hash = sha256('%s'::bytea)",
			 fresh);
		assert_int_equal(pp_t_query_long(c, sql), 1);
		PQfinish(c);
	}
	regfree(&re);
	free(old);
	free(fresh);
}

static void ops_routes(void **state)
{
	api_res r;
	char *ct;

	(void)state;
	api_ok_member(200, "status", "alive", &W.srv, "GET", "/livez", NULL, NULL, NULL);
	r = api_ok(200, &W.srv, "HEAD", "/livez", NULL, NULL, NULL);
	assert_string_equal(r.body, "");
	api_res_free(&r);

	r = api_ok(200, &W.srv, "GET", "/readyz", NULL, NULL, NULL);
	assert_string_equal(api_str(&r, "status"), "ready");
	assert_true(json_integer_value(json_object_get(r.json, "schema_version")) >= 9);
	api_res_free(&r);

	api_ok_member(200, "openapi", "3.1.0", &W.srv, "GET", "/openapi.json", NULL, NULL, NULL);

	r = api_ok(200, &W.srv, "GET", "/metrics", NULL, NULL, NULL);
	ct = api_header(&r, "Content-Type");
	pp_t_assert_contains(ct, "text/plain; version=0.0.4");
	free(ct);
	pp_t_assert_contains(r.body,
			     "planpipe_http_requests_total{method=\"GET\",route=\"/readyz\","
			     "status=\"200\"} 1");
	pp_t_assert_contains(r.body, "planpipe_http_request_duration_seconds_bucket{method=\"GET\","
				     "route=\"/livez\",le=\"+Inf\"} 1");
	pp_t_assert_contains_all(r.body, "planpipe_pool_connections{state=\"idle\"}",
				 "planpipe_pool_acquire_wait_seconds_count",
				 "planpipe_pool_discards_total{reason=\"broken\"}");
	api_res_free(&r);

	api_refused(400, "bad-request", &W.srv, "GET", "/livez?verbose=1", NULL, NULL, NULL);
}

static void authentication(void **state)
{
	const char *basic[] = {"Authorization: Basic YWxpY2U6eA==", NULL};
	api_res r;
	char *www;

	(void)state;
	r = api_call(&W.srv, "GET", "/v1/projects", NULL, NULL, NULL);
	api_problem(r, 401, "unauthorized");
	www = api_header(&r, "WWW-Authenticate");
	assert_non_null(www);
	pp_t_assert_contains(www, "Bearer");
	free(www);
	api_res_free(&r);

	api_refused(401, "unauthorized", &W.srv, "GET", "/v1/projects", NULL, NULL, basic);

	api_refused_member(401, "unauthorized", "sqlstate", "PP401", &W.srv, "GET", "/v1/projects",
			   "pp_not-a-token", NULL, NULL);
}

static void routing(void **state)
{
	api_res r;

	(void)state;
	api_refused(404, "not-found", &W.srv, "GET", "/v2/nothing", W.admin, NULL, NULL);
	api_refused(404, "not-found", &W.srv, "GET", "/v1/projects/", W.admin, NULL, NULL);

	r = api_call(&W.srv, "PUT", "/v1/projects", W.admin, "{}", NULL);
	api_problem(r, 405, "method-not-allowed");
	api_header_is(&r, "Allow", "GET, HEAD, POST");
	api_res_free(&r);

	r = api_call(&W.srv, "POST", "/v1/projects/X/stories/Y", W.admin, "{}", NULL);
	api_problem(r, 405, "method-not-allowed");
	api_header_is(&r, "Allow", "GET, HEAD, PATCH, DELETE");
	api_res_free(&r);
}

static void assert_field(const api_res *r, const char *field)
{
	if (api_str(r, "field") == NULL || strcmp(api_str(r, "field"), field) != 0)
		fail_msg("expected field \"%s\" in %s", field, r->body);
}

static void client_errors(void **state)
{
	const char *form[] = {"Content-Type: application/x-www-form-urlencoded", NULL};
	const char *bad_etag[] = {"If-Match: 3", NULL};
	api_res r;

	(void)state;
	api_refused_detail(400, "malformed-json", "line 1", &W.srv, "POST", "/v1/projects", W.admin,
			   "{\"key\": \"A\",", NULL);

	api_refused(400, "malformed-json", &W.srv, "POST", "/v1/projects", W.admin,
		    "{\"key\":\"A\",\"key\":\"B\"}", NULL);

	api_refused_field(400, "bad-request", "colour", &W.srv, "POST", "/v1/projects", W.admin,
			  "{\"key\":\"ERR\",\"name\":\"x\",\"colour\":\"red\"}", NULL);

	api_refused_field(422, "validation", "name", &W.srv, "POST", "/v1/projects", W.admin,
			  "{\"key\":\"ERR\",\"name\":7}", NULL);

	api_refused_field(422, "validation", "name", &W.srv, "POST", "/v1/projects", W.admin,
			  "{\"key\":\"ERR\"}", NULL);

	api_refused(422, "validation", &W.srv, "POST", "/v1/projects", W.admin, "[1, 2]", NULL);

	api_refused_field(
		422, "validation", "git_last_synced_at", &W.srv, "POST", "/v1/projects", W.admin,
		"{\"key\":\"ERR\",\"name\":\"x\",\"git_last_synced_at\":\"yesterday\"}", NULL);

	/* Values the database refuses: a CHECK constraint names the field. */
	r = api_call(&W.srv, "POST", "/v1/projects", W.admin, "{\"key\":\"lower\",\"name\":\"x\"}",
		     NULL);
	api_problem(r, 422, "validation");
	assert_field(&r, "key");
	assert_string_equal(api_str(&r, "sqlstate"), "23514");
	api_res_free(&r);

	api_refused(415, "unsupported-media-type", &W.srv, "POST", "/v1/projects", W.admin, NULL,
		    form);

	api_refused(400, "bad-request", &W.srv, "POST", "/v1/projects", W.admin, "", NULL);

	api_refused_field(400, "bad-request", "colour", &W.srv, "GET", "/v1/projects?colour=red",
			  W.admin, NULL, NULL);

	api_refused_field(422, "validation", "limit", &W.srv, "GET", "/v1/projects?limit=5000",
			  W.admin, NULL, NULL);

	api_refused_field(400, "bad-request", "cursor", &W.srv, "GET", "/v1/projects?cursor=%21%21",
			  W.admin, NULL, NULL);

	api_ok_free(201, &W.srv, "POST", "/v1/projects", W.admin,
		    "{\"key\":\"ERR\",\"name\":\"x\"}", NULL);
	api_refused(400, "bad-request", &W.srv, "PATCH", "/v1/projects/ERR", W.admin,
		    "{\"name\":\"y\"}", bad_etag);
	api_refused_field(409, "already-exists", "key", &W.srv, "POST", "/v1/projects", W.admin,
			  "{\"key\":\"ERR\",\"name\":\"x\"}", NULL);
}

static void body_limit(void **state)
{
	size_t big = 1024 * 1024 + 1, pad = 1024 * 1024 - 200;
	const char *chunked[] = {"Transfer-Encoding: chunked", NULL};
	char *body = malloc(big + 1);

	(void)state;
	memset(body, ' ', big);
	body[big] = '\0';
	body[0] = '{';
	body[big - 1] = '}';
	api_refused(413, "body-too-large", &W.srv, "POST", "/v1/projects", W.admin, body, NULL);
	api_refused(413, "body-too-large", &W.srv, "POST", "/v1/projects", W.admin, body, chunked);

	/* Just under the limit is read and handled. */
	memset(body, ' ', pad);
	snprintf(body + pad, 200, "{\"key\":\"BIG\",\"name\":\"padded\"}");
	api_ok_free(201, &W.srv, "POST", "/v1/projects", W.admin, body, NULL);
	free(body);
	/* The server is fine afterwards. */
	api_ok_free(200, &W.srv, "GET", "/livez", NULL, NULL, NULL);
}

static void request_ids_and_access_log(void **state)
{
	const char *given[] = {"X-Request-Id: trace-42.a", NULL};
	const char *odd[] = {"X-Request-Id: has spaces and \"quotes\"", NULL};
	api_res r;
	char *id, *log;
	regex_t re;

	(void)state;
	r = api_ok(200, &W.srv, "GET", "/v1/me", W.bob, NULL, given);
	api_header_is(&r, "X-Request-Id", "trace-42.a");
	api_res_free(&r);

	r = api_call(&W.srv, "GET", "/v1/nowhere", W.bob, NULL, odd);
	id = api_header(&r, "X-Request-Id");
	assert_int_equal(regcomp(&re, "^[0-9a-f]{16}$", REG_EXTENDED), 0);
	assert_int_equal(regexec(&re, id, 0, NULL, 0), 0);
	assert_string_equal(api_str(&r, "request_id"), id);
	regfree(&re);
	api_res_free(&r);

	{
		/* Both requests' lines (test_api.h: api_server_log_wait). */
		char want[80];
		const char *needles[] = {want, "request_id=trace-42.a ", NULL};

		snprintf(want, sizeof(want), "request_id=%s ", id);
		log = api_server_log_wait(&W.srv, 0, needles);
		pp_t_assert_contains(log, want);
	}
	pp_t_assert_contains(log,
			     "request_id=trace-42.a remote=127.0.0.1 method=GET uri=\"/v1/me\" "
			     "route=\"/v1/me\" status=200");
	pp_t_assert_contains(log, "user_id=2");
	free(log);
	free(id);
}

/* The login user is the superuser; after the role switch row-level security still applies. */
static void rls_applies_after_role_switch(void **state)
{
	PGconn *c = pp_t_connect();

	(void)state;
	api_ok_free(201, &W.srv, "POST", "/v1/projects", W.bob, "{\"key\":\"BOBS\",\"name\":\"b\"}",
		    NULL);
	api_ok_free(201, &W.srv, "POST", "/v1/projects", W.admin,
		    "{\"key\":\"SECRET\",\"name\":\"s\"}", NULL);

	free(pp_t_query(c, "BEGIN"));
	free(pp_t_query(c,
			"SELECT set_config('planpipe.user_id', (SELECT id FROM users WHERE "
			"handle = 'bob')::text, true), set_config('role', 'planpipe_app', true)"));
	pp_t_query_is(c, "SELECT current_user || ' ' || current_setting('is_superuser')",
		      "planpipe_app off");
	pp_t_query_is(c, "SELECT string_agg(key, ',' ORDER BY key) FROM projects", "BOBS");
	free(pp_t_query(c, "ROLLBACK"));
	PQfinish(c);

	api_items_are(1, &W.srv, W.bob, "/v1/projects");
	api_refused(404, "not-found", &W.srv, "GET", "/v1/projects/SECRET", W.bob, NULL, NULL);
}

/* Garbage, truncated and oversized requests, 1,000 of them: the server stays up. */
static void malformed_flood(void **state)
{
	static const char *const shapes[] = {
		"GET /v1/projects HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer",
		"GET /v1/pro",
		"POST /v1/projects HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n"
		"Content-Type: application/json\r\n\r\n{\"key\":",
		"POST /v1/projects HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n",
		"POST /v1/projects HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
		"GARBAGE\r\n\r\n",
		"GET / HTTP/9.9\r\n\r\n",
		"GET /livez HTTP/1.1\r\n\r\n",
		"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03",
		"GET /v1/projects HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer pp_x\r\n"
		"Content-Type: application/json\r\nContent-Length: 3\r\n\r\n{\"a",
		"PATCH /v1/projects/%zz HTTP/1.1\r\nHost: x\r\n\r\n",
		"GET /v1/projects?limit=%ff%fe HTTP/1.1\r\nHost: x\r\n\r\n",
		"",
	};
	size_t n = sizeof(shapes) / sizeof(shapes[0]);
	char header_bomb[70000];
	int i;

	(void)state;
	memcpy(header_bomb, "GET /livez HTTP/1.1\r\nX-Big: ", 28);
	memset(header_bomb + 28, 'a', sizeof(header_bomb) - 29);
	header_bomb[sizeof(header_bomb) - 1] = '\0';
	for (i = 0; i < 1000; i++) {
		char *got;
		if (i % 100 == 99)
			got = api_raw(&W.srv, header_bomb, strlen(header_bomb), 5000);
		else
			got = api_raw(&W.srv, shapes[i % n], strlen(shapes[i % n]), 5000);
		free(got);
	}
	api_ok_free(200, &W.srv, "GET", "/livez", NULL, NULL, NULL);
	api_ok_free(200, &W.srv, "GET", "/v1/me", W.bob, NULL, NULL);
}

static void json_access_log(void **state)
{
	const char *env[] = {"PLANPIPE_LOG_FORMAT=json", NULL};
	const char *id[] = {"X-Request-Id: json-1", NULL};
	api_server s;
	api_res r;
	char *log, *line, *next;
	int seen = 0;

	(void)state;
	api_server_start(&s, env);
	api_ok_free(200, &s, "GET", "/v1/me", W.bob, NULL, id);
	r = api_call(&s, "GET", "/v1/projects/NOPE", W.bob, NULL, NULL);
	api_res_free(&r);
	{
		const char *needles[] = {"\"json-1\"", "/v1/projects/NOPE", NULL};

		log = api_server_log_wait(&s, 0, needles);
	}
	for (line = log; *line; line = next) {
		char *nl = strchr(line, '\n');
		json_error_t e;
		json_t *o;

		next = nl ? nl + 1 : line + strlen(line);
		if (nl)
			*nl = '\0';
		o = json_loads(line, 0, &e);
		if (o == NULL)
			fail_msg("not a JSON log line: %s", line);
		assert_non_null(json_object_get(o, "time"));
		assert_non_null(json_object_get(o, "duration_ms"));
		if (strcmp(json_string_value(json_object_get(o, "request_id")), "json-1") == 0) {
			assert_string_equal(json_string_value(json_object_get(o, "route")),
					    "/v1/me");
			assert_int_equal(json_integer_value(json_object_get(o, "status")), 200);
			seen++;
		}
		json_decref(o);
	}
	assert_int_equal(seen, 1);
	free(log);
	/* The server's own messages on standard error are JSON lines too. */
	log = api_server_log(&s, 1);
	seen = 0;
	for (line = log; *line; line = next) {
		char *nl = strchr(line, '\n');
		json_t *o;

		next = nl ? nl + 1 : line + strlen(line);
		if (nl)
			*nl = '\0';
		o = json_loads(line, 0, NULL);
		if (o == NULL || !json_is_string(json_object_get(o, "time")) ||
		    !json_is_string(json_object_get(o, "level")) ||
		    !json_is_string(json_object_get(o, "msg")))
			fail_msg("not a JSON message line on standard error: %s", line);
		seen += strstr(json_string_value(json_object_get(o, "msg")), "listening on") !=
			NULL;
		json_decref(o);
	}
	assert_int_equal(seen, 1);
	free(log);
	api_server_stop(&s);
}

typedef struct slow_call {
	api_server *s;
	const char *token;
	api_res res;
} slow_call;

static void *do_slow_call(void *arg)
{
	slow_call *sc = arg;

	sc->res = api_call(sc->s, "PATCH", "/v1/projects/SLOW", sc->token,
			   "{\"name\":\"finished\"}", NULL);
	return NULL;
}

/* SIGTERM: no new connections, the request under way finishes, exit 0. */
static void graceful_shutdown(void **state)
{
	slow_call sc;
	pthread_t t;
	api_server s;
	PGconn *c;
	char *log;
	int st = 0;
	long long t0;

	(void)state;
	api_server_start(&s, NULL);
	api_ok_free(201, &s, "POST", "/v1/projects", W.admin, "{\"key\":\"SLOW\",\"name\":\"s\"}",
		    NULL);
	/* Hold the project's row so that the PATCH waits for it. */
	c = pp_t_connect();
	free(pp_t_query(c, "BEGIN"));
	free(pp_t_query(c, "SELECT 1 FROM projects WHERE key = 'SLOW' FOR UPDATE"));
	sc.s = &s;
	sc.token = W.admin;
	pthread_create(&t, NULL, do_slow_call, &sc);
	usleep(500000);
	kill(s.pid, SIGTERM);
	usleep(500000);
	assert_false(api_can_connect(&s));
	free(pp_t_query(c, "COMMIT"));
	PQfinish(c);
	pthread_join(t, NULL);
	assert_int_equal(sc.res.status, 200);
	assert_string_equal(api_str(&sc.res, "name"), "finished");
	api_header_is(&sc.res, "Connection", "close");
	api_res_free(&sc.res);

	t0 = pp_t_now_ms();
	while (waitpid(s.pid, &st, WNOHANG) != s.pid) {
		if (pp_t_now_ms() - t0 > 15000)
			fail_msg("the server did not exit after draining");
		usleep(10000);
	}
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
	log = api_server_log(&s, 1);
	pp_t_assert_contains_all(log, "draining", "serve: stopped");
	free(log);
	s.pid = 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(user_cli),
		cmocka_unit_test(ops_routes),
		cmocka_unit_test(authentication),
		cmocka_unit_test(routing),
		cmocka_unit_test(client_errors),
		cmocka_unit_test(body_limit),
		cmocka_unit_test(request_ids_and_access_log),
		cmocka_unit_test(rls_applies_after_role_switch),
		cmocka_unit_test(malformed_flood),
		cmocka_unit_test(json_access_log),
		cmocka_unit_test(graceful_shutdown),
	};

	return api_world_run(tests, &fixture);
}
