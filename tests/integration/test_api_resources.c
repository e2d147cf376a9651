/*
 * test_api_resources.c: the success paths and documented errors of
 * projects, backlogs, stories (filters, keyset pagination, ETag/If-Match,
 * transitions, moves), members and the cross-project story list, over real
 * HTTP against a real cluster.
 */
#include "test_api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct world {
	api_server srv;
	char *admin, *dev, *maint;
} world;

static world W;
static const api_user users[] = {
	{"admin", 1, &W.admin},
	{"dev", 0, &W.dev},
	{"maint", 0, &W.maint},
};

static const api_step steps[] = {
	{201, "POST", "/v1/projects",
	 "{\"key\":\"PLAN\",\"name\":\"Planning\",\"git_remote_url\":"
	 "\"https://git.example.org/plan.git\",\"git_stories_dir\":\"stories\"}"},
	{201, "PUT", "/v1/projects/PLAN/members/dev", "{\"role\":\"developer\"}"},
	{201, "PUT", "/v1/projects/PLAN/members/maint", "{\"role\":\"maintainer\"}"},
};
static const api_world fixture = {&W.srv, NULL, users, API_N(users), &W.admin, steps, API_N(steps)};

static long long jint(const json_t *o, const char *name)
{
	return json_integer_value(json_object_get(o, name));
}

static const char *jstr(const json_t *o, const char *name)
{
	return json_string_value(json_object_get(o, name));
}

static void projects(void **state)
{
	const char *stale[] = {"If-Match: \"1\"", NULL};
	const char *fresh[] = {"If-Match: \"2\"", NULL};
	const char *inm[] = {"If-None-Match: \"2\"", NULL};
	api_res r;

	(void)state;
	r = api_ok(201, &W.srv, "POST", "/v1/projects", W.dev,
		   "{\"key\":\"DEVP\",\"name\":\"Dev's\",\"description\":\"d\","
		   "\"story_key_prefix\":\"DP\",\"git_default_branch\":\"trunk\","
		   "\"git_last_synced_commit\":\"0123456789abcdef0123456789abcdef01234567\","
		   "\"git_last_synced_at\":\"2025-01-02T03:04:05Z\",\"metadata\":{\"team\":\"x\"}}",
		   NULL);
	assert_string_equal(api_str(&r, "role"), "owner");
	assert_string_equal(api_str(&r, "story_key_prefix"), "DP");
	assert_string_equal(api_str(&r, "git_default_branch"), "trunk");
	api_header_is(&r, "Location", "/v1/projects/DEVP");
	api_header_is(&r, "ETag", "\"1\"");
	api_res_free(&r);

	r = api_ok(200, &W.srv, "GET", "/v1/projects/PLAN", W.dev, NULL, NULL);
	assert_string_equal(api_str(&r, "git_remote_url"), "https://git.example.org/plan.git");
	assert_string_equal(api_str(&r, "git_stories_dir"), "stories");
	assert_string_equal(api_str(&r, "role"), "developer");
	api_res_free(&r);

	/* The caller's projects only; pages by key. */
	r = api_ok(200, &W.srv, "GET", "/v1/projects?limit=1", W.dev, NULL, NULL);
	assert_int_equal(json_array_size(json_object_get(r.json, "items")), 1);
	assert_string_equal(jstr(json_array_get(json_object_get(r.json, "items"), 0), "key"),
			    "DEVP");
	{
		char path[256];
		api_res r2;
		snprintf(path, sizeof(path), "/v1/projects?limit=1&cursor=%s",
			 api_str(&r, "next_cursor"));
		r2 = api_ok(200, &W.srv, "GET", path, W.dev, NULL, NULL);
		assert_string_equal(
			jstr(json_array_get(json_object_get(r2.json, "items"), 0), "key"), "PLAN");
		assert_true(json_is_null(json_object_get(r2.json, "next_cursor")));
		api_res_free(&r2);
	}
	api_res_free(&r);

	/* ETag and If-Match. */
	r = api_ok(200, &W.srv, "PATCH", "/v1/projects/DEVP", W.dev,
		   "{\"name\":\"Renamed\",\"git_remote_url\":null}", stale);
	assert_string_equal(api_str(&r, "name"), "Renamed");
	assert_int_equal(jint(r.json, "version"), 2);
	api_res_free(&r);
	api_refused(412, "precondition-failed", &W.srv, "PATCH", "/v1/projects/DEVP", W.dev,
		    "{\"name\":\"Lost update\"}", stale);
	api_ok_free(304, &W.srv, "GET", "/v1/projects/DEVP", W.dev, NULL, inm);
	/* Changing nothing changes no version. */
	r = api_ok(200, &W.srv, "PATCH", "/v1/projects/DEVP", W.dev, "{\"name\":\"Renamed\"}",
		   fresh);
	assert_int_equal(jint(r.json, "version"), 2);
	api_res_free(&r);

	/* A developer cannot change the project; a maintainer can; only an owner archives. */
	api_refused(403, "forbidden", &W.srv, "PATCH", "/v1/projects/PLAN", W.dev,
		    "{\"name\":\"x\"}", NULL);
	api_ok_free(200, &W.srv, "PATCH", "/v1/projects/PLAN", W.maint, "{\"description\":\"ok\"}",
		    NULL);
	api_refused(403, "forbidden", &W.srv, "DELETE", "/v1/projects/PLAN", W.maint, NULL, NULL);

	api_refused(412, "precondition-failed", &W.srv, "DELETE", "/v1/projects/DEVP", W.dev, NULL,
		    stale);
	r = api_ok(204, &W.srv, "DELETE", "/v1/projects/DEVP", W.dev, NULL, fresh);
	assert_string_equal(r.body, "");
	api_res_free(&r);
	api_items_are(1, &W.srv, W.dev, "/v1/projects");
	api_items_are(2, &W.srv, W.dev, "/v1/projects?archived=true");
	/* Unarchive with PATCH. */
	r = api_ok(200, &W.srv, "PATCH", "/v1/projects/DEVP", W.dev, "{\"archived\":false}", NULL);
	assert_true(json_is_null(json_object_get(r.json, "archived_at")));
	api_res_free(&r);
}

