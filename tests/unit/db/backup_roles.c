/* tests/unit/db/backup_roles.c: tests src/db/backup_roles.c, the parser of globals.sql. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "unit.h"
#include <stdio.h>
#include <string.h>

#include "db/backup_roles.h"

static pp_role_script parse_ok(const char *sql)
{
	pp_role_script s;
	pp_err err;

	pp_err_clear(&err);
	if (pp_role_script_parse(sql, strlen(sql), "globals.sql", &s, &err) != PP_OK)
		fail_msg("parse failed: %s\n--\n%s", err.msg, sql);
	return s;
}

/* SQL that must be refused: want in the message, which starts with at (NULL: anywhere). */
typedef struct refusal {
	const char *sql, *want, *at;
} refusal;

/* Every case is refused with its message and a position; a failure names the case's SQL. */
static void refused(const refusal *cases, size_t n)
{
	pp_role_script s;
	pp_err err;
	size_t i;

	for (i = 0; i < n; i++) {
		const refusal *c = &cases[i];

		pp_err_clear(&err);
		if (pp_role_script_parse(c->sql, strlen(c->sql), "globals.sql", &s, &err) !=
		    PP_EINVAL)
			fail_msg("accepted, should be refused:\n%s", c->sql);
		pp_role_script_free(&s);
		unit_str_has(c->sql, err.msg, c->want);
		if (c->at && strncmp(err.msg, c->at, strlen(c->at)) != 0)
			fail_msg("%s: message \"%s\" does not start with \"%s\"", c->sql, err.msg,
				 c->at);
		unit_str_equal(c->sql, err.file, "globals.sql");
		if (err.line <= 0)
			fail_msg("%s: no line in the error", c->sql);
	}
}

/* What planpipe itself writes is accepted, and read as written. */
static void accepts_what_planpipe_writes(void **state)
{
	const char *sql =
		"-- globals.sql: the roles of the cluster, written by planpipe 0.1.0.\n"
		"CREATE ROLE \"planpipe_app\" WITH NOLOGIN INHERIT NOCREATEDB;\n"
		"CREATE ROLE \"pp_auditor\" WITH LOGIN NOINHERIT CREATEDB CONNECTION LIMIT 5"
		" PASSWORD 'SCRAM-SHA-256$4096:abc=$x:y' VALID UNTIL '2030-01-01 00:00:00+00';\n"
		"CREATE ROLE \"we\"\"ird; role\";\n"
		"/* a /* nested */ comment */ alter role pp_auditor with nosuperuser"
		" nocreaterole noreplication nobypassrls encrypted password null;\n"
		"GRANT \"planpipe_app\" TO \"pp_auditor\";\n"
		"GRANT planpipe_app TO \"we\"\"ird; role\" WITH ADMIN OPTION\n";
	pp_role_script s = parse_ok(sql);
	const pp_role_stmt *st;

	(void)state;
	assert_int_equal(s.count, 6);
	st = &s.stmts[0];
	assert_int_equal(st->kind, PP_ROLE_CREATE);
	assert_string_equal(st->role, "planpipe_app");
	assert_int_equal(st->login, PP_ATTR_NO);
	assert_int_equal(st->inherit, PP_ATTR_YES);
	assert_int_equal(st->line, 2);
	st = &s.stmts[1];
	assert_string_equal(st->role, "pp_auditor");
	assert_int_equal(st->login, PP_ATTR_YES);
	assert_int_equal(st->createdb, PP_ATTR_YES);
	assert_int_equal(st->conn_limit, 5);
	assert_true(st->has_password);
	assert_string_equal(st->password, "SCRAM-SHA-256$4096:abc=$x:y");
	assert_string_equal(st->valid_until, "2030-01-01 00:00:00+00");
	assert_string_equal(s.stmts[2].role, "we\"ird; role");
	st = &s.stmts[3];
	assert_int_equal(st->kind, PP_ROLE_ALTER);
	assert_true(st->has_password);
	assert_null(st->password);
	assert_int_equal(st->line, 5);
	assert_int_equal(st->col, 30);
	st = &s.stmts[5];
	assert_int_equal(st->kind, PP_ROLE_GRANT);
	assert_string_equal(st->granted, "planpipe_app");
	assert_string_equal(st->role, "we\"ird; role");
	assert_true(st->admin_option);
	pp_role_script_free(&s);
}

static void refuses_other_commands(void **state)
{
	static const refusal cases[] = {
		{"ALTER USER postgres PASSWORD 'x';", "ALTER USER is not accepted",
		 "globals.sql:1:1: "},
		{"alter user postgres with password 'x';", "ALTER USER is not accepted", NULL},
		{"COPY (SELECT 1) TO PROGRAM 'touch /tmp/pwned';", "COPY is not accepted", NULL},
		{"CREATE ROLE a;\n  DO $$BEGIN PERFORM 1; END$$;", "globals.sql:2:3: DO is not",
		 NULL},
		{"SET default_transaction_read_only = off;", "SET is not accepted", NULL},
		{"CREATE TABLESPACE t LOCATION '/x';", "CREATE TABLESPACE is not accepted", NULL},
		{"\\! touch /tmp/pwned\nCREATE ROLE a;", "psql meta-commands", NULL},
		{"CREATE ROLE a;\n\\restrict abc", "globals.sql:2:1: a backslash", NULL},
		{"GRANT pg_execute_server_program TO a;", "names starting with pg_", NULL},
		{"COMMENT ON ROLE a IS 'x';", "COMMENT is not accepted", NULL},
	};

	(void)state;
	refused(cases, UNIT_NELEM(cases));
}

