/*
 * cmd_report_int.h: `planpipe report`'s arguments, usage and rendering
 * (cmd_report.c), apart so that tests/unit/cli/cmd_report.c can reach them.
 * Not for other modules: names carry the report_ prefix, never pp_. None of
 * them touches the database.
 */
#ifndef PP_CLI_CMD_REPORT_INT_H
#define PP_CLI_CMD_REPORT_INT_H

#include <stddef.h>
#include <stdio.h>

typedef enum { REPORT_FMT_TABLE, REPORT_FMT_JSON, REPORT_FMT_CSV } report_format;

/* What report_parse reads; zeroed by the caller, projects given argc slots. */
typedef struct report_args {
	const char *name;
	const char **projects; /* argc slots */
	size_t n_projects;
	const char *from, *to, *backlog, *story, *last, *as_of;
	char story_project[64]; /* PROJECT of --story PROJECT:KEY */
	report_format format;
} report_args;

/*
 * Writes the usage to out: the reports and the options of the registry
 * (pp_reports), each option with the reports that take it (wrapped
 * within 80 columns).
 */
void report_usage(FILE *out);

/*
 * Reads report's arguments (argv[0] is "report") into *a: one report of
 * the registry, only the options it takes and those it needs, dates as
 * YYYY-MM-DD with --from not after --to, --last as 1 to 3 digits, --story
 * PROJECT:KEY as --project PROJECT --story KEY. Returns 0 to run, 1 after
 * --help, -1 on a usage error (said on standard error). a's strings are
 * argv's, or a's own story_project. Uses getopt: not thread-safe.
 */
int report_parse(int argc, char **argv, report_args *a);

/*
 * Writes report name's JSON text to out as a table, or as CSV
 * (REPORT_FMT_CSV). 0, or -1 when the JSON does not parse or memory runs
 * out (said on standard error).
 */
int report_render(FILE *out, const char *name, const char *text, report_format format);

#endif