/*
 * Archiving a project is the owner's, by DELETE or PATCH alike (issue 17): a
 * maintainer may change the project but neither archive nor restore it.
 */
static void archiving_is_the_owners(void **state)
{
	api_res r;

	(void)state;
	api_ok_free(201, &W.srv, "POST", "/v1/projects", W.admin,
		    "{\"key\":\"ARC\",\"name\":\"a\"}", NULL);
	api_ok_free(201, &W.srv, "PUT", "/v1/projects/ARC/members/maint", W.admin,
		    "{\"role\":\"maintainer\"}", NULL);
	api_ok_free(200, &W.srv, "PATCH", "/v1/projects/ARC", W.maint, "{\"description\":\"m\"}",
		    NULL);
	api_refused_detail(403, "forbidden", "owner", &W.srv, "PATCH", "/v1/projects/ARC", W.maint,
			   "{\"archived\":true}", NULL);
	api_refused(403, "forbidden", &W.srv, "DELETE", "/v1/projects/ARC", W.maint, NULL, NULL);
	r = api_ok(200, &W.srv, "PATCH", "/v1/projects/ARC", W.admin, "{\"archived\":true}", NULL);
	assert_false(json_is_null(json_object_get(r.json, "archived_at")));
	api_res_free(&r);
	api_refused(403, "forbidden", &W.srv, "PATCH", "/v1/projects/ARC", W.maint,
		    "{\"archived\":false}", NULL);
	r = api_ok(200, &W.srv, "PATCH", "/v1/projects/ARC", W.admin, "{\"archived\":false}", NULL);
	assert_true(json_is_null(json_object_get(r.json, "archived_at")));
	api_res_free(&r);
}

