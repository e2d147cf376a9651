/*
 * test_migrate.c: `planpipe migrate` against a real PostgreSQL server, one
 * fresh database per test. Run through scripts/with-pg.sh (see tests/meson.build).
 */
#include "harness.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define LOCK_KEY "8100956956692934757"

static int table_exists(PGconn *c, const char *name);

/* Rows in the history table, -1 when there is no such table. */
static long history_count(PGconn *c)
{
	if (!table_exists(c, "planpipe_schema_migrations"))
		return -1;
	return pp_t_query_long(c, "SELECT count(*) FROM planpipe_schema_migrations");
}

static int table_exists(PGconn *c, const char *name)
{
	char sql[256], *v;
	int yes;

	snprintf(sql, sizeof(sql), "SELECT to_regclass('%s') IS NOT NULL", name);
	v = pp_t_query(c, sql);
	yes = strcmp(v, "t") == 0;
	free(v);
	return yes;
}

/* Each test's fresh database, a connection to it, and a directory for its migrations. */
static struct {
	char *dir;
	PGconn *c;
} F;

static int fresh(void **state)
{
	(void)state;
	F.dir = pp_t_tempdir();
	pp_t_new_db();
	F.c = pp_t_connect();
	return 0;
}

static int done(void **state)
{
	(void)state;
	PQfinish(F.c);
	free(F.dir);
	F.c = NULL;
	F.dir = NULL;
	return 0;
}

/* A failing migration leaves schema and history as they were; after the fix a rerun succeeds. */
static void failure_is_atomic_and_rerun_succeeds(void **state)
{
	const char *dir = F.dir;
	pp_t_result r;
	PGconn *c = F.c;

	(void)state;
	pp_t_write(dir, "0001_a.sql", "CREATE TABLE a (id int);\n");
	pp_t_write(dir, "0002_b.sql",
		   "CREATE TABLE b (id int);\n"
		   "INSERT INTO a VALUES (1);\n"
		   "\n"
		   "SELECT *\n"
		   "  FROM no_such_table;\n");
	r = pp_t_run("migrate", "up", "--dir", dir, NULL);
	assert_int_equal(r.status, 2);
	pp_t_assert_contains(r.err, "0002_b.sql:5: relation \"no_such_table\" does not exist");
	pp_t_assert_contains(r.err, "SQLSTATE 42P01");
	pp_t_result_free(&r);

	assert_int_equal(history_count(c), 1);
	assert_false(table_exists(c, "b"));
	assert_int_equal(pp_t_query_long(c, "SELECT count(*) FROM a"), 0);

	pp_t_write(dir, "0002_b.sql", "CREATE TABLE b (id int);\nINSERT INTO a VALUES (1);\n");
	pp_t_expect(0, NULL, NULL, "migrate", "up", "--dir", dir, NULL);
	assert_int_equal(history_count(c), 2);
	assert_true(table_exists(c, "b"));
	assert_int_equal(pp_t_query_long(c, "SELECT count(*) FROM a"), 1);
}

/* Eight runners at once: all exit 0 and every migration is applied exactly once. */
static void eight_concurrent_runners(void **state)
{
	const char *args[] = {"migrate", "up", "--dir", NULL, NULL};
	const char *dir = F.dir;
	char tag[16];
	pid_t pids[8];
	PGconn *c = F.c;
	int i;

	(void)state;
	pp_t_write(
		dir, "0001_log.sql",
		"CREATE TABLE log (v int);\nINSERT INTO log VALUES (1);\nSELECT pg_sleep(0.3);\n");
	pp_t_write(dir, "0002_two.sql", "INSERT INTO log VALUES (2);\nSELECT pg_sleep(0.3);\n");
	pp_t_write(dir, "0003_three.sql", "INSERT INTO log VALUES (3);\n");
	args[3] = dir;
	for (i = 0; i < 8; i++) {
		snprintf(tag, sizeof(tag), "runner%d", i);
		pids[i] = pp_t_spawn(args, tag);
	}
	for (i = 0; i < 8; i++) {
		pp_t_result r;
		snprintf(tag, sizeof(tag), "runner%d", i);
		r = pp_t_wait(pids[i], tag, 60000);
		if (r.status != 0)
			fail_msg("runner %d exited %d:\n%s%s", i, r.status, r.out, r.err);
		pp_t_result_free(&r);
	}
	assert_int_equal(history_count(c), 3);
	assert_int_equal(pp_t_query_long(c, "SELECT count(*) FROM log"), 3);
	assert_int_equal(pp_t_query_long(c, "SELECT count(DISTINCT v) FROM log"), 3);
}

