/*
 * tests/unit/api/history.c: src/api/history.c's cursor of a project's
 * history: "h|CHANGED_AT|ID" in base64url, as the API gives it out, and
 * nothing else (another list's cursor, a bad time or id, garbage).
 */
#include "api_check.h"
#include "unit.h"

#include "api/history_int.h"
#include "api/input.h"

/* plain as a cursor (pp_api_cursor_encode), into out. */
static const char *encoded(const char *plain, char out[256])
{
	pp_buf b;

	pp_buf_init(&b, 256);
	assert_int_equal(pp_api_cursor_encode(plain, &b), PP_OK);
	assert_true(b.len < 256);
	memcpy(out, pp_buf_str(&b), b.len + 1);
	pp_buf_free(&b);
	return out;
}

/* Whether the plain cursor is accepted once encoded. */
static int ok(const char *plain)
{
	char c[256], buf[128];
	const char *fields[2] = {NULL, NULL};

	return history_cursor_ok(encoded(plain, c), buf, fields);
}

static void accepted(void **state)
{
	char c[256], buf[128];
	const char *fields[2] = {NULL, NULL};

	(void)state;
	assert_true(history_cursor_ok(encoded("h|2025-01-31T08:15:00.123456Z|42", c), buf, fields));
	assert_string_equal(fields[0], "2025-01-31T08:15:00.123456Z");
	assert_string_equal(fields[1], "42");
	assert_true(ok("h|2025-01-31T00:00:00+01:00|1"));
	assert_true(ok("h|2025-01-31T00:00:00Z|999999999999999999"));
}

static void refused(void **state)
{
	char buf[128];
	const char *fields[2] = {NULL, NULL};

	(void)state;
	assert_false(ok("p|2025-01-31T00:00:00Z|42")); /* a project list's kind */
	assert_false(ok("s|2025-01-31T00:00:00Z|42")); /* a story list's */
	assert_false(ok("h|2025-01-31|42"));           /* a date, not a date-time */
	assert_false(ok("h|yesterday|42"));
	assert_false(ok("h|2025-01-31T00:00:00Z|"));
	assert_false(ok("h|2025-01-31T00:00:00Z|-1"));
	assert_false(ok("h|2025-01-31T00:00:00Z|4x"));
	assert_false(ok("h|2025-01-31T00:00:00Z|1234567890123456789")); /* 19 digits */
	assert_false(ok("h|2025-01-31T00:00:00Z"));                     /* one field */
	assert_false(history_cursor_ok("not base64!", buf, fields));
	assert_false(history_cursor_ok("", buf, fields));
}

static void story_history(void **state)
{
	(void)state;
	/* One story's history: a read for viewers, on the standby when it may. */
	assert_int_equal(t_api_check(&history_story, "PLAN", "PLAN-1", NULL, NULL), 0);
	assert_string_equal(history_story.min_role, "viewer");
	assert_true(history_story.flags & PP_ROUTE_ANYWHERE);
}

static const struct CMUnitTest tests[] = {cmocka_unit_test(accepted), cmocka_unit_test(refused),
					  cmocka_unit_test(story_history)};

UNIT_MAIN("history", tests)
