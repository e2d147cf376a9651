/*
 * report.h: running the reports of migration 0010 (status summary, blocked,
 * critical path, cycle time, throughput, cumulative flow, burndown, burnup,
 * acceptance). Each is one SQL function that builds its JSON in
 * PostgreSQL; docs/reports.md defines every figure.
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

typedef struct pp_report_args {
	const char *const *projects; /* project keys; n_projects 0: all the caller sees */
	size_t n_projects;
	const char *from; /* YYYY-MM-DD, or NULL for the report's default */
	const char *to;
	const char *backlog; /* PP_REPORT_BACKLOG */
	const char *story;   /* PP_REPORT_STORY: a story key of projects[0] */
} pp_report_args;

/* The most parameters a report's statement takes. */
#define PP_REPORT_MAX_PARAMS 4

/* The report names, NULL-terminated, in the order of docs/reports.md. Static storage. */
extern const char *const pp_report_names[];

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
