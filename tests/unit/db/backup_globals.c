/*
 * tests/unit/db/backup_globals.c: the parts of src/db/backup_globals.c that
 * run no statement: globals.sql's CREATE ROLE lines from the catalog's rows
 * (allow-listed attributes only, quoting, and a restore's parser takes
 * them back), the statements a restore builds again from what it parsed
 * (never a privileged attribute, a password only when allowed), and the
 * refusal of a grant that would lead up to a privileged role.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "unit.h"

#include "db/backup_globals_int.h"
#include "pgresult.h"

/* The authid statement's columns, in order. */
enum {
	NAME,
	SUPER,
	INHERIT,
	CREATEROLE,
	CREATEDB,
	LOGIN,
	REPL,
	BYPASSRLS,
	CONNLIMIT,
	PASSWORD,
	VALID,
	N_COLS
};

typedef struct warnings {
	int n;
	char last[512];
} warnings;

static void on_event(void *ctx, const pp_backup_event *ev)
{
	warnings *w = ctx;

	if (ev->kind == PP_BACKUP_EV_WARNING) {
		w->n++;
		snprintf(w->last, sizeof(w->last), "%s", ev->text);
	}
}

/* The line written for a row, into out; the warnings in *w. */
static void line_of(const char *const v[N_COLS], char *out, size_t size, warnings *w)
{
	pp_backup_common c = {.on_event = on_event, .ctx = w};
	bk_env e = {.c = &c};
	PGresult *r = pp_t_result(N_COLS, 1, v); /* as authid returns it */
	pp_buf b;

	memset(w, 0, sizeof(*w));
	pp_buf_init(&b, 8192);
	assert_int_equal(backup_globals_write_role(&e, r, 0, &b), PP_OK);
	snprintf(out, size, "%s", pp_buf_str(&b));
	pp_buf_free(&b);
	PQclear(r);
}

static void quotes_by_doubling(void **state)
{
	pp_buf b;

	(void)state;
	pp_buf_init(&b, 256);
	assert_int_equal(backup_globals_add_quoted(&b, "a\"b", '"'), PP_OK);
	assert_int_equal(backup_globals_add_quoted(&b, "it's ''", '\''), PP_OK);
	assert_int_equal(backup_globals_add_quoted(&b, "", '"'), PP_OK);
	assert_string_equal(pp_buf_str(&b), "\"a\"\"b\"'it''s '''''\"\"");
	pp_buf_free(&b);
	/* Over the buffer's cap: its error, not a line cut short. */
	pp_buf_init(&b, 4);
	assert_int_not_equal(backup_globals_add_quoted(&b, "abcdef", '"'), PP_OK);
	pp_buf_free(&b);
}

static void writes_only_allow_listed_attributes(void **state)
{
	static const char *const app[N_COLS] = {
		"pp_app", "f", "t", "f", "f", "t", "f", "f", "-1", "SCRAM-SHA-256$4096:x'y", NULL};
	static const char *const odd[N_COLS] = {
		"we\"ird", "f", "f", "t", "t", "f", "t", "t", "5", NULL, "2030-01-01 00:00:00+00"};
	char line[1024];
	warnings w;

	(void)state;
	line_of(app, line, sizeof(line), &w);
	assert_string_equal(line, "CREATE ROLE \"pp_app\" WITH LOGIN INHERIT NOCREATEDB PASSWORD "
				  "'SCRAM-SHA-256$4096:x''y';\n");
	assert_int_equal(w.n, 0);
	line_of(odd, line, sizeof(line), &w);
	assert_string_equal(line, "CREATE ROLE \"we\"\"ird\" WITH NOLOGIN NOINHERIT CREATEDB "
				  "CONNECTION LIMIT 5 VALID UNTIL '2030-01-01 00:00:00+00';\n");
	assert_int_equal(w.n, 1);
	assert_non_null(strstr(w.last, "role we\"ird has CREATEROLE, REPLICATION or BYPASSRLS"));
}

/* What is written is what a restore reads back. */
static void a_restore_reads_back_what_is_written(void **state)
{
	static const char *const odd[N_COLS] = {"we\"ird", "f", "f", "f",       "t",       "t",
						"f",       "f", "3", "md5abc'", "infinity"};
	char line[1024];
	pp_role_script s;
	warnings w;
	pp_err err;

	(void)state;
	line_of(odd, line, sizeof(line), &w);
	memset(&s, 0, sizeof(s));
	pp_err_clear(&err);
	if (pp_role_script_parse(line, strlen(line), BK_GLOBALS, &s, &err) != PP_OK)
		fail_msg("%s: %s", line, err.msg);
	assert_int_equal(s.count, 1);
	assert_int_equal(s.stmts[0].kind, PP_ROLE_CREATE);
	assert_string_equal(s.stmts[0].role, "we\"ird");
	assert_int_equal(s.stmts[0].login, PP_ATTR_YES);
	assert_int_equal(s.stmts[0].inherit, PP_ATTR_NO);
	assert_int_equal(s.stmts[0].createdb, PP_ATTR_YES);
	assert_int_equal(s.stmts[0].conn_limit, 3);
	assert_string_equal(s.stmts[0].password, "md5abc'");
	assert_string_equal(s.stmts[0].valid_until, "infinity");
	pp_role_script_free(&s);
}

