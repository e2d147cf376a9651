/*
 * tests/unit/cli/cmd_pitr.c: how src/cli/cmd_pitr.c shows planpipe-pitr's
 * output (cmd_pitr_int.h): its errors as the command's on standard error,
 * every other line on standard output, blank lines and a last line without
 * a newline included. (Running pgBackRest: tests/integration/test_pitr.c.)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "unit.h"

#include "capture.h"
#include "cli/cmd_pitr_int.h"

/* A copy of the output to cut, for pp_t_expect_call; NULL stays NULL. */
static int show(void *ctx)
{
	char *copy = ctx ? strdup(ctx) : NULL;

	assert_true(ctx == NULL || copy != NULL);
	pitr_print_output("restore", copy);
	free(copy);
	return 0;
}

static void errors_go_to_standard_error_as_the_commands(void **state)
{
	(void)state;
	pp_t_expect_call(show,
			 "stanza: planpipe\n"
			 "planpipe-pitr: error: no backup in the repository\n"
			 "the running cluster was not changed\n",
			 0, "stanza: planpipe\nthe running cluster was not changed\n",
			 "planpipe restore: error: no backup in the repository\n");
	/* The prefix only at the start of a line. */
	pp_t_expect_call(show, "note: planpipe-pitr: error: quoted", 0,
			 "note: planpipe-pitr: error: quoted\n", "");
}

static void last_line_without_newline_and_blank_lines_are_shown(void **state)
{
	(void)state;
	pp_t_expect_call(show, "one\ntwo", 0, "one\ntwo\n", "");
	pp_t_expect_call(show, "one\n\ntwo\n", 0, "one\n\ntwo\n", "");
	pp_t_expect_call(show, "\nplanpipe-pitr: error: after a blank line\n", 0, "\n",
			 "planpipe restore: error: after a blank line\n");
}

static void nothing_prints_nothing(void **state)
{
	(void)state;
	pp_t_expect_call(show, NULL, 0, "", "");
	pp_t_expect_call(show, "", 0, "", "");
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(errors_go_to_standard_error_as_the_commands),
	cmocka_unit_test(last_line_without_newline_and_blank_lines_are_shown),
	cmocka_unit_test(nothing_prints_nothing),
};

UNIT_MAIN("cmd_pitr", tests)
