/*
 * tests/unit/db/conn.c: src/db/conn.c's pure part: DATABASE_URL checked at
 * start-up, and passwords masked in every message that may echo a
 * connection string (URI userinfo, password= parameters, key=value, the
 * password file's), and a server's error in planpipe's words (the primary
 * message and SQLSTATE, never a failing row). Connections themselves:
 * tests/integration/test_conn.c.
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

/* Fails unless pp_db_err_diag words d (after what) as want, with its SQLSTATE kept. */
static void worded(const char *what, const pp_db_diag *d, const char *want)
{
	pp_err err;

	pp_err_clear(&err);
	assert_int_equal(pp_db_err_diag(&err, d, what), PP_EDB);
	assert_int_equal(err.rc, PP_EDB);
	unit_str_equal(d->primary, err.msg, want);
	unit_str_equal(d->primary, err.sqlstate, d->sqlstate ? d->sqlstate : "");
}

/*
 * Review 10, finding 16: the command line printed "ERROR: new row ... (SQLSTATE
 * 23514)" and "DETAIL: Failing row contains (...)", a whole story's body
 * with it, and ours with their PP code.
 */
static void server_errors_in_our_words(void **state)
{
	static const char row[] = "Failing row contains (36, tt, tt, , tt, null, main, {}).";
	pp_db_diag check = {"ERROR",
			    "23514",
			    "new row for relation \"projects\" violates check constraint "
			    "\"projects_key_format\"",
			    row,
			    NULL,
			    "projects",
			    NULL};
	pp_db_diag not_null = {"ERROR",
			       "23502",
			       "null value in column \"title\" of relation \"stories\" violates "
			       "not-null constraint",
			       row,
			       NULL,
			       "stories",
			       "title"};
	pp_db_diag ours = {"ERROR",
			   "PP422",
			   "\"in the fridge\" is a new word: give its category",
			   NULL,
			   "todo, active, done or cancelled",
			   NULL,
			   NULL};
	pp_db_diag unique = {"ERROR",
			     "23505",
			     "duplicate key value violates unique constraint \"projects_key_key\"",
			     "Key (key)=(ADH) already exists.",
			     NULL,
			     "projects",
			     NULL};
	pp_db_diag fatal = {"FATAL", "57P01", "terminating connection due to administrator command",
			    NULL,    NULL,    NULL,
			    NULL};
	pp_db_diag other_row = {"ERROR", "23P01", "conflicting key value", row, NULL, NULL, NULL};
	pp_db_diag bare = {NULL, NULL, "something", NULL, NULL, NULL, NULL};

	(void)state;
	worded(NULL, &check,
	       "new row for relation \"projects\" violates check constraint "
	       "\"projects_key_format\" (SQLSTATE 23514)");
	worded("adding", &not_null,
	       "adding: null value in column \"title\" of relation \"stories\" violates "
	       "not-null constraint (SQLSTATE 23502, column stories.title)");
	worded(NULL, &ours,
	       "\"in the fridge\" is a new word: give its category\n"
	       "HINT: todo, active, done or cancelled");
	worded(NULL, &unique,
	       "duplicate key value violates unique constraint \"projects_key_key\" "
	       "(SQLSTATE 23505)\nDETAIL: Key (key)=(ADH) already exists.");
	worded(NULL, &fatal,
	       "FATAL: terminating connection due to administrator command (SQLSTATE 57P01)");
	worded(NULL, &other_row, "conflicting key value (SQLSTATE 23P01)");
	worded(NULL, &bare,
	       "something (SQLSTATE ?????"
	       ")");
	assert_int_equal(pp_db_err_diag(NULL, &check, NULL), PP_EDB);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(passwords_are_masked),
	cmocka_unit_test(urls_checked_at_start_up),
	cmocka_unit_test(server_errors_in_our_words),
};

UNIT_MAIN("conn", tests)
