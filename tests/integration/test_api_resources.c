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
	char path[256];
	api_res r;

	(void)state;
	r = api_ok(201, &W.srv, "POST", "/v1/projects", W.dev,
		   "{\"key\":\"DEVP\",\"name\":\"Dev's\",\"description\":\"d\","
		   "\"story_key_prefix\":\"DP\",\"git_default_branch\":\"trunk\","
		   "\"git_last_synced_commit\":\"0123456789abcdef0123456789abcdef01234567\","
		   "\"git_last_synced_at\":\"2025-01-02T03:04:05Z\",\"metadata\":{\"team\":\"x\"}}",
		   NULL);
	api_json_is(&r, "{\"role\":\"owner\",\"story_key_prefix\":\"DP\","
			"\"git_default_branch\":\"trunk\"}");
	api_header_is(&r, "Location", "/v1/projects/DEVP");
	api_header_is(&r, "ETag", "\"1\"");
	api_res_free(&r);

	api_ok_json(200,
		    "{\"git_remote_url\":\"https://git.example.org/plan.git\","
		    "\"git_stories_dir\":\"stories\",\"role\":\"developer\"}",
		    &W.srv, "GET", "/v1/projects/PLAN", W.dev, NULL, NULL);

	/* The caller's projects only; pages by key. */
	r = api_ok(200, &W.srv, "GET", "/v1/projects?limit=1", W.dev, NULL, NULL);
	api_json_is(&r, "{\"items\":[{\"key\":\"DEVP\"}],\"next_cursor\":\"#notnull\"}");
	snprintf(path, sizeof(path), "/v1/projects?limit=1&cursor=%s", api_str(&r, "next_cursor"));
	api_res_free(&r);
	api_ok_json(200, "{\"items\":[{\"key\":\"PLAN\"}],\"next_cursor\":null}", &W.srv, "GET",
		    path, W.dev, NULL, NULL);

	/* ETag and If-Match. */
	api_ok_json(200, "{\"name\":\"Renamed\",\"version\":2}", &W.srv, "PATCH",
		    "/v1/projects/DEVP", W.dev, "{\"name\":\"Renamed\",\"git_remote_url\":null}",
		    stale);
	api_refused(412, "precondition-failed", &W.srv, "PATCH", "/v1/projects/DEVP", W.dev,
		    "{\"name\":\"Lost update\"}", stale);
	api_ok_free(304, &W.srv, "GET", "/v1/projects/DEVP", W.dev, NULL, inm);
	/* Changing nothing changes no version. */
	api_ok_json(200, "{\"version\":2}", &W.srv, "PATCH", "/v1/projects/DEVP", W.dev,
		    "{\"name\":\"Renamed\"}", fresh);

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
	api_ok_json(200, "{\"archived_at\":null}", &W.srv, "PATCH", "/v1/projects/DEVP", W.dev,
		    "{\"archived\":false}", NULL);
}

/*
 * Archiving a project is the owner's, by DELETE or PATCH alike (issue 17): a
 * maintainer may change the project but neither archive nor restore it.
 */
