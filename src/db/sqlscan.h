/*
 * sqlscan.h: splits a SQL script into statements the way psql does, without
 * parsing SQL: it knows quotes, dollar quotes, comments, parentheses and
 * CREATE FUNCTION ... BEGIN ATOMIC ... END bodies (psql's own heuristic), and
 * nothing else. Each statement comes with its first line, and with whether it
 * can run inside a transaction block.
 */
#ifndef PP_DB_SQLSCAN_H
#define PP_DB_SQLSCAN_H

#include <stddef.h>

#include "core/err.h"

typedef struct pp_sql_stmt {
	size_t offset; /* of its first token in the script */
	size_t len;    /* up to, not including, the terminating ';' */
	int line;      /* 1-based line of its first token */
	/* Non-NULL when it cannot run in a transaction block: a static reason. */
	const char *no_tx_reason;
} pp_sql_stmt;

typedef struct pp_sql_script {
	pp_sql_stmt *stmts; /* owned: free with pp_sql_script_free */
	size_t count;
} pp_sql_script;

/*
 * Splits sql[0..len) into statements. Empty statements (";;", comments only)
 * are skipped. An unterminated quote or comment is PP_EINVAL with err->line
 * set to where it starts. The caller frees *out with pp_sql_script_free, also
 * on failure.
 */
pp_rc pp_sql_split(const char *sql, size_t len, pp_sql_script *out, pp_err *err) PP_WARN_UNUSED;

void pp_sql_script_free(pp_sql_script *s);

/*
 * The 1-based line in the script of the character at 1-based position pos
 * (in characters, as the server reports it) of statement st. Returns st's
 * line when pos is out of range.
 */
int pp_sql_line_of(const char *sql, const pp_sql_stmt *st, long pos);

#endif
