/*
 * cmd_pitr_int.h: how `planpipe backup --pitr` and `planpipe restore
 * --to-time/--to-lsn` (cmd_pitr.c) show planpipe-pitr's output, apart so
 * that tests/unit/cli/cmd_pitr.c can reach it. Not for other modules: names
 * carry the pitr_ prefix, never pp_.
 */
#ifndef PP_CLI_CMD_PITR_INT_H
#define PP_CLI_CMD_PITR_INT_H

/*
 * Prints output (planpipe-pitr's, NUL-terminated; may be NULL) line by line:
 * a line "planpipe-pitr: error: MSG" as "planpipe CMD: error: MSG" on
 * standard error, any other (empty ones too) on standard output; the last
 * line needs no newline. Cuts output into its lines in place.
 */
void pitr_print_output(const char *cmd, char *output);

#endif
