/*
 * tests/unit/cli/cmd_backup.c: src/cli/cmd_backup.c's pure parts
 * (cmd_backup_int.h): the usages within 80 columns, the command line of
 * backup, backup verify and restore (--keep and --jobs from 1 to 1000, one
 * operand, the own message for an unknown option), which options each form
 * refuses with which message, and sizes as people read them. (Backing up
 * and restoring: tests/integration/test_backup.c, test_pitr.c.)
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
#include "cli/cmd_backup_int.h"

static int parse_backup(int argc, char **argv, void *ctx)
{
	return backup_parse_args("backup", backup_usage, argc, argv, ctx);
}

static int parse_restore(int argc, char **argv, void *ctx)
{
	return backup_parse_args("restore", backup_restore_usage, argc, argv, ctx);
}

/* The parse, then the check of the form: backup (0), backup verify (1) or restore (2). */
typedef struct form {
	int which;
	backup_args a;
} form;

static int parse_and_check(int argc, char **argv, void *ctx)
{
	form *f = ctx;
	int r = f->which == 2 ? parse_restore(argc, argv, &f->a)
			      : backup_parse_args(f->which ? "backup verify" : "backup",
						  backup_usage, argc, argv, &f->a);

	if (r != 0)
		return r;
	return f->which == 0   ? backup_check_backup(&f->a)
	       : f->which == 1 ? backup_check_verify(&f->a)
			       : backup_check_restore(&f->a);
}

static void usages_fit_80_columns(void **state)
{
	(void)state;
	assert_ptr_equal(strstr(backup_usage, "usage: planpipe backup [--out DIR]"), backup_usage);
	assert_ptr_equal(strstr(backup_restore_usage, "usage: planpipe restore BACKUP"),
			 backup_restore_usage);
	pp_t_assert_width(backup_usage, 80);
	pp_t_assert_width(backup_restore_usage, 80);
}

static void backup_parses_its_options(void **state)
{
	const char *args[] = {"backup", "--out", "/b", "--keep=3", "--pg-bindir", "/pg", NULL};
	const char *bare[] = {"backup", NULL};
	backup_args a;

	(void)state;
	pp_t_expect_argv(parse_backup, args, &a, 0, "", "");
	assert_string_equal(a.out, "/b");
	assert_int_equal(a.out_given, 1);
	assert_int_equal(a.keep, 3);
	assert_string_equal(a.bindir, "/pg");
	assert_null(a.operand);
	pp_t_expect_argv(parse_backup, bare, &a, 0, "", "");
	assert_string_equal(a.out, "backups");
	assert_int_equal(a.out_given, 0);
	assert_string_equal(a.cmd, "backup");
}

/* --keep and --jobs from 1 to 1000; refusals are in cases below. */
static void counts_run_from_1_to_1000(void **state)
{
	const char *top[] = {"restore", "B", "--jobs", "1000", NULL};
	const char *one[] = {"backup", "--keep", "1", NULL};
	backup_args a;

	(void)state;
	pp_t_expect_argv(parse_restore, top, &a, 0, "", "");
	assert_int_equal(a.jobs, 1000);
	pp_t_expect_argv(parse_backup, one, &a, 0, "", "");
	assert_int_equal(a.keep, 1);
}

/* Its own words, then a blank line and the usage, on standard error. */
static void unknown_options_and_second_operands(void **state)
{
	const char *unknown[] = {"backup", "--bogus", NULL};
	const char *missing[] = {"restore", "B", "--target", NULL};
	const char *second[] = {"restore", "B", "C", NULL};
	char want[4096];
	backup_args a;

	(void)state;
	snprintf(want, sizeof(want),
		 "planpipe backup: unknown or incomplete option '--bogus'\n\n%s", backup_usage);
	pp_t_expect_argv(parse_backup, unknown, &a, -1, "", want);
	snprintf(want, sizeof(want),
		 "planpipe restore: unknown or incomplete option '--target'\n\n%s",
		 backup_restore_usage);
	pp_t_expect_argv(parse_restore, missing, &a, -1, "", want);
	snprintf(want, sizeof(want), "planpipe restore: unexpected argument 'C'\n\n%s",
		 backup_restore_usage);
	pp_t_expect_argv(parse_restore, second, &a, -1, "", want);
}

/* A command line of form which (0 backup, 1 backup verify, 2 restore) and what it must print. */
typedef struct case_ {
	int which;
	const char *args[8];
	const char *err; /* NULL: accepted without a word */
} case_;

