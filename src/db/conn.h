/*
 * conn.h: opening libpq connections from planpipe's configuration, with a
 * deadline, and turning libpq errors into pp_err.
 */
#ifndef PP_DB_CONN_H
#define PP_DB_CONN_H

#include <stdio.h>
#include <libpq-fe.h>

#include "core/config.h"
#include "core/err.h"

/*
 * Checks at start-up what libpq would refuse later: DATABASE_URL must parse
 * as a connection string. The message names the variable.
 */
pp_rc pp_db_check_config(const pp_config *cfg, pp_err *err) PP_WARN_UNUSED;

/*
 * Masks in msg (a NUL-terminated buffer of size bytes, at most
 * PP_ERR_MSG_MAX) every password cfg holds: the one written in
 * DATABASE_URL (URI userinfo, password= parameter or key=value), also when
 * the URL does not parse, and PGPASSWORD_FILE's. For every message that may
 * echo a connection string.
 */
void pp_db_mask_secrets(const pp_config *cfg, char *msg, size_t size);

/*
 * Opens a connection with DATABASE_URL (or libpq's PG* variables), the
 * password from PGPASSWORD_FILE if any, application_name defaulting to
 * appname (PGAPPNAME or the URL still win), and TCP keepalives. Gives up after
 * timeout_ms in all: libpq's connect_timeout bounds each attempt only.
 * Blocks. On success *out is an open connection the caller PQfinish()es.
 * Failure: PP_ECONNECT (refused, login failed) or PP_ETIMEDOUT.
 */
pp_rc pp_db_connect(const pp_config *cfg, const char *appname, int timeout_ms, PGconn **out,
		    pp_err *err) PP_WARN_UNUSED;

/*
 * Fills err from a failed result with pp_db_err_diag's words, prefixed by
 * what (e.g. "applying 0003_x.sql"), and returns PP_EDB. res may be NULL
 * (then the connection's message is used).
 */
pp_rc pp_db_err(pp_err *err, PGconn *conn, const PGresult *res, const char *what);

/* The fields of an error the server sent (PG_DIAG_*), each NULL when it sent none. */
typedef struct pp_db_diag {
	const char *severity; /* non-localized: "ERROR", "FATAL" */
	const char *sqlstate, *primary, *detail, *hint;
	const char *table, *column; /* the column a violation names (not-null) */
} pp_db_diag;

/*
 * The one way planpipe words a server's error for a person (the CLI, the
 * log): "[what: ]PRIMARY (SQLSTATE S, column T.C)" then DETAIL and HINT
 * lines. A severity other than ERROR leads the message ("FATAL: "). An
 * error of ours (SQLSTATE PPxxx) is its message alone: its words are
 * meant for the user. A check or not-null violation's DETAIL ("Failing
 * row contains (...)") is never shown: it is the whole row, a story's
 * body included. Sets err->sqlstate; returns PP_EDB. err may be NULL.
 */
pp_rc pp_db_err_diag(pp_err *err, const pp_db_diag *d, const char *what);

/*
 * Runs sql (no parameters, one statement) and checks it succeeded. Blocks.
 * On success *out (if out is not NULL) is the result for the caller to PQclear.
 */
pp_rc pp_db_exec(PGconn *conn, const char *sql, PGresult **out, pp_err *err) PP_WARN_UNUSED;

/* Like pp_db_exec with text parameters ($1..$n). */
pp_rc pp_db_execp(PGconn *conn, const char *sql, int n, const char *const *params, PGresult **out,
		  pp_err *err) PP_WARN_UNUSED;

/*
 * Runs sql and ignores any error: only for clean-up on a path that is
 * already failing or finishing (ROLLBACK, RESET, unlock).
 */
void pp_db_exec_quiet(PGconn *conn, const char *sql);

/*
 * Prints the effective connection parameters (what libpq will use, after
 * DATABASE_URL, PG* variables and defaults), passwords masked.
 */
void pp_db_print_conninfo(const pp_config *cfg, FILE *out);

/*
 * Runs sql (no parameters) and waits for its result at most until
 * deadline_ms (on the pp_now_ms clock), whatever the network does. Blocks
 * until then. On success *out (if out is not NULL) is the last result for
 * the caller to PQclear. PP_EDB: the server reported an error (the
 * connection is usable). PP_ECONNECT: the connection was lost.
 * PP_ETIMEDOUT: the deadline passed with the query still running, and the
 * connection is unusable: the caller cancels and closes it.
 */
pp_rc pp_db_exec_deadline(PGconn *conn, const char *sql, long long deadline_ms, PGresult **out,
			  pp_err *err) PP_WARN_UNUSED;

/* Milliseconds on the monotonic clock. */
long long pp_now_ms(void);

#endif