/* A runner that cannot get the lock in time fails and names the holder. */
static void lock_timeout_names_holder(void **state)
{
	const char *dir = F.dir;
	char pid[16];
	pp_t_result r;
	PGconn *holder;

	(void)state;
	pp_t_write(dir, "0001_a.sql", "CREATE TABLE a (id int);\n");
	holder = pp_t_connect();
	free(pp_t_query(holder, "SET application_name = 'the-lock-holder'"));
	free(pp_t_query(holder, "SELECT pg_advisory_lock(" LOCK_KEY ")"));
	snprintf(pid, sizeof(pid), "pid %d", PQbackendPID(holder));

	r = pp_t_run("migrate", "up", "--dir", dir, "--lock-timeout", "1", NULL);
	assert_int_equal(r.status, 2);
	pp_t_assert_contains(r.err, pid);
	pp_t_assert_contains_all(r.err, "the-lock-holder", "held the lock for more than 1000 ms");
	assert_true(r.ms < 15000);
	pp_t_result_free(&r);
	assert_int_equal(history_count(holder), -1);

	free(pp_t_query(holder, "SELECT pg_advisory_unlock(" LOCK_KEY ")"));
	pp_t_expect(0, NULL, NULL, "migrate", "up", "--dir", dir, "--lock-timeout", "1", NULL);
	PQfinish(holder);
}

/* An edited applied file fails verify (and up) naming the file; CRLF does not count. */
static void edited_file_fails_verify(void **state)
{
	const char *dir = F.dir;

	(void)state;
	pp_t_write(dir, "0001_a.sql", "CREATE TABLE a (id int);\nCREATE TABLE b (id int);\n");
	pp_t_expect(0, NULL, NULL, "migrate", "up", "--dir", dir, NULL);

	pp_t_expect(0, "ok: the 1 applied migration matches its file", NULL, "migrate", "verify",
		    "--dir", dir, NULL);

	/* The same file checked out with Windows line endings is the same migration. */
	pp_t_write(dir, "0001_a.sql", "CREATE TABLE a (id int);\r\nCREATE TABLE b (id int);\r\n");
	pp_t_expect(0, NULL, NULL, "migrate", "verify", "--dir", dir, NULL);

	pp_t_write(dir, "0001_a.sql", "CREATE TABLE a (id bigint);\nCREATE TABLE b (id int);\n");
	pp_t_expect(2, NULL, "0001_a.sql was changed after it was applied", "migrate", "verify",
		    "--dir", dir, NULL);

	pp_t_expect(2, NULL, "0001_a.sql was changed after it was applied", "migrate", "up",
		    "--dir", dir, NULL);

	pp_t_expect(2, "changed", NULL, "migrate", "status", "--dir", dir, NULL);
}

/* A file numbered below the highest applied one is refused unless allowed. */
static void out_of_order_is_refused(void **state)
{
	const char *dir = F.dir;
	pp_t_result r;
	PGconn *c = F.c;

	(void)state;
	pp_t_write(dir, "0001_a.sql", "CREATE TABLE a (id int);\n");
	pp_t_write(dir, "0003_c.sql", "CREATE TABLE c (id int);\n");
	pp_t_expect(0, NULL, NULL, "migrate", "up", "--dir", dir, NULL);

	pp_t_write(dir, "0002_b.sql", "CREATE TABLE b (id int);\n");
	r = pp_t_run("migrate", "up", "--dir", dir, NULL);
	assert_int_equal(r.status, 2);
	pp_t_assert_contains_all(r.err, "0002_b.sql", "never applied");
	pp_t_result_free(&r);
	assert_false(table_exists(c, "b"));

	pp_t_expect(2, "out-of-order", NULL, "migrate", "status", "--dir", dir, NULL);

	pp_t_expect(0, NULL, NULL, "migrate", "up", "--dir", dir, "--allow-out-of-order", NULL);
	assert_true(table_exists(c, "b"));
	assert_int_equal(history_count(c), 3);
}

