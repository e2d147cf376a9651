/*
 * backup_globals.c: the cluster's roles in a backup (see backup_int.h and
 * backup_roles.h).
 *
 * planpipe writes globals.sql itself, from the catalog, in the shape a
 * restore accepts: one CREATE ROLE per role with the allow-listed
 * attributes, and GRANT role TO role for memberships between them.
 * Superusers are left out (every cluster has its own), and CREATEROLE,
 * REPLICATION and BYPASSRLS are never written: a restore refuses them.
 * Role settings (ALTER ROLE ... SET), comments and tablespaces are not
 * part of a backup.
 *
 * A restore parses the whole file before it changes anything, then runs
 * statements it builds again from what it parsed. A role that exists keeps
 * its password, attributes and memberships: statements about it are skipped,
 * so restoring a backup cannot change a role the target cluster already has.
 */
#include "db/backup_globals_int.h"

#include <stdlib.h>
#include <string.h>

#include "db/conn.h"
#include "db/sql.h"
#include "version.h"

pp_rc backup_globals_add_quoted(pp_buf *b, const char *s, char q)
{
	pp_rc rc = pp_buf_add(b, &q, 1);

	for (; rc == PP_OK && *s; s++) {
		if (*s == q)
			rc = pp_buf_add(b, &q, 1);
		if (rc == PP_OK)
			rc = pp_buf_add(b, s, 1);
	}
	return rc == PP_OK ? pp_buf_add(b, &q, 1) : rc;
}

static int yes(const PGresult *res, int row, int col)
{
	return PQgetvalue(res, row, col)[0] == 't';
}

/* One CREATE ROLE line for row of authid's result (backup_globals.sql). */
pp_rc backup_globals_write_role(const bk_env *e, const PGresult *res, int row, pp_buf *b)
{
	const char *name = PQgetvalue(res, row, 0);
	long limit = strtol(PQgetvalue(res, row, 8), NULL, 10);
	pp_rc rc;

	if (yes(res, row, 3) || yes(res, row, 6) || yes(res, row, 7))
		bk_warn(e,
			"role %s has CREATEROLE, REPLICATION or BYPASSRLS: globals.sql holds it "
			"without them (a restore never grants them)",
			name);
	rc = pp_buf_adds(b, "CREATE ROLE ");
	if (rc == PP_OK)
		rc = backup_globals_add_quoted(b, name, '"');
	if (rc == PP_OK)
		rc = pp_buf_printf(b, " WITH %s %s %s", yes(res, row, 5) ? "LOGIN" : "NOLOGIN",
				   yes(res, row, 2) ? "INHERIT" : "NOINHERIT",
				   yes(res, row, 4) ? "CREATEDB" : "NOCREATEDB");
	if (rc == PP_OK && limit >= 0)
		rc = pp_buf_printf(b, " CONNECTION LIMIT %ld", limit);
	if (rc == PP_OK && !PQgetisnull(res, row, 9)) {
		rc = pp_buf_adds(b, " PASSWORD ");
		if (rc == PP_OK)
			rc = backup_globals_add_quoted(b, PQgetvalue(res, row, 9), '\'');
	}
	if (rc == PP_OK && !PQgetisnull(res, row, 10)) {
		rc = pp_buf_adds(b, " VALID UNTIL ");
		if (rc == PP_OK)
			rc = backup_globals_add_quoted(b, PQgetvalue(res, row, 10), '\'');
	}
	return rc == PP_OK ? pp_buf_adds(b, ";\n") : rc;
}

