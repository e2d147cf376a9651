/*
 * cmd_workflow_int.h: the command line of `planpipe workflow`
 * (cmd_workflow.c), apart so that tests/unit/cli/cmd_workflow.c can reach
 * it. Not for other modules: names carry the workflow_ prefix, never pp_.
 */
#ifndef PP_CLI_CMD_WORKFLOW_INT_H
#define PP_CLI_CMD_WORKFLOW_INT_H

/* `workflow PROJECT` or `workflow add PROJECT WORD [options]` (pointers into argv). */
typedef struct workflow_args {
	const char *project, *word, *category, *name, *position;
	int add; /* the second form */
} workflow_args;

/*
 * Parses argv (argv[0] "workflow") into *a: 0; 1 when --help printed the
 * usage on standard output; -1 after printing on standard error the usage
 * (neither form, or an option with the list form) or why --position is
 * refused (anything but the digits 0-9).
 */
int workflow_parse_args(int argc, char **argv, workflow_args *a);

#endif