static void archiving_is_the_owners(void **state)
{
	static const api_step arc[] = {
		{201, "POST", "/v1/projects", "{\"key\":\"ARC\",\"name\":\"a\"}"},
		{201, "PUT", "/v1/projects/ARC/members/maint", "{\"role\":\"maintainer\"}"},
	};

	(void)state;
	api_steps(&W.srv, W.admin, arc);
	api_ok_free(200, &W.srv, "PATCH", "/v1/projects/ARC", W.maint, "{\"description\":\"m\"}",
		    NULL);
	api_refused_detail(403, "forbidden", "owner", &W.srv, "PATCH", "/v1/projects/ARC", W.maint,
			   "{\"archived\":true}", NULL);
	api_refused(403, "forbidden", &W.srv, "DELETE", "/v1/projects/ARC", W.maint, NULL, NULL);
	api_ok_json(200, "{\"archived_at\":\"#notnull\"}", &W.srv, "PATCH", "/v1/projects/ARC",
		    W.admin, "{\"archived\":true}", NULL);
	api_refused(403, "forbidden", &W.srv, "PATCH", "/v1/projects/ARC", W.maint,
		    "{\"archived\":false}", NULL);
	api_ok_json(200, "{\"archived_at\":null}", &W.srv, "PATCH", "/v1/projects/ARC", W.admin,
		    "{\"archived\":false}", NULL);
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
	api_json_is(&r, "{\"kind\":\"sprint\"}");
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

	api_ok_json(200, "[{\"name\":\"Backlog\"},{}]", &W.srv, "GET", "/v1/projects/PLAN/backlogs",
		    W.dev, NULL, NULL);

	snprintf(path, sizeof(path), "/v1/projects/PLAN/backlogs/%lld", id);
	snprintf(ifm, sizeof(ifm), "If-Match: \"1\"");
	api_ok_json(200, "{\"version\":2}", &W.srv, "PATCH", path, W.maint,
		    "{\"description\":\"first\"}", h);
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
	api_ok_free(204, &W.srv, "DELETE", path, W.maint, NULL, NULL); /* idempotent */
	api_ok_json(200, "[{},{},{}]", &W.srv, "GET", "/v1/projects/PLAN/backlogs?archived=true",
		    W.dev, NULL, NULL);
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
	api_json_is(&r, "{\"key\":\"PLAN-001\",\"status\":\"draft\",\"category\":\"todo\","
			"\"labels\":[\"db\",\"api\"]}");
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

	api_ok_json(200, "{\"body\":\"# Heading\\nText\",\"ref\":\"PLAN:PLAN-001\"}", &W.srv, "GET",
		    "/v1/projects/PLAN/stories/PLAN-001", W.dev, NULL, NULL);
	api_refused(404, "not-found", &W.srv, "GET", "/v1/projects/PLAN/stories/PLAN-999", W.dev,
		    NULL, NULL);

	api_ok_json(200,
		    "{\"title\":\"Renamed\",\"epic\":null,\"priority\":\"high\",\"version\":2}",
		    &W.srv, "PATCH", "/v1/projects/PLAN/stories/PLAN-001", W.dev,
		    "{\"title\":\"Renamed\",\"epic\":null,\"labels\":[\"ops\"]}", v1);
	api_refused_member(412, "precondition-failed", "sqlstate", "PP412", &W.srv, "PATCH",
			   "/v1/projects/PLAN/stories/PLAN-001", W.dev, "{\"title\":\"Overwrite\"}",
			   v1);
	api_refused(400, "bad-request", &W.srv, "PATCH", "/v1/projects/PLAN/stories/PLAN-001",
		    W.dev, "{\"key\":\"PLAN-9\"}", NULL);
	api_refused(404, "not-found", &W.srv, "PATCH", "/v1/projects/PLAN/stories/PLAN-999", W.dev,
		    "{\"title\":\"x\"}", NULL);

	api_ok_free(204, &W.srv, "DELETE", "/v1/projects/PLAN/stories/PLAN-051", W.dev, NULL, NULL);
	api_ok_json(200, "{\"archived_at\":\"#notnull\"}", &W.srv, "GET",
		    "/v1/projects/PLAN/stories/PLAN-051", W.dev, NULL, NULL);
}

static void transitions(void **state)
{
	static const api_step blocked[] = {
		{201, "POST", "/v1/projects/PLAN/stories",
		 "{\"key\":\"PLAN-100\",\"title\":\"Blocked\"}"},
		{201, "POST", "/v1/projects/PLAN/stories",
		 "{\"key\":\"PLAN-101\",\"title\":\"Blocker\"}"},
		{201, "POST", "/v1/projects/PLAN/stories/PLAN-100/dependencies",
		 "{\"story\":\"PLAN-101\"}"},
	};
	const char *stale[] = {"If-Match: \"1\"", NULL};

	(void)state;
	api_steps(&W.srv, W.dev, blocked);
	api_ok_json(200, "{\"status\":\"in_progress\",\"started_at\":\"#notnull\"}", &W.srv, "POST",
		    "/v1/projects/PLAN/stories/PLAN-100/transitions", W.dev,
		    "{\"to\":\"in_progress\",\"note\":\"started\"}", NULL);
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
	api_ok_json(200, "{\"category\":\"done\",\"completed_at\":\"#notnull\"}", &W.srv, "POST",
		    "/v1/projects/PLAN/stories/PLAN-100/transitions", W.maint,
		    "{\"to\":\"done\",\"force\":true,\"note\":\"shipped anyway\"}", NULL);
	api_refused_field(422, "validation", "to", &W.srv, "POST",
			  "/v1/projects/PLAN/stories/PLAN-100/transitions", W.dev,
			  "{\"to\":\"finished\"}", NULL);
	api_refused(422, "validation", &W.srv, "POST",
		    "/v1/projects/PLAN/stories/PLAN-100/transitions", W.dev, "{}", NULL);
	/* The same status again changes nothing. */
	api_ok_free(200, &W.srv, "POST", "/v1/projects/PLAN/stories/PLAN-100/transitions", W.dev,
		    "{\"to\":\"done\"}", NULL);

	api_ok_json(200,
		    "[{},{\"note\":\"started\"},"
		    "{\"note\":\"shipped anyway\",\"changed_by\":\"maint\",\"source\":\"api\"}]",
		    &W.srv, "GET", "/v1/projects/PLAN/stories/PLAN-100/history", W.dev, NULL, NULL);
}

