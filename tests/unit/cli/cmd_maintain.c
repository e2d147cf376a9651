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

#include "unit.h"

#include "capture.h"
#include "cli/cmd_maintain_int.h"

/* The configured months ahead the parse starts from. */
#define CONFIGURED 7

static int parse(int argc, char **argv, void *ctx)
{
	return maintain_parse_args(argc, argv, CONFIGURED, ctx);
}

#define MONTHS "planpipe maintain: error: --months-ahead expects a whole number from 0 to 120\n"
#define LOCK   "planpipe maintain: error: --lock-timeout expects seconds, 0 to 3600\n"

/* A command line and what it sets: months ahead, the lock timeout in ms; or its refusal. */
typedef struct case_ {
	const char *args[4];
	int months, lock_ms;
	const char *err; /* NULL: accepted without a word */
} case_;

/* The configured months and ten seconds by default; --lock-timeout sets both waits. */
static const case_ cases[] = {
	{{"maintain"}, CONFIGURED, 10000, NULL},
	{{"maintain", "--months-ahead", "0"}, 0, 10000, NULL},
	{{"maintain", "--months-ahead=120"}, 120, 10000, NULL},
	{{"maintain", "--months-ahead", "121"}, 0, 0, MONTHS},
	{{"maintain", "--months-ahead", "-1"}, 0, 0, MONTHS},
	{{"maintain", "--months-ahead", "12m"}, 0, 0, MONTHS},
	{{"maintain", "--months-ahead", ""}, 0, 0, MONTHS},
	{{"maintain", "--lock-timeout", "30"}, CONFIGURED, 30000, NULL},
	{{"maintain", "--lock-timeout", "0"}, CONFIGURED, 0, NULL},
	{{"maintain", "--lock-timeout", "3601"}, 0, 0, LOCK},
	{{"maintain", "--lock-timeout", "1.5"}, 0, 0, LOCK},
};

/* A case's command line, spaced, to name it in a failure. */
static const char *line_of(const case_ *c, char *buf, size_t size)
{
	size_t i, len = 0;

	buf[0] = '\0';
	for (i = 0; i < UNIT_NELEM(c->args) && c->args[i] != NULL && len < size; i++)
		len += (size_t)snprintf(buf + len, size - len, "%s%s", i ? " " : "", c->args[i]);
	return buf;
}

static void options_set_their_numbers_in_range(void **state)
{
	char line[128];
	size_t i;

	(void)state;
	for (i = 0; i < UNIT_NELEM(cases); i++) {
		pp_maintain_opts o;

		memset(&o, 0xff, sizeof(o));
		pp_t_expect_argv(parse, cases[i].args, &o, cases[i].err ? -1 : 0, "",
				 cases[i].err ? cases[i].err : "");
		if (cases[i].err)
			continue;
		line_of(&cases[i], line, sizeof(line));
		unit_int_equal(line, o.months_ahead, cases[i].months);
		unit_int_equal(line, o.lock_timeout_ms, cases[i].lock_ms);
		unit_int_equal(line, o.busy_wait_ms, cases[i].lock_ms);
		if (o.on_step != NULL)
			fail_msg("%s: on_step is set", line);
	}
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

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(options_set_their_numbers_in_range),
	cmocka_unit_test(operands_are_refused),
	cmocka_unit_test(usage_lists_the_options_within_80_columns),
};

UNIT_MAIN("cmd_maintain", tests)
