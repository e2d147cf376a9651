/*
 * tests/unit/db/pitr.c: tests what src/db/pitr.c decides without a
 * database: the options it refuses before connecting, and the command line
 * the server is asked to run. Running it is tests/integration/test_pitr.c.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "unit.h"
#include <stdlib.h>
#include <string.h>

#include "db/pitr.h"
#include "db/pitr_int.h"

/* The command line o and target make is want. */
static void expect_command(const pp_pitr_opts *o, const char *target, const char *want)
{
	pp_buf b;

	pp_buf_init(&b, 4096);
	assert_int_equal(pitr_build_command(o, target, &b), PP_OK);
	assert_string_equal(pp_buf_str(&b), want);
	pp_buf_free(&b);
}

static void backup_command(void **state)
{
	pp_pitr_opts o;

	(void)state;
	unsetenv("PLANPIPE_PITR_PROGRAM");
	memset(&o, 0, sizeof(o));
	o.op = PP_PITR_BACKUP;
	expect_command(&o, "", "planpipe-pitr --copy backup --type full");
	o.type = "incr";
	expect_command(&o, "", "planpipe-pitr --copy backup --type incr");
	/* A restore's options mean nothing to a backup. */
	o.no_switch = 1;
	o.to_lsn = "0/3000000";
	expect_command(&o, "0/3000000", "planpipe-pitr --copy backup --type incr");
}

static void restore_command(void **state)
{
	pp_pitr_opts o;

	(void)state;
	unsetenv("PLANPIPE_PITR_PROGRAM");
	memset(&o, 0, sizeof(o));
	o.op = PP_PITR_RESTORE;
	o.to_time = "yesterday noon";
	expect_command(&o, "2026-12-03 12:00:00+00",
		       "planpipe-pitr --copy restore --time '2026-12-03 12:00:00+00'");
	o.to_time = NULL;
	o.to_lsn = "0/3000028";
	o.no_switch = 1;
	expect_command(&o, "0/3000028",
		       "planpipe-pitr --copy restore --lsn '0/3000028' --no-switch");
}

static void program_from_the_environment(void **state)
{
	pp_pitr_opts o;

	(void)state;
	memset(&o, 0, sizeof(o));
	o.op = PP_PITR_BACKUP;
	setenv("PLANPIPE_PITR_PROGRAM", "/opt/pp/pitr.sh", 1);
	expect_command(&o, "", "/opt/pp/pitr.sh --copy backup --type full");
	setenv("PLANPIPE_PITR_PROGRAM", "", 1);
	expect_command(&o, "", "planpipe-pitr --copy backup --type full");
	unsetenv("PLANPIPE_PITR_PROGRAM");
}

static void command_over_the_buffer_cap(void **state)
{
	pp_pitr_opts o;
	pp_buf b;

	(void)state;
	memset(&o, 0, sizeof(o));
	o.op = PP_PITR_RESTORE;
	o.to_lsn = "0/1";
	pp_buf_init(&b, 16);
	assert_int_equal(pitr_build_command(&o, "0/1", &b), PP_ETOOBIG);
	pp_buf_free(&b);
}

/* Refused before anything connects: cfg names no server at all. */
static void refuses_bad_options_before_connecting(void **state)
{
	pp_pitr_result res;
	pp_pitr_opts o;
	pp_config cfg;
	pp_err err;

	(void)state;
	memset(&cfg, 0, sizeof(cfg));
	cfg.database_url = "host=/nonexistent-pp-unit-dir";
	cfg.connect_timeout_s = 2;
	memset(&o, 0, sizeof(o));
	o.op = PP_PITR_RESTORE;
	pp_err_clear(&err);
	assert_int_equal(pp_pitr_run(&cfg, &o, &res, &err), PP_EINVAL);
	assert_string_equal(err.msg, "give exactly one of --to-time and --to-lsn");
	assert_null(res.output);
	o.to_time = "2026-12-01";
	o.to_lsn = "0/1";
	assert_int_equal(pp_pitr_run(&cfg, &o, &res, &err), PP_EINVAL);
	assert_string_equal(err.msg, "give exactly one of --to-time and --to-lsn");

	memset(&o, 0, sizeof(o));
	o.op = PP_PITR_BACKUP;
	o.type = "full; rm -rf /";
	assert_int_equal(pp_pitr_run(&cfg, &o, &res, &err), PP_EINVAL);
	assert_string_equal(err.msg, "--type 'full; rm -rf /' is not full, diff or incr");
	o.type = "FULL";
	assert_int_equal(pp_pitr_run(&cfg, &o, &res, &err), PP_EINVAL);
	o.type = "";
	assert_int_equal(pp_pitr_run(&cfg, &o, &res, &err), PP_EINVAL);

	/* Good options get as far as connecting, which fails here. */
	o.type = "diff";
	assert_int_not_equal(pp_pitr_run(&cfg, &o, &res, &err), PP_EINVAL);
	assert_null(strstr(err.msg, "is not full, diff or incr"));
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(backup_command),
	cmocka_unit_test(restore_command),
	cmocka_unit_test(program_from_the_environment),
	cmocka_unit_test(command_over_the_buffer_cap),
	cmocka_unit_test(refuses_bad_options_before_connecting),
};

UNIT_MAIN("pitr", tests)
