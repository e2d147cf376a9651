/*
 * tests/unit/db/backup.c: the parts of src/db/backup.c that need no server,
 * on directories under pp_t_tmp: which names are backups, placing a new
 * backup under a name not taken, removing a temporary directory, and
 * --keep's pruning (newest first, damaged backups kept but not counted,
 * anything it does not recognise left alone). The backup itself is
 * tests/integration/test_backup.c's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/sha256.h"
#include "db/backup_int.h"
#include "gitrepo.h"
#include "unit.h"

#define STAMP "20261204T185748Z"

static char out_dir[512];

static int make_dir(void **state)
{
	(void)state;
	if (pp_t_tmp_setup("unit-backup") != 0)
		return -1;
	snprintf(out_dir, sizeof(out_dir), "%s/out", pp_t_tmp);
	return mkdir(out_dir, 0700);
}

static int exists(const char *dir, const char *name)
{
	char path[BK_PATH_MAX];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return lstat(path, &st) == 0;
}

static json_t *file_entry(const char *data)
{
	char hex[PP_SHA256_HEX_LEN + 1];

	pp_sha256_hex(data, strlen(data), hex);
	return json_pack("{s:s, s:I}", "sha256", hex, "bytes", (json_int_t)strlen(data));
}

/* out_dir/name, a backup made at created_at (its files as the manifest says). */
static void backup_at(const char *name, const char *created_at)
{
	char dir[BK_PATH_MAX];
	char *text;
	json_t *m;

	snprintf(dir, sizeof(dir), "%s/%s", out_dir, name);
	assert_int_equal(mkdir(dir, 0700), 0);
	pp_t_put(dir, BK_DUMP, name);
	pp_t_put(dir, BK_GLOBALS, "-- globals\n");
	m = json_pack("{s:s, s:i, s:s, s:i, s:i, s:{}, s:{}, s:{}, s:{s:o, s:o}}", "format",
		      BK_FORMAT, "format_version", BK_FORMAT_VERSION, "created_at", created_at,
		      "schema_version", 29, "server_version_num", 150004, "database", "objects",
		      "tables", "files", BK_DUMP, file_entry(name), BK_GLOBALS,
		      file_entry("-- globals\n"));
	assert_non_null(m);
	text = json_dumps(m, JSON_INDENT(2));
	pp_t_put(dir, BK_MANIFEST, text);
	free(text);
	json_decref(m);
}

typedef struct events {
	char pruned[8][256];
	int n_pruned;
	char warnings[8][512];
	int n_warnings;
} events;

static void on_event(void *ctx, const pp_backup_event *ev)
{
	events *seen = ctx;

	if (ev->kind == PP_BACKUP_EV_PRUNED && seen->n_pruned < 8)
		snprintf(seen->pruned[seen->n_pruned++], 256, "%s", strrchr(ev->text, '/') + 1);
	if (ev->kind == PP_BACKUP_EV_WARNING && seen->n_warnings < 8)
		snprintf(seen->warnings[seen->n_warnings++], 512, "%s", ev->text);
}

/* Prunes out_dir to keep backups, newest just written; the events in *seen. */
static int prune(const char *newest, int keep, events *seen)
{
	pp_backup_common c = {.on_event = on_event, .ctx = seen};
	bk_env e = {.c = &c};
	pp_err err;
	int pruned = 0;

	memset(seen, 0, sizeof(*seen));
	pp_err_clear(&err);
	assert_int_equal(backup_prune(&e, out_dir, newest, keep, &pruned, &err), PP_OK);
	assert_int_equal(pruned, seen->n_pruned);
	return pruned;
}

/* Three good backups, a day apart, the newest 2026-01-03. */
static void three_backups(void)
{
	backup_at("planpipe-20260101T000000Z", "2026-01-01T00:00:00Z");
	backup_at("planpipe-20260102T000000Z", "2026-01-02T00:00:00Z");
	backup_at("planpipe-20260103T000000Z", "2026-01-03T00:00:00Z");
}

static void warned(const events *seen, const char *part)
{
	for (int i = 0; i < seen->n_warnings; i++)
		if (strstr(seen->warnings[i], part))
			return;
	fail_msg("no warning holds \"%s\"", part);
}