static void moves(void **state)
{
	static const char ranked[] = "[{\"key\":\"PLAN-203\"},{\"key\":\"PLAN-202\"},"
				     "{\"key\":\"PLAN-201\"}]";
	char path[160], body[160], items[200];
	long long sprint = backlog_id("Sprint 1"), other = backlog_id("Backlog");
	const char *keys[] = {"PLAN-201", "PLAN-202", "PLAN-203"};
	json_t *all;
	size_t pages;
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
	snprintf(items, sizeof(items), "{\"items\":%s}", ranked);
	api_ok_json(200, items, &W.srv, "GET", path, W.dev, NULL, NULL);

	/* Pages of one in rank order, the third the last. */
	snprintf(path, sizeof(path), "/v1/projects/PLAN/stories?backlog=%lld&limit=1", sprint);
	all = api_all_pages(&W.srv, W.dev, path, &pages);
	api_json_like(all, ranked, path);
	assert_int_equal(pages, 3);
	json_decref(all);

	/* A backlog lists only under its own project, even for a caller who sees both. */
	api_ok_free(201, &W.srv, "POST", "/v1/projects", W.admin,
		    "{\"key\":\"ASIDE\",\"name\":\"Aside\"}", NULL);
	snprintf(path, sizeof(path), "/v1/projects/ASIDE/stories?backlog=%lld", sprint);
	api_ok_json(200, "{\"items\":[],\"next_cursor\":null}", &W.srv, "GET", path, W.admin, NULL,
		    NULL);
	snprintf(path, sizeof(path), "/v1/projects/PLAN/stories?backlog=%lld", sprint);
	api_items_are(3, &W.srv, W.admin, path);

	snprintf(body, sizeof(body), "{\"backlog\":%lld}", other);
	api_ok_json(200, body, &W.srv, "POST", "/v1/projects/PLAN/stories/PLAN-202/move", W.dev,
		    body, NULL);
	api_ok_json(200, "{\"rank\":null}", &W.srv, "POST",
		    "/v1/projects/PLAN/stories/PLAN-202/move", W.dev, "{\"backlog\":null}", NULL);
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
	json_t *all;
	size_t pages;
	int i, seen;

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
	api_ok_json(200, "{\"items\":[{\"key\":\"PLAN-305\"}]}", &W.srv, "GET",
		    "/v1/projects/PLAN/stories?q=fox", W.dev, NULL, NULL);
	api_ok_json(200, "{\"items\":[{\"key\":\"PLAN-100\"}]}", &W.srv, "GET",
		    "/v1/projects/PLAN/stories?status=done", W.dev, NULL, NULL);
	api_items_are(1, &W.srv, W.dev, "/v1/projects/PLAN/stories?category=done,active");
	api_refused(422, "validation", &W.srv, "GET",
		    "/v1/projects/PLAN/stories?status=Bad%20Value", W.dev, NULL, NULL);
	/* The fixed words: another is a mistake to name, not an empty page. */
	api_refused_field(422, "validation", "category", &W.srv, "GET",
			  "/v1/projects/PLAN/stories?category=done,bogus", W.dev, NULL, NULL);
	api_refused_field(422, "validation", "priority", &W.srv, "GET",
			  "/v1/stories?priority=urgent", W.dev, NULL, NULL);

	/* Every story once, in pages of 3; archived ones only when asked. */
	all = api_all_pages(&W.srv, W.dev, "/v1/projects/PLAN/stories?limit=3", &pages);
	seen = (int)json_array_size(all);
	json_decref(all);
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
	static const api_step side[] = {
		{201, "POST", "/v1/projects", "{\"key\":\"SIDE\",\"name\":\"s\"}"},
		{201, "POST", "/v1/projects/SIDE/stories",
		 "{\"title\":\"side story\",\"epic\":\"odd\"}"},
	};
	api_res r;

	(void)state;
	api_steps(&W.srv, W.admin, side);

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
	api_ok_json(200, "{\"items\":[{\"project\":\"SIDE\"}]}", &W.srv, "GET",
		    "/v1/stories?project=SIDE", W.admin, NULL, NULL);
}

static void members(void **state)
{
	char *viewer = api_user_add("viewer1", 0);

	(void)state;
	api_ok_member(201, "role", "viewer", &W.srv, "PUT", "/v1/projects/PLAN/members/viewer1",
		      W.maint, "{\"role\":\"viewer\"}", NULL);
	api_ok_member(200, "role", "developer", &W.srv, "PUT", "/v1/projects/PLAN/members/viewer1",
		      W.maint, "{\"role\":\"developer\"}", NULL);
	api_ok_free(200, &W.srv, "PUT", "/v1/projects/PLAN/members/viewer1", W.maint,
		    "{\"role\":\"developer\"}", NULL);
	api_ok_json(200, "[{\"role\":\"owner\"},{},{},{}]", &W.srv, "GET",
		    "/v1/projects/PLAN/members", W.dev, NULL, NULL);

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
	(void)state;
	api_ok_json(200, "[{\"key\":\"draft\"},{},{},{},{},{},{}]", &W.srv, "GET", "/v1/statuses",
		    W.dev, NULL, NULL);
	api_ok_json(200, "{\"handle\":\"dev\",\"is_admin\":false}", &W.srv, "GET", "/v1/me", W.dev,
		    NULL, NULL);
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
