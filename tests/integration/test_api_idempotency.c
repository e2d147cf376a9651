/*
 * test_api_idempotency.c: writes sent with an Idempotency-Key (issue 17).
 * A retried create makes one story and gets the identical answer, marked
 * Idempotent-Replayed; another body under the key is a 422; a key is the
 * user's own; a key whose first request still runs is a 409; a write that
 * failed stores nothing; the stored answer outlives a server restart. The
 * real server, a real database, real HTTP.
 */
#include "test_api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct world {
	api_server srv;
	char *alice, *bob;
	PGconn *db;
} world;

static world W;
static const api_user users[] = {
	{"alice", 0, &W.alice},
	{"bob", 0, &W.bob},
};

#define STORIES "/v1/projects/IDEM/stories"

static int setup(void **state)
{
	(void)state;
	api_world_start(&W.srv, NULL, users);
	api_ok_free(201, &W.srv, "POST", "/v1/projects", W.alice,
		    "{\"key\":\"IDEM\",\"name\":\"i\"}", NULL);
	api_ok_free(201, &W.srv, "PUT", "/v1/projects/IDEM/members/bob", W.alice,
		    "{\"role\":\"developer\"}", NULL);
	W.db = pp_t_connect();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	PQfinish(W.db);
	api_world_stop(&W.srv, users);
	return 0;
}

static long count(const char *sql)
{
	return pp_t_query_long(W.db, sql);
}

/* The request with an Idempotency-Key, and the header extra (NULL: none). */
static api_res keyed_with(const char *method, const char *path, const char *token, const char *body,
			  const char *key, const char *extra)
{
	char h[320];
	const char *headers[] = {h, extra, NULL};

	snprintf(h, sizeof(h), "Idempotency-Key: %s", key);
	return api_call(&W.srv, method, path, token, body, headers);
}

static api_res keyed(const char *method, const char *path, const char *token, const char *body,
		     const char *key)
{
	return keyed_with(method, path, token, body, key, NULL);
}

static void assert_same_header(const api_res *a, const api_res *b, const char *name)
{
	char *x = api_header(a, name), *y = api_header(b, name);

	assert_non_null(x);
	assert_non_null(y);
	assert_string_equal(x, y);
	free(x);
	free(y);
}

static void assert_replayed(const api_res *r, int yes)
{
	char *v = api_header(r, "Idempotent-Replayed");

	if (yes) {
		assert_non_null(v);
		assert_string_equal(v, "true");
	} else {
		assert_null(v);
	}
	free(v);
}

/*
 * keyed_with twice, a request and its retry: both must answer want, the
 * first run fresh, the retry replayed with the first's body and the first's
 * value of each header of same (NULL-terminated). Returns the first answer
 * (caller frees); a failure names the request at the caller's file:line.
 */
#define retried(want, method, path, token, body, key, extra, same)                                 \
	retried_at((want), (method), (path), (token), (body), (key), (extra), (same), __FILE__,    \
		   __LINE__)
static api_res retried_at(long want, const char *method, const char *path, const char *token,
			  const char *body, const char *key, const char *extra,
			  const char *const *same, const char *file, int line)
{
	api_res a =
		api_expect_at(want, keyed_with(method, path, token, body, key, extra), file, line);
	api_res b =
		api_expect_at(want, keyed_with(method, path, token, body, key, extra), file, line);

	assert_replayed(&a, 0);
	assert_replayed(&b, 1);
	if (strcmp(a.body, b.body) != 0) {
		print_error("%s:%d: %s retried with key %s: answered\n%s\nthen\n%s\n", file, line,
			    a.req, key, a.body, b.body);
		_fail(file, line);
	}
	for (size_t i = 0; same[i]; i++)
		assert_same_header(&a, &b, same[i]);
	api_res_free(&b);
	return a;
}

