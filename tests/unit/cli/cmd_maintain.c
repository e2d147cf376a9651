/*
 * tests/unit/cli/cmd_maintain.c: src/cli/cmd_maintain.c's command line and
 * usage (cmd_maintain_int.h): the configured months ahead as the default,
 * --months-ahead from 0 to 120, --lock-timeout from 0 to 3600 seconds for
 * both waits, the exact refusals, no operands, and the usage's option lines
 * from the table within 80 columns. (The maintenance itself:
 * tests/integration/test_maintain.c.)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "capture.h"
#include "cli/cmd_maintain_int.h"

/* The configured months ahead the parse starts from. */
#define CONFIGURED 7

static int parse(int argc, char **argv, void *ctx)
{
	return maintain_parse_args(argc, argv, CONFIGURED, ctx);
}

static void defaults_are_the_setting_and_ten_seconds(void **state)
{
	const char *args[] = {"maintain", NULL};
	pp_maintain_opts o;

	(void)state;
	memset(&o, 0xff, sizeof(o));
	pp_t_expect_argv(parse, args, &o, 0, "", "");
	assert_int_equal(o.months_ahead, CONFIGURED);
	assert_int_equal(o.lock_timeout_ms, 10000);
	assert_int_equal(o.busy_wait_ms, 10000);
	assert_null(o.on_step);
}

static void months_ahead_from_0_to_120(void **state)
{
	static const char want[] =
		"planpipe maintain: error: --months-ahead expects a whole number from 0 to 120\n";
	const char *zero[] = {"maintain", "--months-ahead", "0", NULL};
	const char *top[] = {"maintain", "--months-ahead=120", NULL};
	const char *over[] = {"maintain", "--months-ahead", "121", NULL};
	const char *neg[] = {"maintain", "--months-ahead", "-1", NULL};
	const char *word[] = {"maintain", "--months-ahead", "12m", NULL};
	const char *empty[] = {"maintain", "--months-ahead", "", NULL};
	pp_maintain_opts o;

	(void)state;
	pp_t_expect_argv(parse, zero, &o, 0, "", "");
	assert_int_equal(o.months_ahead, 0);
	pp_t_expect_argv(parse, top, &o, 0, "", "");
	assert_int_equal(o.months_ahead, 120);
	pp_t_expect_argv(parse, over, &o, -1, "", want);
	pp_t_expect_argv(parse, neg, &o, -1, "", want);
	pp_t_expect_argv(parse, word, &o, -1, "", want);
	pp_t_expect_argv(parse, empty, &o, -1, "", want);
}

/* One number for both waits: the lock and another session's step. */
static void lock_timeout_sets_both_waits(void **state)
{
	static const char want[] =
		"planpipe maintain: error: --lock-timeout expects seconds, 0 to 3600\n";
	const char *thirty[] = {"maintain", "--lock-timeout", "30", NULL};
	const char *zero[] = {"maintain", "--lock-timeout", "0", NULL};
	const char *over[] = {"maintain", "--lock-timeout", "3601", NULL};
	const char *frac[] = {"maintain", "--lock-timeout", "1.5", NULL};
	pp_maintain_opts o;

	(void)state;
	pp_t_expect_argv(parse, thirty, &o, 0, "", "");
	assert_int_equal(o.lock_timeout_ms, 30000);
	assert_int_equal(o.busy_wait_ms, 30000);
	assert_int_equal(o.months_ahead, CONFIGURED);
	pp_t_expect_argv(parse, zero, &o, 0, "", "");
	assert_int_equal(o.lock_timeout_ms, 0);
	assert_int_equal(o.busy_wait_ms, 0);
	pp_t_expect_argv(parse, over, &o, -1, "", want);
	pp_t_expect_argv(parse, frac, &o, -1, "", want);
}

static void operands_are_refused(void **state)
{
	const char *args[] = {"maintain", "now", NULL};
	pp_maintain_opts o;

	(void)state;
	pp_t_expect_argv(parse, args, &o, -1, "",
			 "planpipe maintain: error: too many arguments (see planpipe maintain "
			 "--help)\n");
}

/* The option lines come from the table, help aligned at column 26. */
static void usage_lists_the_options_within_80_columns(void **state)
{
	static const char lines[] =
		"options:\n"
		"  --months-ahead N        partitions ahead of this month, 0 to 120\n"
		"                          (default PLANPIPE_HISTORY_MONTHS_AHEAD, 12)\n"
		"  --lock-timeout SECONDS  how long one step waits for status_history's lock or\n"
		"                          for another session's step (default 10)\n"
		"\n";
	const char *args[] = {"maintain", "--help", NULL};
	char *text = NULL, *out, *err;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	pp_maintain_opts o;

	(void)state;
	assert_non_null(f);
	maintain_usage(f);
	assert_int_equal(fclose(f), 0);
	assert_ptr_equal(strstr(text, "usage: planpipe maintain [--months-ahead N]"), text);
	assert_non_null(strstr(text, lines));
	pp_t_assert_width(text, 80);
	assert_int_equal(pp_t_capture_argv(parse, args, &o, &out, &err), 1);
	assert_string_equal(out, text);
	assert_string_equal(err, "");
	free(out);
	free(err);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(defaults_are_the_setting_and_ten_seconds),
		cmocka_unit_test(months_ahead_from_0_to_120),
		cmocka_unit_test(lock_timeout_sets_both_waits),
		cmocka_unit_test(operands_are_refused),
		cmocka_unit_test(usage_lists_the_options_within_80_columns),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
