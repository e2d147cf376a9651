/* cmd_pitr.h: the point-in-time part of `planpipe backup` and `planpipe restore`. */
#ifndef PP_CLI_CMD_PITR_H
#define PP_CLI_CMD_PITR_H

#include "core/config.h"
#include "db/pitr.h"

/*
 * Runs planpipe-pitr in the server for op (pp_pitr_run), prints its lines
 * (its errors on standard error, the rest on standard output) and returns
 * the exit status: 0 done, 2 any failure (the message says which step, and
 * that the running cluster was not changed). cmd: "backup" or "restore",
 * for messages.
 */
int pp_cli_pitr(const char *cmd, const pp_config *cfg, pp_pitr_op op, const char *type,
		const char *to_time, const char *to_lsn, int no_switch);

#endif
