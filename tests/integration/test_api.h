/*
 * test_api.h: helpers for the API's integration tests (test_api_*.c): a
 * migrated database, users made with `planpipe user add`, the real server
 * (`planpipe serve` on a free port) and HTTP calls through libcurl. Like
 * harness.h, every helper fails the running cmocka test on error.
 */
#ifndef PP_TESTS_TEST_API_H
#define PP_TESTS_TEST_API_H

#include <jansson.h>
#include <sys/types.h>

#include "harness.h"

typedef struct api_server {
	pid_t pid;
	int port;
	char url[64];       /* http://127.0.0.1:PORT */
	char out_path[256]; /* standard output: the access log */
	char err_path[256];
} api_server;

typedef struct api_res {
	long status;
	char *body;    /* NUL-terminated, "" when none */
	char *headers; /* the raw response headers */
	json_t *json;  /* the body parsed, or NULL */
	char *req;     /* "METHOD path", for failure messages; NULL when not from api_call */
} api_res;

/* A fresh database (PGDATABASE), migrated. Returns its name (static storage). */
const char *api_setup_db(void);

/* `planpipe user add HANDLE [--admin]`; returns the token (caller frees). */
char *api_user_add(const char *handle, int admin);

/*
 * Starts `planpipe serve` on 127.0.0.1:0 with the current environment plus
 * env (NULL-terminated "NAME=value" strings, may be NULL) and waits until it
 * listens.
 */
void api_server_start(api_server *s, const char *const *env);

/* SIGTERM, waits; asserts exit status 0 (under ASan: no leak). */
void api_server_stop(api_server *s);

/* The server's standard output or error so far (caller frees). */
char *api_server_log(const api_server *s, int err);

/*
 * api_server_log once every needle (NULL-terminated) is in it, or after 5 s
 * as it is then. The server writes a request's access-log line after the
 * response has gone out (libmicrohttpd's completion callback), so a client
 * may read the log before the line of the request it just made, and two
 * requests' lines may come in either order.
 */
char *api_server_log_wait(const api_server *s, int err, const char *const *needles);

/*
 * One request: method, path (appended to the server's url), bearer token
 * (NULL: none), JSON body (NULL: none), extra headers (NULL-terminated
 * "Name: value", may be NULL).
 */
api_res api_call(const api_server *s, const char *method, const char *path, const char *token,
		 const char *body, const char *const *headers);

/* Like api_call, failing the test unless the status is want (the body is printed). */
#define api_ok(want, ...) api_expect_at((want), api_call(__VA_ARGS__), __FILE__, __LINE__)
api_res api_expect_at(long want, api_res r, const char *file, int line);

/* A response header's value (caller frees) or NULL. */
char *api_header(const api_res *r, const char *name);

/* Fails the test unless the response header name is there and is want exactly. */
#define api_header_is(r, name, want) api_header_is_at((r), (name), (want), __FILE__, __LINE__)
void api_header_is_at(const api_res *r, const char *name, const char *want, const char *file,
		      int line);

/* The string member name of the JSON body (static until r is freed), or NULL. */
const char *api_str(const api_res *r, const char *name);

void api_res_free(api_res *r);

/* Asserts r is a problem+json with this status and type slug. */
#define api_problem(r, status, type) api_problem_at(&(r), (status), (type), __FILE__, __LINE__)
void api_problem_at(const api_res *r, long status, const char *type, const char *file, int line);

/*
 * Fails the test unless got is like like, a JSON text: an object has every
 * member of like's (others may be there too), each alike; an array has as
 * many elements as like's, each alike; the string "#notnull" is any value
 * there but null (a time, an id); anything else is equal (a null member must
 * be there, as null). The failure names what (the request, the list), where
 * in got it differs (".items[1].key"), what was wanted, what came, and text
 * (NULL: got, as JSON).
 */
#define api_json_like(got, like, what)                                                             \
	api_json_like_at((got), (like), (what), NULL, __FILE__, __LINE__)
void api_json_like_at(json_t *got, const char *like, const char *what, const char *text,
		      const char *file, int line);

/* api_json_like of r's JSON body; the failure names r's request and shows its body. */
#define api_json_is(r, like) api_json_is_at((r), (like), __FILE__, __LINE__)
void api_json_is_at(const api_res *r, const char *like, const char *file, int line);

/* api_ok, api_json_is, then api_res_free: a request, its status, its answer. */
#define api_ok_json(want, like, ...)                                                               \
	api_ok_json_at((want), (like), api_call(__VA_ARGS__), __FILE__, __LINE__)
void api_ok_json_at(long want, const char *like, api_res r, const char *file, int line);

/*
 * Every page of the list at path, whose query names its limit: GET path, then
 * path&cursor=NEXT while an answer names a next_cursor, each as token and
 * each 200 (else the test fails at the caller's file:line, naming the page).
 * Returns all the pages' items in order as one array (caller json_decref()s);
 * the number of pages in *pages when not NULL.
 */
#define api_all_pages(s, token, path, pages)                                                       \
	api_all_pages_at((s), (token), (path), (pages), __FILE__, __LINE__)
json_t *api_all_pages_at(const api_server *s, const char *token, const char *path, size_t *pages,
			 const char *file, int line);

/* api_ok, then api_res_free: a request whose answer matters only by its status. */
#define api_ok_free(want, ...)                                                                     \
	api_res_free_value(api_expect_at((want), api_call(__VA_ARGS__), __FILE__, __LINE__))
void api_res_free_value(api_res r);

