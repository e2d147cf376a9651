/*
 * test_api_workflow.c: /v1/projects/{project}/statuses, a project's
 * workflow, over real HTTP against a real cluster: the default workflow,
 * words of the vocabulary, new words with their category, who may change
 * it, and stories held to it; lists by numeric priority rank and named
 * priority, status filters as teams spell them, the blocked report's blocked
 * statuses, and a dependency the importer refused for a cycle.
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
static const api_user users[] = {
	{"admin", 1, &W.admin},
	{"dev", 0, &W.dev},
	{"maint", 0, &W.maint},
	{"stranger", 0, &W.stranger},
};

static const api_step steps[] = {
	{201, "POST", "/v1/projects", "{\"key\":\"FLOW\",\"name\":\"Workflow\"}"},
	{201, "POST", "/v1/projects", "{\"key\":\"OTHER\",\"name\":\"Other\"}"},
	{201, "PUT", "/v1/projects/FLOW/members/dev", "{\"role\":\"developer\"}"},
	{201, "PUT", "/v1/projects/FLOW/members/maint", "{\"role\":\"maintainer\"}"},
};
static const api_world fixture = {&W.srv, NULL, users, API_N(users), &W.admin, steps, API_N(steps)};

static void default_workflow(void **state)
{
	(void)state;
	api_ok_json(200,
		    "[{\"key\":\"draft\"},{\"key\":\"ready\"},"
		    "{\"key\":\"in_progress\",\"category\":\"active\"},{\"key\":\"review\"},"
		    "{\"key\":\"done\"},{\"key\":\"accepted\"},{\"key\":\"cancelled\"}]",
		    &W.srv, "GET", "/v1/projects/FLOW/statuses", W.dev, NULL, NULL);
	api_refused(404, "not-found", &W.srv, "GET", "/v1/projects/FLOW/statuses", W.stranger, NULL,
		    NULL);
}

static void vocabulary_word(void **state)
{
	api_res r;

	(void)state;
	r = api_ok(201, &W.srv, "POST", "/v1/projects/FLOW/statuses", W.maint,
		   "{\"key\":\"in-progress\"}", NULL);
	api_json_is(&r, "{\"key\":\"in-progress\",\"category\":\"active\"}");
	api_header_is(&r, "Location", "/v1/projects/FLOW/statuses/in-progress");
	api_res_free(&r);
	/* Once is enough: the same word again, in another case, is a conflict. */
	api_refused(409, "conflict", &W.srv, "POST", "/v1/projects/FLOW/statuses", W.maint,
		    "{\"key\":\"In-Progress\"}", NULL);
	/* blocked: active, and marked blocked. */
	api_ok_json(201, "{\"blocked\":true}", &W.srv, "POST", "/v1/projects/FLOW/statuses",
		    W.maint, "{\"key\":\"blocked\",\"position\":45}", NULL);
}

/*
 * GET /v1/statuses lists the default workflow and the words of the projects
 * the caller sees: a word only a hidden project uses, and that project's
 * key, are nowhere in a stranger's answer (review of 2026-12-05).
 */
static void global_list_names_no_hidden_project(void **state)
{
	api_res r;

	(void)state;
	api_ok_free(201, &W.srv, "POST", "/v1/projects/OTHER/statuses", W.admin,
		    "{\"key\":\"Project Nightingale\",\"category\":\"active\"}", NULL);
	r = api_ok(200, &W.srv, "GET", "/v1/statuses", W.dev, NULL, NULL);
	api_json_like(json_array_get(r.json, 0), "{\"key\":\"draft\",\"is_default\":true}",
		      "GET /v1/statuses's first status");
	if (strstr(r.body, "Nightingale") != NULL || strstr(r.body, "OTHER") != NULL)
		fail_msg("a project dev cannot see shows in GET /v1/statuses:\n%s", r.body);
	api_res_free(&r);
	r = api_ok(200, &W.srv, "GET", "/v1/statuses", W.admin, NULL, NULL);
	if (strstr(r.body, "\"Project Nightingale\"") == NULL ||
	    strstr(r.body, "Added to a project's workflow") == NULL || strstr(r.body, "OTHER"))
		fail_msg("OTHER's word, described without naming OTHER, expected in:\n%s", r.body);
	api_res_free(&r);
}

