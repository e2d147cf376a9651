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

/*
 * Each subcommand's options, before anything connects: --help on standard
 * output (0), an unknown option or a missing argument with the usage on
 * standard error, a bad value named (2; health: 3, unknown).
 */
static void options_and_usage_errors(void **state)
{
	static const struct {
		int status;
		const char *out, *err;
		const char *args[8];
	} cases[] = {
		{0, "usage: planpipe import PATH --project KEY", NULL, {"import", "--help"}},
		{2, NULL, "usage: planpipe import PATH", {"import", "--nope"}},
		{2, NULL, "'--exclude' requires an argument", {"import", "/x", "--exclude"}},
		{2, NULL, "usage: planpipe import PATH", {"import", "/x"}},
		{2,
		 NULL,
		 "usage: planpipe import-repo PATH",
		 {"import-repo", "/x", "--project", "P"}},
		{0, "usage: planpipe serve", NULL, {"serve", "--help"}},
		{2, NULL, "usage: planpipe serve", {"serve", "--nope"}},
		{2,
		 NULL,
		 "planpipe serve: error: --drain-timeout expects seconds, 0 to 3600",
		 {"serve", "--drain-timeout", "x"}},
		{2, NULL, "too many arguments", {"serve", "--drain-timeout", "5", "extra"}},
		{0, "usage: planpipe health", NULL, {"health", "--help"}},
		{3, NULL, "usage: planpipe health", {"health", "--nope"}},
		{3,
		 NULL,
		 "--timeout expects seconds, more than 0 and at most 3600",
		 {"health", "--timeout", "0"}},
		{3, NULL, "--latency expects WARNING,CRITICAL", {"health", "--latency", "5"}},
		{3, NULL, "unexpected argument 'extra'", {"health", "extra"}},
		{0, "usage: planpipe export json DIR", NULL, {"export", "--help"}},
		{2, NULL, "usage: planpipe export json DIR", {"export", "--nope"}},
		{2, NULL, "'--project' requires an argument", {"export", "--project"}},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		pp_t_result r = pp_t_expectv(cases[i].status, cases[i].args);

		if (cases[i].out)
			pp_t_assert_contains(r.out, cases[i].out);
		else
			assert_string_equal(r.out, "");
		if (cases[i].err)
			pp_t_assert_contains(r.err, cases[i].err);
		else
			assert_string_equal(r.err, "");
		pp_t_result_free(&r);
	}
}

static void invalid_setting_names_the_variable(void **state)
{
	(void)state;
	pp_t_expect_env("PLANPIPE_LOG_LEVEL", "loud", 2, NULL,
			"PLANPIPE_LOG_LEVEL=\"loud\" is invalid", "config", NULL);
	pp_t_expect_env("PLANPIPE_MIGRATE_LOCK_TIMEOUT", "ten", 2, NULL,
			"PLANPIPE_MIGRATE_LOCK_TIMEOUT=\"ten\" is invalid", "migrate", "status",
			NULL);
	pp_t_expect_env("DATABASE_URL", "postgresql://host/db?no_such_option=1", 2, NULL,
			"DATABASE_URL is not a valid connection string", "config", NULL);
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
	pp_t_assert_contains_all(r.out, "connection host=db.example", "connection port=6432",
				 "connection password=********");
	pp_t_result_free(&r);

	/* DATABASE_URL_FILE: the secret comes from a file, never both. */
	pp_t_write(dir, "url", "postgresql://app:file-pw@filehost/plan\n");
	snprintf(path, sizeof(path), "%s/url", dir);
	setenv("DATABASE_URL_FILE", path, 1);
	pp_t_expect(2, NULL, "both DATABASE_URL and DATABASE_URL_FILE are set", "config", NULL);
	unsetenv("DATABASE_URL");
	r = pp_t_run("config", NULL);
	assert_int_equal(r.status, 0);
	pp_t_assert_contains_all(r.out, "connection host=filehost", "DATABASE_URL_FILE");
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

/* Fails unless r's standard error lacks text. */
static void err_lacks(const pp_t_result *r, const char *text)
{
	if (strstr(r->err, text))
		fail_msg("%s: standard error has \"%s\":\n%s", r->cmd ? r->cmd : "planpipe", text,
			 r->err);
}

/*
 * The database's refusals in our words (review 10, finding 16): the input
 * named, the primary message and SQLSTATE, never PostgreSQL's "ERROR:" nor
 * the failing row; ours (PPxxx) as their message alone; a project key
 * checked before anything connects.
 */
static void database_errors_in_our_words(void **state)
{
	char *dir = pp_t_tempdir();
	pp_t_result r;

	(void)state;
	pp_t_new_migrated_db();
	pp_t_expect(0, NULL, NULL, "import", dir, "--project", "ADH", NULL);

	r = pp_t_run("workflow", "add", "ADH", "bad/word", "--category", "todo", NULL);
	assert_int_equal(r.status, 2);
	pp_t_assert_contains_all(r.err, "planpipe workflow: error: ADH: adding \"bad/word\": ",
				 "\"statuses_key_format\" (SQLSTATE 23514)");
	err_lacks(&r, "Failing row");
	err_lacks(&r, "ERROR:");
	pp_t_result_free(&r);

	r = pp_t_run("workflow", "add", "ADH", "in the fridge", NULL);
	assert_int_equal(r.status, 2);
	pp_t_assert_contains(r.err, "\"in the fridge\" is a new word: give its category");
	err_lacks(&r, "SQLSTATE");
	err_lacks(&r, "ERROR:");
	pp_t_result_free(&r);

	r = pp_t_run("import", dir, "--project", "tt", NULL);
	assert_int_equal(r.status, 2);
	pp_t_assert_contains(r.err, "planpipe import: error: --project tt: a project key is 1 to "
				    "20 of A-Z, 0-9 and _");
	err_lacks(&r, "Failing row");
	pp_t_result_free(&r);
	/* Refused before connecting: no server is needed to say so. */
	pp_t_expect_env("DATABASE_URL", "postgresql://nobody@127.0.0.1:1/none", 2, NULL,
			"--project tt: a project key is", "import", dir, "--project", "tt", NULL);
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
		cmocka_unit_test_setup(options_and_usage_errors, clean_env),
		cmocka_unit_test_setup(invalid_setting_names_the_variable, clean_env),
		cmocka_unit_test_setup(config_masks_secrets, clean_env),
		cmocka_unit_test_setup(password_file_logs_in, clean_env),
		cmocka_unit_test_setup(database_errors_in_our_words, clean_env),
	};

	return cmocka_run_group_tests_name("cli", tests, NULL, NULL);
}