/* api_call, api_problem, then api_res_free: a refusal with this status and type slug. */
#define api_refused(status, type, ...)                                                             \
	api_refused_at((status), (type), api_call(__VA_ARGS__), __FILE__, __LINE__)
void api_refused_at(long status, const char *type, api_res r, const char *file, int line);

/*
 * api_refused, and the problem's string member is want (exactly, or as a part
 * when contains): the field it names, its detail, its sqlstate. A NULL
 * member: the whole body.
 */
#define api_refused_member(status, type, member, want, ...)                                        \
	api_refused_member_at((status), (type), (member), (want), 0, api_call(__VA_ARGS__),        \
			      __FILE__, __LINE__)
#define api_refused_field(status, type, field, ...)                                                \
	api_refused_member(status, type, "field", field, __VA_ARGS__)
#define api_refused_detail(status, type, part, ...)                                                \
	api_refused_member_at((status), (type), "detail", (part), 1, api_call(__VA_ARGS__),        \
			      __FILE__, __LINE__)
/* api_refused, and the problem's body contains part (its detail, its errors). */
#define api_refused_body(status, type, part, ...)                                                  \
	api_refused_member_at((status), (type), NULL, (part), 1, api_call(__VA_ARGS__), __FILE__,  \
			      __LINE__)
void api_refused_member_at(long status, const char *type, const char *member, const char *want,
			   int contains, api_res r, const char *file, int line);

/* api_ok, the answer's string member is value, then api_res_free. */
#define api_ok_member(want, member, value, ...)                                                    \
	api_ok_member_at((want), (member), (value), api_call(__VA_ARGS__), __FILE__, __LINE__)
void api_ok_member_at(long want, const char *member, const char *value, api_res r, const char *file,
		      int line);

/* One request of a fixture: the status it must answer, method, path, JSON body (NULL: none). */
typedef struct api_step {
	long want;
	const char *method, *path, *body;
} api_step;

/*
 * Makes the n requests of steps in order as token, failing the test (at the
 * caller's file:line, naming the step and its answer) at the first whose
 * status is not its want.
 */
#define api_steps(s, token, steps)                                                                 \
	api_steps_at((s), (token), (steps), sizeof(steps) / sizeof((steps)[0]), __FILE__, __LINE__)
void api_steps_at(const api_server *s, const char *token, const api_step *steps, size_t n,
		  const char *file, int line);

/* GET path as token must answer 200 with a list of n items; the failure names the path. */
#define api_items_are(n, s, token, path)                                                           \
	api_items_are_at((n), (s), (token), (path), __FILE__, __LINE__)
void api_items_are_at(size_t n, const api_server *s, const char *token, const char *path,
		      const char *file, int line);

/* A user of a fixture: `planpipe user add handle [--admin]`, its token stored in *token. */
typedef struct api_user {
	const char *handle;
	int admin;
	char **token;
} api_user;

/*
 * `planpipe user add` for each of the n users, its token in *token; for a
 * set-up that must come between the database and the users or the server
 * (api_world_stop frees the tokens).
 */
#define api_users_add(users) api_users_add_n((users), sizeof(users) / sizeof((users)[0]))
void api_users_add_n(const api_user *users, size_t n);

/*
 * The fixture most API tests share: a fresh migrated database (api_setup_db),
 * the n users (tokens in their *token, freed by api_world_stop), then the
 * server started with env (as api_server_start).
 */
#define api_world_start(s, env, users)                                                             \
	api_world_start_n((s), (env), (users), sizeof(users) / sizeof((users)[0]))
void api_world_start_n(api_server *s, const char *const *env, const api_user *users, size_t n);

/* Stops the server (api_server_stop) and frees the users' tokens. */
#define api_world_stop(s, users) api_world_stop_n((s), (users), sizeof(users) / sizeof((users)[0]))
void api_world_stop_n(api_server *s, const api_user *users, size_t n);

/*
 * A test file's whole fixture, the group set-up and tear-down most API tests
 * share: api_world_start with env and the n_users users, then the n_steps
 * steps made as *as (api_steps; none when n_steps is 0); api_world_stop after
 * the last test.
 */
typedef struct api_world {
	api_server *srv;
	const char *const *env;
	const api_user *users;
	size_t n_users;
	char **as;
	const api_step *steps;
	size_t n_steps;
} api_world;

/* The number of elements of an array (for api_world's counts). */
#define API_N(a) (sizeof(a) / sizeof((a)[0]))

/*
 * cmocka_run_group_tests(tests, ...) with w as the group's set-up and
 * tear-down; a failing step names this file, the step and its answer.
 */
#define api_world_run(tests, w) api_world_run_at((tests), API_N(tests), (w), __FILE__, __LINE__)
int api_world_run_at(const struct CMUnitTest *tests, size_t n, const api_world *w, const char *file,
		     int line);

/*
 * A TCP connection to the server from source address from (NULL: any;
 * "127.0.0.2": another client), or -1 when refused. The caller closes it.
 */
int api_dial(const api_server *s, const char *from);

/* Whether a TCP connection to the server can be opened now. */
int api_can_connect(const api_server *s);

/*
 * Reads fd until the server closes it (EOF or reset) or timeout_ms pass:
 * 1 when it closed, 0 at the timeout. What came, NUL-terminated, is in *got
 * (caller frees) when got is not NULL.
 */
int api_read_to_close(int fd, int timeout_ms, char **got);

/* Sends raw bytes on a new TCP connection and reads until close or timeout_ms (caller frees). */
char *api_raw(const api_server *s, const char *data, size_t len, int timeout_ms);

#endif
