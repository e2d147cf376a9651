/*
 * test_api_workflow.c: /v1/projects/{project}/statuses, a project's
 * workflow, over real HTTP against a real cluster: the default workflow,
 * words of the vocabulary, new words with their category, who may change
 * it, and stories held to it.
 */
#include "test_api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct world {
	api_server srv;
	char *admin, *dev, *maint, *stranger;
} world;

static world W;

static int setup(void **state)
{
	(void)state;
	api_setup_db();
	W.admin = api_user_add("admin", 1);
	W.dev = api_user_add("dev", 0);
	W.maint = api_user_add("maint", 0);
	W.stranger = api_user_add("stranger", 0);
	api_server_start(&W.srv, NULL);
	api_ok_free(201, &W.srv, "POST", "/v1/projects", W.admin,
		    "{\"key\":\"FLOW\",\"name\":\"Workflow\"}", NULL);
	api_ok_free(201, &W.srv, "POST", "/v1/projects", W.admin,
		    "{\"key\":\"OTHER\",\"name\":\"Other\"}", NULL);
	api_ok_free(201, &W.srv, "PUT", "/v1/projects/FLOW/members/dev", W.admin,
		    "{\"role\":\"developer\"}", NULL);
	api_ok_free(201, &W.srv, "PUT", "/v1/projects/FLOW/members/maint", W.admin,
		    "{\"role\":\"maintainer\"}", NULL);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	api_server_stop(&W.srv);
	free(W.admin);
	free(W.dev);
	free(W.maint);
	free(W.stranger);
	return 0;
}

/* The keys of a workflow listing, comma-separated (caller frees). */
static char *keys_of(const api_res *r)
{
	char *out = calloc(1, 4096);
	size_t i, n = 0;

	assert_non_null(out);
	for (i = 0; i < json_array_size(r->json) && n < 4096; i++) {
		const char *k =
			json_string_value(json_object_get(json_array_get(r->json, i), "key"));
		n += (size_t)snprintf(out + n, 4096 - n, "%s%s", i ? "," : "", k ? k : "?");
	}
	return out;
}

static void default_workflow(void **state)
{
	api_res r;
	char *keys;

	(void)state;
	r = api_ok(200, &W.srv, "GET", "/v1/projects/FLOW/statuses", W.dev, NULL, NULL);
	keys = keys_of(&r);
	assert_string_equal(keys, "draft,ready,in_progress,review,done,accepted,cancelled");
	assert_string_equal(api_str(&(api_res){.json = json_array_get(r.json, 2)}, "category"),
			    "active");
	free(keys);
	api_res_free(&r);
	api_refused(404, "not-found", &W.srv, "GET", "/v1/projects/FLOW/statuses", W.stranger, NULL,
		    NULL);
}

static void vocabulary_word(void **state)
{
	api_res r;
	char *loc;

	(void)state;
	r = api_ok(201, &W.srv, "POST", "/v1/projects/FLOW/statuses", W.maint,
		   "{\"key\":\"in-progress\"}", NULL);
	assert_string_equal(api_str(&r, "key"), "in-progress");
	assert_string_equal(api_str(&r, "category"), "active");
	loc = api_header(&r, "Location");
	assert_non_null(loc);
	assert_string_equal(loc, "/v1/projects/FLOW/statuses/in-progress");
	free(loc);
	api_res_free(&r);
	/* Once is enough: the same word again, in another case, is a conflict. */
	api_refused(409, "conflict", &W.srv, "POST", "/v1/projects/FLOW/statuses", W.maint,
		    "{\"key\":\"In-Progress\"}", NULL);
	/* blocked: active, and marked blocked. */
	r = api_ok(201, &W.srv, "POST", "/v1/projects/FLOW/statuses", W.maint,
		   "{\"key\":\"blocked\",\"position\":45}", NULL);
	assert_true(json_is_true(json_object_get(r.json, "blocked")));
	api_res_free(&r);
}