static void names_of_backups(void **state)
{
	static const struct {
		const char *name;
		int is, suffix;
	} cases[] = {
		{"planpipe-" STAMP, 1, 1},           {"planpipe-" STAMP "-2", 1, 2},
		{"planpipe-" STAMP "-17", 1, 17},    {"planpipe-" STAMP "-", 0, 0},
		{"planpipe-" STAMP "-2a", 0, 0},     {"planpipe-" STAMP "x", 0, 0},
		{"planpipe-20261204T18574Z", 0, 0},  {"planpipe-2026120xT185748Z", 0, 0},
		{"planpipe-20261204-185748Z", 0, 0}, {".planpipe-" STAMP ".tmp-42", 0, 0},
		{"Planpipe-" STAMP, 0, 0},           {"", 0, 0},
	};

	(void)state;
	for (size_t i = 0; i < UNIT_NELEM(cases); i++) {
		int suffix = 0;
		int is = backup_dir_name(cases[i].name, &suffix);

		if (is != cases[i].is)
			fail_msg("%s: %d, expected %d", cases[i].name, is, cases[i].is);
		if (is)
			unit_int_equal(cases[i].name, suffix, cases[i].suffix);
	}
}

static void places_under_a_name_not_taken(void **state)
{
	char tmp[BK_PATH_MAX], name[256];
	pp_err err;

	(void)state;
	pp_err_clear(&err);
	for (int i = 1; i <= 3; i++) {
		snprintf(tmp, sizeof(tmp), "%s/.planpipe-" STAMP ".tmp-%d", out_dir, i);
		assert_int_equal(mkdir(tmp, 0700), 0);
		pp_t_put(tmp, BK_DUMP, i == 1 ? "first" : "later");
		if (i == 3) /* taken by something else: passed over, not replaced */
			pp_t_put(out_dir, "planpipe-" STAMP "-3", "a file");
		assert_int_equal(backup_place(tmp, out_dir, STAMP, name, sizeof(name), &err),
				 PP_OK);
		assert_false(exists(out_dir, strrchr(tmp, '/') + 1));
	}
	assert_string_equal(name, "planpipe-" STAMP "-4");
	assert_true(exists(out_dir, "planpipe-" STAMP "/" BK_DUMP));
	assert_true(exists(out_dir, "planpipe-" STAMP "-2/" BK_DUMP));
	assert_true(exists(out_dir, "planpipe-" STAMP "-4/" BK_DUMP));
	/* A missing temporary directory is an error naming it. */
	assert_int_equal(backup_place(tmp, out_dir, STAMP, name, sizeof(name), &err), PP_EIO);
	assert_non_null(strstr(err.msg, "cannot rename"));
	assert_non_null(strstr(err.msg, tmp));
}

static void removes_a_temporary_directory(void **state)
{
	char tmp[BK_PATH_MAX];

	(void)state;
	snprintf(tmp, sizeof(tmp), "%s/.planpipe-" STAMP ".tmp-1", out_dir);
	assert_int_equal(mkdir(tmp, 0700), 0);
	pp_t_put(tmp, BK_DUMP, "half a dump");
	pp_t_put(tmp, ".tools.log", "pg_dump: error");
	backup_remove_tmp_dir(tmp);
	assert_false(exists(out_dir, ".planpipe-" STAMP ".tmp-1"));
	backup_remove_tmp_dir(tmp); /* gone already: nothing to do */
}

static void keeps_the_newest_good_backups(void **state)
{
	events seen;

	(void)state;
	backup_at("planpipe-20260101T000000Z", "2026-01-01T00:00:00Z");
	backup_at("planpipe-20260102T000000Z", "2026-01-02T00:00:00Z");
	backup_at("planpipe-20260102T000000Z-2", "2026-01-02T00:00:00Z");
	backup_at("planpipe-20260103T000000Z", "2026-01-03T00:00:00Z");
	/* Newest by its manifest's time, then its suffix. */
	assert_int_equal(prune("planpipe-20260103T000000Z", 2, &seen), 2);
	assert_true(exists(out_dir, "planpipe-20260103T000000Z"));
	assert_true(exists(out_dir, "planpipe-20260102T000000Z-2"));
	assert_false(exists(out_dir, "planpipe-20260102T000000Z"));
	assert_false(exists(out_dir, "planpipe-20260101T000000Z"));
	assert_string_equal(seen.pruned[0], "planpipe-20260102T000000Z");
	assert_string_equal(seen.pruned[1], "planpipe-20260101T000000Z");
	assert_int_equal(seen.n_warnings, 0);
	/* Keeping more than there are removes nothing. */
	assert_int_equal(prune("planpipe-20260103T000000Z", 5, &seen), 0);
}

