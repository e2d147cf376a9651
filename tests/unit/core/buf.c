/* tests/unit/core/buf.c: tests src/core/buf.c. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "unit.h"
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"

static void grows_and_formats(void **state)
{
	pp_buf b;
	int i;

	(void)state;
	pp_buf_init(&b, 1 << 20);
	assert_string_equal(pp_buf_str(&b), "");
	for (i = 0; i < 1000; i++)
		assert_int_equal(pp_buf_printf(&b, "%d,", i), PP_OK);
	assert_int_equal(strncmp(pp_buf_str(&b), "0,1,2,", 6), 0);
	assert_int_equal(b.len, strlen(b.data));
	pp_buf_reset(&b);
	assert_int_equal(b.len, 0);
	assert_int_equal(pp_buf_adds(&b, "x"), PP_OK);
	assert_string_equal(pp_buf_str(&b), "x");
	pp_buf_free(&b);
	pp_buf_free(NULL);
}

static void cap_is_enforced_and_leaves_contents(void **state)
{
	pp_buf b;
	char *s;

	(void)state;
	pp_buf_init(&b, 8);
	assert_int_equal(pp_buf_adds(&b, "12345678"), PP_OK);
	assert_int_equal(pp_buf_adds(&b, "9"), PP_ETOOBIG);
	assert_int_equal(pp_buf_printf(&b, "%s", "more"), PP_ETOOBIG);
	assert_string_equal(pp_buf_str(&b), "12345678");
	s = pp_buf_take(&b);
	assert_string_equal(s, "12345678");
	assert_null(b.data);
	free(s);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(grows_and_formats),
	cmocka_unit_test(cap_is_enforced_and_leaves_contents),
};

UNIT_MAIN("buf", tests)
