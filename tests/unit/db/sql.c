/*
 * tests/unit/db/sql.c: the statements' loader (src/db/sql.c) on sets built
 * here: blocks, fragments nested in fragments, and each fault of a file
 * (a cycle, nesting past PP_SQL_MAX_DEPTH, a missing fragment, an unclosed
 * "{{", two blocks with one name), which aborts with a message naming the
 * file and the chain; and the database layer's own set, embedded.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "unit.h"
#include "../sql_set.h"

#include "db/sql.h"

#define FILE_OF(name, text)                                                                        \
	{                                                                                          \
		(name), (text), sizeof(text) - 1                                                   \
	}

static const char nested_text[] = "-- A file's head: no block.\n"
				  "\n"
				  "-- fragment: cols\n"
				  "-- The columns: {{key}} and the name.\n"
				  "{{key}}, name\n"
				  "\n"
				  "-- fragment: key\n"
				  "id\n"
				  "\n"
				  "-- name: one\n"
				  "-- $1: the id.\n"
				  "SELECT {{cols}} FROM t WHERE {{key}} = $1;\n"
				  "\n"
				  "-- name: plain\n"
				  "SELECT 1\n";
static const char other_text[] = "-- fragment: key\n"
				 "other_id\n"
				 "-- name: one\n"
				 "SELECT {{key}}\n";
static const pp_embedded_file nested_files[] = {FILE_OF("a.sql", nested_text),
						FILE_OF("b.sql", other_text)};
static const size_t nested_files_count = 2;
static pp_sql_set nested = PP_SQL_SET("test/nested", nested_files);

static void fragments_nest(void **state)
{
	const char *file, *name;

	(void)state;
	assert_string_equal(pp_sql(&nested, "a.sql", "one"),
			    "\n-- $1: the id.\nSELECT id, name FROM t WHERE id = $1");
	assert_string_equal(pp_sql_fragment(&nested, "a.sql", "cols"), "id, name");
	assert_string_equal(pp_sql(&nested, "a.sql", "plain"), "\nSELECT 1");
	/* A fragment belongs to its file: b.sql's key is not a.sql's. */
	assert_string_equal(pp_sql(&nested, "b.sql", "one"), "\nSELECT other_id");
	/* Built once: the same text each time. */
	assert_ptr_equal(pp_sql(&nested, "a.sql", "one"), pp_sql(&nested, "a.sql", "one"));
	assert_non_null(pp_sql_at(&nested, 2, &file, &name));
	assert_string_equal(file, "b.sql");
	assert_string_equal(name, "one");
	assert_null(pp_sql_at(&nested, 3, &file, &name));
}

/* A chain of fragments f1 -> f2 -> ... -> fn, used by statement s. */
static char *chain_of(int n)
{
	static char text[4096];
	size_t used = 0;
	int i;

	used += (size_t)snprintf(text, sizeof(text), "-- name: s\nSELECT {{f1}}\n");
	for (i = 1; i < n; i++)
		used += (size_t)snprintf(text + used, sizeof(text) - used,
					 "-- fragment: f%d\n{{f%d}}\n", i, i + 1);
	snprintf(text + used, sizeof(text) - used, "-- fragment: f%d\n1\n", n);
	return text;
}

/*
 * Loads a set of one file holding text in a child process, and returns
 * what the child wrote to stderr; *aborted: whether it died of SIGABRT.
 */
static char *load_in_child(const char *text, int *aborted)
{
	static char out[2048];
	pp_embedded_file f = {"bad.sql", text, strlen(text)};
	size_t count = 1, n = 0;
	pp_sql_set set = {"test/bad", &f, &count, NULL};
	int fds[2], status;
	ssize_t got;
	pid_t pid;

	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(fds[1], 2);
		close(fds[0]);
		(void)pp_sql(&set, "bad.sql", "s");
		_exit(0);
	}
	close(fds[1]);
	while (n + 1 < sizeof(out) && (got = read(fds[0], out + n, sizeof(out) - 1 - n)) > 0)
		n += (size_t)got;
	out[n] = '\0';
	close(fds[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	*aborted = WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT;
	return out;
}

static void assert_aborts(const char *text, const char *message)
{
	int aborted;
	const char *err = load_in_child(text, &aborted);

	unit_str_has("stderr", err, message);
	assert_true(aborted);
	assert_non_null(strstr(err, "test/bad/bad.sql"));
}

static void nesting_has_a_limit(void **state)
{
	int aborted;
	char *err;

	(void)state;
	/* PP_SQL_MAX_DEPTH deep is fine: the child exits without a word. */
	err = load_in_child(chain_of(PP_SQL_MAX_DEPTH), &aborted);
	assert_false(aborted);
	assert_string_equal(err, "");
	assert_aborts(chain_of(PP_SQL_MAX_DEPTH + 1),
		      "fragments nest deeper than 8: s -> f1 -> f2");
}

static void faults_abort_clearly(void **state)
{
	(void)state;
	assert_aborts("-- name: s\nSELECT {{a}}\n-- fragment: a\n{{b}}\n-- fragment: b\n{{a}}\n",
		      "fragments form a cycle: a -> b -> a");
	assert_aborts("-- name: s\nSELECT {{a}}\n-- fragment: a\n{{a}}\n",
		      "fragments form a cycle: a -> a");
	assert_aborts("-- name: s\nSELECT {{nope}}\n", "no fragment nope");
	assert_aborts("-- name: s\nSELECT {{a\n", "unclosed {{");
	assert_aborts("-- name: s\nSELECT 1\n-- name: s\nSELECT 2\n", "two blocks are named s");
	assert_aborts("-- name: t\nSELECT 1\n", "no statement s");
}

/* The database layer's own files are embedded and load. */
static void db_set_loads(void **state)
{
	(void)state;
	assert_string_equal(pp_db_sql("tx.sql", "begin"), "\nBEGIN");
	expect_whole_statements(&pp_db_sql_set, pp_db_sql, 40);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(fragments_nest),
	cmocka_unit_test(nesting_has_a_limit),
	cmocka_unit_test(faults_abort_clearly),
	cmocka_unit_test(db_set_loads),
};

UNIT_MAIN("sql", tests)
