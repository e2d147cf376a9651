/*
 * cmd_backup_int.h: the pure parts of `planpipe backup`, `planpipe backup
 * verify` and `planpipe restore` (cmd_backup.c): the usage texts, the
 * command line, which options each form refuses, and sizes as people read
 * them, apart so that tests/unit/cli/cmd_backup.c can reach them. Not for
 * other modules: names carry the backup_ prefix, never pp_. None of them
 * touches the database or the files.
 */
#ifndef PP_CLI_CMD_BACKUP_INT_H
#define PP_CLI_CMD_BACKUP_INT_H

#include <stddef.h>

/* The usages, as --help prints them: backup (and backup verify), restore. */
extern const char backup_usage[];
extern const char backup_restore_usage[];

/* The options of all three forms (pointers into argv); the checks refuse the others'. */
typedef struct backup_args {
	const char *out; /* --out, else "backups" */
	const char *target;
	const char *bindir;
	const char *operand; /* verify's or restore's BACKUP, or backup's unknown subcommand */
	const char *type, *to_time, *to_lsn;
	int keep, jobs, force, drop_old, terminate, allow_passwords, pitr, no_switch;
	int out_given;
	const char *cmd; /* for the messages of --keep and --jobs */
} backup_args;

/*
 * Parses argv (argv[0] the command, or "verify") into *a; cmd names the
 * command in messages ("backup", "backup verify", "restore"), usage is
 * printed with a usage error. 0; 1 when --help printed usage on standard
 * output; -1 after printing a usage error on standard error: an unknown or
 * incomplete option ("planpipe CMD: unknown or incomplete option 'ARG'"),
 * --keep or --jobs not a whole number from 1 to 1000, a second operand
 * ("planpipe CMD: unexpected argument 'ARG'").
 */
int backup_parse_args(const char *cmd, const char *usage, int argc, char **argv, backup_args *a);

/* 0 when not given, else 1 after printing "planpipe CMD: error: CMD does not take OPTION". */
int backup_refuse(const char *cmd, int given, const char *option);

/*
 * What each form accepts of a parsed command line: 0, or -1 after printing
 * why not (the first option it refuses, or the missing backup).
 * backup_check_verify: BACKUP and --jobs, --allow-role-passwords, --pg-bindir.
 * backup_check_backup: --out, --keep, --pg-bindir; with --pitr, --type alone.
 * backup_check_restore: BACKUP and the restore options; or one of --to-time
 * and --to-lsn, with --no-switch.
 */
int backup_check_verify(const backup_args *a);
int backup_check_backup(const backup_args *a);
int backup_check_restore(const backup_args *a);

/* n bytes into out as "12.3 kB", "4.5 MB" or "1.23 GB" (1024-based), within size. */
void backup_human(long long n, char *out, size_t size);

#endif
