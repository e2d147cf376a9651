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

/* args pass the parse and the check of form which without a word. */
static void accepted(int which, const char *const *args)
{
	form f = {which, {0}};

	pp_t_expect_argv(parse_and_check, args, &f, 0, "", "");
}

/* args are refused by form which with exactly err. */
static void refused(int which, const char *const *args, const char *err)
{
	form f = {which, {0}};

	pp_t_expect_argv(parse_and_check, args, &f, -1, "", err);
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

static void counts_run_from_1_to_1000(void **state)
{
	const char *top[] = {"restore", "B", "--jobs", "1000", NULL};
	const char *zero[] = {"restore", "B", "--jobs", "0", NULL};
	const char *over[] = {"backup", "--keep", "1001", NULL};
	const char *word[] = {"backup", "--keep", "two", NULL};
	backup_args a;

	(void)state;
	pp_t_expect_argv(parse_restore, top, &a, 0, "", "");
	assert_int_equal(a.jobs, 1000);
	pp_t_expect_argv(parse_restore, zero, &a, -1, "",
			 "planpipe restore: error: --jobs \"0\" is not a whole number from 1 to "
			 "1000\n");
	pp_t_expect_argv(parse_backup, over, &a, -1, "",
			 "planpipe backup: error: --keep \"1001\" is not a whole number from 1 to "
			 "1000\n");
	pp_t_expect_argv(parse_backup, word, &a, -1, "",
			 "planpipe backup: error: --keep \"two\" is not a whole number from 1 to "
			 "1000\n");
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

static void backup_refuses_the_others_options(void **state)
{
	const char *ok[] = {"backup", "--out", "/b", "--keep", "2", NULL};
	const char *pitr[] = {"backup", "--pitr", "--type", "diff", NULL};
	const char *target[] = {"backup", "--target", "db", NULL};
	const char *jobs[] = {"backup", "--jobs", "2", NULL};
	const char *type[] = {"backup", "--type", "full", NULL};
	const char *lsn[] = {"backup", "--to-lsn", "0/1", NULL};
	const char *pitr_out[] = {"backup", "--pitr", "--out", "/b", NULL};
	const char *pitr_keep[] = {"backup", "--pitr", "--keep", "1", NULL};
	const char *pitr_sub[] = {"backup", "--pitr", "list", NULL};
	const char *sub[] = {"backup", "list", NULL};
	char want[4096];

	(void)state;
	accepted(0, ok);
	accepted(0, pitr);
	refused(0, target, "planpipe backup: error: backup does not take --target\n");
	refused(0, jobs, "planpipe backup: error: backup does not take --jobs\n");
	refused(0, type, "planpipe backup: error: backup does not take --type without --pitr\n");
	refused(0, lsn, "planpipe backup: error: backup does not take --to-lsn\n");
	refused(0, pitr_out, "planpipe backup --pitr: error: backup --pitr does not take --out\n");
	refused(0, pitr_keep,
		"planpipe backup --pitr: error: backup --pitr does not take --keep (pgBackRest's "
		"retention is PGBACKREST_REPO1_RETENTION_FULL)\n");
	refused(0, pitr_sub,
		"planpipe backup --pitr: error: backup --pitr does not take a subcommand\n");
	snprintf(want, sizeof(want), "planpipe backup: unknown subcommand 'list'\n\n%s",
		 backup_usage);
	refused(0, sub, want);
}

static void verify_needs_a_backup_and_refuses_the_others_options(void **state)
{
	const char *ok[] = {"verify", "/b/planpipe-x",          "--jobs",
			    "4",      "--allow-role-passwords", NULL};
	const char *none[] = {"verify", NULL};
	const char *keep[] = {"verify", "B", "--keep", "1", NULL};
	const char *force[] = {"verify", "B", "--force", NULL};

	(void)state;
	accepted(1, ok);
	refused(1, none,
		"planpipe backup verify: error: which backup? planpipe backup verify DIR\n");
	refused(1, keep, "planpipe backup verify: error: backup verify does not take --keep\n");
	refused(1, force, "planpipe backup verify: error: backup verify does not take --force\n");
}

static void restore_takes_a_backup_or_a_moment(void **state)
{
	const char *ok[] = {"restore", "B",          "--target",    "db",
			    "--force", "--drop-old", "--terminate", NULL};
	const char *pitr[] = {"restore", "--to-time", "2026-12-04 10:00", "--no-switch", NULL};
	const char *none[] = {"restore", NULL};
	const char *out[] = {"restore", "B", "--out", "/b", NULL};
	const char *both[] = {"restore", "--to-time", "t", "--to-lsn", "0/1", NULL};
	const char *pitr_dir[] = {"restore", "B", "--to-lsn", "0/1", NULL};
	const char *pitr_force[] = {"restore", "--to-lsn", "0/1", "--force", NULL};
	const char *no_switch[] = {"restore", "B", "--no-switch", NULL};
	char want[4096];

	(void)state;
	accepted(2, ok);
	accepted(2, pitr);
	snprintf(want, sizeof(want), "planpipe restore: which backup?\n\n%s", backup_restore_usage);
	refused(2, none, want);
	refused(2, out, "planpipe restore: error: restore does not take --out\n");
	refused(2, both, "planpipe restore: error: give one of --to-time and --to-lsn, not both\n");
	refused(2, pitr_dir,
		"planpipe restore --to-time/--to-lsn: error: restore --to-time/--to-lsn does not "
		"take a backup directory\n");
	refused(2, pitr_force,
		"planpipe restore --to-time/--to-lsn: error: restore --to-time/--to-lsn does not "
		"take --force\n");
	refused(2, no_switch,
		"planpipe restore: error: restore does not take --no-switch without --to-time or "
		"--to-lsn\n");
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(usages_fit_80_columns),
		cmocka_unit_test(backup_parses_its_options),
		cmocka_unit_test(counts_run_from_1_to_1000),
		cmocka_unit_test(unknown_options_and_second_operands),
		cmocka_unit_test(backup_refuses_the_others_options),
		cmocka_unit_test(verify_needs_a_backup_and_refuses_the_others_options),
		cmocka_unit_test(restore_takes_a_backup_or_a_moment),
		cmocka_unit_test(human_sizes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
