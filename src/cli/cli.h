/*
 * cli.h: the subcommands. Each takes the arguments after its name (argv[0]
 * is the subcommand's name) and the configuration read at start-up, prints
 * its own output and errors, and returns the process exit status.
 */
#ifndef PP_CLI_CLI_H
#define PP_CLI_CLI_H

#include "cli/cli_opts.h"
#include "core/config.h"

/* Exit statuses shared by the subcommands. */
#define PP_EXIT_OK      0
#define PP_EXIT_PENDING 1 /* migrate status: there is work to do */
#define PP_EXIT_ERROR   2 /* an error, or a usage error */

int pp_cli_migrate(int argc, char **argv, const pp_config *cfg);
int pp_cli_config(int argc, char **argv, const pp_config *cfg);
int pp_cli_backup(int argc, char **argv, const pp_config *cfg);
int pp_cli_restore(int argc, char **argv, const pp_config *cfg);
/* Exits with the Nagios convention instead: 0 ok, 1 warning, 2 critical, 3 unknown. */
int pp_cli_health(int argc, char **argv, const pp_config *cfg);
int pp_cli_import(int argc, char **argv, const pp_config *cfg);
int pp_cli_import_repo(int argc, char **argv, const pp_config *cfg);
/* Serves the API until SIGTERM or SIGINT (docs/api.md). */
int pp_cli_serve(int argc, char **argv, const pp_config *cfg);
/* User management as the schema owner: add, token, disable (prints a new token alone on stdout). */
int pp_cli_user(int argc, char **argv, const pp_config *cfg);
/* Maintains status_history's partitions: rows out of the default one, months ahead. */
int pp_cli_maintain(int argc, char **argv, const pp_config *cfg);
/* Lists a project's workflow, or adds a status to it (docs/import.md, "Statuses"). */
int pp_cli_workflow(int argc, char **argv, const pp_config *cfg);
/* Prints a report of docs/reports.md as a table, JSON or CSV. */
int pp_cli_report(int argc, char **argv, const pp_config *cfg);

/* `planpipe export json|site DIR [--project KEY]...`: the dashboard's data as JSON files, or the
 * dashboard as a static site with them (docs/dashboard.md). Returns an exit status. */
int pp_cli_export(int argc, char **argv, const pp_config *cfg);

/* Prints "planpipe CMD: error: MSG" (each line of MSG) on standard error. */
void pp_cli_error(const char *cmd, const char *msg);

#endif
