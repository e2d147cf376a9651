/*
 * unit.h: what every unit test under tests/unit/ shares: the program's main,
 * the length of a table of cases, and checks that name the case (the row's
 * input) when they fail, so that one loop over a table is as clear as a
 * function per case. Header-only (static inline and macros): a test program
 * includes it once and links nothing more.
 */
#ifndef PP_TESTS_UNIT_H
#define PP_TESTS_UNIT_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

/* How many rows a static array (not a pointer) holds. */
#define UNIT_NELEM(a) (sizeof(a) / sizeof((a)[0]))

/*
 * The program's main: runs the static array tests (cmocka_unit_test(f), ...)
 * as the group name; the exit status is the number of tests that failed.
 * UNIT_MAIN_WITH runs setup before the group and teardown after it.
 */
#define UNIT_MAIN_WITH(name, tests, setup, teardown)                                               \
	int main(void)                                                                             \
	{                                                                                          \
		return cmocka_run_group_tests_name(name, tests, setup, teardown);                  \
	}

#define UNIT_MAIN(name, tests) UNIT_MAIN_WITH(name, tests, NULL, NULL)

/* got is want (both may be NULL); fails naming the case otherwise. */
static inline void unit_str_equal(const char *what, const char *got, const char *want)
{
	if (got == NULL && want == NULL)
		return;
	if (got == NULL || want == NULL || strcmp(got, want) != 0)
		fail_msg("%s: got %s%s%s, expected %s%s%s", what, got ? "\"" : "",
			 got ? got : "NULL", got ? "\"" : "", want ? "\"" : "",
			 want ? want : "NULL", want ? "\"" : "");
}

/* got is want; fails naming the case otherwise. */
static inline void unit_int_equal(const char *what, long long got, long long want)
{
	if (got != want)
		fail_msg("%s: got %lld, expected %lld", what, got, want);
}

#endif