/* The finding: a client that retries a create makes one story. */
static void retried_create_is_one_story(void **state)
{
	static const char *const same[] = {"ETag", "Location", NULL};
	api_res a;

	(void)state;
	a = retried(201, "POST", STORIES, W.alice, "{\"title\":\"Exactly once\"}", "create-1", NULL,
		    same);
	assert_int_equal(count("SELECT count(*) FROM stories WHERE title = 'Exactly once'"), 1);
	assert_int_equal(count("SELECT count(*) FROM api_idempotency_keys WHERE key = 'create-1'"),
			 1);
	api_res_free(&a);
}

/* The same key with another body, path or method is refused, and writes nothing. */
static void other_request_same_key_is_422(void **state)
{
	api_res a, b;

	(void)state;
	a = keyed("POST", STORIES, W.alice, "{\"title\":\"First use\"}", "create-2");
	assert_int_equal(a.status, 201);
	b = keyed("POST", STORIES, W.alice, "{\"title\":\"Second use\"}", "create-2");
	api_problem(b, 422, "idempotency-key-reused");
	pp_t_assert_contains(b.body, "create-2");
	api_res_free(&b);
	b = keyed("POST", "/v1/projects/IDEM/backlogs", W.alice, "{\"name\":\"First use\"}",
		  "create-2");
	api_problem(b, 422, "idempotency-key-reused");
	api_res_free(&b);
	assert_int_equal(count("SELECT count(*) FROM stories WHERE title = 'Second use'"), 0);
	api_res_free(&a);
}

/* Bob's "shared-key" is not Alice's: each runs its own request. */
static void keys_belong_to_their_user(void **state)
{
	const char *body = "{\"title\":\"Same key, two users\"}";
	api_res a, b, c;

	(void)state;
	a = keyed("POST", STORIES, W.alice, body, "shared-key");
	b = keyed("POST", STORIES, W.bob, body, "shared-key");
	assert_int_equal(a.status, 201);
	assert_int_equal(b.status, 201);
	assert_replayed(&b, 0);
	assert_string_not_equal(api_str(&a, "key"), api_str(&b, "key"));
	c = keyed("POST", STORIES, W.bob, body, "shared-key");
	assert_replayed(&c, 1);
	assert_string_equal(api_str(&b, "key"), api_str(&c, "key"));
	assert_int_equal(count("SELECT count(*) FROM stories WHERE title = 'Same key, two users'"),
			 2);
	api_res_free(&a);
	api_res_free(&b);
	api_res_free(&c);
}

/*
 * PATCH and DELETE: the retry does not bump the version again, and gets the
 * first answer (200 with its ETag; 204 without a body).
 */
static void patch_and_delete_replay(void **state)
{
	static const char *const etag[] = {"ETag", NULL}, *const none[] = {NULL};
	char path[128];
	api_res c, a;

	(void)state;
	c = api_ok(201, &W.srv, "POST", STORIES, W.alice, "{\"title\":\"To patch\"}", NULL);
	snprintf(path, sizeof(path), STORIES "/%s", api_str(&c, "key"));
	a = retried(200, "PATCH", path, W.alice, "{\"priority\":\"high\"}", "patch-1",
		    "If-Match: \"1\"", etag);
	api_res_free(&a);
	a = retried(204, "DELETE", path, W.alice, NULL, "delete-1", NULL, none);
	assert_string_equal(a.body, "");
	api_res_free(&a);
	api_res_free(&c);
}

/*
 * A transition runs as one statement, and with a key inside the key's own
 * transaction: the retry gets the first answer and writes one history row,
 * and a developer's keyed force is refused by the function's guard with
 * nothing stored.
 */
