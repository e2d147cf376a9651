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
#include <stdio.h>
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

/* The size of the buffer unit_shown writes a case's name into. */
#define UNIT_SHOWN_MAX 256

/*
 * what, a case's name, as a failure shows it: on one line (a newline, a
 * return, a tab or another control character written as in C), cut with
 * "..." to fit buf; "" and NULL as such. Returns buf or a static string.
 */
static inline const char *unit_shown(const char *what, char buf[UNIT_SHOWN_MAX])
{
	size_t n = 0;

	if (what == NULL)
		return "NULL";
	if (*what == '\0')
		return "\"\"";
	for (; *what != '\0' && n + 8 < UNIT_SHOWN_MAX; what++) {
		unsigned char c = (unsigned char)*what;

		if (c == '\n' || c == '\r' || c == '\t') {
			buf[n++] = '\\';
			buf[n++] = c == '\n' ? 'n' : c == '\r' ? 'r' : 't';
		} else if (c < 0x20 || c == 0x7f) {
			n += (size_t)snprintf(buf + n, UNIT_SHOWN_MAX - n, "\\x%02x", c);
		} else {
			buf[n++] = (char)c;
		}
	}
	if (*what != '\0') {
		memcpy(buf + n, "...", 3);
		n += 3;
	}
	buf[n] = '\0';
	return buf;
}

/*
 * got is want (both may be NULL); otherwise the test fails at the caller's line
 * with what, the case (a table row's input), in the message.
 */
#define unit_str_equal(what, got, want) unit_str_equal_at(what, got, want, __FILE__, __LINE__)

/* got is want; otherwise the test fails at the caller's line, naming the case what. */
#define unit_int_equal(what, got, want) unit_int_equal_at(what, got, want, __FILE__, __LINE__)

static inline void unit_str_equal_at(const char *what, const char *got, const char *want,
				     const char *file, int line)
{
	char shown[UNIT_SHOWN_MAX];

	if (got == NULL && want == NULL)
		return;
	if (got != NULL && want != NULL && strcmp(got, want) == 0)
		return;
	print_error("ERROR: %s: got %s%s%s, expected %s%s%s\n", unit_shown(what, shown),
		    got ? "\"" : "", got ? got : "NULL", got ? "\"" : "", want ? "\"" : "",
		    want ? want : "NULL", want ? "\"" : "");
	_fail(file, line);
}

static inline void unit_int_equal_at(const char *what, long long got, long long want,
				     const char *file, int line)
{
	char shown[UNIT_SHOWN_MAX];

	if (got == want)
		return;
	print_error("ERROR: %s: got %lld, expected %lld\n", unit_shown(what, shown), got, want);
	_fail(file, line);
}

/*
 * cond holds; otherwise the test fails at the caller's line with what, the
 * case, and cond as written in the message. For what is neither a text nor a
 * number to compare: a pointer set or not, an order, a bound.
 */
#define unit_true(what, cond) unit_true_at(what, (cond) != 0, #cond, __FILE__, __LINE__)

static inline void unit_true_at(const char *what, int holds, const char *cond, const char *file,
				int line)
{
	char shown[UNIT_SHOWN_MAX];

	if (holds)
		return;
	print_error("ERROR: %s: not %s\n", unit_shown(what, shown), cond);
	_fail(file, line);
}

/*
 * got holds part (neither is NULL); otherwise the test fails at the
 * caller's line, naming the case what.
 */
#define unit_str_has(what, got, part) unit_str_has_at(what, got, part, __FILE__, __LINE__)

static inline void unit_str_has_at(const char *what, const char *got, const char *part,
				   const char *file, int line)
{
	char shown[UNIT_SHOWN_MAX];

	if (got != NULL && part != NULL && strstr(got, part) != NULL)
		return;
	print_error("ERROR: %s: \"%s\" lacks \"%s\"\n", unit_shown(what, shown), got ? got : "NULL",
		    part ? part : "NULL");
	_fail(file, line);
}

/*
 * pred says yes (want 1) or no (want 0) to every text of the static array
 * texts; otherwise the test fails at the caller's line naming the text.
 */
#define unit_each_is(pred, texts, want)                                                            \
	unit_each_is_at(pred, #pred, texts, UNIT_NELEM(texts), want, __FILE__, __LINE__)

static inline void unit_each_is_at(int (*pred)(const char *), const char *name,
				   const char *const *texts, size_t n, int want, const char *file,
				   int line)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if ((pred(texts[i]) != 0) == (want != 0))
			continue;
		print_error("ERROR: %s(\"%s\") is %s\n", name, texts[i], want ? "false" : "true");
		_fail(file, line);
	}
}

/*
 * A parser's argv: cmd, then the arguments of ap up to its NULL. argv has room
 * for cmd, max arguments and the closing NULL (max + 2); more than max fails
 * the test. Returns argc; the caller ends ap.
 */
static inline int unit_vargv(char **argv, int max, const char *cmd, va_list ap)
{
	const char *a;
	int argc = 0;

	argv[argc++] = (char *)cmd;
	while ((a = va_arg(ap, const char *)) != NULL) {
		assert_true(argc <= max);
		argv[argc++] = (char *)a;
	}
	argv[argc] = NULL;
	return argc;
}

/*
 * In a function whose arguments end with such a NULL-terminated list after
 * its parameter last: declares argv (cmd, the list, NULL; room for max
 * arguments) and argc, and fills them with unit_vargv.
 */
#define UNIT_VARGV(argv, argc, max, cmd, last)                                                     \
	char *argv[(max) + 2];                                                                     \
	int argc;                                                                                  \
	do {                                                                                       \
		va_list unit_ap_;                                                                  \
		va_start(unit_ap_, last);                                                          \
		argc = unit_vargv(argv, max, cmd, unit_ap_);                                       \
		va_end(unit_ap_);                                                                  \
	} while (0)

#endif