static void new_word(void **state)
{
	api_res r;

	(void)state;
	api_refused_body(422, "validation", "give its category", &W.srv, "POST",
			 "/v1/projects/FLOW/statuses", W.maint, "{\"key\":\"Waiting for QA\"}",
			 NULL);
	api_ok_member(201, "category", "active", &W.srv, "POST", "/v1/projects/FLOW/statuses",
		      W.maint, "{\"key\":\"Waiting for QA\",\"category\":\"active\"}", NULL);
	r = api_ok(201, &W.srv, "POST", "/v1/projects/FLOW/statuses", W.maint,
		   "{\"key\":\"In Review\",\"category\":\"active\",\"name\":\"Review\"}", NULL);
	api_json_is(&r, "{\"name\":\"Review\"}");
	api_header_is(&r, "Location", "/v1/projects/FLOW/statuses/In%20Review");
	api_res_free(&r);
	/* A known word keeps its category everywhere. */
	api_refused_body(409, "conflict", "is active wherever it is used", &W.srv, "POST",
			 "/v1/projects/OTHER/statuses", W.admin,
			 "{\"key\":\"in review\",\"category\":\"done\"}", NULL);
	/* ... and joins another project's workflow as it is spelled. */
	api_ok_member(201, "key", "In Review", &W.srv, "POST", "/v1/projects/OTHER/statuses",
		      W.admin, "{\"key\":\"in review\"}", NULL);
}

static void who_may_change_it(void **state)
{
	(void)state;
	api_refused(403, "forbidden", &W.srv, "POST", "/v1/projects/FLOW/statuses", W.dev,
		    "{\"key\":\"wip\"}", NULL);
	api_refused(403, "forbidden", &W.srv, "PATCH", "/v1/projects/FLOW/statuses/review", W.dev,
		    "{\"name\":\"x\"}", NULL);
	api_ok_json(200, "{\"key\":\"In Review\",\"name\":\"Peer review\",\"position\":35}", &W.srv,
		    "PATCH", "/v1/projects/FLOW/statuses/in%20review", W.maint,
		    "{\"name\":\"Peer review\",\"position\":35}", NULL);
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
	api_ok_json(201, "{\"status\":\"In Review\",\"category\":\"active\"}", &W.srv, "POST",
		    "/v1/projects/FLOW/stories", W.dev,
		    "{\"title\":\"Under review\",\"status\":\"In Review\"}", NULL);
	/* OTHER's workflow lacks in-progress. */
	api_refused_field(422, "invalid-reference", "status", &W.srv, "POST",
			  "/v1/projects/OTHER/stories", W.admin,
			  "{\"title\":\"Elsewhere\",\"status\":\"in-progress\"}", NULL);
	r = api_ok(200, &W.srv, "GET", "/v1/projects/FLOW/statuses", W.dev, NULL, NULL);
	for (size_t i = 0; i < json_array_size(r.json); i++) {
		json_t *s = json_array_get(r.json, i);
		if (strcmp(json_string_value(json_object_get(s, "key")), "In Review") == 0)
			assert_int_equal(json_integer_value(json_object_get(s, "stories")), 1);
	}
	api_res_free(&r);
}

/* Every key of a list, page by page (limit 2), comma-separated (caller frees). */
static char *all_pages(const char *path)
{
	char *all = calloc(1, 4096), url[1024];
	json_t *items, *item;
	size_t i, n = 0;

	assert_non_null(all);
	snprintf(url, sizeof(url), "%s&limit=2", path);
	items = api_all_pages(&W.srv, W.dev, url, NULL);
	json_array_foreach(items, i, item)
	{
		const char *k = json_string_value(json_object_get(item, "key"));

		if (n < 4096)
			n += (size_t)snprintf(all + n, 4096 - n, "%s%s", i ? "," : "", k ? k : "?");
	}
	json_decref(items);
	return all;
}