static void transition_replay(void **state)
{
	static const char *const etag[] = {"ETag", NULL};
	char path[160], sql[256];
	api_res c, a;

	(void)state;
	c = api_ok(201, &W.srv, "POST", STORIES, W.alice, "{\"title\":\"To move on\"}", NULL);
	snprintf(path, sizeof(path), STORIES "/%s/transitions", api_str(&c, "key"));
	a = retried(200, "POST", path, W.bob, "{\"to\":\"in_progress\",\"note\":\"once\"}",
		    "transition-1", NULL, etag);
	api_json_is(&a, "{\"status\":\"in_progress\"}");
	snprintf(sql, sizeof(sql),
		 "SELECT count(*) FROM status_history h JOIN stories s ON s.id = h.story_id "
		 "WHERE s.key = '%s' AND h.note = 'once'",
		 api_str(&c, "key"));
	assert_int_equal(count(sql), 1);
	api_res_free(&a);
	/* Force is a maintainer's, keyed or not. */
	a = keyed("POST", path, W.bob, "{\"to\":\"done\",\"force\":true}", "transition-2");
	api_problem(a, 403, "forbidden");
	assert_int_equal(
		count("SELECT count(*) FROM api_idempotency_keys WHERE key = 'transition-2'"), 0);
	api_res_free(&a);
	api_res_free(&c);
}

/*
 * A write that fails is rolled back with its key: nothing is stored, and the
 * retry runs again (here: fails again the same way).
 */
static void failed_write_stores_nothing(void **state)
{
	const char *body = "{\"key\":\"IDEM-900\",\"title\":\"Taken\"}";
	api_res a, b;

	(void)state;
	a = api_ok(201, &W.srv, "POST", STORIES, W.alice, body, NULL);
	b = keyed("POST", STORIES, W.alice, body, "dup-1");
	api_problem(b, 409, "already-exists");
	assert_int_equal(count("SELECT count(*) FROM api_idempotency_keys WHERE key = 'dup-1'"), 0);
	api_res_free(&b);
	b = keyed("POST", STORIES, W.alice, body, "dup-1");
	api_problem(b, 409, "already-exists");
	assert_replayed(&b, 0);
	api_res_free(&a);
	api_res_free(&b);
}

/* While another transaction holds the key (its first request), the retry is a 409. */
static void in_flight_is_409(void **state)
{
	api_res r;

	(void)state;
	free(pp_t_query(W.db, "BEGIN"));
	free(pp_t_query(W.db, "SELECT pg_advisory_xact_lock(planpipe_api_idem_lock_id("
			      "(SELECT id FROM users WHERE handle = 'alice'), 'busy-1'))"));
	r = keyed("POST", STORIES, W.alice, "{\"title\":\"While busy\"}", "busy-1");
	api_problem(r, 409, "request-in-progress");
	api_res_free(&r);
	/* Bob's key of the same name is not held. */
	r = keyed("POST", STORIES, W.bob, "{\"title\":\"Not busy\"}", "busy-1");
	assert_int_equal(r.status, 201);
	api_res_free(&r);
	free(pp_t_query(W.db, "COMMIT"));
	r = keyed("POST", STORIES, W.alice, "{\"title\":\"While busy\"}", "busy-1");
	assert_int_equal(r.status, 201);
	assert_replayed(&r, 0);
	api_res_free(&r);
	assert_int_equal(count("SELECT count(*) FROM stories WHERE title = 'While busy'"), 1);
}

