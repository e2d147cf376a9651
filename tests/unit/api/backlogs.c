/*
 * tests/unit/api/backlogs.c: src/api/backlogs.c before the database: which
 * {backlog} can name a backlog (digits, else 404), and the fields each
 * route takes (required, enums, ranges, dates, unknown ones).
 */
#include "route_cases.h"

#include "api/backlogs_int.h"

/* {backlog} as the id check sees it: 1, or the 404's status. */
static int id(const char *backlog)
{
	pp_http_req req;
	pp_http_resp resp;

	t_api_req(&req, "PLAN", backlog, NULL);
	memset(&resp, 0, sizeof(resp));
	if (backlogs_id_ok(&req, &resp)) {
		assert_int_equal(resp.status, 0);
		return 1;
	}
	return t_api_status(&resp, backlog, "no such backlog");
}

static void ids(void **state)
{
	(void)state;
	assert_int_equal(id("7"), 1);
	assert_int_equal(id("000"), 1);
	assert_int_equal(id("999999999999999999"), 1); /* 18 digits */
	assert_int_equal(id("1234567890123456789"), 404);
	assert_int_equal(id("sprint-1"), 404);
	assert_int_equal(id("12a"), 404);
	assert_int_equal(id("-1"), 404);
	assert_int_equal(id(" 1"), 404);
}

static void create(void **state)
{
	static const route_case cases[] = {
		{"PLAN", NULL, "{\"name\": \"Sprint 1\"}", NULL, 0},
		{"PLAN", NULL,
		 "{\"name\": \"S\", \"kind\": \"sprint\", \"position\": 2147483647,"
		 " \"description\": \"d\", \"starts_on\": \"2026-01-05\","
		 " \"ends_on\": null}",
		 NULL, 0},
		{"PLAN", NULL, "{}", T_FIELD("name"), 422},
		{"PLAN", NULL, "{\"name\": \"S\", \"kind\": \"epic\"}", T_FIELD("kind"), 422},
		{"PLAN", NULL, "{\"name\": \"S\", \"position\": -1}", T_FIELD("position"), 422},
		{"PLAN", NULL, "{\"name\": \"S\", \"position\": 2147483648}", T_FIELD("position"),
		 422},
		{"PLAN", NULL, "{\"name\": \"S\", \"starts_on\": \"5 Jan\"}", T_FIELD("starts_on"),
		 422},
		/* archived is PATCH's (and DELETE's), not a new backlog's. */
		{"PLAN", NULL, "{\"name\": \"S\", \"archived\": true}", T_FIELD("archived"), 400},
		{"PLAN", NULL, "{\"name\":", NULL, 400},
	};

	(void)state;
	expect_checks(&backlogs_create, cases);
}

static void patch_and_archive(void **state)
{
	static const route_case backlogs_patch_cases[] = {
		{"PLAN", "7", "{}", NULL, 0},
		{"PLAN", "7", "{\"archived\": false}", NULL, 0},
		{"PLAN", "7", "{\"name\": null}", T_FIELD("name"), 422},
		/* The id is checked before the body: a bad one is 404 whatever the body says. */
		{"PLAN", "x", "{\"name\": 1}", "no such backlog", 404},
	};
	static const route_case backlogs_archive_cases[] = {
		{"PLAN", "7", NULL, NULL, 0},
		{"PLAN", "x", NULL, "no such backlog", 404},
	};

	(void)state;
	expect_checks(&backlogs_patch, backlogs_patch_cases);
	expect_checks(&backlogs_archive, backlogs_archive_cases);
	assert_true(backlogs_patch.flags & PP_ROUTE_IF_MATCH);
	assert_true(backlogs_archive.flags & PP_ROUTE_IF_MATCH);
	assert_string_equal(backlogs_patch.min_role, "maintainer");
	assert_int_equal(backlogs_archive.status, 204);
}

static const struct CMUnitTest tests[] = {cmocka_unit_test(ids), cmocka_unit_test(create),
					  cmocka_unit_test(patch_and_archive)};

UNIT_MAIN("backlogs", tests)