/* all_pages(path) must be want; the failure names the path. */
#define pages_are(path, want) pp_t_string_is_at(all_pages(path), (want), (path), __FILE__, __LINE__)

/* The numeric rank (1 first) beside the named level: filtered, sorted, paged. */
static void priority_rank_lists(void **state)
{
	static const api_step stories[] = {
		{201, "POST", "/v1/projects/PRIO/stories",
		 "{\"key\":\"P-1\",\"title\":\"a\",\"priority\":\"low\",\"priority_rank\":2}"},
		{201, "POST", "/v1/projects/PRIO/stories",
		 "{\"key\":\"P-2\",\"title\":\"b\",\"priority\":\"high\",\"priority_rank\":7}"},
		{201, "POST", "/v1/projects/PRIO/stories",
		 "{\"key\":\"P-3\",\"title\":\"c\",\"priority\":\"high\"}"},
		{201, "POST", "/v1/projects/PRIO/stories",
		 "{\"key\":\"P-4\",\"title\":\"d\",\"priority\":\"critical\",\"priority_rank\":12}"},
		{201, "POST", "/v1/projects/PRIO/stories",
		 "{\"key\":\"P-5\",\"title\":\"e\",\"priority\":\"medium\",\"priority_rank\":1}"},
	};
	static const api_step prio[] = {
		{201, "POST", "/v1/projects", "{\"key\":\"PRIO\",\"name\":\"P\"}"},
		{201, "PUT", "/v1/projects/PRIO/members/dev", "{\"role\":\"developer\"}"},
	};
	api_res r;
	char url[512];

	(void)state;
	api_steps(&W.srv, W.admin, prio);
	api_steps(&W.srv, W.dev, stories);
	api_ok_json(200, "{\"priority_rank\":3}", &W.srv, "PATCH", "/v1/projects/PRIO/stories/P-3",
		    W.dev, "{\"priority_rank\":3}", NULL);

	pages_are("/v1/projects/PRIO/stories?sort=priority_rank", "P-5,P-1,P-3,P-2,P-4");
	pages_are("/v1/projects/PRIO/stories?sort=priority", "P-4,P-3,P-2,P-5,P-1");
	pages_are("/v1/stories?project=PRIO&priority_rank_min=2&priority_rank_max=7"
		  "&sort=priority_rank",
		  "P-1,P-3,P-2");
	pages_are("/v1/projects/PRIO/stories?priority=high&priority_rank_max=5", "P-3");
	/* Unranked stories come last and match no bound. */
	api_ok_free(200, &W.srv, "PATCH", "/v1/projects/PRIO/stories/P-3", W.dev,
		    "{\"priority_rank\":null}", NULL);
	pages_are("/v1/projects/PRIO/stories?sort=priority_rank", "P-5,P-1,P-2,P-4,P-3");
	pages_are("/v1/projects/PRIO/stories?priority_rank_min=1", "P-1,P-2,P-4,P-5");

	/* A cursor belongs to its order; bad sorts and bounds are named. */
	r = api_ok(200, &W.srv, "GET", "/v1/projects/PRIO/stories?sort=priority&limit=1", W.dev,
		   NULL, NULL);
	assert_non_null(api_str(&r, "next_cursor"));
	snprintf(url, sizeof(url), "/v1/projects/PRIO/stories?sort=priority_rank&cursor=%s",
		 api_str(&r, "next_cursor"));
	api_res_free(&r);
	api_refused(400, "bad-request", &W.srv, "GET", url, W.dev, NULL, NULL);
	api_refused_body(422, "validation", "backlog", &W.srv, "GET",
			 "/v1/projects/PRIO/stories?sort=rank", W.dev, NULL, NULL);
	api_refused(422, "validation", &W.srv, "GET", "/v1/projects/PRIO/stories?sort=title", W.dev,
		    NULL, NULL);
	r = api_call(&W.srv, "GET", "/v1/projects/PRIO/stories?priority_rank_max=1000001", W.dev,
		     NULL, NULL);
	assert_true(r.status == 422 || r.status == 400);
	assert_non_null(strstr(r.body, "priority_rank_max"));
	api_res_free(&r);
	api_refused(422, "validation", &W.srv, "POST", "/v1/projects/PRIO/stories", W.dev,
		    "{\"title\":\"x\",\"priority_rank\":0}", NULL);
}

