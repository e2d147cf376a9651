/* tests/unit/db/migration.c: tests src/db/migration.c (files, names, directives; no database). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "unit.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db/migration.h"

static pp_rc add(pp_mig_set *set, const char *name, const char *sql, pp_err *err)
{
	pp_err_clear(err);
	return pp_mig_add(set, name, name, sql, strlen(sql), err);
}

/* name with sql is refused (PP_EINVAL) with a message that holds needle. */
static void refused(pp_mig_set *set, const char *name, const char *sql, const char *needle)
{
	pp_err err;

	if (add(set, name, sql, &err) != PP_EINVAL)
		fail_msg("%s: not refused", name);
	unit_str_has(name, err.msg, needle);
}

static void file_names(void **state)
{
	static const char *const good[] = {"0001_init.sql", "0042_add_labels_2.sql",
					   "12345_big.sql"};
	static const char *const bad[] = {"001_short.sql",  "0000_zero.sql", "0001-dash.sql",
					  "0001_Upper.sql", "0001_.sql",     "0001_x.SQL",
					  "abcd_x.sql"};
	pp_mig_set set = {NULL, 0};
	pp_err err;
	size_t i;

	(void)state;
	for (i = 0; i < UNIT_NELEM(good); i++)
		unit_int_equal(good[i], add(&set, good[i], "SELECT 1;", &err), PP_OK);
	for (i = 0; i < UNIT_NELEM(bad); i++) {
		unit_int_equal(bad[i], add(&set, bad[i], "SELECT 1;", &err), PP_EINVAL);
		unit_str_has(bad[i], err.msg, bad[i]);
		unit_str_has(bad[i], err.msg, "NNNN_name.sql");
	}
	assert_int_equal(set.count, 3);
	assert_int_equal(set.items[0].version, 1);
	assert_string_equal(set.items[1].name, "add_labels_2");
	assert_int_equal(pp_mig_latest(&set), 12345);
	pp_mig_set_free(&set);
}

static void duplicate_versions_are_refused(void **state)
{
	pp_mig_set set = {NULL, 0};
	pp_err err;

	(void)state;
	assert_int_equal(add(&set, "0002_b.sql", "SELECT 1;", &err), PP_OK);
	assert_int_equal(add(&set, "0002_c.sql", "SELECT 1;", &err), PP_EINVAL);
	assert_non_null(strstr(err.msg, "0002_c.sql"));
	assert_non_null(strstr(err.msg, "also used by 0002_b.sql"));
	pp_mig_set_free(&set);
}

static void checksum_folds_crlf(void **state)
{
	pp_mig_set set = {NULL, 0};
	pp_err err;

	(void)state;
	assert_int_equal(add(&set, "0001_a.sql", "SELECT 1;\nSELECT 2;\n", &err), PP_OK);
	assert_int_equal(add(&set, "0002_a.sql", "SELECT 1;\r\nSELECT 2;\r\n", &err), PP_OK);
	assert_int_equal(add(&set, "0003_a.sql", "SELECT 1;\nSELECT 3;\n", &err), PP_OK);
	assert_string_equal(set.items[0].checksum, set.items[1].checksum);
	assert_string_not_equal(set.items[0].checksum, set.items[2].checksum);
	/* SHA-256 of "SELECT 1;\nSELECT 2;\n" */
	assert_string_equal(set.items[0].checksum,
			    "82efb67f3010c6eb7ead02e4f6d9550633dbc1407f99aa487468e7b2567aebbc");
	pp_mig_set_free(&set);
}

