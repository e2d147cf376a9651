/*
 * sql.h: the API's named statements. They live in src/api/sql/RESOURCE.sql
 * (so that no C file holds SQL text), embedded in the binary at build time
 * by tools/embed.c as migrations are. A file holds blocks, each starting
 * with a line "-- name: NAME" and running to the next such line or the end
 * of the file.
 */
#ifndef PP_API_SQL_H
#define PP_API_SQL_H

/*
 * The text of statement name in file ("stories.sql", "story_get"), without
 * a trailing semicolon. Static storage, built from the embedded files on
 * the first call (thread-safe). Aborts when there is no such statement:
 * files and names are the handlers' constants, and a test runs each.
 */
const char *pp_api_sql(const char *file, const char *name);

#endif
