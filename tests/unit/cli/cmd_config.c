/*
 * tests/unit/cli/cmd_config.c: src/cli/cmd_config.c's pure parts: the
 * subcommands' error lines (pp_cli_error: the prefix on every line, "error: "
 * on the first) and `planpipe config`'s own command line (--help, no
 * arguments). (The settings it prints: tests/integration/test_cli.c.)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "unit.h"

#include "capture.h"
#include "cli/cli.h"

static int error_line(void *ctx)
{
	pp_cli_error("backup verify", ctx);
	return 0;
}

static void error_prefixes_every_line(void **state)
{
	(void)state;
	pp_t_expect_call(error_line, "the manifest is missing", 0, "",
			 "planpipe backup verify: error: the manifest is missing\n");
	pp_t_expect_call(error_line, "first\nsecond\n", 0, "",
			 "planpipe backup verify: error: first\nplanpipe backup verify: second\n");
	pp_t_expect_call(error_line, "a\n\nb", 0, "",
			 "planpipe backup verify: error: a\nplanpipe backup verify: \n"
			 "planpipe backup verify: b\n");
	pp_t_expect_call(error_line, "", 0, "", "");
}

static int config(int argc, char **argv, void *ctx)
{
	return pp_cli_config(argc, argv, ctx);
}

static void config_takes_help_and_nothing_else(void **state)
{
	const char *help[] = {"config", "--help", NULL};
	const char *h[] = {"config", "-h", NULL};
	const char *extra[] = {"config", "--json", NULL};
	pp_config cfg;
	char *out, *err;

	(void)state;
	memset(&cfg, 0, sizeof(cfg));
	assert_int_equal(pp_t_capture_argv(config, help, &cfg, &out, &err), PP_EXIT_OK);
	assert_string_equal(err, "");
	assert_ptr_equal(strstr(out, "usage: planpipe config\n\n"), out);
	pp_t_assert_width(out, 80);
	pp_t_expect_argv(config, h, &cfg, PP_EXIT_OK, out, "");
	pp_t_expect_argv(config, extra, &cfg, PP_EXIT_ERROR, "",
			 "planpipe config: error: takes no arguments (see planpipe config "
			 "--help)\n");
	free(out);
	free(err);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(error_prefixes_every_line),
	cmocka_unit_test(config_takes_help_and_nothing_else),
};

UNIT_MAIN("cmd_config", tests)
