/*
 * tests/unit/import/import_common.c: src/import/import_common.c's pure
 * parts: a field in COPY's text format (NULL as \N; backslash, tab,
 * newline and carriage return escaped, every other byte as it is, UTF-8
 * included; a full buffer an error, not a cut row), and problems recorded
 * in order with their position and formatted message.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "unit.h"

#include "import/import_int.h"

static void copy_field_escapes(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{NULL, "\\N"}, /* NULL as COPY writes it */
		{"", ""},
		{"plain", "plain"},
		{"a\\b", "a\\\\b"},
		{"tab\there", "tab\\there"},
		{"two\nlines\r\n", "two\\nlines\\r\\n"},
		{"\\N", "\\\\N"}, /* the text \N is not NULL */
		{"\xC3\xA9t\xC3\xA9 \"quoted\" 'single' ,;|",
		 "\xC3\xA9t\xC3\xA9 \"quoted\" 'single' ,;|"},
	};
	const char *in;
	size_t i;

	(void)state;
	for (i = 0; i < UNIT_NELEM(cases); i++) {
		pp_buf b;

		pp_buf_init(&b, 1024);
		in = cases[i].in ? cases[i].in : "NULL";
		unit_int_equal(in, pp_import_copy_field(&b, cases[i].in), PP_OK);
		unit_str_equal(in, pp_buf_str(&b), cases[i].out);
		pp_buf_free(&b);
	}
}

/* A field that does not fit the buffer's cap is an error. */
static void copy_field_over_the_cap(void **state)
{
	char big[200];
	pp_buf b;

	(void)state;
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	pp_buf_init(&b, 64);
	assert_int_not_equal(pp_import_copy_field(&b, big), PP_OK);
	pp_buf_free(&b);
	pp_buf_init(&b, 64);
	memset(big, '\t', 40); /* 40 bytes, 80 escaped */
	big[40] = '\0';
	assert_int_not_equal(pp_import_copy_field(&b, big), PP_OK);
	pp_buf_free(&b);
}

static void problems_in_order(void **state)
{
	pp_import_result res;

	(void)state;
	memset(&res, 0, sizeof(res));
	assert_int_equal(pp_import_problem_add(&res, "a.md", 3, 7, 1, "bad %s at %d", "thing", 42),
			 PP_OK);
	assert_int_equal(pp_import_problem_add(&res, "b/c.md", 0, 0, 0, "a warning"), PP_OK);
	assert_int_equal(res.n_problems, 2);
	assert_string_equal(res.problems[0].file, "a.md");
	assert_int_equal(res.problems[0].line, 3);
	assert_int_equal(res.problems[0].col, 7);
	assert_int_equal(res.problems[0].is_error, 1);
	assert_string_equal(res.problems[0].msg, "bad thing at 42");
	assert_string_equal(res.problems[1].file, "b/c.md");
	assert_int_equal(res.problems[1].is_error, 0);
	assert_string_equal(res.problems[1].msg, "a warning");
	/* Counting is the caller's: only the list grows. */
	assert_int_equal(res.failed, 0);
	assert_int_equal(res.warned, 0);
	pp_import_result_free(&res);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(copy_field_escapes),
	cmocka_unit_test(copy_field_over_the_cap),
	cmocka_unit_test(problems_in_order),
};

UNIT_MAIN("import_common", tests)
