/*
 * backup_roles.h: the role statements a backup's globals.sql may hold, read
 * by a parser and not by pattern matching.
 *
 * planpipe writes globals.sql itself (backup.c), and a restore replays only
 * what planpipe would have written:
 *
 *   CREATE ROLE name [[WITH] option ...];
 *   ALTER ROLE name [WITH] option ...;        (a role created above)
 *   GRANT name TO name [WITH ADMIN OPTION];   (both created above)
 *
 * where an option is LOGIN, NOLOGIN, INHERIT, NOINHERIT, CREATEDB,
 * NOCREATEDB, NOSUPERUSER, NOCREATEROLE, NOREPLICATION, NOBYPASSRLS,
 * CONNECTION LIMIT n, [ENCRYPTED] PASSWORD 'text' | NULL, or VALID UNTIL
 * 'text'. SUPERUSER, CREATEROLE, REPLICATION and BYPASSRLS are refused, and
 * so is everything else: another command (ALTER USER, COPY ... TO PROGRAM,
 * SET, DO), psql meta-commands, escape and dollar-quoted strings, a role
 * named pg_*. The tokenizer knows SQL's quoting (strings, quoted
 * identifiers, dollar quotes) and comments, so a ';' inside a quote never
 * ends a statement and a second statement after one is seen as one. The
 * statements are never sent as written: the restore builds each one again
 * from what was parsed, with quoting of its own.
 */
#ifndef PP_DB_BACKUP_ROLES_H
#define PP_DB_BACKUP_ROLES_H

#include <stddef.h>

#include "core/err.h"

typedef enum {
	PP_ROLE_CREATE,
	PP_ROLE_ALTER,
	PP_ROLE_GRANT,
} pp_role_stmt_kind;

/* An attribute a statement sets: unset (left as it is), or set to no or yes. */
typedef enum { PP_ATTR_UNSET = -1, PP_ATTR_NO = 0, PP_ATTR_YES = 1 } pp_role_attr;

typedef struct pp_role_stmt {
	pp_role_stmt_kind kind;
	int line, col;    /* where it starts in the file, 1-based */
	char role[64];    /* CREATE, ALTER: the role; GRANT: the member */
	char granted[64]; /* GRANT: the role granted */
	int admin_option; /* GRANT ... WITH ADMIN OPTION */
	pp_role_attr login, inherit, createdb;
	int has_conn_limit;
	long conn_limit;   /* -1: none */
	int has_password;  /* PASSWORD given: password, or NULL for PASSWORD NULL */
	char *password;    /* owned */
	char *valid_until; /* owned; NULL unless VALID UNTIL */
} pp_role_stmt;

typedef struct pp_role_script {
	pp_role_stmt *stmts; /* owned: free with pp_role_script_free */
	size_t count;
} pp_role_script;

/*
 * Parses sql[0..len), the contents of the file named name (for messages).
 * Anything but the statements above is PP_EINVAL with a message
 * "NAME:LINE:COL: what is refused", err->file and err->line set, and
 * nothing in *out worth using. The caller frees *out with
 * pp_role_script_free, also on failure. Pure: no I/O.
 */
pp_rc pp_role_script_parse(const char *sql, size_t len, const char *name, pp_role_script *out,
			   pp_err *err) PP_WARN_UNUSED;

/* Frees what pp_role_script_parse allocated (passwords are zeroed first). Accepts NULL. */
void pp_role_script_free(pp_role_script *s);

#endif
