/*
 * test_api_keys.c: story keys as teams write them, over real HTTP. Keys are
 * unique per project ignoring case (migration 0017), so every route that
 * names a story by its key finds it ignoring case and shows the key as it
 * was written (migration 0028, the statements of src/api/sql).
 */
#include "test_api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct {
	api_server srv;
	char *admin;
} W;
static const api_user users[] = {
	{"admin", 1, &W.admin},
};

static const api_step steps[] = {
	{201, "POST", "/v1/projects", "{\"key\":\"ADH\",\"name\":\"Ad hoc\"}"},
	{201, "POST", "/v1/projects/ADH/stories", "{\"key\":\"adh-001\",\"title\":\"Lower\"}"},
	{201, "POST", "/v1/projects/ADH/stories", "{\"key\":\"ADH-002\",\"title\":\"Upper\"}"},
};
static const api_world fixture = {&W.srv, NULL, users, API_N(users), &W.admin, steps, API_N(steps)};

/* GET, PATCH, transitions, history and dependencies: any case finds the story. */
static void routes_find_keys_ignoring_case(void **state)
{
	static const api_step cases[] = {
		{200, "GET", "/v1/projects/ADH/stories/ADH-001", NULL},
		{200, "GET", "/v1/projects/ADH/stories/Adh-001", NULL},
		{200, "GET", "/v1/projects/ADH/stories/adh-002", NULL},
		{200, "PATCH", "/v1/projects/ADH/stories/ADH-001",
		 "{\"title\":\"Lower, renamed\"}"},
		{200, "POST", "/v1/projects/ADH/stories/ADH-001/transitions", "{\"to\":\"ready\"}"},
		{200, "GET", "/v1/projects/ADH/stories/ADH-001/history", NULL},
		{201, "POST", "/v1/projects/ADH/stories/adh-002/dependencies",
		 "{\"story\":\"ADH-001\"}"},
		{200, "GET", "/v1/projects/ADH/stories/ADH-002/dependencies", NULL},
		{200, "GET", "/v1/reports/critical-path?project=ADH&story=adh-002", NULL},
		{404, "GET", "/v1/projects/ADH/stories/ADH-003", NULL},
	};

	(void)state;
	api_steps(&W.srv, W.admin, cases);
}

/* The key is shown as written, whatever case the URL used. */
static void keys_shown_as_written(void **state)
{
	api_res r;

	(void)state;
	api_ok_json(200, "{\"key\":\"adh-001\",\"ref\":\"ADH:adh-001\"}", &W.srv, "GET",
		    "/v1/projects/ADH/stories/ADH-001", W.admin, NULL, NULL);

	/* The edge made above through other cases joins the two stories as stored. */
	r = api_ok(200, &W.srv, "GET", "/v1/projects/ADH/stories/adh-002/dependencies", W.admin,
		   NULL, NULL);
	if (strstr(r.body, "\"ADH:adh-001\"") == NULL && strstr(r.body, "\"adh-001\"") == NULL)
		fail_msg("no dependency on adh-001 in:\n%s", r.body);
	api_res_free(&r);

	/* A second story whose key differs only in case is a conflict, not a new story. */
	api_refused(409, "already-exists", &W.srv, "POST", "/v1/projects/ADH/stories", W.admin,
		    "{\"key\":\"ADH-001\",\"title\":\"Again\"}", NULL);
	api_ok_json(409, "{\"field\":\"key\"}", &W.srv, "POST", "/v1/projects/ADH/stories", W.admin,
		    "{\"key\":\"ADH-001\",\"title\":\"Again\"}", NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(routes_find_keys_ignoring_case),
		cmocka_unit_test(keys_shown_as_written),
	};

	return api_world_run(tests, &fixture);
}