static void new_word(void **state)
{
	api_res r;
	char *loc;

	(void)state;
	r = api_call(&W.srv, "POST", "/v1/projects/FLOW/statuses", W.maint,
		     "{\"key\":\"Waiting for QA\"}", NULL);
	api_problem(r, 422, "validation");
	assert_non_null(strstr(r.body, "give its category"));
	api_res_free(&r);
	r = api_ok(201, &W.srv, "POST", "/v1/projects/FLOW/statuses", W.maint,
		   "{\"key\":\"Waiting for QA\",\"category\":\"active\"}", NULL);
	assert_string_equal(api_str(&r, "category"), "active");
	api_res_free(&r);
	r = api_ok(201, &W.srv, "POST", "/v1/projects/FLOW/statuses", W.maint,
		   "{\"key\":\"In Review\",\"category\":\"active\",\"name\":\"Review\"}", NULL);
	assert_string_equal(api_str(&r, "name"), "Review");
	loc = api_header(&r, "Location");
	assert_non_null(loc);
	assert_string_equal(loc, "/v1/projects/FLOW/statuses/In%20Review");
	free(loc);
	api_res_free(&r);
	/* A known word keeps its category everywhere. */
	r = api_call(&W.srv, "POST", "/v1/projects/OTHER/statuses", W.admin,
		     "{\"key\":\"in review\",\"category\":\"done\"}", NULL);
	api_problem(r, 409, "conflict");
	assert_non_null(strstr(r.body, "is active wherever it is used"));
	api_res_free(&r);
	/* ... and joins another project's workflow as it is spelled. */
	r = api_ok(201, &W.srv, "POST", "/v1/projects/OTHER/statuses", W.admin,
		   "{\"key\":\"in review\"}", NULL);
	assert_string_equal(api_str(&r, "key"), "In Review");
	api_res_free(&r);
}

static void who_may_change_it(void **state)
{
	api_res r;

	(void)state;
	api_refused(403, "forbidden", &W.srv, "POST", "/v1/projects/FLOW/statuses", W.dev,
		    "{\"key\":\"wip\"}", NULL);
	api_refused(403, "forbidden", &W.srv, "PATCH", "/v1/projects/FLOW/statuses/review", W.dev,
		    "{\"name\":\"x\"}", NULL);
	r = api_ok(200, &W.srv, "PATCH", "/v1/projects/FLOW/statuses/in%20review", W.maint,
		   "{\"name\":\"Peer review\",\"position\":35}", NULL);
	assert_string_equal(api_str(&r, "key"), "In Review");
	assert_string_equal(api_str(&r, "name"), "Peer review");
	assert_int_equal(json_integer_value(json_object_get(r.json, "position")), 35);
	api_res_free(&r);
	api_refused(404, "not-found", &W.srv, "PATCH", "/v1/projects/FLOW/statuses/nothing",
		    W.maint, "{\"name\":\"x\"}", NULL);
	/* A category never changes: not a field of PATCH. */
	api_refused(400, "bad-request", &W.srv, "PATCH", "/v1/projects/FLOW/statuses/review",
		    W.maint, "{\"category\":\"done\"}", NULL);
}

static void stories_follow_the_workflow(void **state)
{
	api_res r;

	(void)state;
	r = api_ok(201, &W.srv, "POST", "/v1/projects/FLOW/stories", W.dev,
		   "{\"title\":\"Under review\",\"status\":\"In Review\"}", NULL);
	assert_string_equal(api_str(&r, "status"), "In Review");
	assert_string_equal(api_str(&r, "category"), "active");
	api_res_free(&r);
	/* OTHER's workflow lacks in-progress. */
	r = api_call(&W.srv, "POST", "/v1/projects/OTHER/stories", W.admin,
		     "{\"title\":\"Elsewhere\",\"status\":\"in-progress\"}", NULL);
	assert_true(r.status == 422);
	assert_non_null(strstr(r.body, "status"));
	api_res_free(&r);
	r = api_ok(200, &W.srv, "GET", "/v1/projects/FLOW/statuses", W.dev, NULL, NULL);
	for (size_t i = 0; i < json_array_size(r.json); i++) {
		json_t *s = json_array_get(r.json, i);
		if (strcmp(json_string_value(json_object_get(s, "key")), "In Review") == 0)
			assert_int_equal(json_integer_value(json_object_get(s, "stories")), 1);
	}
	api_res_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(default_workflow),
		cmocka_unit_test(vocabulary_word),
		cmocka_unit_test(new_word),
		cmocka_unit_test(who_may_change_it),
		cmocka_unit_test(stories_follow_the_workflow),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
