/*
 * sql.h: named statements kept in .sql files, never in C string literals.
 * Each module that runs SQL keeps its statements in src/MODULE/sql/NAME.sql,
 * embedded in the binary at build time by tools/embed.c (as migrations
 * are), one table per module: a set. A file holds blocks, each starting
 * with a line "-- name: NAME" (a statement) or "-- fragment: NAME" and
 * running to the next such line or the end of the file.
 *
 * A fragment is text that several blocks of its file share (a row's JSON,
 * so that its columns are written once): a block names it as {{NAME}} and
 * gets its text, without the fragment's leading comment lines, in that
 * place when the set is loaded. A fragment may name other fragments of its
 * file in turn, up to PP_SQL_MAX_DEPTH deep; a cycle, a name with no block,
 * an unclosed "{{" or two blocks with one name abort with a message naming
 * the file and the chain: the files are the build's own, and the unit tests
 * and sql-prepare load every set, so that a fault fails there first.
 */
#ifndef PP_DB_SQL_H
#define PP_DB_SQL_H

#include <stddef.h>

#include "db/migration.h"

/* How deep fragments may name fragments: a statement's own {{NAME}} is depth 1. */
#define PP_SQL_MAX_DEPTH 8

/*
 * One module's statements. The fields are public so that a set can be a
 * static initializer (PP_SQL_SET); only sql.c touches loaded.
 */
typedef struct pp_sql_set {
	const char *dir;               /* "src/db/sql": for messages */
	const pp_embedded_file *files; /* tools/embed.c's table */
	const size_t *count;           /* its length */
	struct pp_sql_loaded *_Atomic loaded;
} pp_sql_set;

/* The set of embedded table SYM (SYM[] and SYM_count), read from DIR. */
#define PP_SQL_SET(dir, sym)                                                                       \
	{                                                                                          \
		(dir), (sym), &sym##_count, NULL                                                   \
	}

/*
 * The text of statement name in file ("health.sql", "ping") of set, its
 * fragments expanded, without a trailing semicolon. Static storage: the set
 * is built on the first call (thread-safe; later calls do not block).
 * Aborts when there is no such statement: files and names are the
 * callers' constants, and a test runs each.
 */
const char *pp_sql(pp_sql_set *set, const char *file, const char *name);

/*
 * The text of fragment name of file, expanded, as blocks get it in place
 * of {{name}}. Static storage. Aborts when there is no such fragment.
 */
const char *pp_sql_fragment(pp_sql_set *set, const char *file, const char *name);

/*
 * The i-th statement of set (from 0), expanded, with its file and name in
 * *file and *name (static storage); NULL past the last. For tests that run
 * every statement.
 */
const char *pp_sql_at(pp_sql_set *set, size_t i, const char **file, const char **name);

/* The database layer's own statements: src/db/sql/. */
extern pp_sql_set pp_db_sql_set;

/* pp_sql(&pp_db_sql_set, file, name). */
const char *pp_db_sql(const char *file, const char *name);

#endif