pp_rc bk_globals_write(const bk_env *e, PGconn *conn, const char *path, int *passwords, pp_err *err)
{
	PGresult *roles = NULL, *members = NULL;
	pp_err first;
	pp_buf b;
	pp_rc rc = PP_OK;
	int i;

	*passwords = 1;
	pp_err_clear(&first);
	if (pp_db_exec(conn, pp_db_sql("backup_globals.sql", "authid"), &roles, &first) != PP_OK) {
		*passwords = 0;
		if (pp_db_exec(conn, pp_db_sql("backup_globals.sql", "roles_nopw"), &roles, err) !=
		    PP_OK)
			return PP_EDB;
		bk_warn(e, "globals.sql holds the roles without their passwords (%s)", first.msg);
	}
	if (pp_db_exec(conn, pp_db_sql("backup_globals.sql", "members"), &members, err) != PP_OK) {
		PQclear(roles);
		return PP_EDB;
	}
	pp_buf_init(&b, 256L * 1024 * 1024);
	if (pp_buf_printf(&b,
			  "-- globals.sql: the roles of the cluster, written by planpipe %s.\n"
			  "-- A restore accepts CREATE ROLE, ALTER ROLE and GRANT role TO role "
			  "only (docs/backup.md).\n",
			  PP_VERSION) != PP_OK)
		rc = PP_ENOMEM;
	for (i = 0; rc == PP_OK && i < PQntuples(roles); i++)
		if (!yes(roles, i, 1)) /* superusers: every cluster has its own */
			rc = backup_globals_write_role(e, roles, i, &b);
	/* sql-in-c: globals.sql's GRANT lines, names quoted here: a file written, not run. */
	for (i = 0; rc == PP_OK && i < PQntuples(members); i++) {
		rc = pp_buf_adds(&b, "GRANT ");
		if (rc == PP_OK)
			rc = backup_globals_add_quoted(&b, PQgetvalue(members, i, 0), '"');
		if (rc == PP_OK)
			rc = pp_buf_adds(&b, " TO ");
		if (rc == PP_OK)
			rc = backup_globals_add_quoted(&b, PQgetvalue(members, i, 1), '"');
		if (rc == PP_OK)
			rc = pp_buf_adds(&b, yes(members, i, 2) ? " WITH ADMIN OPTION;\n" : ";\n");
	}
	PQclear(roles);
	PQclear(members);
	if (rc != PP_OK)
		rc = pp_err_set(err, PP_ENOMEM, "out of memory writing %s", path);
	else
		rc = bk_write_synced(path, pp_buf_str(&b), b.len, err);
	if (b.data)
		memset(b.data, 0, b.len); /* it held the password hashes */
	pp_buf_free(&b);
	return rc;
}

/* Roles that exist, each with whether it holds a privileged attribute. */
static pp_rc existing_roles(PGconn *conn, json_t *set, pp_err *err)
{
	PGresult *res;
	int i;

	if (pp_db_exec(conn, pp_db_sql("backup_globals.sql", "existing_roles"), &res, err) != PP_OK)
		return PP_EDB;
	for (i = 0; i < PQntuples(res); i++)
		json_object_set_new(set, PQgetvalue(res, i, 0), json_boolean(yes(res, i, 1)));
	PQclear(res);
	return PP_OK;
}

static pp_rc add_ident(PGconn *conn, pp_buf *b, const char *s)
{
	char *q = PQescapeIdentifier(conn, s, strlen(s));
	pp_rc rc = q ? pp_buf_adds(b, q) : PP_ENOMEM;

	PQfreemem(q);
	return rc;
}

pp_rc bk_add_literal(PGconn *conn, pp_buf *b, const char *s)
{
	char *q = PQescapeLiteral(conn, s, strlen(s));
	pp_rc rc = q ? pp_buf_adds(b, q) : PP_ENOMEM;

	if (q)
		memset(q, 0, strlen(q)); /* it may be a password */
	PQfreemem(q);
	return rc;
}

static pp_rc add_attr(pp_buf *b, pp_role_attr a, const char *yes_word, const char *no_word)
{
	if (a == PP_ATTR_UNSET)
		return PP_OK;
	return pp_buf_printf(b, " %s", a == PP_ATTR_YES ? yes_word : no_word);
}

