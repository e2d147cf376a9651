/* cmd_pitr.c: `planpipe backup --pitr` and `planpipe restore --to-time/--to-lsn`. */
#include "cli/cmd_pitr.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/cmd_pitr_int.h"

static const char error_prefix[] = "planpipe-pitr: error: ";

void pitr_print_output(const char *cmd, char *output)
{
	char *line, *next, *end;

	if (output == NULL)
		return;
	/* To the end, not to the first empty line: what follows a blank line is shown too. */
	end = output + strlen(output);
	for (line = output; line < end; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		else
			next = end;
		if (strncmp(line, error_prefix, sizeof(error_prefix) - 1) == 0)
			pp_cli_error(cmd, line + sizeof(error_prefix) - 1);
		else
			printf("%s\n", line);
	}
}

int pp_cli_pitr(const char *cmd, const pp_config *cfg, pp_pitr_op op, const char *type,
		const char *to_time, const char *to_lsn, int no_switch)
{
	pp_pitr_opts o = {.op = op,
			  .type = type,
			  .to_time = to_time,
			  .to_lsn = to_lsn,
			  .no_switch = no_switch};
	pp_pitr_result res;
	pp_err err;

	if (isatty(STDERR_FILENO))
		fprintf(stderr,
			"planpipe %s: running pgBackRest in the database server; its "
			"output follows when it is done\n",
			cmd);
	pp_err_clear(&err);
	if (pp_pitr_run(cfg, &o, &res, &err) != PP_OK) {
		pp_cli_error(cmd, err.msg);
		return PP_EXIT_ERROR;
	}
	if (op == PP_PITR_RESTORE)
		printf("target: %s %s\n", to_time ? "time" : "lsn", res.target);
	pitr_print_output(cmd, res.output);
	free(res.output);
	fflush(stdout);
	if (res.status != 0) {
		fprintf(stderr, "planpipe %s: planpipe-pitr failed (exit status %d)\n", cmd,
			res.status);
		return PP_EXIT_ERROR;
	}
	return PP_EXIT_OK;
}