static void backlogs(void **state)
{
	api_res r;
	char path[128], ifm[64];
	long long id;
	const char *h[] = {ifm, NULL};

	(void)state;
	r = api_ok(201, &W.srv, "POST", "/v1/projects/PLAN/backlogs", W.maint,
		   "{\"name\":\"Sprint 1\",\"kind\":\"sprint\",\"starts_on\":\"2025-03-01\","
		   "\"ends_on\":\"2025-03-14\",\"position\":1}",
		   NULL);
	id = jint(r.json, "id");
	assert_true(id > 0);
	assert_string_equal(api_str(&r, "kind"), "sprint");
	api_res_free(&r);

	api_refused(403, "forbidden", &W.srv, "POST", "/v1/projects/PLAN/backlogs", W.dev,
		    "{\"name\":\"nope\"}", NULL);
	api_refused(409, "already-exists", &W.srv, "POST", "/v1/projects/PLAN/backlogs", W.maint,
		    "{\"name\":\"Sprint 1\"}", NULL);
	api_refused(422, "validation", &W.srv, "POST", "/v1/projects/PLAN/backlogs", W.maint,
		    "{\"name\":\"Bad\",\"kind\":\"heap\"}", NULL);
	api_refused_field(
		422, "validation", "ends_on", &W.srv, "POST", "/v1/projects/PLAN/backlogs", W.maint,
		"{\"name\":\"Backwards\",\"starts_on\":\"2025-03-14\",\"ends_on\":\"2025-03-01\"}",
		NULL);
	api_ok_free(201, &W.srv, "POST", "/v1/projects/PLAN/backlogs", W.maint,
		    "{\"name\":\"Backlog\"}", NULL);

	r = api_ok(200, &W.srv, "GET", "/v1/projects/PLAN/backlogs", W.dev, NULL, NULL);
	assert_int_equal(json_array_size(r.json), 2);
	assert_string_equal(jstr(json_array_get(r.json, 0), "name"), "Backlog");
	api_res_free(&r);

	snprintf(path, sizeof(path), "/v1/projects/PLAN/backlogs/%lld", id);
	snprintf(ifm, sizeof(ifm), "If-Match: \"1\"");
	r = api_ok(200, &W.srv, "PATCH", path, W.maint, "{\"description\":\"first\"}", h);
	assert_int_equal(jint(r.json, "version"), 2);
	api_res_free(&r);
	api_refused(412, "precondition-failed", &W.srv, "PATCH", path, W.maint,
		    "{\"description\":\"again\"}", h);
	api_refused(404, "not-found", &W.srv, "PATCH", "/v1/projects/PLAN/backlogs/999999", W.maint,
		    "{\"description\":\"x\"}", NULL);
	api_refused(404, "not-found", &W.srv, "PATCH", "/v1/projects/PLAN/backlogs/abc", W.maint,
		    "{\"description\":\"x\"}", NULL);

	r = api_ok(201, &W.srv, "POST", "/v1/projects/PLAN/backlogs", W.maint, "{\"name\":\"Old\"}",
		   NULL);
	snprintf(path, sizeof(path), "/v1/projects/PLAN/backlogs/%lld", jint(r.json, "id"));
	api_res_free(&r);
	api_ok_free(204, &W.srv, "DELETE", path, W.maint, NULL, NULL);
	r = api_ok(204, &W.srv, "DELETE", path, W.maint, NULL, NULL); /* idempotent */
	api_res_free(&r);
	r = api_ok(200, &W.srv, "GET", "/v1/projects/PLAN/backlogs?archived=true", W.dev, NULL,
		   NULL);
	assert_int_equal(json_array_size(r.json), 3);
	api_res_free(&r);
}

/* The backlog named name of PLAN. */
static long long backlog_id(const char *name)
{
	api_res r = api_ok(200, &W.srv, "GET", "/v1/projects/PLAN/backlogs", W.dev, NULL, NULL);
	long long id = 0;
	size_t i;
	json_t *b;

	json_array_foreach(r.json, i, b)
	{
		if (strcmp(jstr(b, "name"), name) == 0)
			id = jint(b, "id");
	}
	api_res_free(&r);
	assert_true(id > 0);
	return id;
}

