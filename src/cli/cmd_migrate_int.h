/*
 * cmd_migrate_int.h: the pure parts of `planpipe migrate` (cmd_migrate.c):
 * its command line, the whole numbers it takes, and the status's exit code
 * and JSON, apart so that tests/unit/cli/cmd_migrate.c can reach them. Not
 * for other modules: names carry the migrate_ prefix, never pp_. None of
 * them touches the database.
 */
#ifndef PP_CLI_CMD_MIGRATE_INT_H
#define PP_CLI_CMD_MIGRATE_INT_H

#include <jansson.h>

#include "core/config.h"
#include "db/migrate.h"

/* The usage, as --help prints it. */
extern const char migrate_usage[];

/* The command line: SUBCOMMAND, its options and its operand (pointers into argv or cfg). */
typedef struct migrate_args {
	const char *sub;
	const char *dir; /* --dir, else cfg's migrations_dir (may be NULL) */
	int to;
	int allow_out_of_order;
	int json;
	int lock_timeout_s;  /* --lock-timeout, else cfg's lock_timeout_s */
	int wait_timeout_s;  /* --timeout, else 60 */
	const char *operand; /* baseline N, new NAME */
} migrate_args;

/*
 * Parses argv (argv[0] "migrate", argv[1] the subcommand, then its options
 * and at most one operand) into *a, with cfg's defaults. 0 (the subcommand
 * is not checked here); 1 when --help, -h or help printed the usage on
 * standard output; -1 after printing on standard error the usage (no
 * subcommand, an unknown option) or why (a refused number, too many
 * arguments).
 */
int migrate_parse_args(int argc, char **argv, const pp_config *cfg, migrate_args *a);

/*
 * s as a whole number from min to 1000000000 into *out: 0, or -1 after
 * printing "planpipe migrate: error: WHAT "S" is not a whole number of at
 * least MIN" (*out untouched).
 */
int migrate_parse_int(const char *s, const char *what, int min, int *out);

/* migrate status's exit code for st: 2 drift (changed, missing, out of order), 1 pending, 0. */
int migrate_status_exit(const pp_mig_status *st);

/*
 * migrate status --json's document for st (docs/migrations.md): the
 * versions, the counts and a row per migration, null where a row has no
 * file or was not applied. The caller owns the reference (json_decref).
 */
json_t *migrate_status_json(const pp_mig_status *st);

#endif