/* Whether some session of this database holds the migration lock. */
static int lock_is_held(PGconn *c)
{
	return pp_t_query_long(c, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND "
				  "granted AND classid = 1886151022 AND objid = 1885958245") > 0;
}

/*
 * CREATE INDEX CONCURRENTLY waits for every transaction that has a snapshot.
 * A second runner blocked inside pg_advisory_lock() would be one, and the two
 * would wait for each other; a polling runner holds none between polls.
 */
static void concurrent_index_applies_while_another_runner_waits(void **state)
{
	const char *args[] = {"migrate", "up", "--dir", NULL, "--lock-timeout", "60", NULL};
	const char *dir = F.dir;
	pp_t_result a, b;
	pid_t pa, pb;
	long long start;
	PGconn *c = F.c;

	(void)state;
	pp_t_write(dir, "0001_t.sql",
		   "CREATE TABLE t (id int, v text);\n"
		   "INSERT INTO t SELECT g, md5(g::text) FROM generate_series(1, 20000) g;\n"
		   "SELECT pg_sleep(1.5);\n");
	pp_t_write(dir, "0002_t_v.sql",
		   "-- planpipe:no-transaction\n"
		   "CREATE INDEX CONCURRENTLY t_v ON t (v);\n");
	args[3] = dir;
	pa = pp_t_spawn(args, "cic-a");
	start = pp_t_now_ms();
	while (!lock_is_held(c) && pp_t_now_ms() - start < 10000)
		usleep(20000);
	assert_true(lock_is_held(c));
	pb = pp_t_spawn(args, "cic-b");

	a = pp_t_wait(pa, "cic-a", 60000);
	b = pp_t_wait(pb, "cic-b", 60000);
	if (a.status != 0 || b.status != 0)
		fail_msg("runner A exited %d:\n%s%s\nrunner B exited %d:\n%s%s", a.status, a.out,
			 a.err, b.status, b.out, b.err);
	pp_t_assert_contains(a.out, "applied  0002_t_v.sql");
	pp_t_assert_contains(b.err, "waiting for the migration lock");
	pp_t_assert_contains(b.out, "nothing to apply");
	assert_int_equal(pp_t_query_long(c, "SELECT count(*) FROM pg_index WHERE indisvalid AND "
					    "indexrelid = 't_v'::regclass"),
			 1);
	pp_t_result_free(&a);
	pp_t_result_free(&b);
}

/* CONCURRENTLY inside a transactional migration is refused before anything runs. */
static void concurrently_in_transaction_is_refused(void **state)
{
	const char *dir = F.dir;
	pp_t_result r;
	PGconn *c = F.c;

	(void)state;
	pp_t_write(dir, "0001_a.sql",
		   "CREATE TABLE a (id int);\n"
		   "-- an index for lookups\n"
		   "CREATE INDEX\n  CONCURRENTLY a_id ON a (id);\n");
	r = pp_t_run("migrate", "up", "--dir", dir, NULL);
	assert_int_equal(r.status, 2);
	pp_t_assert_contains_all(r.err,
				 "0001_a.sql:3: CONCURRENTLY cannot run inside a transaction",
				 "planpipe:no-transaction");
	pp_t_result_free(&r);
	assert_false(table_exists(c, "a"));
	assert_int_equal(history_count(c), -1);
}

/* status: exit 1 while pending, 0 when up to date; --json agrees. */
static void status_exit_codes_and_json(void **state)
{
	const char *dir = F.dir;
	json_error_t jerr;
	pp_t_result r;
	json_t *j;

	(void)state;
	pp_t_write(dir, "0001_a.sql", "CREATE TABLE a (id int);\n");
	pp_t_write(dir, "0002_b.sql", "CREATE TABLE b (id int);\n");
	pp_t_expect(1, "2 pending", NULL, "migrate", "status", "--dir", dir, NULL);

	pp_t_expect(0, NULL, NULL, "migrate", "up", "--dir", dir, "--to", "1", NULL);

	r = pp_t_run("migrate", "status", "--json", "--dir", dir, NULL);
	assert_int_equal(r.status, 1);
	j = json_loads(r.out, 0, &jerr);
	assert_non_null(j);
	assert_int_equal(json_integer_value(json_object_get(j, "database_version")), 1);
	assert_int_equal(json_integer_value(json_object_get(j, "latest_version")), 2);
	assert_int_equal(json_integer_value(json_object_get(j, "pending")), 1);
	assert_string_equal(json_string_value(json_object_get(
				    json_array_get(json_object_get(j, "migrations"), 1), "state")),
			    "pending");
	json_decref(j);
	pp_t_result_free(&r);

	pp_t_expect(0, "0002_b.sql", NULL, "migrate", "plan", "--dir", dir, NULL);

	pp_t_expect(0, NULL, NULL, "migrate", "up", "--dir", dir, NULL);
	pp_t_expect(0, NULL, NULL, "migrate", "status", "--dir", dir, NULL);

	pp_t_expect(2, NULL, "there is no migration 0009", "migrate", "up", "--dir", dir, "--to",
		    "9", NULL);
}

