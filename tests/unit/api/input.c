/*
 * tests/unit/api/input.c: src/api/input.c's Idempotency-Key check (issue 17): 1 to
 * 255 printable ASCII characters, bare or as the IETF draft's quoted
 * sf-string; anything else a 400 naming the header. Also the body's checks
 * against a field table, RFC 3339 date-times, cursors and PostgreSQL array
 * literals. (The query parameter readers need libmicrohttpd's connection:
 * tests/integration/test_api_*.c send them over HTTP.)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "unit.h"

#include "api/input.h"

/* The key out of value, or NULL when refused (then resp is a 400 naming the header). */
static const char *key_of(const char *value, char out[PP_API_IDEM_KEY_MAX + 1])
{
	pp_http_req req;
	pp_http_resp resp;
	int rc;

	memset(&req, 0, sizeof(req));
	memset(&resp, 0, sizeof(resp));
	rc = pp_api_idempotency_key(&req, &resp, value, out);
	if (rc != 0) {
		assert_int_equal(resp.status, 400);
		assert_non_null(strstr(resp.body, "\"field\":\"Idempotency-Key\""));
		assert_non_null(strstr(resp.body, "problems/bad-request"));
	} else {
		assert_int_equal(resp.status, 0);
	}
	pp_http_resp_free(&resp);
	return rc == 0 ? out : NULL;
}

static void accepted(void **state)
{
	char out[PP_API_IDEM_KEY_MAX + 1], max[PP_API_IDEM_KEY_MAX + 1];

	(void)state;
	assert_string_equal(key_of("8e03978e-40d5-43e8-bc93-6894a57f9324", out),
			    "8e03978e-40d5-43e8-bc93-6894a57f9324");
	assert_string_equal(key_of("a", out), "a");
	assert_string_equal(key_of("with space ~!", out), "with space ~!");
	assert_string_equal(key_of("\"quoted\"", out), "quoted");
	assert_string_equal(key_of("\"a\\\"b\\\\c\"", out), "a\"b\\c");
	memset(max, 'k', PP_API_IDEM_KEY_MAX);
	max[PP_API_IDEM_KEY_MAX] = '\0';
	assert_string_equal(key_of(max, out), max);
}

static void refused(void **state)
{
	char out[PP_API_IDEM_KEY_MAX + 1], long_key[PP_API_IDEM_KEY_MAX + 2];

	(void)state;
	memset(long_key, 'k', PP_API_IDEM_KEY_MAX + 1);
	long_key[PP_API_IDEM_KEY_MAX + 1] = '\0';
	assert_null(key_of(long_key, out));
	assert_null(key_of("", out));
	assert_null(key_of("\"\"", out));
	assert_null(key_of("tab\there", out));
	assert_null(key_of("caf\xc3\xa9", out));
	assert_null(key_of("del\x7f", out));
	assert_null(key_of("\"a\"b\"", out));
	assert_null(key_of("\"a\\x\"", out));
	assert_null(key_of("\"a\\\"", out));
}

/* ---- Bodies against a field table. ---- */

static const char *const colours[] = {"red", "green", NULL};
static const pp_field table[] = {
	PP_FIELD("title", PP_F_STRING, PP_F_REQUIRED),
	PP_FIELD_INT("points", PP_F_NULLABLE, 0, 100),
	PP_FIELD("ratio", PP_F_NUMBER, 0),
	PP_FIELD("done", PP_F_BOOL, 0),
	PP_FIELD("labels", PP_F_STRINGS, 0),
	PP_FIELD("meta", PP_F_OBJECT, 0),
	PP_FIELD("due", PP_F_DATE, PP_F_NULLABLE),
	PP_FIELD("at", PP_F_TIME, 0),
	PP_FIELD_ENUM("colour", 0, colours),
};

/*
 * body parsed against fields: NULL when refused, with resp's status checked
 * against status and its body against the fragment want (field or detail).
 */
static json_t *parse(const char *body, int status, const char *want)
{
	pp_http_req req;
	pp_http_resp resp;
	json_t *j;

	memset(&req, 0, sizeof(req));
	memset(&resp, 0, sizeof(resp));
	req.body = body;
	req.body_len = strlen(body);
	j = pp_api_body(&req, &resp, table, UNIT_NELEM(table));
	assert_int_equal(resp.status, status);
	if (status != 0) {
		assert_null(j);
		unit_str_has(body, resp.body, want);
	}
	pp_http_resp_free(&resp);
	return j;
}