/*
 * The statement st, built again with our own quoting; the password only if
 * with_password. sql-in-c: role names and the password are quoted into the
 * text at run time (a utility statement takes no parameters).
 */
pp_rc backup_globals_build(PGconn *conn, const pp_role_stmt *st, int with_password, pp_buf *b)
{
	pp_rc rc;

	if (st->kind == PP_ROLE_GRANT) {
		rc = pp_buf_adds(b, "GRANT ");
		if (rc == PP_OK)
			rc = add_ident(conn, b, st->granted);
		if (rc == PP_OK)
			rc = pp_buf_adds(b, " TO ");
		if (rc == PP_OK)
			rc = add_ident(conn, b, st->role);
		if (rc == PP_OK && st->admin_option)
			rc = pp_buf_adds(b, " WITH ADMIN OPTION");
		return rc;
	}
	rc = pp_buf_adds(b, st->kind == PP_ROLE_CREATE ? "CREATE ROLE " : "ALTER ROLE ");
	if (rc == PP_OK)
		rc = add_ident(conn, b, st->role);
	if (rc == PP_OK)
		rc = pp_buf_adds(b, " WITH NOSUPERUSER NOCREATEROLE NOREPLICATION NOBYPASSRLS");
	if (rc == PP_OK)
		rc = add_attr(b, st->login, "LOGIN", "NOLOGIN");
	if (rc == PP_OK)
		rc = add_attr(b, st->inherit, "INHERIT", "NOINHERIT");
	if (rc == PP_OK)
		rc = add_attr(b, st->createdb, "CREATEDB", "NOCREATEDB");
	if (rc == PP_OK && st->has_conn_limit)
		rc = pp_buf_printf(b, " CONNECTION LIMIT %ld", st->conn_limit);
	if (rc == PP_OK && st->valid_until) {
		rc = pp_buf_adds(b, " VALID UNTIL ");
		if (rc == PP_OK)
			rc = bk_add_literal(conn, b, st->valid_until);
	}
	if (rc == PP_OK && with_password && st->has_password) {
		rc = pp_buf_adds(b, " PASSWORD ");
		if (rc == PP_OK)
			rc = st->password ? bk_add_literal(conn, b, st->password)
					  : pp_buf_adds(b, "NULL");
	}
	return rc;
}

/*
 * Before anything runs: a membership given to a role this restore creates
 * must not be in a role that exists here with a privileged attribute
 * (SET ROLE to it would be a way up).
 */
pp_rc backup_globals_check_grants(const pp_role_script *s, const json_t *existing, pp_err *err)
{
	size_t i;

	for (i = 0; i < s->count; i++) {
		const pp_role_stmt *st = &s->stmts[i];
		if (st->kind != PP_ROLE_GRANT || json_object_get(existing, st->role))
			continue;
		if (json_is_true(json_object_get(existing, st->granted)))
			return pp_err_set(
				err, PP_EINVAL,
				"%s:%d:%d: GRANT %s TO %s: role %s exists here with "
				"SUPERUSER, CREATEROLE, REPLICATION or BYPASSRLS: refused",
				BK_GLOBALS, st->line, st->col, st->granted, st->role, st->granted);
	}
	return PP_OK;
}

