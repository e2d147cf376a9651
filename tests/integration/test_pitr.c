/*
 * test_pitr.c: `planpipe backup --pitr` and `planpipe restore --to-time /
 * --to-lsn` against the real cluster of scripts/with-pg.sh. The server runs
 * a stand-in for the db image's planpipe-pitr (PLANPIPE_PITR_PROGRAM, a
 * script in a temporary directory) with COPY ... FROM PROGRAM: what planpipe
 * checks before it runs anything, the command line the server runs, how the
 * output and the exit status come back, and the refusals. The real
 * planpipe-pitr and pgBackRest run in tests/docker/pitr.sh.
 */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* A stand-in program in a new directory; sets PLANPIPE_PITR_PROGRAM to it. */
static void fake(const char *body)
{
	char *dir = pp_t_tempdir();
	char path[1024], text[4096];

	snprintf(text, sizeof(text), "#!/bin/sh\n%s\n", body);
	pp_t_write(dir, "fake-pitr", text);
	snprintf(path, sizeof(path), "%s/fake-pitr", dir);
	assert_int_equal(chmod(dir, 0755), 0);
	assert_int_equal(chmod(path, 0755), 0);
	setenv("PLANPIPE_PITR_PROGRAM", path, 1);
	free(dir);
}

static void relays_output_and_arguments(void **state)
{
	pp_t_result r;

	(void)state;
	pp_t_new_db();
	fake("echo \"args: $*\"\necho 'a line with \\\\ a backslash, a \"quote\" and a tab\t.'\n"
	     "echo 'planpipe-pitr: exit 0'");
	r = pp_t_run("backup", "--pitr", NULL);
	if (r.status != 0)
		fail_msg("backup --pitr (%d):\n%s%s", r.status, r.out, r.err);
	pp_t_assert_contains_all(r.out, "args: --copy backup --type full\n",
				 "a line with \\ a backslash, a \"quote\" and a tab\t.\n");
	assert_null(strstr(r.out, "planpipe-pitr: exit"));
	pp_t_result_free(&r);

	pp_t_expect(0, "args: --copy backup --type diff\n", NULL, "backup", "--pitr", "--type",
		    "diff", NULL);

	/* The time in UTC with microseconds, whatever zone it was written in. */
	r = pp_t_run("restore", "--to-time", "2024-01-05 10:14:00+01", NULL);
	if (r.status != 0)
		fail_msg("restore --to-time (%d):\n%s%s", r.status, r.out, r.err);
	pp_t_assert_contains_all(r.out, "target: time 2024-01-05 09:14:00.000000+00\n",
				 "args: --copy restore --time 2024-01-05 09:14:00.000000+00\n");
	pp_t_result_free(&r);

	pp_t_expect(0, "args: --copy restore --lsn 0/16B3748 --no-switch\n", NULL, "restore",
		    "--to-lsn", "0/16b3748", "--no-switch", NULL);
	unsetenv("PLANPIPE_PITR_PROGRAM");
}

static void failures_come_back(void **state)
{
	pp_t_result r;

	(void)state;
	pp_t_new_db();
	fake("echo 'restoring'\necho 'planpipe-pitr: error: boom; the running cluster was not "
	     "changed'\necho 'planpipe-pitr: exit 1'");
	r = pp_t_run("restore", "--to-time", "2024-01-05 09:14:00+00", NULL);
	assert_int_equal(r.status, 2);
	pp_t_assert_contains(r.out, "restoring\n");
	pp_t_assert_contains(r.err,
			     "planpipe restore: error: boom; the running cluster was not changed");
	pp_t_assert_contains(r.err, "planpipe-pitr failed (exit status 1)");
	pp_t_result_free(&r);

	/* No status line: not the db image's program. */
	fake("echo 'something else'");
	pp_t_expect(2, NULL, "ended without its status line", "backup", "--pitr", NULL);

	/* A program that is not there: the server's error, and what to do. */
	setenv("PLANPIPE_PITR_PROGRAM", "/nonexistent/planpipe-pitr", 1);
	r = pp_t_run("backup", "--pitr", NULL);
	assert_int_equal(r.status, 2);
	pp_t_assert_contains_all(r.err, "running planpipe-pitr in the database server",
				 "docs/backup.md");
	pp_t_result_free(&r);
	unsetenv("PLANPIPE_PITR_PROGRAM");
}