/* A second statement is found wherever it hides: after ';', after quotes, in comments. */
static void refuses_a_hidden_second_statement(void **state)
{
	static const refusal cases[] = {
		{"CREATE ROLE a PASSWORD 'x'; COPY t TO PROGRAM 'id';", "1:29: COPY is not", NULL},
		{"CREATE ROLE a PASSWORD 'x''; COPY t TO PROGRAM ''id' LOGIN COPY",
		 "COPY where a role option", NULL},
		{"CREATE ROLE \"a\"\"; COPY t TO PROGRAM 'id'; --\" COPY", "COPY where", NULL},
		{"CREATE ROLE a /* ; */ LOGIN; /* */ COPY t TO PROGRAM 'id'", "COPY is not", NULL},
		{"CREATE ROLE a VALID UNTIL $$x$$; COPY t TO PROGRAM 'id'",
		 "a dollar-quoted string where a VALID UNTIL string", NULL},
		{"CREATE ROLE a LOGIN $x$; COPY t TO PROGRAM 'id'; $x$",
		 "a dollar-quoted string where a role option", NULL},
		{"CREATE ROLE a PASSWORD E'x\\'; COPY t TO PROGRAM ''id''; --'",
		 "special string constant", NULL},
		{"CREATE ROLE a PASSWORD U&'x'", "special string constant", NULL},
		{"CREATE ROLE a LOGIN -- ;\n COPY t TO PROGRAM 'id'", "COPY where", NULL},
		{"CREATE ROLE a /* unterminated ; COPY", "unterminated /* comment", NULL},
		{"CREATE ROLE \"a", "unterminated quoted identifier", NULL},
		{"CREATE ROLE a PASSWORD $1", "a parameter", NULL},
	};

	(void)state;
	refused(cases, UNIT_NELEM(cases));
}

/* A ';' inside a quote is text: one statement, the text kept as it is (and quoted again). */
static void semicolons_inside_quotes_are_text(void **state)
{
	pp_role_script s =
		parse_ok("CREATE ROLE \"a\"\"; COPY t TO PROGRAM 'id'; --\" PASSWORD 'x'';COPY t "
			 "TO PROGRAM ''id';\n");

	(void)state;
	assert_int_equal(s.count, 1);
	assert_string_equal(s.stmts[0].role, "a\"; COPY t TO PROGRAM 'id'; --");
	assert_string_equal(s.stmts[0].password, "x';COPY t TO PROGRAM 'id");
	pp_role_script_free(&s);
}

static void refuses_privileged_attributes(void **state)
{
	static const refusal cases[] = {
		{"CREATE ROLE evil SUPERUSER LOGIN PASSWORD 'x';",
		 "role evil: the SUPERUSER attribute is refused", "globals.sql:1:18: "},
		{"CREATE ROLE evil WITH LOGIN CREATEROLE;", "CREATEROLE attribute is refused",
		 NULL},
		{"CREATE ROLE evil REPLICATION;", "REPLICATION attribute is refused", NULL},
		{"CREATE ROLE a; ALTER ROLE a BYPASSRLS;", "BYPASSRLS attribute is refused", NULL},
		{"CREATE ROLE a IN ROLE planpipe_app;", "IN where a role option", NULL},
		{"CREATE ROLE a ADMIN b;", "ADMIN where a role option", NULL},
		{"CREATE ROLE a SYSID 10;", "SYSID where", NULL},
		{"CREATE ROLE a CONNECTION LIMIT 1.5;", "connection limit 1.5", NULL},
	};

	(void)state;
	refused(cases, UNIT_NELEM(cases));
}

/* ALTER ROLE and GRANT only about roles the file creates, before them. */
static void refuses_changes_to_roles_it_does_not_create(void **state)
{
	static const refusal cases[] = {
		{"ALTER ROLE postgres PASSWORD 'x';",
		 "ALTER ROLE postgres: only a role created earlier", NULL},
		{"ALTER ROLE postgres WITH SUPERUSER;", "only a role created earlier", NULL},
		{"CREATE ROLE a; GRANT postgres TO a;",
		 "GRANT postgres TO a: only memberships between roles created", NULL},
		{"CREATE ROLE a; GRANT a TO postgres;", "GRANT a TO postgres", NULL},
		{"GRANT a TO b; CREATE ROLE a; CREATE ROLE b;", "GRANT a TO b", NULL},
		{"CREATE ROLE a; CREATE ROLE A;", "role a is created twice", NULL},
		{"CREATE ROLE a; GRANT a TO a GRANTED BY postgres;", "GRANTED where ';'", NULL},
		{"CREATE ROLE a; ALTER ROLE a;", "where a role option was expected", NULL},
		{"CREATE ROLE a; ALTER ROLE a SET search_path = x;", "SET where a role option",
		 NULL},
		{"CREATE ROLE a; ALTER ROLE a RENAME TO b;", "RENAME where", NULL},
	};

	(void)state;
	refused(cases, UNIT_NELEM(cases));
}

static void empty_and_comment_only_files_are_accepted(void **state)
{
	pp_role_script s = parse_ok("-- nothing\n/* at all */ ;\n");

	(void)state;
	assert_int_equal(s.count, 0);
	pp_role_script_free(&s);
	s = parse_ok("");
	assert_int_equal(s.count, 0);
	pp_role_script_free(&s);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(accepts_what_planpipe_writes),
	cmocka_unit_test(refuses_other_commands),
	cmocka_unit_test(refuses_a_hidden_second_statement),
	cmocka_unit_test(semicolons_inside_quotes_are_text),
	cmocka_unit_test(refuses_privileged_attributes),
	cmocka_unit_test(refuses_changes_to_roles_it_does_not_create),
	cmocka_unit_test(empty_and_comment_only_files_are_accepted),
};

UNIT_MAIN("backup_roles", tests)
