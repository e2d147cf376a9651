/*
 * sql.h: the API's named statements. They live in src/api/sql/RESOURCE.sql
 * (so that no C file holds SQL text), embedded in the binary at build time
 * by tools/embed.c as migrations are. A file holds blocks, each starting
 * with a line "-- name: NAME" and running to the next such line (or a
 * "-- fragment: NAME" line) or the end of the file.
 *
 * A fragment block, "-- fragment: NAME", is text that several statements of
 * its file share (a row's JSON, so that its columns are written once): a
 * statement names it as {{NAME}}, and gets its text, without the fragment's
 * leading comment lines, in that place when the files are loaded.
 */
#ifndef PP_API_SQL_H
#define PP_API_SQL_H

#include <stddef.h>

/*
 * The text of statement name in file ("stories.sql", "story_get"), without
 * a trailing semicolon. Static storage, built from the embedded files on
 * the first call (thread-safe). Aborts when there is no such statement:
 * files and names are the handlers' constants, and a test runs each.
 */
const char *pp_api_sql(const char *file, const char *name);

/*
 * The text of fragment name of file, as statements get it in place of
 * {{name}}. Static storage. Aborts when there is no such fragment.
 */
const char *pp_api_sql_fragment(const char *file, const char *name);

/*
 * The i-th statement of all files (from 0), after fragments are expanded,
 * with its file and name in *file and *name (static storage); NULL past the
 * last. For tests that run every statement.
 */
const char *pp_api_sql_at(size_t i, const char **file, const char **name);

#endif
