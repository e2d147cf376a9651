/*
 * migration.h: migration files, from a directory or embedded in the binary
 * at build time, parsed and checked before anything touches a database.
 *
 * A migration is migrations/NNNN_name.sql (four or more digits, then
 * lowercase letters, digits and underscores). Leading comment lines may hold
 * directives:
 *   -- planpipe:no-transaction        run outside a transaction (one statement)
 *   -- planpipe:lock_timeout=5s       SET lock_timeout while it runs
 *   -- planpipe:statement_timeout=10min
 */
#ifndef PP_DB_MIGRATION_H
#define PP_DB_MIGRATION_H

#include <stddef.h>

#include "core/err.h"
#include "core/sha256.h"
#include "db/sqlscan.h"

typedef struct pp_mig {
	int version;
	char *name;     /* "create_stories" */
	char *filename; /* "0003_create_stories.sql" */
	char *origin;   /* for messages: the path, or "embedded:0003_..." */
	char *sql;      /* the text with CRLF folded to LF, NUL-terminated */
	size_t len;
	char checksum[PP_SHA256_HEX_LEN + 1]; /* SHA-256 of sql */
	int no_transaction;
	char *lock_timeout;      /* NULL or a PostgreSQL duration such as "5s" */
	char *statement_timeout; /* likewise */
	pp_sql_script script;    /* its statements */
} pp_mig;

typedef struct pp_mig_set {
	pp_mig *items; /* sorted by version, no duplicates */
	size_t count;
} pp_mig_set;

/* One file embedded at build time (tools/embed.c writes the table). */
typedef struct pp_embedded_file {
	const char *name;
	const char *data;
	size_t len;
} pp_embedded_file;

extern const pp_embedded_file pp_embedded_migrations[];
extern const size_t pp_embedded_migrations_count;

/*
 * Loads every *.sql file of dir. A .sql file whose name does not follow the
 * pattern, two files with one version, a bad directive, an unterminated
 * quote, or a statement that cannot run in a transaction inside a
 * transactional migration are PP_EINVAL naming the file (and line). Other
 * files (README.md) are ignored. The caller frees *set with
 * pp_mig_set_free, also on failure.
 */
pp_rc pp_mig_load_dir(const char *dir, pp_mig_set *set, pp_err *err) PP_WARN_UNUSED;

/* Loads the migrations embedded in this binary, with the same checks. */
pp_rc pp_mig_load_embedded(pp_mig_set *set, pp_err *err) PP_WARN_UNUSED;

/* Parses one file's contents and adds it to set (kept sorted). origin names it in messages. */
pp_rc pp_mig_add(pp_mig_set *set, const char *filename, const char *origin, const char *data,
		 size_t len, pp_err *err) PP_WARN_UNUSED;

void pp_mig_set_free(pp_mig_set *set);

/* The highest version in set, 0 when empty. */
int pp_mig_latest(const pp_mig_set *set);

/* The migration with this version, or NULL. */
const pp_mig *pp_mig_find(const pp_mig_set *set, int version);

/*
 * The schema version this binary needs: the highest embedded migration, 0
 * when there is none. Cheap after the first call. Not thread-safe on the first call.
 */
int pp_mig_required_version(void);

/*
 * Creates dir/NNNN_name.sql with NNNN one past the highest existing version
 * and a commented template. name: lowercase letters, digits, underscores.
 * On success *path (caller frees) names the new file.
 */
pp_rc pp_mig_new_file(const char *dir, const char *name, char **path, pp_err *err) PP_WARN_UNUSED;

#endif
