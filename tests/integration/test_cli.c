/* test_cli.c: the command line and configuration from the environment. */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void version_and_help(void **state)
{
	static const char *const subs[] = {"migrate", "config", NULL};
	int i;

	(void)state;
	pp_t_expect(0, "planpipe ", NULL, "--version", NULL);
	for (i = 0; subs[i]; i++) {
		pp_t_expect(0, "usage: planpipe ", NULL, subs[i], "--help", NULL);
	}
	pp_t_expect(2, NULL, "unknown command 'no-such-command'", "no-such-command", NULL);
}

static void invalid_setting_names_the_variable(void **state)
{
	pp_t_result r;

	(void)state;
	setenv("PLANPIPE_LOG_LEVEL", "loud", 1);
	r = pp_t_run("config", NULL);
	unsetenv("PLANPIPE_LOG_LEVEL");
	assert_int_equal(r.status, 2);
	pp_t_assert_contains(r.err, "PLANPIPE_LOG_LEVEL=\"loud\" is invalid");
	pp_t_result_free(&r);

	setenv("PLANPIPE_MIGRATE_LOCK_TIMEOUT", "ten", 1);
	r = pp_t_run("migrate", "status", NULL);
	unsetenv("PLANPIPE_MIGRATE_LOCK_TIMEOUT");
	assert_int_equal(r.status, 2);
	pp_t_assert_contains(r.err, "PLANPIPE_MIGRATE_LOCK_TIMEOUT=\"ten\" is invalid");
	pp_t_result_free(&r);

	setenv("DATABASE_URL", "postgresql://host/db?no_such_option=1", 1);
	r = pp_t_run("config", NULL);
	unsetenv("DATABASE_URL");
	assert_int_equal(r.status, 2);
	pp_t_assert_contains(r.err, "DATABASE_URL is not a valid connection string");
	pp_t_result_free(&r);
}

static void config_masks_secrets(void **state)
{
	char *dir = pp_t_tempdir();
	char path[1024];
	pp_t_result r;

	(void)state;
	setenv("DATABASE_URL", "postgresql://app:s3cret-pw@db.example:6432/plan", 1);
	r = pp_t_run("config", NULL);
	assert_int_equal(r.status, 0);
	assert_null(strstr(r.out, "s3cret-pw"));
	pp_t_assert_contains(r.out, "connection host=db.example");
	pp_t_assert_contains(r.out, "connection port=6432");
	pp_t_assert_contains(r.out, "connection password=********");
	pp_t_result_free(&r);

	/* DATABASE_URL_FILE: the secret comes from a file, never both. */
	pp_t_write(dir, "url", "postgresql://app:file-pw@filehost/plan\n");
	snprintf(path, sizeof(path), "%s/url", dir);
	setenv("DATABASE_URL_FILE", path, 1);
	pp_t_expect(2, NULL, "both DATABASE_URL and DATABASE_URL_FILE are set", "config", NULL);
	unsetenv("DATABASE_URL");
	r = pp_t_run("config", NULL);
	assert_int_equal(r.status, 0);
	pp_t_assert_contains(r.out, "connection host=filehost");
	pp_t_assert_contains(r.out, "DATABASE_URL_FILE");
	assert_null(strstr(r.out, "file-pw"));
	pp_t_result_free(&r);

	setenv("DATABASE_URL_FILE", "/nonexistent/url", 1);
	pp_t_expect(2, NULL, "DATABASE_URL_FILE: cannot open /nonexistent/url", "config", NULL);
	unsetenv("DATABASE_URL_FILE");
	free(dir);
}

/* PGPASSWORD_FILE reaches the server: a TCP login with the right password from a file works. */
static void password_file_logs_in(void **state)
{
	char *dir = pp_t_tempdir();
	char path[1024], url[512];
	const char *pw = getenv("PP_TEST_PASSWORD");

	(void)state;
	assert_non_null(pw);
	pp_t_write(dir, "pw", pw);
	snprintf(path, sizeof(path), "%s/pw", dir);
	snprintf(url, sizeof(url), "postgresql://postgres@127.0.0.1:%s/postgres", getenv("PGPORT"));
	setenv("DATABASE_URL", url, 1);
	setenv("PGPASSWORD_FILE", path, 1);
	pp_t_expect(0, NULL, NULL, "migrate", "wait", "--timeout", "5", NULL);

	pp_t_write(dir, "pw", "wrong-password");
	pp_t_expect(2, NULL, "password authentication failed", "migrate", "wait", "--timeout", "1",
		    NULL);
	unsetenv("DATABASE_URL");
	unsetenv("PGPASSWORD_FILE");
	free(dir);
}

/* Each test starts from the environment with-pg.sh gave, whatever the last one left. */
static int clean_env(void **state)
{
	static const char *const vars[] = {"DATABASE_URL",
					   "DATABASE_URL_FILE",
					   "PGPASSWORD_FILE",
					   "PLANPIPE_LOG_LEVEL",
					   "PLANPIPE_MIGRATE_LOCK_TIMEOUT",
					   NULL};
	int i;

	(void)state;
	for (i = 0; vars[i]; i++)
		unsetenv(vars[i]);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(version_and_help, clean_env),
		cmocka_unit_test_setup(invalid_setting_names_the_variable, clean_env),
		cmocka_unit_test_setup(config_masks_secrets, clean_env),
		cmocka_unit_test_setup(password_file_logs_in, clean_env),
	};

	return cmocka_run_group_tests_name("cli", tests, NULL, NULL);
}
