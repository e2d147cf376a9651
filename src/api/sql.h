/*
 * sql.h: the API's named statements, in src/api/sql/RESOURCE.sql (so that
 * no C file holds SQL text): the API's set of src/db/sql.h, which says how
 * a file is laid out ("-- name:" and "-- fragment:" blocks, {{NAME}}).
 */
#ifndef PP_API_SQL_H
#define PP_API_SQL_H

#include <stddef.h>

#include "db/sql.h"

/* The API's statements: src/api/sql/. */
extern pp_sql_set pp_api_sql_set;

/*
 * The text of statement name in file ("stories.sql", "story_get"): pp_sql
 * on the API's set. Static storage; aborts when there is no such statement.
 */
const char *pp_api_sql(const char *file, const char *name);

/* pp_sql_fragment on the API's set. */
const char *pp_api_sql_fragment(const char *file, const char *name);

/* pp_sql_at on the API's set. */
const char *pp_api_sql_at(size_t i, const char **file, const char **name);

#endif
