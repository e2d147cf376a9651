/*
 * tests/unit/core/err.c: src/core/err.c, the error detail every fallible
 * function fills in: set, prefix, file:line, appended lines, truncation
 * without overrun, and NULL accepted everywhere.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "unit.h"

#include "core/err.h"

static void set_and_clear(void **state)
{
	pp_err err;

	(void)state;
	memset(&err, 'x', sizeof(err));
	pp_err_clear(&err);
	assert_int_equal(err.rc, PP_OK);
	assert_string_equal(err.msg, "");
	assert_string_equal(err.sqlstate, "");
	assert_string_equal(err.file, "");
	assert_int_equal(err.line, 0);
	assert_int_equal(pp_err_set(&err, PP_EINVAL, "bad %s at %d", "value", 7), PP_EINVAL);
	assert_int_equal(err.rc, PP_EINVAL);
	assert_string_equal(err.msg, "bad value at 7");
	/* A second set replaces the first entirely. */
	assert_int_equal(pp_err_set(&err, PP_ETOOBIG, "too large"), PP_ETOOBIG);
	assert_string_equal(err.msg, "too large");
	assert_int_equal(pp_err_set(NULL, PP_EIO, "nobody hears"), PP_EIO);
	pp_err_clear(NULL);
}

static void prefix_at_and_append(void **state)
{
	pp_err err;

	(void)state;
	pp_err_set(&err, PP_EINVAL, "unknown field");
	pp_err_prefix(&err, "%s: ", "story");
	assert_string_equal(err.msg, "story: unknown field");
	pp_err_at(&err, "stories/A-1.md", 12);
	assert_string_equal(err.msg, "stories/A-1.md:12: story: unknown field");
	assert_string_equal(err.file, "stories/A-1.md");
	assert_int_equal(err.line, 12);
	pp_err_append(&err, "hint: %s", "see docs/import.md");
	assert_string_equal(err.msg,
			    "stories/A-1.md:12: story: unknown field\nhint: see docs/import.md");

	pp_err_set(&err, PP_EIO, "cannot read");
	pp_err_at(&err, "backlog.yaml", 0);
	assert_string_equal(err.msg, "backlog.yaml: cannot read");
	assert_int_equal(err.line, 0);

	/* Appending to an empty message adds no newline. */
	pp_err_clear(&err);
	pp_err_append(&err, "first");
	assert_string_equal(err.msg, "first");

	pp_err_prefix(NULL, "x");
	pp_err_at(NULL, "f", 1);
	pp_err_append(NULL, "x");
	pp_err_at(&err, NULL, 3);
	assert_string_equal(err.msg, "first");
}

static void long_messages_are_cut_not_overrun(void **state)
{
	static char big[PP_ERR_MSG_MAX * 2];
	pp_err err;

	(void)state;
	memset(big, 'm', sizeof(big) - 1);
	pp_err_set(&err, PP_EINVAL, "%s", big);
	assert_int_equal(strlen(err.msg), PP_ERR_MSG_MAX - 1);
	pp_err_prefix(&err, "file: ");
	assert_int_equal(strlen(err.msg), PP_ERR_MSG_MAX - 1);
	assert_int_equal(strncmp(err.msg, "file: mmm", 9), 0);
	pp_err_append(&err, "never fits");
	assert_int_equal(strlen(err.msg), PP_ERR_MSG_MAX - 1);
	assert_null(strchr(err.msg, '\n'));
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(set_and_clear),
	cmocka_unit_test(prefix_at_and_append),
	cmocka_unit_test(long_messages_are_cut_not_overrun),
};

UNIT_MAIN("err", tests)
