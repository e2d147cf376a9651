/*
 * tests/unit/db/conn.c: src/db/conn.c's pure part: DATABASE_URL checked at
 * start-up, and passwords masked in every message that may echo a
 * connection string (URI userinfo, password= parameters, key=value, the
 * password file's). Connections themselves: tests/integration/test_conn.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "unit.h"

#include "db/conn.h"

static void masked(const char *url, const char *password, const char *msg, const char *want)
{
	pp_config cfg;
	char buf[PP_ERR_MSG_MAX];

	memset(&cfg, 0, sizeof(cfg));
	cfg.database_url = (char *)url;
	cfg.password = (char *)password;
	snprintf(buf, sizeof(buf), "%s", msg);
	pp_db_mask_secrets(&cfg, buf, sizeof(buf));
	assert_string_equal(buf, want);
}

static void passwords_are_masked(void **state)
{
	(void)state;
	masked("postgresql://app:s3cret@db:5432/pp", NULL,
	       "cannot connect to postgresql://app:s3cret@db:5432/pp",
	       "cannot connect to postgresql://app:********@db:5432/pp");
	/* An unescaped '@' in the password: masked whole and in libpq's two halves. */
	masked("postgres://app:Xy9@Qw7@db/pp", NULL, "bad: postgres://app:Xy9@Qw7@db/pp (Xy9; Qw7)",
	       "bad: postgres://app:********@db/pp (********; ********)");
	masked("postgresql://db/pp?password=hunter2&sslmode=require", NULL,
	       "?password=hunter2&sslmode", "?password=********&sslmode");
	masked("host=db password = 's p\\'w' user=app", NULL,
	       "host=db password = 's p\\'w' user=app", "host=db password = '********' user=app");
	masked("host=db password=plain user=app", NULL, "host=db password=plain user=app",
	       "host=db password=******** user=app");
	masked(NULL, "from-a-file", "FATAL: from-a-file rejected", "FATAL: ******** rejected");
	masked(NULL, NULL, "nothing to hide", "nothing to hide");
}

static void urls_checked_at_start_up(void **state)
{
	pp_config cfg;
	pp_err err;

	(void)state;
	memset(&cfg, 0, sizeof(cfg));
	assert_int_equal(pp_db_check_config(&cfg, &err), PP_OK);
	cfg.database_url = "postgresql://app:pw@db/pp";
	assert_int_equal(pp_db_check_config(&cfg, &err), PP_OK);
	cfg.database_url = "host=db port=5432 dbname=pp";
	assert_int_equal(pp_db_check_config(&cfg, &err), PP_OK);
	cfg.database_url = "postgresql://app:topsecret@db/pp?nosuchoption=1";
	assert_int_equal(pp_db_check_config(&cfg, &err), PP_EINVAL);
	assert_non_null(strstr(err.msg, "DATABASE_URL is not a valid connection string: "));
	assert_null(strstr(err.msg, "topsecret"));
	assert_int_not_equal(err.msg[strlen(err.msg) - 1], '\n');
	cfg.database_url = "host=db password='unterminated";
	assert_int_equal(pp_db_check_config(&cfg, &err), PP_EINVAL);
	assert_null(strstr(err.msg, "unterminated"));
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(passwords_are_masked),
	cmocka_unit_test(urls_checked_at_start_up),
};

UNIT_MAIN("conn", tests)
