/*
 * test_api_sql_prepare.c: every named statement of the src/api/sql/ files
 * (src/api/sql.h), its fragments expanded, is PREPAREd against a freshly
 * migrated database. A statement that no longer parses, or names a table,
 * column or function that the migrations do not create, fails here instead
 * of in a request. Each file's "-- name:" lines are counted too, so that a
 * block the loader missed cannot pass unnoticed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "api/sql.h"
#include "db/migration.h"
#include "harness.h"

extern const pp_embedded_file pp_embedded_api_sql[];
extern const size_t pp_embedded_api_sql_count;

/* The "-- name: " lines of all embedded files. */
static size_t named_blocks(void)
{
	size_t i, n = 0;
	const char *p;

	for (i = 0; i < pp_embedded_api_sql_count; i++) {
		p = pp_embedded_api_sql[i].data;
		if (strncmp(p, "-- name: ", 9) == 0)
			n++;
		while ((p = strstr(p, "\n-- name: ")) != NULL) {
			n++;
			p++;
		}
	}
	return n;
}

static void every_statement_prepares(void **state)
{
	const char *file, *name, *sql;
	PGconn *conn;
	PGresult *res;
	size_t i, failed = 0;

	(void)state;
	pp_t_new_migrated_db();
	conn = pp_t_connect();
	for (i = 0; (sql = pp_api_sql_at(i, &file, &name)) != NULL; i++) {
		assert_null(strstr(sql, "{{"));
		res = PQprepare(conn, "", sql, 0, NULL);
		if (PQresultStatus(res) != PGRES_COMMAND_OK) {
			fprintf(stderr, "src/api/sql/%s, %s: %s", file, name,
				PQresultErrorMessage(res));
			failed++;
		}
		PQclear(res);
	}
	PQfinish(conn);
	assert_int_equal(failed, 0);
	assert_int_equal(i, named_blocks());
	/* Every file that the build embeds holds statements: tx.sql and the resources'. */
	assert_true(i >= 40);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_statement_prepares),
	};

	return cmocka_run_group_tests_name("api-sql-prepare", tests, NULL, NULL);
}
