/*
 * tests/unit/cli/cmd_workflow.c: src/cli/cmd_workflow.c's command line
 * (cmd_workflow_int.h): the list form and the add form with its options,
 * anything else answered with the usage, --position only in digits, and
 * --help. (Listing and adding against the database: test_cli.c.)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "unit.h"

#include "capture.h"
#include "cli/cmd_workflow_int.h"

static int parse(int argc, char **argv, void *ctx)
{
	return workflow_parse_args(argc, argv, ctx);
}

/* The usage, as --help prints it. */
static char *usage;

static int setup(void **state)
{
	const char *args[] = {"workflow", "--help", NULL};
	workflow_args a;
	char *err;

	(void)state;
	if (pp_t_capture_argv(parse, args, &a, &usage, &err) != 1 || err[0] != '\0')
		return -1;
	free(err);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(usage);
	return 0;
}

static void help_prints_both_forms_within_80_columns(void **state)
{
	(void)state;
	assert_ptr_equal(strstr(usage, "usage: planpipe workflow PROJECT\n"), usage);
	assert_non_null(strstr(usage, "planpipe workflow add PROJECT WORD [--category C]"));
	pp_t_assert_width(usage, 80);
}

static void one_operand_lists(void **state)
{
	const char *args[] = {"workflow", "API", NULL};
	workflow_args a;

	(void)state;
	pp_t_expect_argv(parse, args, &a, 0, "", "");
	assert_int_equal(a.add, 0);
	assert_string_equal(a.project, "API");
	assert_null(a.word);
}

static void add_takes_project_word_and_options(void **state)
{
	const char *args[] = {"workflow", "--category",       "active",     "add", "API",
			      "review",   "--name=In review", "--position", "25",  NULL};
	workflow_args a;

	(void)state;
	pp_t_expect_argv(parse, args, &a, 0, "", "");
	assert_int_equal(a.add, 1);
	assert_string_equal(a.project, "API");
	assert_string_equal(a.word, "review");
	assert_string_equal(a.category, "active");
	assert_string_equal(a.name, "In review");
	assert_string_equal(a.position, "25");
}

/* Neither form, or an option with the list: the usage on standard error. */
static void anything_else_gets_the_usage(void **state)
{
	const char *none[] = {"workflow", NULL};
	const char *two[] = {"workflow", "API", "review", NULL};
	const char *add_short[] = {"workflow", "add", "API", NULL};
	const char *not_add[] = {"workflow", "put", "API", "review", NULL};
	const char *list_opt[] = {"workflow", "API", "--category", "done", NULL};
	const char *const *cases[] = {none, two, add_short, not_add, list_opt};
	workflow_args a;
	size_t i;

	(void)state;
	for (i = 0; i < UNIT_NELEM(cases); i++)
		pp_t_expect_argv(parse, cases[i], &a, -1, "", usage);
}

static void position_is_digits_only(void **state)
{
	static const char want[] =
		"planpipe workflow: error: --position is a whole number from 0\n";
	const char *neg[] = {"workflow", "add", "API", "review", "--position", "-1", NULL};
	const char *tail[] = {"workflow", "add", "API", "review", "--position", "3x", NULL};
	const char *plus[] = {"workflow", "add", "API", "review", "--position", "+3", NULL};
	const char *zero[] = {"workflow", "add", "API", "review", "--position", "0", NULL};
	workflow_args a;

	(void)state;
	pp_t_expect_argv(parse, neg, &a, -1, "", want);
	pp_t_expect_argv(parse, tail, &a, -1, "", want);
	pp_t_expect_argv(parse, plus, &a, -1, "", want);
	pp_t_expect_argv(parse, zero, &a, 0, "", "");
	assert_string_equal(a.position, "0");
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(help_prints_both_forms_within_80_columns),
	cmocka_unit_test(one_operand_lists),
	cmocka_unit_test(add_takes_project_word_and_options),
	cmocka_unit_test(anything_else_gets_the_usage),
	cmocka_unit_test(position_is_digits_only),
};

UNIT_MAIN_WITH("cmd_workflow", tests, setup, teardown)