static const case_ cases[] = {
	{0, {"backup", "--out", "/b", "--keep", "2"}, NULL},
	{2,
	 {"restore", "B", "--jobs", "0"},
	 "planpipe restore: error: --jobs \"0\" is not a whole number from 1 to 1000\n"},
	{0,
	 {"backup", "--keep", "1001"},
	 "planpipe backup: error: --keep \"1001\" is not a whole number from 1 to 1000\n"},
	{0,
	 {"backup", "--keep", "two"},
	 "planpipe backup: error: --keep \"two\" is not a whole number from 1 to 1000\n"},
	{0, {"backup", "--pitr", "--type", "diff"}, NULL},
	{0,
	 {"backup", "--target", "db"},
	 "planpipe backup: error: backup does not take --target\n"},
	{0, {"backup", "--jobs", "2"}, "planpipe backup: error: backup does not take --jobs\n"},
	{0,
	 {"backup", "--type", "full"},
	 "planpipe backup: error: backup does not take --type without --pitr\n"},
	{0,
	 {"backup", "--to-lsn", "0/1"},
	 "planpipe backup: error: backup does not take --to-lsn\n"},
	{0,
	 {"backup", "--pitr", "--out", "/b"},
	 "planpipe backup --pitr: error: backup --pitr does not take --out\n"},
	{0,
	 {"backup", "--pitr", "--keep", "1"},
	 "planpipe backup --pitr: error: backup --pitr does not take --keep (pgBackRest's "
	 "retention is PGBACKREST_REPO1_RETENTION_FULL)\n"},
	{0,
	 {"backup", "--pitr", "list"},
	 "planpipe backup --pitr: error: backup --pitr does not take a subcommand\n"},
	{1, {"verify", "/b/planpipe-x", "--jobs", "4", "--allow-role-passwords"}, NULL},
	{1,
	 {"verify"},
	 "planpipe backup verify: error: which backup? planpipe backup verify DIR\n"},
	{1,
	 {"verify", "B", "--keep", "1"},
	 "planpipe backup verify: error: backup verify does not take --keep\n"},
	{1,
	 {"verify", "B", "--force"},
	 "planpipe backup verify: error: backup verify does not take --force\n"},
	{2, {"restore", "B", "--target", "db", "--force", "--drop-old", "--terminate"}, NULL},
	{2, {"restore", "--to-time", "2026-12-04 10:00", "--no-switch"}, NULL},
	{2,
	 {"restore", "B", "--out", "/b"},
	 "planpipe restore: error: restore does not take --out\n"},
	{2,
	 {"restore", "--to-time", "t", "--to-lsn", "0/1"},
	 "planpipe restore: error: give one of --to-time and --to-lsn, not both\n"},
	{2,
	 {"restore", "B", "--to-lsn", "0/1"},
	 "planpipe restore --to-time/--to-lsn: error: restore --to-time/--to-lsn does not take a "
	 "backup directory\n"},
	{2,
	 {"restore", "--to-lsn", "0/1", "--force"},
	 "planpipe restore --to-time/--to-lsn: error: restore --to-time/--to-lsn does not take "
	 "--force\n"},
	{2,
	 {"restore", "B", "--no-switch"},
	 "planpipe restore: error: restore does not take --no-switch without --to-time or "
	 "--to-lsn\n"},
};

/* Each form accepts its own options and refuses the others' with the first it meets. */
static void each_form_refuses_the_others_options(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < UNIT_NELEM(cases); i++) {
		form f = {cases[i].which, {0}};

		pp_t_expect_argv(parse_and_check, cases[i].args, &f, cases[i].err ? -1 : 0, "",
				 cases[i].err ? cases[i].err : "");
	}
}

/* Where the form needs the usage: a backup subcommand it does not know, restore with no backup. */
static void missing_or_unknown_operands_get_the_usage(void **state)
{
	const char *sub[] = {"backup", "list", NULL};
	const char *none[] = {"restore", NULL};
	char want[4096];
	form f = {0, {0}};

	(void)state;
	snprintf(want, sizeof(want), "planpipe backup: unknown subcommand 'list'\n\n%s",
		 backup_usage);
	pp_t_expect_argv(parse_and_check, sub, &f, -1, "", want);
	f.which = 2;
	snprintf(want, sizeof(want), "planpipe restore: which backup?\n\n%s", backup_restore_usage);
	pp_t_expect_argv(parse_and_check, none, &f, -1, "", want);
}

static void human_sizes(void **state)
{
	char s[32];

	(void)state;
	backup_human(0, s, sizeof(s));
	assert_string_equal(s, "0.0 kB");
	backup_human(1536, s, sizeof(s));
	assert_string_equal(s, "1.5 kB");
	backup_human(1024 * 1024 - 1, s, sizeof(s));
	assert_string_equal(s, "1024.0 kB");
	backup_human(1024 * 1024, s, sizeof(s));
	assert_string_equal(s, "1.0 MB");
	backup_human(1024LL * 1024 * 1024 * 5 / 2, s, sizeof(s));
	assert_string_equal(s, "2.50 GB");
	backup_human(1024LL * 1024 * 1024 * 3, s, 4);
	assert_string_equal(s, "3.0");
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(usages_fit_80_columns),
	cmocka_unit_test(backup_parses_its_options),
	cmocka_unit_test(counts_run_from_1_to_1000),
	cmocka_unit_test(unknown_options_and_second_operands),
	cmocka_unit_test(each_form_refuses_the_others_options),
	cmocka_unit_test(missing_or_unknown_operands_get_the_usage),
	cmocka_unit_test(human_sizes),
};

UNIT_MAIN("cmd_backup", tests)