static void stories_crud(void **state)
{
	const char *v1[] = {"If-Match: \"1\"", NULL};
	api_res r;

	(void)state;
	r = api_ok(
		201, &W.srv, "POST", "/v1/projects/PLAN/stories", W.dev,
		"{\"title\":\"Generated key\",\"labels\":[\"DB\",\" api \"],\"priority\":\"high\","
		"\"estimate_points\":3,\"estimate_raw\":\"3sp\",\"epic\":\"core\","
		"\"owner\":\"dev\",\"metadata\":{\"layer\":\"db\"},\"body\":\"# Heading\\nText\"}",
		NULL);
	assert_string_equal(api_str(&r, "key"), "PLAN-001");
	assert_string_equal(api_str(&r, "status"), "draft");
	assert_string_equal(api_str(&r, "category"), "todo");
	assert_string_equal(json_string_value(json_array_get(json_object_get(r.json, "labels"), 0)),
			    "db");
	assert_string_equal(json_string_value(json_array_get(json_object_get(r.json, "labels"), 1)),
			    "api");
	api_header_is(&r, "Location", "/v1/projects/PLAN/stories/PLAN-001");
	api_res_free(&r);

	api_ok_free(201, &W.srv, "POST", "/v1/projects/PLAN/stories", W.dev,
		    "{\"key\":\"PLAN-050\",\"title\":\"Given key\"}", NULL);
	api_ok_member(201, "key", "PLAN-051", &W.srv, "POST", "/v1/projects/PLAN/stories", W.dev,
		      "{\"title\":\"After the given key\"}", NULL);
	api_refused_field(409, "already-exists", "key", &W.srv, "POST", "/v1/projects/PLAN/stories",
			  W.dev, "{\"key\":\"PLAN-050\",\"title\":\"Duplicate\"}", NULL);
	api_refused_field(422, "invalid-reference", "status", &W.srv, "POST",
			  "/v1/projects/PLAN/stories", W.dev,
			  "{\"title\":\"x\",\"status\":\"nonsense\"}", NULL);
	api_refused(422, "validation", &W.srv, "POST", "/v1/projects/PLAN/stories", W.dev,
		    "{\"title\":\"x\",\"checklist_total\":1,\"checklist_done\":2}", NULL);
	api_refused_field(422, "validation", "labels", &W.srv, "POST", "/v1/projects/PLAN/stories",
			  W.dev, "{\"title\":\"x\",\"labels\":\"db\"}", NULL);

	r = api_ok(200, &W.srv, "GET", "/v1/projects/PLAN/stories/PLAN-001", W.dev, NULL, NULL);
	assert_string_equal(api_str(&r, "body"), "# Heading\nText");
	assert_string_equal(api_str(&r, "ref"), "PLAN:PLAN-001");
	api_res_free(&r);
	api_refused(404, "not-found", &W.srv, "GET", "/v1/projects/PLAN/stories/PLAN-999", W.dev,
		    NULL, NULL);

	r = api_ok(200, &W.srv, "PATCH", "/v1/projects/PLAN/stories/PLAN-001", W.dev,
		   "{\"title\":\"Renamed\",\"epic\":null,\"labels\":[\"ops\"]}", v1);
	assert_string_equal(api_str(&r, "title"), "Renamed");
	assert_true(json_is_null(json_object_get(r.json, "epic")));
	assert_string_equal(api_str(&r, "priority"), "high");
	assert_int_equal(jint(r.json, "version"), 2);
	api_res_free(&r);
	api_refused_member(412, "precondition-failed", "sqlstate", "PP412", &W.srv, "PATCH",
			   "/v1/projects/PLAN/stories/PLAN-001", W.dev, "{\"title\":\"Overwrite\"}",
			   v1);
	api_refused(400, "bad-request", &W.srv, "PATCH", "/v1/projects/PLAN/stories/PLAN-001",
		    W.dev, "{\"key\":\"PLAN-9\"}", NULL);
	api_refused(404, "not-found", &W.srv, "PATCH", "/v1/projects/PLAN/stories/PLAN-999", W.dev,
		    "{\"title\":\"x\"}", NULL);

	api_ok_free(204, &W.srv, "DELETE", "/v1/projects/PLAN/stories/PLAN-051", W.dev, NULL, NULL);
	r = api_ok(200, &W.srv, "GET", "/v1/projects/PLAN/stories/PLAN-051", W.dev, NULL, NULL);
	assert_false(json_is_null(json_object_get(r.json, "archived_at")));
	api_res_free(&r);
}