static void directives(void **state)
{
	pp_mig_set set = {NULL, 0};
	pp_err err;

	(void)state;
	assert_int_equal(add(&set, "0001_a.sql",
			     "-- planpipe:lock_timeout=5s\n-- planpipe:statement_timeout=2min\n"
			     "ALTER TABLE t ADD c int;\n",
			     &err),
			 PP_OK);
	assert_string_equal(set.items[0].lock_timeout, "5s");
	assert_string_equal(set.items[0].statement_timeout, "2min");
	assert_false(set.items[0].no_transaction);

	assert_int_equal(add(&set, "0002_b.sql",
			     "-- planpipe:no-transaction\nCREATE INDEX CONCURRENTLY i ON t (c);\n",
			     &err),
			 PP_OK);
	assert_true(set.items[1].no_transaction);

	refused(&set, "0003_c.sql", "-- planpipe:lock_timeout=soon\nSELECT 1;\n", "0003_c.sql:1:");
	refused(&set, "0003_c.sql", "-- planpipe:notransaction\nSELECT 1;\n", "unknown directive");
	refused(&set, "0003_c.sql", "SELECT 1;\n-- planpipe:no-transaction\n",
		"0003_c.sql:2: directives must come before");
	pp_mig_set_free(&set);
}

static void statement_rules(void **state)
{
	pp_mig_set set = {NULL, 0};

	(void)state;
	refused(&set, "0001_a.sql",
		"-- planpipe:no-transaction\nCREATE INDEX CONCURRENTLY i ON t (a);\n"
		"CREATE INDEX CONCURRENTLY j ON t (b);\n",
		"0001_a.sql:3: a no-transaction migration must hold exactly one");
	refused(&set, "0001_a.sql", "SELECT 1;\nVACUUM t;\n", "0001_a.sql:2: VACUUM cannot run");
	refused(&set, "0001_a.sql", "-- only a comment\n", "holds no SQL statement");
	refused(&set, "0001_a.sql", "SELECT 1;\nSELECT 'open;\n",
		"0001_a.sql:2: unterminated quoted string");
	assert_int_equal(set.count, 0);
	pp_mig_set_free(&set);
}

static void load_dir_ignores_other_files(void **state)
{
	char tmpl[] = "/tmp/pp-unit-XXXXXX";
	char *dir = mkdtemp(tmpl), path[512];
	pp_mig_set set = {NULL, 0};
	pp_err err;
	FILE *f;

	(void)state;
	assert_non_null(dir);
	snprintf(path, sizeof(path), "%s/0002_b.sql", dir);
	f = fopen(path, "w");
	fputs("SELECT 2;\n", f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/README.md", dir);
	f = fopen(path, "w");
	fputs("notes\n", f);
	fclose(f);
	assert_int_equal(pp_mig_load_dir(dir, &set, &err), PP_OK);
	assert_int_equal(set.count, 1);
	pp_mig_set_free(&set);

	snprintf(path, sizeof(path), "%s/2_typo.sql", dir);
	f = fopen(path, "w");
	fputs("SELECT 2;\n", f);
	fclose(f);
	assert_int_equal(pp_mig_load_dir(dir, &set, &err), PP_EINVAL);
	assert_non_null(strstr(err.msg, "2_typo.sql"));
	pp_mig_set_free(&set);
	unlink(path);

	assert_int_equal(pp_mig_load_dir("/nonexistent/dir", &set, &err), PP_EIO);
	assert_non_null(strstr(err.msg, "/nonexistent/dir"));
	pp_mig_set_free(&set);
	snprintf(path, sizeof(path), "%s/0002_b.sql", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/README.md", dir);
	unlink(path);
	rmdir(dir);
}

static void embedded_migrations_load(void **state)
{
	pp_mig_set set = {NULL, 0};
	pp_err err;

	(void)state;
	assert_int_equal(pp_mig_load_embedded(&set, &err), PP_OK);
	assert_int_equal(set.count, pp_embedded_migrations_count);
	assert_int_equal(pp_mig_latest(&set), pp_mig_required_version());
	pp_mig_set_free(&set);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(file_names),
	cmocka_unit_test(duplicate_versions_are_refused),
	cmocka_unit_test(checksum_folds_crlf),
	cmocka_unit_test(directives),
	cmocka_unit_test(statement_rules),
	cmocka_unit_test(load_dir_ignores_other_files),
	cmocka_unit_test(embedded_migrations_load),
};

UNIT_MAIN("migration", tests)
