/*
 * backup_globals_int.h: the parts of backup_globals.c that run no
 * statement (globals.sql's lines, the statements a restore builds again,
 * the check of its grants), apart so that tests/unit/db/backup_globals.c
 * can reach them. Not for other modules: names carry the backup_globals_
 * prefix, never pp_.
 */
#ifndef PP_DB_BACKUP_GLOBALS_INT_H
#define PP_DB_BACKUP_GLOBALS_INT_H

#include "db/backup_int.h"

/* Appends s between q characters, doubling q inside. PP_OK or b's error. */
pp_rc backup_globals_add_quoted(pp_buf *b, const char *s, char q) PP_WARN_UNUSED;

/*
 * Appends globals.sql's CREATE ROLE line for row of the authid statement's
 * result (backup_globals.sql: name, superuser, inherit, createrole,
 * createdb, login, replication, bypassrls, connection limit, password,
 * valid until): LOGIN, INHERIT, CREATEDB, CONNECTION LIMIT (when >= 0),
 * PASSWORD and VALID UNTIL (when not NULL) only. A role with CREATEROLE,
 * REPLICATION or BYPASSRLS is written without them, with a warning on e.
 */
pp_rc backup_globals_write_role(const bk_env *e, const PGresult *res, int row,
				pp_buf *b) PP_WARN_UNUSED;

/*
 * Appends the statement st as a restore runs it, built again with libpq's
 * quoting on conn (which need not be connected): CREATE or ALTER ROLE
 * always WITH NOSUPERUSER NOCREATEROLE NOREPLICATION NOBYPASSRLS, then the
 * attributes st sets; its password only when with_password. GRANT role TO
 * member [WITH ADMIN OPTION].
 */
pp_rc backup_globals_build(PGconn *conn, const pp_role_stmt *st, int with_password,
			   pp_buf *b) PP_WARN_UNUSED;

/*
 * Before anything runs: a GRANT to a role this restore creates (not a key
 * of existing) of a role that exists here with a privileged attribute
 * (true in existing) is PP_EINVAL naming globals.sql's line and column.
 */
pp_rc backup_globals_check_grants(const pp_role_script *s, const json_t *existing,
				  pp_err *err) PP_WARN_UNUSED;

#endif
