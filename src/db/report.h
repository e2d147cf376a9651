/*
 * report.h: the reports of migrations 0010 and 0019 (status summary,
 * blocked, critical path, cycle time, throughput, cumulative flow, burndown,
 * burnup, acceptance, velocity, time in status, aging, epics). Each is one
 * SQL function that builds its JSON in PostgreSQL; docs/reports.md defines
 * every figure. pp_reports is the one list of them: the API, the CLI and the
 * tests read their names, parameters and summaries from it.
 */
#ifndef PP_DB_REPORT_H
#define PP_DB_REPORT_H

#include <stddef.h>
#include <libpq-fe.h>

#include "core/err.h"

/* What a report takes (pp_report_takes). */
#define PP_REPORT_PROJECTS 0x01u /* any number of projects; none: every project the caller sees */
#define PP_REPORT_PROJECT  0x02u /* exactly one project */
#define PP_REPORT_WINDOW   0x04u /* a time window, from and to */
#define PP_REPORT_BACKLOG  0x08u /* a backlog of the project, by name */
#define PP_REPORT_STORY    0x10u /* a story of the project, by key */
#define PP_REPORT_LAST     0x20u /* last: how many finished sprints the mean covers */
#define PP_REPORT_AS_OF    0x40u /* as_of: the UTC day whose end the report is as of */

typedef struct pp_report_args {
	const char *const *projects; /* project keys; n_projects 0: all the caller sees */
	size_t n_projects;
	const char *from; /* YYYY-MM-DD, or NULL for the report's default */
	const char *to;
	const char *backlog; /* PP_REPORT_BACKLOG */
	const char *story;   /* PP_REPORT_STORY: a story key of projects[0] */
	const char *last;    /* PP_REPORT_LAST: decimal digits, or NULL for the default (3) */
	const char *as_of;   /* PP_REPORT_AS_OF: YYYY-MM-DD, or NULL for now */
} pp_report_args;

/* The most parameters a report's statement takes. */
#define PP_REPORT_MAX_PARAMS 4

/* A report: its name (GET /v1/reports/{name}, `planpipe report NAME`), what it takes and one line
 * saying what it shows. */
typedef struct pp_report_def {
	const char *name;
	unsigned takes; /* PP_REPORT_* */
	const char *summary;
} pp_report_def;

/*
 * Every report, in the order of docs/reports.md, ended by an entry whose
 * name is NULL. Static storage. The one list: the API's and the CLI's
 * messages and usage, docs/openapi.json's enum (tests/integration hold
 * that to it) and the CLI's renderers are checked against it.
 */
extern const pp_report_def pp_reports[];

/* The report names joined with ", " into out (cap bytes, truncated if short). */
void pp_report_names_join(char *out, size_t cap);

/* The PP_REPORT_* flags of report name, or 0 when there is no such report. */
unsigned pp_report_takes(const char *name);

/*
 * The statement that runs report name with a, without running it: *sql (static
 * storage, one row with the JSON in column "body") and its *n text parameters
 * in params, which point into a and into *keys (the project keys as a JSON
 * array, or NULL; the caller frees it, also on failure). PP_EINVAL for an
 * unknown name or a key that is not UTF-8.
 */
pp_rc pp_report_statement(const char *name, const pp_report_args *a, const char **sql,
			  const char *params[PP_REPORT_MAX_PARAMS], int *n, char **keys,
			  pp_err *err) PP_WARN_UNUSED;

/*
 * Runs report name with a (what it does not take is ignored). Blocks until
 * the database answers. On success *json is the report's JSON, indented by
 * PostgreSQL (jsonb_pretty), NUL-terminated; the caller frees it.
 * PP_EINVAL: the database refused the request (no such project, backlog or
 * story, or a bad window) or an argument cannot be sent: err->msg is the
 * reason alone, e.g. "no project NOPE". PP_EDB, PP_ENOMEM: any other failure.
 */
pp_rc pp_report_run(PGconn *conn, const char *name, const pp_report_args *a, char **json,
		    pp_err *err) PP_WARN_UNUSED;

#endif
