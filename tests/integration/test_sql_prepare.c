/*
 * test_sql_prepare.c: every named statement of every module's .sql files
 * (src/api/sql/, src/cli/sql/, src/db/sql/; src/db/sql.h), its fragments
 * expanded, is PREPAREd against a freshly migrated database, with its
 * parameters' types left to the server as the callers leave them. A
 * statement that no longer parses, or names a table, column or function
 * that the migrations do not create, fails here instead of in a request or
 * a command. Each file's "-- name:" lines are counted too, so that a block
 * the loader missed cannot pass unnoticed.
 *
 * A few statements cannot be PREPAREd; each is listed in exceptions[] with
 * the reason and, where it can, run instead.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "api/sql.h"
#include "cli/sql.h"
#include "db/migration.h"
#include "db/sql.h"
#include "harness.h"

extern const pp_embedded_file pp_embedded_api_sql[], pp_embedded_cli_sql[], pp_embedded_db_sql[];
extern const size_t pp_embedded_api_sql_count, pp_embedded_cli_sql_count, pp_embedded_db_sql_count;

typedef struct exception {
	const char *dir, *file, *name;
	int run; /* run it with PQexec instead: the statements after it may need it */
	const char *why;
} exception;

/* In the order they come (sets, then files and blocks as the loader reads them). */
static const exception exceptions[] = {
	{"src/db/sql", "backup_manifest.sql", "session", 1,
	 "several SET statements in one text: a prepared statement holds one"},
	{"src/db/sql", "pitr.sql", "session", 1,
	 "several statements in one text; it creates pp_pitr_out, which lines reads"},
};

static const exception *exception_of(const char *dir, const char *file, const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(exceptions) / sizeof(exceptions[0]); i++)
		if (strcmp(exceptions[i].dir, dir) == 0 && strcmp(exceptions[i].file, file) == 0 &&
		    strcmp(exceptions[i].name, name) == 0)
			return &exceptions[i];
	return NULL;
}

/* The "-- name: " lines of n embedded files. */
static size_t named_blocks(const pp_embedded_file *files, size_t n_files)
{
	size_t i, n = 0;
	const char *p;

	for (i = 0; i < n_files; i++) {
		p = files[i].data;
		if (strncmp(p, "-- name: ", 9) == 0)
			n++;
		while ((p = strstr(p, "\n-- name: ")) != NULL) {
			n++;
			p++;
		}
	}
	return n;
}

/* PREPAREs (or runs, for an exception) every statement of set; returns how many failed. */
static size_t prepare_all(PGconn *conn, pp_sql_set *set, size_t *count, size_t *excepted)
{
	const char *file, *name, *sql;
	const exception *ex;
	PGresult *res;
	size_t i, failed = 0;
	int ok;

	for (i = 0; (sql = pp_sql_at(set, i, &file, &name)) != NULL; i++) {
		assert_null(strstr(sql, "{{"));
		ex = exception_of(set->dir, file, name);
		if (ex != NULL) {
			(*excepted)++;
			if (!ex->run)
				continue;
			res = PQexec(conn, sql);
		} else {
			res = PQprepare(conn, "", sql, 0, NULL);
		}
		ok = PQresultStatus(res) == PGRES_COMMAND_OK;
		if (!ok) {
			fprintf(stderr, "%s/%s, %s: %s", set->dir, file, name,
				PQresultErrorMessage(res));
			failed++;
		}
		PQclear(res);
	}
	*count = i;
	return failed;
}

static void every_statement_prepares(void **state)
{
	size_t api, cli, db, failed = 0, excepted = 0;
	PGconn *conn;

	(void)state;
	pp_t_new_migrated_db();
	conn = pp_t_connect();
	failed += prepare_all(conn, &pp_api_sql_set, &api, &excepted);
	failed += prepare_all(conn, &pp_cli_sql_set, &cli, &excepted);
	failed += prepare_all(conn, &pp_db_sql_set, &db, &excepted);
	PQfinish(conn);
	assert_int_equal(failed, 0);
	/* Every exception names a statement that exists. */
	assert_int_equal(excepted, sizeof(exceptions) / sizeof(exceptions[0]));
	assert_int_equal(api, named_blocks(pp_embedded_api_sql, pp_embedded_api_sql_count));
	assert_int_equal(cli, named_blocks(pp_embedded_cli_sql, pp_embedded_cli_sql_count));
	assert_int_equal(db, named_blocks(pp_embedded_db_sql, pp_embedded_db_sql_count));
	/* Every file that the build embeds holds statements. */
	assert_true(api >= 40 && cli >= 10 && db >= 40);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_statement_prepares),
	};

	return cmocka_run_group_tests_name("sql-prepare", tests, NULL, NULL);
}
