/* tests/unit/db/sqlscan.c: tests src/db/sqlscan.c. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "unit.h"
#include <string.h>

#include "db/sqlscan.h"

static pp_sql_script split_ok(const char *sql)
{
	pp_sql_script s;
	pp_err err;

	pp_err_clear(&err);
	if (pp_sql_split(sql, strlen(sql), &s, &err) != PP_OK)
		fail_msg("split failed: %s (line %d)", err.msg, err.line);
	return s;
}

static void assert_stmt(const char *sql, const pp_sql_script *s, size_t i, const char *text,
			int line)
{
	assert_true(i < s->count);
	assert_int_equal(s->stmts[i].len, strlen(text));
	assert_memory_equal(sql + s->stmts[i].offset, text, strlen(text));
	assert_int_equal(s->stmts[i].line, line);
}

static int line_of(const pp_sql_stmt *st)
{
	return st->line;
}

/* 1: flagged as unable to run in a transaction, with a reason. */
static int flagged(const pp_sql_stmt *st)
{
	return st->no_tx_reason != NULL;
}

/*
 * sql splits into n statements, what(statement i) being want[i]; a failure
 * names the statement and its line.
 */
#define expect_each(sql, what, want) expect_each_is(sql, what, #what, want, UNIT_NELEM(want))

static void expect_each_is(const char *sql, int (*what)(const pp_sql_stmt *), const char *name,
			   const int *want, size_t n)
{
	pp_sql_script s = split_ok(sql);
	size_t i;

	assert_int_equal(s.count, n);
	for (i = 0; i < n; i++)
		if (what(&s.stmts[i]) != want[i])
			fail_msg("statement %zu (line %d): %s is %d, expected %d", i,
				 s.stmts[i].line, name, what(&s.stmts[i]), want[i]);
	pp_sql_script_free(&s);
}

static void splits_on_semicolons_outside_quotes(void **state)
{
	const char *sql = "-- header\n"
			  "CREATE TABLE t (a text DEFAULT ';', b text DEFAULT 'it''s;');\n"
			  "  ;;\n"
			  "INSERT INTO \"we;ird\" VALUES (E'\\';x');\n"
			  "/* a /* nested; */ comment; */ SELECT 1";
	pp_sql_script s = split_ok(sql);

	(void)state;
	assert_int_equal(s.count, 3);
	assert_stmt(sql, &s, 0, "CREATE TABLE t (a text DEFAULT ';', b text DEFAULT 'it''s;')", 2);
	assert_stmt(sql, &s, 1, "INSERT INTO \"we;ird\" VALUES (E'\\';x')", 4);
	assert_stmt(sql, &s, 2, "SELECT 1", 5);
	pp_sql_script_free(&s);
}

static void dollar_quotes_hold_semicolons(void **state)
{
	const char *sql = "CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $body$\n"
			  "BEGIN\n  PERFORM 1; RETURN $$;$$::int;\nEND\n$body$;\n"
			  "SELECT $1;\nSELECT a$b FROM t;";
	static const int lines[] = {1, 6, 7};

	(void)state;
	expect_each(sql, line_of, lines);
}

static void begin_atomic_bodies_like_psql(void **state)
{
	const char *sql = "CREATE OR REPLACE FUNCTION f(x int) RETURNS int LANGUAGE sql\n"
			  "BEGIN ATOMIC\n  SELECT CASE WHEN x > 0 THEN 1 ELSE 0 END;\n"
			  "  SELECT 2;\nEND;\n"
			  "CREATE PROCEDURE p() BEGIN ATOMIC INSERT INTO t VALUES (1); END;\n"
			  "BEGIN;\nSELECT 1;\nEND;";
	/* Outside CREATE FUNCTION, BEGIN and END are ordinary statements. */
	static const int lines[] = {1, 6, 7, 8, 9};

	(void)state;
	expect_each(sql, line_of, lines);
}

static void unterminated_is_an_error_with_its_line(void **state)
{
	static const struct {
		const char *sql;
		int line;
		const char *what;
	} cases[] = {
		{"SELECT 1;\nSELECT 'abc;\n", 2, "quoted string"},
		{"SELECT 1;\n\n/* open", 3, "comment"},
		{"DO $x$ BEGIN END $y$;", 1, "dollar-quoted"},
		{"SELECT \"abc", 1, "identifier"},
	};
	size_t i;

	(void)state;
	for (i = 0; i < UNIT_NELEM(cases); i++) {
		pp_sql_script s;
		pp_err err;
		unit_int_equal(cases[i].sql,
			       pp_sql_split(cases[i].sql, strlen(cases[i].sql), &s, &err),
			       PP_EINVAL);
		unit_int_equal(cases[i].sql, err.line, cases[i].line);
		unit_str_has(cases[i].sql, err.msg, cases[i].what);
		pp_sql_script_free(&s);
	}
}

static void flags_what_cannot_run_in_a_transaction(void **state)
{
	const char *sql = "CREATE INDEX CONCURRENTLY i ON t (a);\n"
			  "REFRESH MATERIALIZED VIEW CONCURRENTLY mv;\n"
			  "VACUUM t;\n"
			  "CREATE DATABASE x;\n"
			  "ALTER SYSTEM SET work_mem = '1MB';\n"
			  "SELECT 'concurrently';\n"
			  "DROP INDEX concurrently i;";
	static const int no_tx[] = {1, 0, 1, 1, 1, 0, 1};

	(void)state;
	expect_each(sql, flagged, no_tx);
}

static void position_to_line_counts_characters(void **state)
{
	/* "é" is two bytes but one character, as the server counts. */
	const char *sql = "SELECT 1;\nSELECT 'é',\n  nope\n  FROM t;";
	pp_sql_script s = split_ok(sql);

	(void)state;
	assert_int_equal(s.count, 2);
	/* "SELECT 'é',\n  nope": n of nope is the 15th character. */
	assert_int_equal(pp_sql_line_of(sql, &s.stmts[1], 15), 3);
	assert_int_equal(pp_sql_line_of(sql, &s.stmts[1], 1), 2);
	assert_int_equal(pp_sql_line_of(sql, &s.stmts[1], 999), 2);
	pp_sql_script_free(&s);
}

static void empty_and_comment_only_scripts(void **state)
{
	pp_sql_script s = split_ok("-- nothing\n/* here */\n;;\n");

	(void)state;
	assert_int_equal(s.count, 0);
	pp_sql_script_free(&s);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(splits_on_semicolons_outside_quotes),
	cmocka_unit_test(dollar_quotes_hold_semicolons),
	cmocka_unit_test(begin_atomic_bodies_like_psql),
	cmocka_unit_test(unterminated_is_an_error_with_its_line),
	cmocka_unit_test(flags_what_cannot_run_in_a_transaction),
	cmocka_unit_test(position_to_line_counts_characters),
	cmocka_unit_test(empty_and_comment_only_scripts),
};

UNIT_MAIN("sqlscan", tests)