/* baseline records without running; up then applies only what follows. */
static void baseline_then_up(void **state)
{
	const char *dir = F.dir;
	PGconn *c = F.c;

	(void)state;
	free(pp_t_query(c, "CREATE TABLE a (id int); CREATE TABLE b (id int)"));
	pp_t_write(dir, "0001_a.sql", "CREATE TABLE a (id int);\n");
	pp_t_write(dir, "0002_b.sql", "CREATE TABLE b (id int);\n");
	pp_t_write(dir, "0003_c.sql", "CREATE TABLE c (id int);\n");
	pp_t_expect(0, NULL, NULL, "migrate", "baseline", "2", "--dir", dir, NULL);
	assert_int_equal(pp_t_query_long(c, "SELECT count(*) FROM planpipe_schema_migrations "
					    "WHERE kind = 'baseline'"),
			 2);
	pp_t_expect(0, "applied 1 migration", NULL, "migrate", "up", "--dir", dir, NULL);
	assert_true(table_exists(c, "c"));

	pp_t_expect(2, NULL, "already has migration history", "migrate", "baseline", "2", "--dir",
		    dir, NULL);
}

/* new: the next number, a template that names the file; bad names refused. */
static void new_creates_the_next_file(void **state)
{
	char *dir = pp_t_tempdir();
	char path[1024];

	(void)state;
	pp_t_write(dir, "0001_a.sql", "SELECT 1;\n");
	pp_t_write(dir, "0007_g.sql", "SELECT 1;\n");
	pp_t_expect(0, "0008_add_labels.sql", NULL, "migrate", "new", "add_labels", "--dir", dir,
		    NULL);
	snprintf(path, sizeof(path), "%s/0008_add_labels.sql", dir);
	assert_int_equal(access(path, R_OK), 0);

	pp_t_expect(2, NULL, "\"Bad-Name\" is invalid", "migrate", "new", "Bad-Name", "--dir", dir,
		    NULL);
	free(dir);
}

/* wait: 0 once a real login works; a missing database is not ready. */
static void wait_needs_a_real_login(void **state)
{
	pp_t_result r;

	(void)state;
	pp_t_new_db();
	pp_t_expect(0, NULL, NULL, "migrate", "wait", "--timeout", "5", NULL);

	setenv("PGDATABASE", "no_such_database", 1);
	r = pp_t_run("migrate", "wait", "--timeout", "2", NULL);
	assert_int_equal(r.status, 2);
	pp_t_assert_contains_all(r.err, "not ready within 2 s", "does not exist");
	assert_true(r.ms >= 2000 && r.ms < 15000);
	pp_t_result_free(&r);
}

/* A lock_timeout directive bounds how long a migration waits for a table lock. */
static void lock_timeout_directive(void **state)
{
	const char *dir = F.dir;
	pp_t_result r;
	PGconn *c = F.c;

	(void)state;
	free(pp_t_query(c, "CREATE TABLE busy (id int)"));
	free(pp_t_query(c, "BEGIN"));
	free(pp_t_query(c, "LOCK TABLE busy IN ACCESS EXCLUSIVE MODE"));
	pp_t_write(dir, "0001_busy.sql",
		   "-- planpipe:lock_timeout=200ms\n"
		   "ALTER TABLE busy ADD COLUMN note text;\n");
	r = pp_t_run("migrate", "up", "--dir", dir, NULL);
	assert_int_equal(r.status, 2);
	pp_t_assert_contains_all(r.err, "0001_busy.sql:2:", "SQLSTATE 55P03");
	assert_true(r.ms < 10000);
	pp_t_result_free(&r);
	free(pp_t_query(c, "ROLLBACK"));
	pp_t_expect(0, NULL, NULL, "migrate", "up", "--dir", dir, NULL);
}

