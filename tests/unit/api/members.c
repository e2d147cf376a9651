/*
 * tests/unit/api/members.c: src/api/members.c before the database: a
 * member's role is one of the four project roles, required, and the only
 * field; listing takes no body.
 */
#include "route_cases.h"

#include "api/members_int.h"

static void put_roles(void **state)
{
	static const route_case cases[] = {
		{"PLAN", "ada", "{}", T_FIELD("role"), 422},
		{"PLAN", "ada", "{\"role\": \"admin\"}", T_FIELD("role"), 422},
		{"PLAN", "ada", "{\"role\": \"Owner\"}", T_FIELD("role"), 422},
		{"PLAN", "ada", "{\"role\": null}", T_FIELD("role"), 422},
		{"PLAN", "ada", "{\"role\": \"viewer\", \"handle\": \"bob\"}", T_FIELD("handle"),
		 400},
	};
	static const char *const roles[] = {"viewer", "developer", "maintainer", "owner"};
	char body[64];
	size_t i;

	(void)state;
	for (i = 0; i < UNIT_NELEM(roles); i++) {
		snprintf(body, sizeof(body), "{\"role\": \"%s\"}", roles[i]);
		unit_int_equal(body, t_api_check(&members_put, "PLAN", "ada", body, NULL), 0);
	}
	expect_checks(&members_put, cases);
}

/* The handler refuses the same before any database work (ctx is never read). */
static void put_handler_refuses(void **state)
{
	(void)state;
	assert_int_equal(t_api_refused(pp_api_member_put, "PLAN", "ada", "{\"role\": \"boss\"}",
				       T_FIELD("role")),
			 422);
	assert_int_equal(t_api_refused(pp_api_member_put, "PLAN", "ada", "{\"role\":", NULL), 400);
}

static void list(void **state)
{
	(void)state;
	assert_int_equal(t_api_check(&members_list, "PLAN", NULL, NULL, NULL), 0);
	assert_string_equal(members_list.min_role, "viewer");
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(put_roles), cmocka_unit_test(put_handler_refuses), cmocka_unit_test(list)};

UNIT_MAIN("members", tests)