/* Keys are 1 to 255 printable ASCII characters; the IETF draft's quoted form works too. */
static void key_syntax(void **state)
{
	char long_key[300];
	api_res r;

	(void)state;
	memset(long_key, 'k', 256);
	long_key[256] = '\0';
	r = keyed("POST", STORIES, W.alice, "{\"title\":\"Bad key\"}", long_key);
	api_problem(r, 400, "bad-request");
	pp_t_assert_contains(r.body, "Idempotency-Key");
	api_res_free(&r);
	r = keyed("POST", STORIES, W.alice, "{\"title\":\"Bad key\"}", "\"\"");
	api_problem(r, 400, "bad-request");
	api_res_free(&r);
	r = keyed("POST", STORIES, W.alice, "{\"title\":\"Bad key\"}", "caf\xc3\xa9");
	api_problem(r, 400, "bad-request");
	api_res_free(&r);
	assert_int_equal(count("SELECT count(*) FROM stories WHERE title = 'Bad key'"), 0);
	long_key[255] = '\0';
	r = keyed("POST", STORIES, W.alice, "{\"title\":\"Longest key\"}", long_key);
	assert_int_equal(r.status, 201);
	api_res_free(&r);
	r = keyed("POST", STORIES, W.alice, "{\"title\":\"Quoted key\"}",
		  "\"8e03978e-40d5-43e8-bc93-6894a57f9324\"");
	assert_int_equal(r.status, 201);
	api_res_free(&r);
	assert_int_equal(count("SELECT count(*) FROM api_idempotency_keys"
			       " WHERE key = '8e03978e-40d5-43e8-bc93-6894a57f9324'"),
			 1);
}

/* Expired answers go: the next keyed write sweeps them, and the key can be used anew. */
static void expired_keys_are_swept(void **state)
{
	const char *body = "{\"title\":\"Old key\"}";
	api_res a, b;

	(void)state;
	a = keyed("POST", STORIES, W.alice, body, "old-1");
	assert_int_equal(a.status, 201);
	free(pp_t_query(W.db, "UPDATE api_idempotency_keys SET expires_at = now() - interval '1 s'"
			      " WHERE key IN ('old-1', 'create-1')"));
	b = keyed("POST", STORIES, W.alice, body, "old-1");
	assert_int_equal(b.status, 201);
	assert_replayed(&b, 0);
	assert_string_not_equal(api_str(&a, "key"), api_str(&b, "key"));
	assert_int_equal(count("SELECT count(*) FROM api_idempotency_keys WHERE key = 'create-1'"),
			 0);
	assert_int_equal(count("SELECT count(*) FROM api_idempotency_keys"
			       " WHERE key = 'old-1' AND expires_at > now()"),
			 1);
	api_res_free(&a);
	api_res_free(&b);
}

/* The answer is stored in the database with the write: a new server process replays it. */
static void replay_survives_restart(void **state)
{
	const char *body = "{\"title\":\"Across a restart\"}";
	api_res a, b;

	(void)state;
	a = keyed("POST", STORIES, W.alice, body, "restart-1");
	assert_int_equal(a.status, 201);
	api_server_stop(&W.srv);
	api_server_start(&W.srv, NULL);
	b = keyed("POST", STORIES, W.alice, body, "restart-1");
	assert_int_equal(b.status, 201);
	assert_replayed(&b, 1);
	assert_string_equal(a.body, b.body);
	assert_same_header(&a, &b, "ETag");
	assert_same_header(&a, &b, "Location");
	assert_int_equal(count("SELECT count(*) FROM stories WHERE title = 'Across a restart'"), 1);
	api_res_free(&a);
	api_res_free(&b);
}

/* A GET ignores the header: reads are idempotent already, and nothing is stored. */
static void reads_ignore_the_key(void **state)
{
	api_res r;

	(void)state;
	r = keyed("GET", STORIES, W.alice, NULL, "read-1");
	assert_int_equal(r.status, 200);
	assert_replayed(&r, 0);
	api_res_free(&r);
	assert_int_equal(count("SELECT count(*) FROM api_idempotency_keys WHERE key = 'read-1'"),
			 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(retried_create_is_one_story),
		cmocka_unit_test(other_request_same_key_is_422),
		cmocka_unit_test(keys_belong_to_their_user),
		cmocka_unit_test(patch_and_delete_replay),
		cmocka_unit_test(transition_replay),
		cmocka_unit_test(failed_write_stores_nothing),
		cmocka_unit_test(in_flight_is_409),
		cmocka_unit_test(key_syntax),
		cmocka_unit_test(expired_keys_are_swept),
		cmocka_unit_test(reads_ignore_the_key),
		cmocka_unit_test(replay_survives_restart),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