/* A connection object that reaches no server: libpq's quoting needs one, not a session. */
static PGconn *offline(void)
{
	PGconn *conn = PQconnectStart("host=/nonexistent-pp-unit dbname=x connect_timeout=1");

	assert_non_null(conn);
	return conn;
}

static void parse_one(const char *sql, pp_role_script *s)
{
	pp_err err;

	memset(s, 0, sizeof(*s));
	pp_err_clear(&err);
	if (pp_role_script_parse(sql, strlen(sql), BK_GLOBALS, s, &err) != PP_OK)
		fail_msg("%s: %s", sql, err.msg);
}

static void built_again_without_privileges(void **state)
{
	PGconn *conn = offline();
	pp_role_script s;
	pp_buf b;

	(void)state;
	parse_one("CREATE ROLE \"a\"\"b\" WITH LOGIN NOINHERIT CONNECTION LIMIT 2 "
		  "PASSWORD 'se''cret' VALID UNTIL 'infinity';\n"
		  "CREATE ROLE x;\n"
		  "ALTER ROLE x WITH CREATEDB;\n"
		  "GRANT \"a\"\"b\" TO x WITH ADMIN OPTION;\n"
		  "CREATE ROLE n PASSWORD NULL;\n",
		  &s);
	assert_int_equal(s.count, 5);
	pp_buf_init(&b, 4096);
	/* Without --allow-role-passwords: no password. */
	assert_int_equal(backup_globals_build(conn, &s.stmts[0], 0, &b), PP_OK);
	assert_string_equal(
		pp_buf_str(&b),
		"CREATE ROLE \"a\"\"b\" WITH NOSUPERUSER NOCREATEROLE NOREPLICATION "
		"NOBYPASSRLS LOGIN NOINHERIT CONNECTION LIMIT 2 VALID UNTIL 'infinity'");
	pp_buf_reset(&b);
	assert_int_equal(backup_globals_build(conn, &s.stmts[0], 1, &b), PP_OK);
	assert_non_null(strstr(pp_buf_str(&b), "VALID UNTIL 'infinity' PASSWORD 'se''cret'"));
	pp_buf_reset(&b);
	assert_int_equal(backup_globals_build(conn, &s.stmts[2], 1, &b), PP_OK);
	assert_string_equal(pp_buf_str(&b), "ALTER ROLE \"x\" WITH NOSUPERUSER NOCREATEROLE "
					    "NOREPLICATION NOBYPASSRLS CREATEDB");
	pp_buf_reset(&b);
	assert_int_equal(backup_globals_build(conn, &s.stmts[3], 1, &b), PP_OK);
	assert_string_equal(pp_buf_str(&b), "GRANT \"a\"\"b\" TO \"x\" WITH ADMIN OPTION");
	pp_buf_reset(&b);
	assert_int_equal(backup_globals_build(conn, &s.stmts[4], 1, &b), PP_OK);
	assert_string_equal(pp_buf_str(&b), "CREATE ROLE \"n\" WITH NOSUPERUSER NOCREATEROLE "
					    "NOREPLICATION NOBYPASSRLS PASSWORD NULL");
	pp_buf_free(&b);
	pp_role_script_free(&s);
	PQfinish(conn);
}

static void a_grant_up_to_a_privileged_role_is_refused(void **state)
{
	json_t *existing = json_pack("{s:b, s:b}", "admin", 1, "plain", 0);
	pp_role_script s;
	pp_err err;

	(void)state;
	pp_err_clear(&err);
	/* Granting a role that exists without privileges, or to a role that exists: fine. */
	parse_one("CREATE ROLE newbie;\nCREATE ROLE plain;\nCREATE ROLE admin;\n"
		  "GRANT plain TO newbie;\nGRANT admin TO plain;\n",
		  &s);
	assert_int_equal(backup_globals_check_grants(&s, existing, &err), PP_OK);
	pp_role_script_free(&s);
	/* A role this restore creates getting a privileged one: refused, at its line. */
	parse_one("CREATE ROLE newbie;\nCREATE ROLE admin;\n  GRANT admin TO newbie;\n", &s);
	assert_int_equal(backup_globals_check_grants(&s, existing, &err), PP_EINVAL);
	assert_string_equal(err.msg, "globals.sql:3:3: GRANT admin TO newbie: role admin exists "
				     "here with SUPERUSER, CREATEROLE, REPLICATION or BYPASSRLS: "
				     "refused");
	pp_role_script_free(&s);
	json_decref(existing);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(quotes_by_doubling),
	cmocka_unit_test(writes_only_allow_listed_attributes),
	cmocka_unit_test(a_restore_reads_back_what_is_written),
	cmocka_unit_test(built_again_without_privileges),
	cmocka_unit_test(a_grant_up_to_a_privileged_role_is_refused),
};

UNIT_MAIN("backup_globals", tests)
