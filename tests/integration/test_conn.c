/*
 * test_conn.c: src/db/conn.c as the command line shows it: a DATABASE_URL
 * that does not parse, or a login that fails, never prints the password,
 * whichever command runs and wherever the URL comes from.
 */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Every command that reads the configuration, serve included. */
static const char *const commands[][3] = {
	{"config", NULL, NULL},
	{"serve", NULL, NULL},
	{"migrate", "status", NULL},
	{"backup", "--out", "/nonexistent"},
	{"restore", "/nonexistent", NULL},
	{"health", NULL, NULL},
};

static void assert_masked(const char *secret, const char *want)
{
	size_t i;

	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		const char *args[4] = {commands[i][0], commands[i][1], commands[i][2], NULL};
		pp_t_result r = pp_t_runv(args);

		if (strstr(r.out, secret) || strstr(r.err, secret))
			fail_msg("planpipe %s printed the password %s:\n%s%s", commands[i][0],
				 secret, r.out, r.err);
		if (want && !strstr(r.err, want))
			fail_msg("planpipe %s: \"%s\" missing:\n%s%s", commands[i][0], want, r.out,
				 r.err);
		assert_int_equal(r.status, 2);
		pp_t_result_free(&r);
	}
}

static void malformed_url_never_prints_the_password(void **state)
{
	static const struct {
		const char *url, *secret, *want;
	} cases[] = {
		/* libpq quotes the password itself: the '%' is not an escape. */
		{"postgresql://app:s3cr%zzet-pw@db.example:6432/plan", "s3cr%zzet-pw",
		 "invalid percent-encoded token: \"********\""},
		/* libpq quotes the whole URL. */
		{"postgresql://app:wh0le-url-pw@[db.example/plan", "wh0le-url-pw",
		 "postgresql://app:********@[db.example/plan"},
		{"postgres://app:p%40ss%zz@db.example/plan", "p%40ss%zz", "DATABASE_URL is not"},
		{"postgresql://app@db.example/plan?password=qu%zzery-pw", "qu%zzery-pw",
		 "DATABASE_URL is not"},
		{"postgresql://app:at@sign%zz@db.example/plan", "at@sign%zz",
		 "DATABASE_URL is not"},
	};
	char *dir = pp_t_tempdir(), path[1200];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		setenv("DATABASE_URL", cases[i].url, 1);
		assert_masked(cases[i].secret, cases[i].want);
		unsetenv("DATABASE_URL");
		/* The same URL from DATABASE_URL_FILE. */
		pp_t_write(dir, "url", cases[i].url);
		snprintf(path, sizeof(path), "%s/url", dir);
		setenv("DATABASE_URL_FILE", path, 1);
		assert_masked(cases[i].secret, cases[i].want);
		unsetenv("DATABASE_URL_FILE");
	}
	free(dir);
}

/* A login that fails (wrong password, over TCP) names the server, not the password. */
static void failed_login_never_prints_the_password(void **state)
{
	char url[512];
	const char *args[] = {"migrate", "status", NULL};
	pp_t_result r;

	(void)state;
	snprintf(url, sizeof(url), "postgresql://postgres:Wr0ng-pw%%20x@127.0.0.1:%s/postgres",
		 getenv("PGPORT"));
	setenv("DATABASE_URL", url, 1);
	r = pp_t_runv(args);
	unsetenv("DATABASE_URL");
	assert_int_equal(r.status, 2);
	pp_t_assert_contains(r.err, "could not connect to the database");
	assert_null(strstr(r.err, "Wr0ng-pw"));
	pp_t_result_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(malformed_url_never_prints_the_password),
		cmocka_unit_test(failed_login_never_prints_the_password),
	};

	unsetenv("DATABASE_URL");
	unsetenv("DATABASE_URL_FILE");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
