/*
 * sql.h: the importer's own statements, in src/import/sql/PART.sql: the
 * import's set of src/db/sql.h, which says how a file is laid out.
 */
#ifndef PP_IMPORT_SQL_H
#define PP_IMPORT_SQL_H

#include "db/sql.h"

/* The importer's statements: src/import/sql/. */
extern pp_sql_set pp_import_sql_set;

/*
 * The text of statement name in file ("import.sql", "upsert"): pp_sql on
 * the importer's set. Static storage; aborts when there is no such statement.
 */
const char *pp_import_sql(const char *file, const char *name);

#endif
