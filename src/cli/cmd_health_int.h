/*
 * cmd_health_int.h: `planpipe health`'s arguments and text report
 * (cmd_health.c), apart so that tests/unit/cli/cmd_health.c can reach them.
 * Not for other modules: names carry the health_ prefix, never pp_. Neither
 * touches the database.
 */
#ifndef PP_CLI_CMD_HEALTH_INT_H
#define PP_CLI_CMD_HEALTH_INT_H

#include <stdio.h>

#include "db/health.h"

/*
 * Reads health's arguments (argv[0] is "health") into *o, which holds the
 * defaults (pp_health_opts_init), and *json: the level, --timeout in
 * seconds (more than 0, at most 3600), the thresholds as "WARNING,CRITICAL"
 * (two non-negative numbers), --replica, --schema-exact. Returns 0 to run,
 * 1 after --help (the usage on standard output), -1 on a usage error (said
 * on standard error; *o and *json untouched). Uses getopt: not thread-safe.
 */
int health_parse_args(int argc, char **argv, pp_health_opts *o, int *json);

/*
 * Writes r to out as text: "HEALTH STATUS: SUMMARY (LEVEL, N ms)", then a
 * line per check: its status, name and detail in columns.
 */
void health_print_text(FILE *out, const pp_health_report *r);

#endif
