/*
 * backup_globals.c: the cluster's roles from globals.sql, applied so that
 * a restore never fails on "role does not exist" and never changes a role
 * the target cluster already has (see backup_int.h).
 *
 * globals.sql is pg_dumpall's output, whose statements have a fixed shape:
 * CREATE ROLE r; ALTER ROLE r WITH ...; COMMENT ON ROLE r IS ...;
 * ALTER ROLE r SET ...; GRANT g TO r ...; CREATE TABLESPACE ...; SET ...
 * and psql meta-commands (\restrict) at line starts between them. A role
 * that exists keeps its password, attributes and memberships: statements
 * about it are skipped, so restoring a backup of another cluster cannot
 * reset the target's superuser password.
 */
#include "db/backup_int.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/file.h"
#include "db/conn.h"
#include "db/sqlscan.h"

/* Skips psql meta-command lines, blanks and -- comments; "" when nothing is left. */
static const char *skip_noise(const char *s, const char *end)
{
	while (s < end) {
		if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r') {
			s++;
		} else if (*s == '\\' || (*s == '-' && s + 1 < end && s[1] == '-')) {
			while (s < end && *s != '\n')
				s++;
		} else {
			break;
		}
	}
	return s;
}

/* Reads an identifier as pg_dump prints it (fmtId); returns what follows, or NULL. */
static const char *read_ident(const char *p, char *out, size_t size)
{
	size_t n = 0;

	while (*p == ' ')
		p++;
	if (*p == '"') {
		for (p++; *p; p++) {
			if (*p == '"' && p[1] != '"')
				break;
			if (*p == '"')
				p++;
			if (n + 1 < size)
				out[n++] = *p;
		}
		if (*p != '"')
			return NULL;
		p++;
	} else {
		while (*p && (isalnum((unsigned char)*p) || *p == '_' || *p == '$' ||
			      (unsigned char)*p >= 0x80)) {
			if (n + 1 < size)
				out[n++] = *p;
			p++;
		}
	}
	out[n] = '\0';
	return n > 0 ? p : NULL;
}

static int starts(const char *s, const char *prefix)
{
	return strncasecmp(s, prefix, strlen(prefix)) == 0;
}

/* The role a GRANT gives to: the identifier after the first unquoted TO. */
static int grant_member(const char *s, char *out, size_t size)
{
	const char *p = s;

	while (*p) {
		while (*p == ' ' || *p == '\n' || *p == '\t')
			p++;
		if (*p == '"') {
			for (p++; *p && !(*p == '"' && p[1] != '"'); p++)
				if (*p == '"')
					p++;
			if (*p)
				p++;
			continue;
		}
		if (starts(p, "TO ") && (p == s || p[-1] == ' ' || p[-1] == '\n'))
			return read_ident(p + 3, out, size) != NULL;
		while (*p && *p != ' ' && *p != '\n' && *p != '\t' && *p != '"')
			p++;
	}
	return 0;
}

typedef enum { ST_RUN, ST_CREATE_ROLE, ST_SKIP } stmt_kind;

/*
 * Decides what to do with one statement: run it, create a role (role set),
 * or skip it because it is about a role that existed before (existing) or
 * about a tablespace.
 */
static stmt_kind classify(const char *s, const json_t *existing, char *role, size_t size,
			  int *tablespace)
{
	const char *p = NULL;

	role[0] = '\0';
	if (starts(s, "CREATE TABLESPACE") || starts(s, "ALTER TABLESPACE") ||
	    starts(s, "COMMENT ON TABLESPACE") ||
	    (starts(s, "GRANT ") && strstr(s, " ON TABLESPACE ") != NULL)) {
		*tablespace = 1;
		return ST_SKIP;
	}
	if (starts(s, "CREATE ROLE "))
		p = s + 12;
	else if (starts(s, "ALTER ROLE "))
		p = s + 11;
	else if (starts(s, "COMMENT ON ROLE "))
		p = s + 16;
	if (p) {
		if (read_ident(p, role, size) == NULL)
			return ST_RUN;
		if (json_object_get(existing, role))
			return ST_SKIP;
		return starts(s, "CREATE ROLE ") ? ST_CREATE_ROLE : ST_RUN;
	}
	/* Memberships and parameter privileges: only for roles created here. */
	if (starts(s, "GRANT ") && grant_member(s, role, size) && json_object_get(existing, role))
		return ST_SKIP;
	return ST_RUN;
}

