/*
 * tests/unit/api/input.c: src/api/input.c's Idempotency-Key check (issue 17): 1 to
 * 255 printable ASCII characters, bare or as the IETF draft's quoted
 * sf-string; anything else a 400 naming the header.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(accepted),
		cmocka_unit_test(refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
