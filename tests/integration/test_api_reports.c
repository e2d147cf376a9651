/*
 * test_api_reports.c: GET /v1/reports/{name} against the real server: the
 * figures are the SQL functions' (the same JSON as `planpipe report`), row-level
 * security decides which projects count, and bad requests are 4xx.
 */
#include "test_api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/report.h"

static struct {
	api_server srv;
	char *admin, *viewer, *outsider;
} W;
static const api_user users[] = {
	{"admin", 1, &W.admin},
	{"viewer", 0, &W.viewer},
	{"outsider", 0, &W.outsider},
};

static const api_step steps[] = {
	{201, "POST", "/v1/projects", "{\"key\":\"PLAN\",\"name\":\"Planning\"}"},
	{201, "POST", "/v1/projects", "{\"key\":\"SECRET\",\"name\":\"Hidden\"}"},
	{201, "PUT", "/v1/projects/PLAN/members/viewer", "{\"role\":\"viewer\"}"},
	{201, "POST", "/v1/projects/PLAN/stories",
	 "{\"key\":\"PLAN-1\",\"title\":\"One\",\"estimate_points\":3}"},
	{201, "POST", "/v1/projects/PLAN/stories",
	 "{\"key\":\"PLAN-2\",\"title\":\"Two\",\"estimate_points\":5}"},
	{201, "POST", "/v1/projects/SECRET/stories",
	 "{\"key\":\"SECRET-1\",\"title\":\"Hidden work\"}"},
	{200, "POST", "/v1/projects/PLAN/stories/PLAN-1/transitions", "{\"to\":\"in_progress\"}"},
	{200, "POST", "/v1/projects/PLAN/stories/PLAN-1/transitions", "{\"to\":\"done\"}"},
};
static const api_world fixture = {&W.srv, NULL, users, API_N(users), &W.admin, steps, API_N(steps)};

/* The API answers with the very JSON `planpipe report --format json` prints. */
static void same_figures_as_the_cli(void **state)
{
	/* More query parameters, and the CLI's options for them (as_of a day past: both agree). */
	static const struct {
		const char *name, *query, *opts[5];
	} cases[] = {
		{"status-summary", "", {NULL}},
		{"blocked", "", {NULL}},
		{"acceptance", "", {NULL}},
		{"throughput", "", {NULL}},
		{"cycle-time", "", {NULL}},
		{"epics", "", {NULL}},
		{"time-in-status", "", {NULL}},
		{"velocity",
		 "&last=2&as_of=2024-01-01",
		 {"--last", "2", "--as-of", "2024-01-01", NULL}},
		{"aging", "&as_of=2024-01-01", {"--as-of", "2024-01-01", NULL}},
	};
	size_t i, n;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *argv[12] = {"report", cases[i].name, "--project",
					"PLAN",   "--format",    "json"};
		char path[256];
		json_t *cli;
		pp_t_result r;
		api_res a;

		snprintf(path, sizeof(path), "/v1/reports/%s?project=PLAN%s", cases[i].name,
			 cases[i].query);
		a = api_ok(200, &W.srv, "GET", path, W.viewer, NULL, NULL);
		for (n = 0; cases[i].opts[n]; n++)
			argv[6 + n] = cases[i].opts[n];
		argv[6 + n] = NULL;
		r = pp_t_runv(argv);
		assert_int_equal(r.status, 0);
		cli = json_loads(r.out, 0, NULL);
		assert_non_null(cli);
		assert_non_null(a.json);
		if (!json_equal(cli, a.json))
			fail_msg("%s: the API's\n%s\nis not the CLI's\n%s", cases[i].name, a.body,
				 r.out);
		json_decref(cli);
		pp_t_result_free(&r);
		api_res_free(&a);
	}
}

/* Without project=, a caller's reports count only what row-level security lets them see. */
static void reports_see_only_the_callers_projects(void **state)
{
	api_res r;

	(void)state;
	r = api_ok(200, &W.srv, "GET", "/v1/reports/status-summary", W.viewer, NULL, NULL);
	pp_t_assert_contains(r.body, "PLAN");
	assert_null(strstr(r.body, "SECRET"));
	api_res_free(&r);
	r = api_ok(200, &W.srv, "GET", "/v1/reports/status-summary", W.admin, NULL, NULL);
	pp_t_assert_contains(r.body, "SECRET");
	api_res_free(&r);

	/* A project the caller cannot see is not found, like one that does not exist. */
	api_refused(404, "not-found", &W.srv, "GET", "/v1/reports/status-summary?project=SECRET",
		    W.viewer, NULL, NULL);
	api_refused(404, "not-found", &W.srv, "GET", "/v1/reports/status-summary?project=PLAN",
		    W.outsider, NULL, NULL);
	api_refused(404, "not-found", &W.srv, "GET",
		    "/v1/reports/critical-path?project=SECRET&story=SECRET-1", W.viewer, NULL,
		    NULL);
	api_refused(401, "unauthorized", &W.srv, "GET", "/v1/reports/status-summary", NULL, NULL,
		    NULL);
}

