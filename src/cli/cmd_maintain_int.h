/*
 * cmd_maintain_int.h: the command line and usage of `planpipe maintain`
 * (cmd_maintain.c), apart so that tests/unit/cli/cmd_maintain.c can reach
 * them. Not for other modules: names carry the maintain_ prefix, never pp_.
 */
#ifndef PP_CLI_CMD_MAINTAIN_INT_H
#define PP_CLI_CMD_MAINTAIN_INT_H

#include <stdio.h>

#include "db/maintain.h"

/*
 * Sets *o to pp_maintain_opts_init's defaults with months_ahead (the
 * configured PLANPIPE_HISTORY_MONTHS_AHEAD), then parses argv (argv[0]
 * "maintain") into it: --months-ahead N (0 to 120), --lock-timeout SECONDS
 * (0 to 3600: the lock timeout and the wait for another session, in ms).
 * 0; 1 when --help printed the usage on standard output; -1 after printing
 * a usage error (an operand, an unknown option, a number out of range) on
 * standard error.
 */
int maintain_parse_args(int argc, char **argv, int months_ahead, pp_maintain_opts *o);

/* Writes the usage (--help) to out, the options from the parser's table. */
void maintain_usage(FILE *out);

#endif