/* Status filters take the key as the team spells it, in any case. */
static void status_filter_as_written(void **state)
{
	(void)state;
	pages_are("/v1/projects/FLOW/stories?status=in%20review", "FLOW-001");
	pages_are("/v1/stories?status=In%20Review,in-progress", "FLOW-001");
}

/* A story in a status marked blocked is in the blocked report, with no blockers. */
static void blocked_status_is_reported(void **state)
{
	const json_t *s, *found = NULL;
	api_res r;
	size_t i;

	(void)state;
	api_ok_free(201, &W.srv, "POST", "/v1/projects/FLOW/stories", W.dev,
		    "{\"key\":\"WAIT-1\",\"title\":\"Waiting on legal\",\"status\":\"blocked\"}",
		    NULL);
	r = api_ok(200, &W.srv, "GET", "/v1/reports/blocked?project=FLOW", W.dev, NULL, NULL);
	json_array_foreach(json_object_get(r.json, "stories"), i, s)
	{
		if (strcmp(json_string_value(json_object_get(s, "key")), "WAIT-1") == 0)
			found = s;
	}
	assert_non_null(found);
	assert_string_equal(json_string_value(json_object_get(found, "status")), "blocked");
	assert_int_equal(json_integer_value(json_object_get(found, "depth")), 0);
	assert_int_equal(json_array_size(json_object_get(found, "blockers")), 0);
	assert_true(json_is_string(json_object_get(found, "blocked_since")));
	api_res_free(&r);
	/* Out of the blocked status, out of the report. */
	api_ok_free(200, &W.srv, "POST", "/v1/projects/FLOW/stories/WAIT-1/transitions", W.dev,
		    "{\"to\":\"in-progress\"}", NULL);
	r = api_ok(200, &W.srv, "GET", "/v1/reports/blocked?project=FLOW", W.dev, NULL, NULL);
	assert_null(strstr(r.body, "WAIT-1"));
	api_res_free(&r);
}

/*
 * A dependency the importer refused because it closes a cycle is kept as a
 * reference: the API shows it as unresolved, it does not vanish.
 */
static void refused_cycle_edge_is_unresolved(void **state)
{
	char *dir = pp_t_tempdir();

	(void)state;
	pp_t_write(dir, "a.md",
		   "---\nid: CY-1\ntitle: A\nstatus: draft\ndependencies: [CY-2]\n---\n");
	pp_t_write(dir, "b.md",
		   "---\nid: CY-2\ntitle: B\nstatus: draft\ndependencies: [CY-1]\n---\n");
	pp_t_expect(1, NULL, "closes a cycle", "import", dir, "--project", "CYC", NULL);
	api_ok_json(200, "{\"depends_on\":[],\"unresolved\":[\"CYC:CY-2\"]}", &W.srv, "GET",
		    "/v1/projects/CYC/stories/CY-1/dependencies", W.admin, NULL, NULL);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(default_workflow),
		cmocka_unit_test(vocabulary_word),
		cmocka_unit_test(new_word),
		cmocka_unit_test(global_list_names_no_hidden_project),
		cmocka_unit_test(who_may_change_it),
		cmocka_unit_test(stories_follow_the_workflow),
		cmocka_unit_test(priority_rank_lists),
		cmocka_unit_test(status_filter_as_written),
		cmocka_unit_test(blocked_status_is_reported),
		cmocka_unit_test(refused_cycle_edge_is_unresolved),
	};

	return api_world_run(tests, &fixture);
}