static void transitions(void **state)
{
	const char *stale[] = {"If-Match: \"1\"", NULL};
	api_res r;

	(void)state;
	api_ok_free(201, &W.srv, "POST", "/v1/projects/PLAN/stories", W.dev,
		    "{\"key\":\"PLAN-100\",\"title\":\"Blocked\"}", NULL);
	api_ok_free(201, &W.srv, "POST", "/v1/projects/PLAN/stories", W.dev,
		    "{\"key\":\"PLAN-101\",\"title\":\"Blocker\"}", NULL);
	api_ok_free(201, &W.srv, "POST", "/v1/projects/PLAN/stories/PLAN-100/dependencies", W.dev,
		    "{\"story\":\"PLAN-101\"}", NULL);

	r = api_ok(200, &W.srv, "POST", "/v1/projects/PLAN/stories/PLAN-100/transitions", W.dev,
		   "{\"to\":\"in_progress\",\"note\":\"started\"}", NULL);
	assert_string_equal(api_str(&r, "status"), "in_progress");
	assert_false(json_is_null(json_object_get(r.json, "started_at")));
	api_res_free(&r);
	api_refused(412, "precondition-failed", &W.srv, "POST",
		    "/v1/projects/PLAN/stories/PLAN-100/transitions", W.dev, "{\"to\":\"done\"}",
		    stale);
	api_refused_detail(409, "open-blockers", "PLAN:PLAN-101 (draft)", &W.srv, "POST",
			   "/v1/projects/PLAN/stories/PLAN-100/transitions", W.dev,
			   "{\"to\":\"done\"}", NULL);
	/* force is a maintainer's. */
	api_refused(403, "forbidden", &W.srv, "POST",
		    "/v1/projects/PLAN/stories/PLAN-100/transitions", W.dev,
		    "{\"to\":\"done\",\"force\":true}", NULL);
	r = api_ok(200, &W.srv, "POST", "/v1/projects/PLAN/stories/PLAN-100/transitions", W.maint,
		   "{\"to\":\"done\",\"force\":true,\"note\":\"shipped anyway\"}", NULL);
	assert_string_equal(api_str(&r, "category"), "done");
	assert_false(json_is_null(json_object_get(r.json, "completed_at")));
	api_res_free(&r);
	api_refused_field(422, "validation", "to", &W.srv, "POST",
			  "/v1/projects/PLAN/stories/PLAN-100/transitions", W.dev,
			  "{\"to\":\"finished\"}", NULL);
	api_refused(422, "validation", &W.srv, "POST",
		    "/v1/projects/PLAN/stories/PLAN-100/transitions", W.dev, "{}", NULL);
	/* The same status again changes nothing. */
	api_ok_free(200, &W.srv, "POST", "/v1/projects/PLAN/stories/PLAN-100/transitions", W.dev,
		    "{\"to\":\"done\"}", NULL);

	r = api_ok(200, &W.srv, "GET", "/v1/projects/PLAN/stories/PLAN-100/history", W.dev, NULL,
		   NULL);
	assert_int_equal(json_array_size(r.json), 3);
	assert_string_equal(jstr(json_array_get(r.json, 1), "note"), "started");
	assert_string_equal(jstr(json_array_get(r.json, 2), "note"), "shipped anyway");
	assert_string_equal(jstr(json_array_get(r.json, 2), "changed_by"), "maint");
	assert_string_equal(jstr(json_array_get(r.json, 2), "source"), "api");
	api_res_free(&r);
}

static const char *key_at(const api_res *r, size_t i)
{
	return jstr(json_array_get(json_object_get(r->json, "items"), i), "key");
}