static void bad_targets_are_refused_before_anything_runs(void **state)
{
	char *dir = pp_t_tempdir();
	char marker[1024], body[2048];
	pp_t_result r;
	struct stat st;

	(void)state;
	pp_t_new_db();
	/* The server may run as another user (postgres, when the tests run as root). */
	assert_int_equal(chmod(dir, 0777), 0);
	snprintf(marker, sizeof(marker), "%s/ran", dir);
	snprintf(body, sizeof(body), "touch '%s'\necho 'planpipe-pitr: exit 0'", marker);
	fake(body);

	r = pp_t_run("restore", "--to-time", "soon", NULL);
	assert_int_equal(r.status, 2);
	pp_t_assert_contains_all(r.err, "--to-time 'soon' is not valid", "22007");
	pp_t_result_free(&r);

	pp_t_expect(2, NULL, "is in the future", "restore", "--to-time", "2999-01-01 00:00:00+00",
		    NULL);

	pp_t_expect(2, NULL, "--to-lsn '0/XYZ' is not valid", "restore", "--to-lsn", "0/XYZ", NULL);

	pp_t_expect(2, NULL, "not both", "restore", "--to-time", "2024-01-05 09:14:00+00",
		    "--to-lsn", "0/1", NULL);

	pp_t_expect(2, NULL, "--type 'weekly' is not full, diff or incr", "backup", "--pitr",
		    "--type", "weekly", NULL);

	assert_int_not_equal(stat(marker, &st), 0);
	unsetenv("PLANPIPE_PITR_PROGRAM");
	free(dir);
}

static void options_of_other_modes_are_refused(void **state)
{
	static const char *const cases[][8] = {
		{"backup", "--pitr", "--out", "x", NULL},
		{"backup", "--pitr", "--keep", "3", NULL},
		{"backup", "--type", "full", NULL},
		{"backup", "--to-time", "2024-01-05", NULL},
		{"restore", "/backups/x", "--to-time", "2024-01-05", NULL},
		{"restore", "--to-time", "2024-01-05", "--force", NULL},
		{"restore", "--to-lsn", "0/1", "--jobs", "2", NULL},
		{"restore", "/backups/x", "--no-switch", NULL},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		pp_t_result r = pp_t_runv(cases[i]);

		if (r.status != 2 || strstr(r.err, "does not take") == NULL)
			fail_msg("%s %s %s: status %d, %s", cases[i][0], cases[i][1], cases[i][2],
				 r.status, r.err);
		pp_t_result_free(&r);
	}
}

static void needs_a_role_that_may_run_programs(void **state)
{
	PGconn *c;
	pp_t_result r;
	const char *user = getenv("PGUSER");
	char *saved = user ? strdup(user) : NULL;

	(void)state;
	pp_t_new_db();
	c = pp_t_connect();
	free(pp_t_query(c, "DROP ROLE IF EXISTS pp_pitr_plain; CREATE ROLE pp_pitr_plain LOGIN"));
	PQfinish(c);
	fake("echo 'planpipe-pitr: exit 0'");
	setenv("PGUSER", "pp_pitr_plain", 1);
	r = pp_t_run("backup", "--pitr", NULL);
	if (saved)
		setenv("PGUSER", saved, 1);
	free(saved);
	assert_int_equal(r.status, 2);
	pp_t_assert_contains(r.err, "role pp_pitr_plain may not run programs in the server");
	pp_t_result_free(&r);
	unsetenv("PLANPIPE_PITR_PROGRAM");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(relays_output_and_arguments),
		cmocka_unit_test(failures_come_back),
		cmocka_unit_test(bad_targets_are_refused_before_anything_runs),
		cmocka_unit_test(options_of_other_modes_are_refused),
		cmocka_unit_test(needs_a_role_that_may_run_programs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