static void bodies_accepted(void **state)
{
	json_t *j;

	(void)state;
	j = parse("{\"title\": \"t\", \"points\": 100, \"ratio\": 0.5, \"done\": false,"
		  " \"labels\": [\"a\", \"b\"], \"meta\": {}, \"due\": \"2024-02-29\","
		  " \"at\": \"2026-12-03T19:00:00.123456Z\", \"colour\": \"green\"}",
		  0, NULL);
	assert_non_null(j);
	assert_true(pp_api_has(j, "labels"));
	assert_false(pp_api_has(j, "nope"));
	json_decref(j);
	j = parse("{\"title\": \"t\", \"points\": null, \"due\": null}", 0, NULL);
	assert_non_null(j);
	assert_true(pp_api_has(j, "points"));
	json_decref(j);
}

static void bodies_refused(void **state)
{
	(void)state;
	parse("", 400, "a JSON object is required as the body");
	parse("{\"title\": ", 400, "problems/malformed-json");
	parse("{\"title\": \"a\", \"title\": \"b\"}", 400, "problems/malformed-json");
	parse("[1]", 422, "the body must be a JSON object");
	parse("{\"title\": \"t\", \"owner\": 1}", 400, "unknown field \\\"owner\\\"");
	parse("{\"points\": 1}", 422, "title is required");
	parse("{\"title\": 1}", 422, "title must be a string");
	parse("{\"title\": null}", 422, "title must not be null: it must be a string");
	parse("{\"title\": \"t\", \"points\": 101}", 422, "points must be from 0 to 100");
	parse("{\"title\": \"t\", \"points\": 1.5}", 422, "points must be an integer");
	parse("{\"title\": \"t\", \"ratio\": \"1\"}", 422, "ratio must be a number");
	parse("{\"title\": \"t\", \"done\": 0}", 422, "done must be true or false");
	parse("{\"title\": \"t\", \"labels\": [\"a\", 2]}", 422, "item 1 is not a string");
	parse("{\"title\": \"t\", \"meta\": []}", 422, "meta must be an object");
	parse("{\"title\": \"t\", \"due\": \"2026-1-01\"}", 422, "due must be a date (YYYY-MM-DD)");
	/* a real calendar date (core/date.c), not only its shape */
	parse("{\"title\": \"t\", \"due\": \"2026-02-29\"}", 422,
	      "due must be a date (YYYY-MM-DD)");
	parse("{\"title\": \"t\", \"due\": \"2026-13-01\"}", 422,
	      "due must be a date (YYYY-MM-DD)");
	parse("{\"title\": \"t\", \"at\": \"2026-12-03\"}", 422,
	      "at must be an RFC 3339 date-time");
	parse("{\"title\": \"t\", \"colour\": \"blue\"}", 422, "colour must be one of: red, green");
	parse("{\"title\": \"t\", \"colour\": \"blue\"}", 422, "\"field\":\"colour\"");
}

static void rfc3339_times(void **state)
{
	static const char *const ok[] = {
		"2026-12-03T19:00:00Z",
		"2026-12-03t19:00:00z",
		"2026-12-03 19:00:00Z",
		"2026-12-03T19:00:00+01:00",
		"2026-12-03T19:00:00-09:30",
		"2026-12-03T19:00:00.1Z",
		"2026-12-03T19:00:00.123456789+00:00",
		"2024-02-29T23:59:60Z", /* a leap day, a leap second */
		"2026-12-03T19:00:00+15:59",
	};
	static const char *const bad[] = {
		"2026-12-03",
		"2026-12-03T19:00:00",
		"2026-12-03T19:00Z",
		"2026-12-03T19:00:00.Z",
		"2026-12-03T19:00:00.1234567890Z",
		"2026-12-03T19:00:00+0100",
		"2026-12-03T19:00:00+01",
		"2026-12-03X19:00:00Z",
		"2026-12-03T19:00:00Z ",
		"",
		/* Out of the calendar or the clock (review of 2026-12-05: PostgreSQL's 22008). */
		"2026-13-45T99:99:99Z",
		"2026-02-29T00:00:00Z",
		"2026-04-31T00:00:00Z",
		"2026-12-03T24:00:00Z",
		"2026-12-03T19:60:00Z",
		"2026-12-03T19:00:61Z",
		"2026-12-03T19:00:00+16:00",
		"2026-12-03T19:00:00+01:60",
	};

	(void)state;
	unit_each_is(pp_api_is_time, ok, 1);
	unit_each_is(pp_api_is_time, bad, 0);
}