static void moves(void **state)
{
	char path[160], body[160];
	long long sprint = backlog_id("Sprint 1"), other = backlog_id("Backlog");
	const char *keys[] = {"PLAN-201", "PLAN-202", "PLAN-203"};
	api_res r;
	int i;

	(void)state;
	for (i = 0; i < 3; i++) {
		snprintf(body, sizeof(body), "{\"key\":\"%s\",\"title\":\"m\",\"backlog\":%lld}",
			 keys[i], sprint);
		api_ok_free(201, &W.srv, "POST", "/v1/projects/PLAN/stories", W.dev, body, NULL);
	}
	api_ok_free(200, &W.srv, "POST", "/v1/projects/PLAN/stories/PLAN-203/move", W.dev,
		    "{\"before\":\"PLAN-201\"}", NULL);
	api_ok_free(200, &W.srv, "POST", "/v1/projects/PLAN/stories/PLAN-201/move", W.dev,
		    "{\"after\":\"PLAN-202\"}", NULL);
	snprintf(path, sizeof(path), "/v1/projects/PLAN/stories?backlog=%lld", sprint);
	r = api_ok(200, &W.srv, "GET", path, W.dev, NULL, NULL);
	assert_string_equal(key_at(&r, 0), "PLAN-203");
	assert_string_equal(key_at(&r, 1), "PLAN-202");
	assert_string_equal(key_at(&r, 2), "PLAN-201");
	api_res_free(&r);

	/* Pages of one in rank order. */
	snprintf(path, sizeof(path), "/v1/projects/PLAN/stories?backlog=%lld&limit=1", sprint);
	r = api_ok(200, &W.srv, "GET", path, W.dev, NULL, NULL);
	for (i = 0; i < 3; i++) {
		assert_string_equal(key_at(&r, 0), keys[2 - i]);
		if (i < 2) {
			char next[300];
			snprintf(next, sizeof(next), "%s&cursor=%s", path,
				 api_str(&r, "next_cursor"));
			api_res_free(&r);
			r = api_ok(200, &W.srv, "GET", next, W.dev, NULL, NULL);
		}
	}
	assert_true(json_is_null(json_object_get(r.json, "next_cursor")));
	api_res_free(&r);

	/* A backlog lists only under its own project, even for a caller who sees both. */
	api_ok_free(201, &W.srv, "POST", "/v1/projects", W.admin,
		    "{\"key\":\"ASIDE\",\"name\":\"Aside\"}", NULL);
	snprintf(path, sizeof(path), "/v1/projects/ASIDE/stories?backlog=%lld", sprint);
	r = api_ok(200, &W.srv, "GET", path, W.admin, NULL, NULL);
	assert_int_equal(json_array_size(json_object_get(r.json, "items")), 0);
	assert_true(json_is_null(json_object_get(r.json, "next_cursor")));
	api_res_free(&r);
	snprintf(path, sizeof(path), "/v1/projects/PLAN/stories?backlog=%lld", sprint);
	api_items_are(3, &W.srv, W.admin, path);

	snprintf(body, sizeof(body), "{\"backlog\":%lld}", other);
	r = api_ok(200, &W.srv, "POST", "/v1/projects/PLAN/stories/PLAN-202/move", W.dev, body,
		   NULL);
	assert_int_equal(jint(r.json, "backlog"), other);
	api_res_free(&r);
	r = api_ok(200, &W.srv, "POST", "/v1/projects/PLAN/stories/PLAN-202/move", W.dev,
		   "{\"backlog\":null}", NULL);
	assert_true(json_is_null(json_object_get(r.json, "rank")));
	api_res_free(&r);
	api_refused_field(422, "validation", "after", &W.srv, "POST",
			  "/v1/projects/PLAN/stories/PLAN-203/move", W.dev,
			  "{\"after\":\"PLAN-202\"}", NULL);
	api_refused_field(422, "invalid-reference", "backlog", &W.srv, "POST",
			  "/v1/projects/PLAN/stories/PLAN-203/move", W.dev, "{\"backlog\":987654}",
			  NULL);
	api_refused(422, "validation", &W.srv, "POST", "/v1/projects/PLAN/stories/PLAN-203/move",
		    W.dev, "{\"after\":\"PLAN-201\",\"rank\":5}", NULL);
}

