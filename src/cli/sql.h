/*
 * sql.h: the command line's own statements, in src/cli/sql/COMMAND.sql:
 * the cli's set of src/db/sql.h, which says how a file is laid out.
 */
#ifndef PP_CLI_SQL_H
#define PP_CLI_SQL_H

#include "db/sql.h"

/* The command line's statements: src/cli/sql/. */
extern pp_sql_set pp_cli_sql_set;

/*
 * The text of statement name in file ("user.sql", "user_add"): pp_sql on
 * the cli's set. Static storage; aborts when there is no such statement.
 */
const char *pp_cli_sql(const char *file, const char *name);

#endif