pp_rc bk_globals_apply(const bk_env *e, PGconn *conn, const pp_role_script *s, int *created,
		       pp_err *err)
{
	int allow_pw = e->c && e->c->allow_role_passwords;
	json_t *existing = json_object();
	pp_buf b, nopw;
	size_t i;
	int cut = 0;
	pp_rc rc;

	*created = 0;
	if (existing == NULL)
		return pp_err_set(err, PP_ENOMEM, "out of memory");
	rc = existing_roles(conn, existing, err);
	if (rc == PP_OK)
		rc = backup_globals_check_grants(s, existing, err);
	if (rc != PP_OK) {
		json_decref(existing);
		return rc;
	}
	pp_buf_init(&b, 1024 * 1024);
	pp_buf_init(&nopw, 8192);
	for (i = 0; i < s->count; i++) {
		const pp_role_stmt *st = &s->stmts[i];
		pp_err serr;

		/* Roles that were here before are never changed. */
		if (json_object_get(existing, st->role))
			continue;
		pp_buf_reset(&b);
		if (backup_globals_build(conn, st, allow_pw, &b) != PP_OK || b.data == NULL) {
			rc = pp_err_set(err, PP_ENOMEM, "out of memory");
			break;
		}
		if (!allow_pw && st->has_password && st->password &&
		    pp_buf_printf(&nopw, "%s%s", nopw.len ? ", " : "", st->role) != PP_OK)
			cut = 1;
		pp_err_clear(&serr);
		if (pp_db_exec(conn, pp_buf_str(&b), NULL, &serr) != PP_OK) {
			bk_warn(e, "%s:%d: %s", BK_GLOBALS, st->line, serr.msg);
			continue;
		}
		if (st->kind == PP_ROLE_CREATE)
			++*created;
	}
	if (nopw.len)
		bk_warn(e,
			"roles created without the passwords the backup holds for them (%s%s): "
			"pass --allow-role-passwords to set them",
			pp_buf_str(&nopw), cut ? ", ..." : "");
	if (b.data)
		memset(b.data, 0, b.len);
	pp_buf_free(&b);
	pp_buf_free(&nopw);
	json_decref(existing);
	return rc;
}

pp_rc bk_roles_check(const bk_env *e, PGconn *conn, const json_t *m, int *keep_owners, pp_err *err)
{
	const json_t *roles = json_object_get(m, "roles");
	char *text = roles ? json_dumps(roles, JSON_COMPACT) : strdup("{}");
	const char *params[1];
	pp_buf missing_grantees, missing_owners;
	PGresult *res = NULL;
	pp_rc rc;
	int i;

	*keep_owners = 1;
	if (text == NULL)
		return pp_err_set(err, PP_ENOMEM, "out of memory");
	params[0] = text;
	rc = pp_db_execp(conn, pp_db_sql("backup_globals.sql", "roles"), 1, params, &res, err);
	free(text);
	if (rc != PP_OK)
		return rc;
	pp_buf_init(&missing_grantees, 8192);
	pp_buf_init(&missing_owners, 8192);
	for (i = 0; i < PQntuples(res); i++) {
		const char *name = PQgetvalue(res, i, 0);
		int grantee = strcmp(PQgetvalue(res, i, 1), "grantee") == 0;
		int exists = PQgetvalue(res, i, 2)[0] == 't';
		int usable = PQgetvalue(res, i, 3)[0] == 't';
		pp_buf *b = grantee ? &missing_grantees : &missing_owners;

		if (!exists && pp_buf_printf(b, "%s%s", b->len ? ", " : "", name) != PP_OK)
			*keep_owners = 0; /* the list is cut short; the message still names some */
		if (!grantee && !usable)
			*keep_owners = 0;
	}
	PQclear(res);
	if (missing_grantees.len) {
		rc = pp_err_set(err, PP_ECONFLICT,
				"the backup grants privileges to roles this cluster lacks: %s. "
				"globals.sql could not create them (see the warnings): create "
				"them, or restore as a role with CREATEROLE",
				pp_buf_str(&missing_grantees));
	} else if (missing_owners.len) {
		bk_warn(e,
			"roles owning objects in the backup do not exist here (%s): the restored "
			"objects will be owned by the restoring role",
			pp_buf_str(&missing_owners));
	} else if (!*keep_owners) {
		bk_warn(e, "the restoring role may not give objects to their original owners: "
			   "they will be owned by the restoring role");
	}
	pp_buf_free(&missing_grantees);
	pp_buf_free(&missing_owners);
	return rc;
}