static void filters_and_pages(void **state)
{
	api_res r;
	char path[300];
	int i, pages = 0, seen = 0;

	(void)state;
	for (i = 0; i < 7; i++) {
		char body[200];
		snprintf(body, sizeof(body),
			 "{\"key\":\"PLAN-3%02d\",\"title\":\"Filter %d\",\"epic\":\"%s\","
			 "\"priority\":\"%s\",\"labels\":[\"%s\"],\"owner\":\"%s\","
			 "\"body\":\"%s\"}",
			 i, i, i % 2 ? "odd" : "even", i < 3 ? "low" : "critical",
			 i % 3 ? "alpha" : "beta", i == 4 ? "zoe" : "yan",
			 i == 5 ? "the quick brown foxes jumped" : "nothing here");
		api_ok_free(201, &W.srv, "POST", "/v1/projects/PLAN/stories", W.dev, body, NULL);
	}
	api_items_are(2, &W.srv, W.dev, "/v1/projects/PLAN/stories?epic=odd&priority=critical");
	api_items_are(3, &W.srv, W.dev, "/v1/projects/PLAN/stories?label=beta&owner=yan");
	r = api_ok(200, &W.srv, "GET", "/v1/projects/PLAN/stories?q=fox", W.dev, NULL, NULL);
	assert_int_equal(json_array_size(json_object_get(r.json, "items")), 1);
	assert_string_equal(key_at(&r, 0), "PLAN-305");
	api_res_free(&r);
	r = api_ok(200, &W.srv, "GET", "/v1/projects/PLAN/stories?status=done", W.dev, NULL, NULL);
	assert_int_equal(json_array_size(json_object_get(r.json, "items")), 1);
	assert_string_equal(key_at(&r, 0), "PLAN-100");
	api_res_free(&r);
	api_items_are(1, &W.srv, W.dev, "/v1/projects/PLAN/stories?category=done,active");
	api_refused(422, "validation", &W.srv, "GET",
		    "/v1/projects/PLAN/stories?status=Bad%20Value", W.dev, NULL, NULL);

	/* Every story once, in pages of 3; archived ones only when asked. */
	snprintf(path, sizeof(path), "/v1/projects/PLAN/stories?limit=3");
	for (;;) {
		const char *next;
		r = api_ok(200, &W.srv, "GET", path, W.dev, NULL, NULL);
		seen += (int)json_array_size(json_object_get(r.json, "items"));
		pages++;
		next = api_str(&r, "next_cursor");
		if (next == NULL) {
			api_res_free(&r);
			break;
		}
		snprintf(path, sizeof(path), "/v1/projects/PLAN/stories?limit=3&cursor=%s", next);
		api_res_free(&r);
	}
	r = api_ok(200, &W.srv, "GET", "/v1/projects/PLAN/stories?limit=500", W.dev, NULL, NULL);
	assert_int_equal(seen, (int)json_array_size(json_object_get(r.json, "items")));
	api_res_free(&r);
	assert_true(pages >= 5);
	r = api_ok(200, &W.srv, "GET", "/v1/projects/PLAN/stories?limit=500&archived=true", W.dev,
		   NULL, NULL);
	assert_int_equal(seen + 1, (int)json_array_size(json_object_get(r.json, "items")));
	api_res_free(&r);
	/* A cursor of the id order is not one of the rank order. */
	r = api_ok(200, &W.srv, "GET", "/v1/projects/PLAN/stories?limit=1", W.dev, NULL, NULL);
	snprintf(path, sizeof(path), "/v1/projects/PLAN/stories?backlog=1&cursor=%s",
		 api_str(&r, "next_cursor"));
	api_res_free(&r);
	api_refused(400, "bad-request", &W.srv, "GET", path, W.dev, NULL, NULL);
}

static void across_projects(void **state)
{
	api_res r;

	(void)state;
	api_ok_free(201, &W.srv, "POST", "/v1/projects", W.admin,
		    "{\"key\":\"SIDE\",\"name\":\"s\"}", NULL);
	api_ok_free(201, &W.srv, "POST", "/v1/projects/SIDE/stories", W.admin,
		    "{\"title\":\"side story\",\"epic\":\"odd\"}", NULL);

	/*
	 * dev is not a member of SIDE: its stories are not there, and naming SIDE
	 * is a 404 exactly like a project that does not exist (issue 17).
	 */
	api_items_are(3, &W.srv, W.dev, "/v1/stories?epic=odd&limit=500");
	r = api_call(&W.srv, "GET", "/v1/stories?project=SIDE", W.dev, NULL, NULL);
	api_problem(r, 404, "not-found");
	assert_string_equal(api_str(&r, "detail"), "no project SIDE");
	assert_null(json_object_get(r.json, "field"));
	api_res_free(&r);
	api_refused_member(404, "not-found", "detail", "no project NOSUCH", &W.srv, "GET",
			   "/v1/stories?project=PLAN&project=NOSUCH", W.dev, NULL, NULL);
	api_refused_member(404, "not-found", "detail", "no project SIDE", &W.srv, "GET",
			   "/v1/projects/SIDE/stories", W.dev, NULL, NULL);
	api_items_are(4, &W.srv, W.admin, "/v1/stories?epic=odd&limit=500");
	api_items_are(4, &W.srv, W.admin, "/v1/stories?project=SIDE&project=PLAN&epic=odd");
	r = api_ok(200, &W.srv, "GET", "/v1/stories?project=SIDE", W.admin, NULL, NULL);
	assert_int_equal(json_array_size(json_object_get(r.json, "items")), 1);
	assert_string_equal(jstr(json_array_get(json_object_get(r.json, "items"), 0), "project"),
			    "SIDE");
	api_res_free(&r);
}