static void the_new_backup_counts_first_whatever_its_clock(void **state)
{
	events seen;

	(void)state;
	backup_at("planpipe-20260105T000000Z", "2026-01-05T00:00:00Z");
	/* Written by a server whose clock is behind: still the newest. */
	backup_at("planpipe-20260101T000000Z", "2026-01-01T00:00:00Z");
	assert_int_equal(prune("planpipe-20260101T000000Z", 1, &seen), 1);
	assert_true(exists(out_dir, "planpipe-20260101T000000Z"));
	assert_false(exists(out_dir, "planpipe-20260105T000000Z"));
}

static void a_damaged_backup_is_kept_but_not_counted(void **state)
{
	char dir[BK_PATH_MAX];
	events seen;

	(void)state;
	three_backups();
	snprintf(dir, sizeof(dir), "%s/planpipe-20260102T000000Z", out_dir);
	pp_t_put(dir, BK_DUMP, "planpipe-20260102T000000X"); /* same size, other bytes */
	assert_int_equal(prune("planpipe-20260103T000000Z", 2, &seen), 0);
	assert_true(exists(out_dir, "planpipe-20260101T000000Z"));
	assert_true(exists(out_dir, "planpipe-20260102T000000Z"));
	warned(&seen, "planpipe-20260102T000000Z is damaged, kept but not counted as good");
}

static void leaves_alone_what_it_does_not_recognise(void **state)
{
	char dir[BK_PATH_MAX];
	events seen;

	(void)state;
	three_backups();
	backup_at("other-20260101T000000Z", "2026-01-01T00:00:00Z");
	/* A file the manifest does not list: the backup is left in place, whole. */
	snprintf(dir, sizeof(dir), "%s/planpipe-20260101T000000Z", out_dir);
	pp_t_put(dir, "notes.txt", "mine");
	/* A manifest that is not one: left alone, said. */
	snprintf(dir, sizeof(dir), "%s/planpipe-20251231T000000Z", out_dir);
	assert_int_equal(mkdir(dir, 0700), 0);
	pp_t_put(dir, BK_MANIFEST, "{}");
	/* A file named like a backup. */
	pp_t_put(out_dir, "planpipe-20251230T000000Z", "not a directory");
	assert_int_equal(prune("planpipe-20260103T000000Z", 1, &seen), 1);
	assert_string_equal(seen.pruned[0], "planpipe-20260102T000000Z");
	assert_true(exists(out_dir, "planpipe-20260101T000000Z/" BK_MANIFEST));
	assert_true(exists(out_dir, "planpipe-20260101T000000Z/" BK_DUMP));
	assert_true(exists(out_dir, "planpipe-20251231T000000Z"));
	assert_true(exists(out_dir, "planpipe-20251230T000000Z"));
	assert_true(exists(out_dir, "other-20260101T000000Z"));
	warned(&seen, "holds notes.txt, which is not part of a backup: left in place");
	warned(&seen, "planpipe-20251231T000000Z: left alone");
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(names_of_backups),
	cmocka_unit_test_setup_teardown(places_under_a_name_not_taken, make_dir,
					pp_t_tmp_group_teardown),
	cmocka_unit_test_setup_teardown(removes_a_temporary_directory, make_dir,
					pp_t_tmp_group_teardown),
	cmocka_unit_test_setup_teardown(keeps_the_newest_good_backups, make_dir,
					pp_t_tmp_group_teardown),
	cmocka_unit_test_setup_teardown(the_new_backup_counts_first_whatever_its_clock, make_dir,
					pp_t_tmp_group_teardown),
	cmocka_unit_test_setup_teardown(a_damaged_backup_is_kept_but_not_counted, make_dir,
					pp_t_tmp_group_teardown),
	cmocka_unit_test_setup_teardown(leaves_alone_what_it_does_not_recognise, make_dir,
					pp_t_tmp_group_teardown),
};

UNIT_MAIN("backup", tests)