/* ---- Cursors. ---- */

static void cursors_round_trip(void **state)
{
	static const char *const plains[] = {"s|2026-12-03T19:00:00Z|42", "p|A", "p|AB", "p|ABC",
					     "h|caf\xc3\xa9|x|y"};
	const char *fields[4];
	char buf[128];
	size_t i;
	int n;

	(void)state;
	for (i = 0; i < UNIT_NELEM(plains); i++) {
		pp_buf b;
		pp_buf_init(&b, 1024);
		unit_int_equal(plains[i], pp_api_cursor_encode(plains[i], &b), PP_OK);
		/* URL-safe as it is: no padding, no '+' or '/'. */
		unit_int_equal(plains[i],
			       strspn(pp_buf_str(&b), "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnop"
						      "qrstuvwxyz0123456789-_"),
			       b.len);
		n = pp_api_cursor_decode(pp_buf_str(&b), plains[i][0], buf, sizeof(buf), fields, 4);
		if (n <= 0)
			fail_msg("%s: decoded as %d", plains[i], n);
		pp_buf_free(&b);
	}
	{
		pp_buf b;
		pp_buf_init(&b, 1024);
		assert_int_equal(pp_api_cursor_encode("s|2026-12-03|42", &b), PP_OK);
		assert_int_equal(
			pp_api_cursor_decode(pp_buf_str(&b), 's', buf, sizeof(buf), fields, 4), 2);
		assert_string_equal(fields[0], "2026-12-03");
		assert_string_equal(fields[1], "42");
		/* Another kind's cursor, too many fields, too small a buffer: refused. */
		assert_int_equal(
			pp_api_cursor_decode(pp_buf_str(&b), 'p', buf, sizeof(buf), fields, 4), -1);
		assert_int_equal(
			pp_api_cursor_decode(pp_buf_str(&b), 's', buf, sizeof(buf), fields, 1), -1);
		assert_int_equal(pp_api_cursor_decode(pp_buf_str(&b), 's', buf, 8, fields, 4), -1);
		pp_buf_free(&b);
	}
}

static void bad_cursors_refused(void **state)
{
	static const char *const bad[] = {"", "c", "cw", "cw==", "c3x8!", "c3x8+/", "AA"};
	const char *fields[4];
	char buf[64];
	size_t i;
	pp_buf b;

	(void)state;
	for (i = 0; i < UNIT_NELEM(bad); i++)
		if (pp_api_cursor_decode(bad[i], 's', buf, sizeof(buf), fields, 4) != -1)
			fail_msg("\"%s\" accepted", bad[i]);
	/* A NUL byte inside the decoded text is refused. */
	pp_buf_init(&b, 64);
	assert_int_equal(pp_api_cursor_encode("s|", &b), PP_OK);
	assert_int_equal(pp_api_cursor_decode("cwAA", 's', buf, sizeof(buf), fields, 4), -1);
	pp_buf_free(&b);
}

/* ---- PostgreSQL array literals. ---- */

static void pg_array_elements_are_quoted(void **state)
{
	pp_buf b;

	(void)state;
	pp_buf_init(&b, 1024);
	assert_int_equal(pp_buf_adds(&b, "{"), PP_OK);
	assert_int_equal(pp_api_pg_array_add(&b, "plain", 5), PP_OK);
	assert_int_equal(pp_api_pg_array_add(&b, "a,\"b\"\\c", 7), PP_OK);
	assert_int_equal(pp_api_pg_array_add(&b, "cut here", 3), PP_OK);
	assert_int_equal(pp_buf_adds(&b, "}"), PP_OK);
	assert_string_equal(pp_buf_str(&b), "{\"plain\",\"a,\\\"b\\\"\\\\c\",\"cut\"}");
	pp_buf_free(&b);
	/* Over the buffer's cap: too big, not out of memory. */
	pp_buf_init(&b, 4);
	assert_int_equal(pp_buf_adds(&b, "{"), PP_OK);
	assert_int_equal(pp_api_pg_array_add(&b, "long", 4), PP_ETOOBIG);
	pp_buf_free(&b);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(accepted),
	cmocka_unit_test(refused),
	cmocka_unit_test(bodies_accepted),
	cmocka_unit_test(bodies_refused),
	cmocka_unit_test(rfc3339_times),
	cmocka_unit_test(cursors_round_trip),
	cmocka_unit_test(bad_cursors_refused),
	cmocka_unit_test(pg_array_elements_are_quoted),
};

UNIT_MAIN("input", tests)