static void members(void **state)
{
	api_res r;
	char *viewer = api_user_add("viewer1", 0);

	(void)state;
	api_ok_member(201, "role", "viewer", &W.srv, "PUT", "/v1/projects/PLAN/members/viewer1",
		      W.maint, "{\"role\":\"viewer\"}", NULL);
	api_ok_member(200, "role", "developer", &W.srv, "PUT", "/v1/projects/PLAN/members/viewer1",
		      W.maint, "{\"role\":\"developer\"}", NULL);
	api_ok_free(200, &W.srv, "PUT", "/v1/projects/PLAN/members/viewer1", W.maint,
		    "{\"role\":\"developer\"}", NULL);
	r = api_ok(200, &W.srv, "GET", "/v1/projects/PLAN/members", W.dev, NULL, NULL);
	assert_int_equal(json_array_size(r.json), 4);
	assert_string_equal(jstr(json_array_get(r.json, 0), "role"), "owner");
	api_res_free(&r);

	api_refused(403, "forbidden", &W.srv, "PUT", "/v1/projects/PLAN/members/viewer1", W.maint,
		    "{\"role\":\"owner\"}", NULL);
	api_refused(404, "not-found", &W.srv, "PUT", "/v1/projects/PLAN/members/ghost", W.maint,
		    "{\"role\":\"viewer\"}", NULL);
	api_refused(422, "validation", &W.srv, "PUT", "/v1/projects/PLAN/members/viewer1", W.maint,
		    "{\"role\":\"boss\"}", NULL);
	api_refused(403, "forbidden", &W.srv, "DELETE", "/v1/projects/PLAN/members/admin", W.maint,
		    NULL, NULL);
	api_refused(409, "last-owner", &W.srv, "DELETE", "/v1/projects/PLAN/members/admin", W.admin,
		    NULL, NULL);
	/* A member leaves on its own; then it sees nothing. */
	api_ok_free(204, &W.srv, "DELETE", "/v1/projects/PLAN/members/viewer1", viewer, NULL, NULL);
	api_refused(404, "not-found", &W.srv, "GET", "/v1/projects/PLAN", viewer, NULL, NULL);
	api_refused(404, "not-found", &W.srv, "DELETE", "/v1/projects/PLAN/members/viewer1",
		    W.maint, NULL, NULL);
	free(viewer);
}

static void misc_reference(void **state)
{
	api_res r;

	(void)state;
	r = api_ok(200, &W.srv, "GET", "/v1/statuses", W.dev, NULL, NULL);
	assert_int_equal(json_array_size(r.json), 7);
	assert_string_equal(jstr(json_array_get(r.json, 0), "key"), "draft");
	api_res_free(&r);
	r = api_ok(200, &W.srv, "GET", "/v1/me", W.dev, NULL, NULL);
	assert_string_equal(api_str(&r, "handle"), "dev");
	assert_true(json_is_false(json_object_get(r.json, "is_admin")));
	api_res_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(projects),        cmocka_unit_test(backlogs),
		cmocka_unit_test(stories_crud),    cmocka_unit_test(transitions),
		cmocka_unit_test(moves),           cmocka_unit_test(filters_and_pages),
		cmocka_unit_test(across_projects), cmocka_unit_test(members),
		cmocka_unit_test(misc_reference),  cmocka_unit_test(archiving_is_the_owners),
	};

	return api_world_run(tests, &fixture);
}