/* A failed CREATE UNIQUE INDEX CONCURRENTLY leaves an invalid index: say so, and refuse it later.
 */
static void failed_concurrent_index_is_reported(void **state)
{
	const char *dir = F.dir;
	pp_t_result r;
	PGconn *c = F.c;

	(void)state;
	free(pp_t_query(c, "CREATE TABLE d (v int); INSERT INTO d VALUES (1), (1)"));
	pp_t_write(dir, "0001_d_v.sql",
		   "-- planpipe:no-transaction\nCREATE UNIQUE INDEX CONCURRENTLY d_v ON d (v);\n");
	r = pp_t_run("migrate", "up", "--dir", dir, NULL);
	assert_int_equal(r.status, 2);
	pp_t_assert_contains_all(r.err, "SQLSTATE 23505", "DROP INDEX CONCURRENTLY public.d_v");
	pp_t_result_free(&r);

	/* IF NOT EXISTS would skip the invalid index: the runner does not let that pass. */
	free(pp_t_query(c, "DELETE FROM d WHERE ctid = (SELECT max(ctid) FROM d)"));
	pp_t_write(dir, "0001_d_v.sql",
		   "-- planpipe:no-transaction\n"
		   "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS d_v ON d (v);\n");
	pp_t_expect(2, NULL, "invalid indexes: public.d_v", "migrate", "up", "--dir", dir, NULL);
	assert_int_equal(history_count(c), 0);

	free(pp_t_query(c, "DROP INDEX d_v"));
	pp_t_expect(0, NULL, NULL, "migrate", "up", "--dir", dir, NULL);
}

/* The migrations built into the binary are the repository's, and they apply. */
static void embedded_migrations_match_and_apply(void **state)
{
	const char *src = getenv("PP_SOURCE_ROOT");
	char dir[1024];
	pp_t_result a, b;

	(void)state;
	assert_non_null(src);
	snprintf(dir, sizeof(dir), "%s/migrations", src);
	pp_t_new_db();
	a = pp_t_run("migrate", "plan", NULL);
	b = pp_t_run("migrate", "plan", "--dir", dir, NULL);
	assert_int_equal(a.status, 0);
	assert_int_equal(b.status, 0);
	assert_string_equal(a.out, b.out);
	pp_t_result_free(&a);
	pp_t_result_free(&b);

	pp_t_expect(0, NULL, NULL, "migrate", "up", NULL);
	pp_t_expect(0, NULL, NULL, "migrate", "verify", "--dir", dir, NULL);
	pp_t_expect(0, NULL, NULL, "migrate", "status", NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(failure_is_atomic_and_rerun_succeeds, fresh, done),
		cmocka_unit_test_setup_teardown(eight_concurrent_runners, fresh, done),
		cmocka_unit_test_setup_teardown(lock_timeout_names_holder, fresh, done),
		cmocka_unit_test_setup_teardown(edited_file_fails_verify, fresh, done),
		cmocka_unit_test_setup_teardown(out_of_order_is_refused, fresh, done),
		cmocka_unit_test_setup_teardown(concurrent_index_applies_while_another_runner_waits,
						fresh, done),
		cmocka_unit_test_setup_teardown(concurrently_in_transaction_is_refused, fresh,
						done),
		cmocka_unit_test_setup_teardown(status_exit_codes_and_json, fresh, done),
		cmocka_unit_test_setup_teardown(baseline_then_up, fresh, done),
		cmocka_unit_test(new_creates_the_next_file),
		cmocka_unit_test(wait_needs_a_real_login),
		cmocka_unit_test_setup_teardown(lock_timeout_directive, fresh, done),
		cmocka_unit_test_setup_teardown(failed_concurrent_index_is_reported, fresh, done),
		cmocka_unit_test(embedded_migrations_match_and_apply),
	};

	return cmocka_run_group_tests_name("migrate", tests, NULL, NULL);
}