static pp_rc existing_roles(PGconn *conn, json_t *set, pp_err *err)
{
	PGresult *res;
	int i;

	if (pp_db_exec(conn, "SELECT rolname FROM pg_roles", &res, err) != PP_OK)
		return PP_EDB;
	for (i = 0; i < PQntuples(res); i++)
		json_object_set_new(set, PQgetvalue(res, i, 0), json_true());
	PQclear(res);
	return PP_OK;
}

pp_rc bk_globals_apply(const bk_env *e, PGconn *conn, const char *path, int *created, pp_err *err)
{
	pp_sql_script script = {NULL, 0};
	json_t *existing = json_object();
	char *sql = NULL, *stmt = NULL, role[256];
	size_t len = 0, i;
	int tablespace = 0;
	pp_rc rc;

	*created = 0;
	if (existing == NULL)
		return pp_err_set(err, PP_ENOMEM, "out of memory");
	rc = pp_file_read(path, 256L * 1024 * 1024, &sql, &len, err);
	if (rc == PP_OK)
		rc = existing_roles(conn, existing, err);
	if (rc == PP_OK && (rc = pp_sql_split(sql, len, &script, err)) != PP_OK)
		pp_err_prefix(err, "%s: ", path);
	for (i = 0; rc == PP_OK && i < script.count; i++) {
		const pp_sql_stmt *st = &script.stmts[i];
		const char *from = skip_noise(sql + st->offset, sql + st->offset + st->len);
		size_t n = (size_t)(sql + st->offset + st->len - from);
		pp_err serr;
		stmt_kind kind;

		if (n == 0)
			continue;
		free(stmt);
		stmt = strndup(from, n);
		if (stmt == NULL) {
			rc = pp_err_set(err, PP_ENOMEM, "out of memory");
			break;
		}
		kind = classify(stmt, existing, role, sizeof(role), &tablespace);
		if (kind == ST_SKIP)
			continue;
		pp_err_clear(&serr);
		if (pp_db_exec(conn, stmt, NULL, &serr) != PP_OK) {
			bk_warn(e, "%s:%d: %s", path, st->line, serr.msg);
			continue;
		}
		if (kind == ST_CREATE_ROLE)
			++*created;
	}
	if (tablespace)
		bk_warn(e,
			"%s: tablespaces are not restored: everything goes to the default "
			"tablespace",
			path);
	pp_sql_script_free(&script);
	free(stmt);
	free(sql);
	json_decref(existing);
	return rc;
}

/*
 * Per role the manifest names: whether it exists, and whether the current
 * role may make it an owner (superuser, or member of it).
 */
static const char roles_sql[] =
	"SELECT r.name, r.kind, a.oid IS NOT NULL,"
	"       coalesce((SELECT rolsuper FROM pg_roles WHERE rolname = current_user), false)"
	"       OR (a.oid IS NOT NULL AND (r.name = 'pg_database_owner'"
	"           OR pg_has_role(current_user, a.oid, 'MEMBER')))"
	"  FROM (SELECT value AS name, 'owner' AS kind"
	"          FROM json_array_elements_text($1::json -> 'owners')"
	"        UNION"
	"        SELECT value, 'grantee' FROM json_array_elements_text($1::json -> 'grantees')) r"
	"  LEFT JOIN pg_roles a ON a.rolname = r.name"
	" ORDER BY 2, 1";

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
	rc = pp_db_execp(conn, roles_sql, 1, params, &res, err);
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