static void bad_requests_are_4xx(void **state)
{
	static const struct {
		const char *path;
		long status;
		const char *field;
	} cases[] = {
		{"/v1/reports/speed", 404, NULL},
		{"/v1/reports/velocity?last=0", 422, "last"},
		{"/v1/reports/velocity?last=two", 422, "last"},
		{"/v1/reports/velocity?last=1000", 422, "last"},
		{"/v1/reports/aging?as_of=yesterday", 422, "as_of"},
		{"/v1/reports/epics?as_of=2024-01-01", 400, NULL},
		{"/v1/reports/time-in-status?last=3", 400, NULL},
		{"/v1/reports/time-in-status?from=2026-06-01&to=2026-01-01", 422, "from"},
		{"/v1/reports/epics?project=SECRET", 404, NULL},
		{"/v1/reports/throughput?from=yesterday", 422, "from"},
		{"/v1/reports/throughput?to=2026-13", 422, "to"},
		{"/v1/reports/throughput?from=2026-02-30", 422, NULL},
		{"/v1/reports/throughput?from=2026-06-01&to=2026-01-01", 422, "from"},
		{"/v1/reports/critical-path?project=PLAN", 422, "story"},
		{"/v1/reports/critical-path?story=PLAN-1", 422, "project"},
		{"/v1/reports/burndown?project=PLAN", 422, "backlog"},
		{"/v1/reports/burndown?project=PLAN&backlog=Nope", 404, NULL},
		{"/v1/reports/status-summary?project=plan;drop", 422, "project"},
		{"/v1/reports/status-summary?from=2026-01-01", 400, NULL},
		{"/v1/reports/status-summary?project=NOPE", 404, NULL},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		api_res r = api_call(&W.srv, "GET", cases[i].path, W.viewer, NULL, NULL);
		if (r.status != cases[i].status)
			fail_msg("%s: %ld, expected %ld: %s", cases[i].path, r.status,
				 cases[i].status, r.body);
		if (cases[i].field && (api_str(&r, "field") == NULL ||
				       strcmp(api_str(&r, "field"), cases[i].field) != 0))
			fail_msg("%s: field %s, expected %s: %s", cases[i].path,
				 api_str(&r, "field") ? api_str(&r, "field") : "(none)",
				 cases[i].field, r.body);
		api_res_free(&r);
	}
}

/*
 * The reports description names (whole words, a-z and -) that are reports,
 * as a bit set over pp_reports' indexes.
 */
static unsigned long named_in(const char *text)
{
	unsigned long set = 0;
	const char *p = text ? text : "";
	size_t i;

	while (*p) {
		size_t n = strspn(p, "abcdefghijklmnopqrstuvwxyz-");
		for (i = 0; n && pp_reports[i].name; i++)
			if (strlen(pp_reports[i].name) == n &&
			    strncmp(p, pp_reports[i].name, n) == 0)
				set |= 1ul << i;
		p += n ? n : 1;
	}
	return set;
}

/* The reports whose PP_REPORT_* flags include flag, as a bit set. */
static unsigned long taking(unsigned flag)
{
	unsigned long set = 0;
	size_t i;

	for (i = 0; pp_reports[i].name; i++)
		if (pp_report_takes(pp_reports[i].name) & flag)
			set |= 1ul << i;
	return set;
}

/*
 * docs/openapi.json against pp_reports, the registry: the enum of report
 * names is the registry in its order, and each query parameter's
 * description names exactly the reports that take it.
 */
static void openapi_names_every_report(void **state)
{
	static const struct {
		const char *param;
		unsigned flag;
	} params[] = {
		{"project", PP_REPORT_PROJECT}, /* the ones that take exactly one */
		{"from", PP_REPORT_WINDOW},     {"to", PP_REPORT_WINDOW},
		{"backlog", PP_REPORT_BACKLOG}, {"story", PP_REPORT_STORY},
		{"last", PP_REPORT_LAST},       {"as_of", PP_REPORT_AS_OF},
	};
	api_res r = api_ok(200, &W.srv, "GET", "/openapi.json", NULL, NULL, NULL);
	const json_t *list, *param, *names, *n;
	size_t i, k;

	(void)state;
	list = json_object_get(json_object_get(json_object_get(json_object_get(r.json, "paths"),
							       "/v1/reports/{name}"),
					       "get"),
			       "parameters");
	names = json_object_get(json_object_get(json_array_get(list, 0), "schema"), "enum");
	assert_non_null(names);
	assert_true(json_array_size(names) < sizeof(unsigned long) * 8);
	json_array_foreach(names, i, n)
	{
		if (pp_reports[i].name == NULL ||
		    strcmp(json_string_value(n), pp_reports[i].name) != 0)
			fail_msg("openapi.json's report %zu is %s, pp_reports says %s", i,
				 json_string_value(n),
				 pp_reports[i].name ? pp_reports[i].name : "(end)");
	}
	assert_null(pp_reports[json_array_size(names)].name);
	for (k = 0; k < sizeof(params) / sizeof(params[0]); k++) {
		const char *text = NULL;

		json_array_foreach(list, i, param)
		{
			if (strcmp(json_string_value(json_object_get(param, "name")),
				   params[k].param) == 0)
				text = json_string_value(json_object_get(param, "description"));
		}
		if (text == NULL)
			fail_msg("openapi.json: /v1/reports/{name} has no parameter %s",
				 params[k].param);
		if (named_in(text) != taking(params[k].flag))
			fail_msg("openapi.json: the description of %s, \"%s\", does not name "
				 "exactly the reports that take it",
				 params[k].param, text);
	}
	api_res_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(same_figures_as_the_cli),
		cmocka_unit_test(reports_see_only_the_callers_projects),
		cmocka_unit_test(bad_requests_are_4xx),
		cmocka_unit_test(openapi_names_every_report),
	};

	return api_world_run(tests, &fixture);
}
