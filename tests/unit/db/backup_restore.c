/*
 * tests/unit/db/backup_restore.c: the parts of src/db/backup_restore.c that
 * need no server: the backup directory of a path given to verify or
 * restore, the target names refused before anything connects, and the name
 * a replaced database is kept under (cut to fit, never inside a UTF-8
 * character). Restores themselves are tests/integration/test_backup.c's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "db/backup_restore_int.h"
#include "gitrepo.h"
#include "unit.h"

static void a_path_names_its_backup_directory(void **state)
{
	char backup[512], path[BK_PATH_MAX], dir[BK_PATH_MAX], cwd[BK_PATH_MAX];
	FILE *f;
	pp_err err;

	(void)state;
	pp_err_clear(&err);
	snprintf(backup, sizeof(backup), "%s/planpipe-20261204T185748Z", pp_t_tmp);
	assert_int_equal(mkdir(backup, 0700), 0);
	snprintf(path, sizeof(path), "%s/%s", backup, BK_MANIFEST);
	f = fopen(path, "w");
	assert_non_null(f);
	fclose(f);
	/* The directory itself, or a file in it. */
	assert_int_equal(backup_restore_resolve_dir(backup, dir, &err), PP_OK);
	assert_string_equal(dir, backup);
	assert_int_equal(backup_restore_resolve_dir(path, dir, &err), PP_OK);
	assert_string_equal(dir, backup);
	/* A file named without a directory: the current one. */
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir(backup), 0);
	assert_int_equal(backup_restore_resolve_dir(BK_MANIFEST, dir, &err), PP_OK);
	assert_string_equal(dir, ".");
	assert_int_equal(chdir(cwd), 0);
	/* Nothing there: refused, naming it. */
	snprintf(path, sizeof(path), "%s/nosuch", pp_t_tmp);
	assert_int_equal(backup_restore_resolve_dir(path, dir, &err), PP_EINVAL);
	assert_int_equal(strncmp(err.msg, "cannot open ", 12), 0);
	assert_non_null(strstr(err.msg, path));
}

static void target_names_refused_before_anything_runs(void **state)
{
	char longest[64], too_long[65];
	pp_err err;

	(void)state;
	memset(longest, 'd', 63);
	longest[63] = '\0';
	memset(too_long, 'd', 64);
	too_long[64] = '\0';
	pp_err_clear(&err);
	assert_int_equal(backup_restore_target_name("planpipe", &err), PP_OK);
	assert_int_equal(backup_restore_target_name("postgres", &err), PP_OK);
	assert_int_equal(backup_restore_target_name(longest, &err), PP_OK);
	assert_int_equal(backup_restore_target_name("", &err), PP_EINVAL);
	assert_string_equal(err.msg, "\"\" is not a database name (1 to 63 bytes)");
	assert_int_equal(backup_restore_target_name(too_long, &err), PP_EINVAL);
	assert_non_null(strstr(err.msg, "is not a database name (1 to 63 bytes)"));
	assert_int_equal(backup_restore_target_name("template0", &err), PP_EINVAL);
	assert_string_equal(err.msg, "restoring over template0 is refused");
	assert_int_equal(backup_restore_target_name("template1", &err), PP_EINVAL);
	assert_string_equal(err.msg, "restoring over template1 is refused");
}

static void a_replaced_database_keeps_a_dated_name_that_fits(void **state)
{
	char target[64], out[128], want[128];

	(void)state;
	backup_restore_old_name(out, sizeof(out), "planpipe", "20261204T185748", 1);
	assert_string_equal(out, "planpipe_old_20261204T185748");
	backup_restore_old_name(out, sizeof(out), "planpipe", "20261204T185748", 2);
	assert_string_equal(out, "planpipe_old_20261204T185748_2");
	backup_restore_old_name(out, sizeof(out), "planpipe", "20261204T185748", 9);
	assert_string_equal(out, "planpipe_old_20261204T185748_9");
	/* A long target is cut to 40 bytes: the whole name fits 63. */
	memset(target, 'a', 63);
	target[63] = '\0';
	backup_restore_old_name(out, sizeof(out), target, "20261204T185748", 9);
	snprintf(want, sizeof(want), "%.40s_old_20261204T185748_9", target);
	assert_string_equal(out, want);
	assert_true(strlen(out) <= 63);
	/* Never inside a character: "é" (2 bytes) across byte 40 goes whole. */
	memset(target, 'a', 39);
	memcpy(target + 39, "\xc3\xa9zzz", 6);
	backup_restore_old_name(out, sizeof(out), target, "20261204T185748", 1);
	assert_string_equal(out, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa_old_20261204T185748");
	/* A character that ends at byte 40 stays. */
	memset(target, 'a', 38);
	memcpy(target + 38, "\xc3\xa9zzz", 6);
	backup_restore_old_name(out, sizeof(out), target, "20261204T185748", 1);
	assert_string_equal(out,
			    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\xc3\xa9_old_20261204T185748");
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(a_path_names_its_backup_directory),
	cmocka_unit_test(target_names_refused_before_anything_runs),
	cmocka_unit_test(a_replaced_database_keeps_a_dated_name_that_fits),
};

UNIT_MAIN_WITH("backup_restore", tests, pp_t_tmp_group_setup, pp_t_tmp_group_teardown)
