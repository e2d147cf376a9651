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

/* What a report's SQL function takes, one per parameter, in the function's order. */
typedef enum pp_report_arg {
	PP_REPORT_ARG_END = 0, /* ends a row's args */
	PP_REPORT_ARG_KEYS, /* text[]: the project keys, NULL for every project the caller sees */
	PP_REPORT_ARG_PROJECT, /* text: the one project's key */
	PP_REPORT_ARG_BACKLOG, /* text: a backlog's name */
	PP_REPORT_ARG_STORY,   /* text: a story's key */
	PP_REPORT_ARG_FROM,    /* date: the window's first day, NULL for the default */
	PP_REPORT_ARG_TO,      /* date: the window's last day */
	PP_REPORT_ARG_LAST,    /* integer: how many finished sprints, NULL for the default */
	PP_REPORT_ARG_AS_OF,   /* date: as at the end of that UTC day, NULL for now */
} pp_report_arg;

/* The most parameters a report's statement takes. */
#define PP_REPORT_MAX_PARAMS 4

/* Room for any report's statement (pp_report_statement). */
#define PP_REPORT_SQL_MAX 256

/*
 * A report, the registry's row: its name (GET /v1/reports/{name},
 * `planpipe report NAME`, docs/openapi.json's enum), the SQL function that
 * builds its JSON (a migration's planpipe_report_*), what that function
 * takes in its order, and one line saying what it shows. The statement
 * that runs it is derived from the row (pp_report_statement); what the API
 * and the CLI accept is derived from args (pp_report_takes).
 */
typedef struct pp_report_def {
	const char *name; /* a-z and -, unique */
	const char *function;
	pp_report_arg args[PP_REPORT_MAX_PARAMS + 1]; /* ended by PP_REPORT_ARG_END */
	int renamed; /* 1: function is another report's; its JSON's "report" is set to name */
	const char *summary;
} pp_report_def;

/*
 * Every report, in the order of docs/reports.md, ended by an entry whose
 * name is NULL. Static storage. The one list: the API's and the CLI's
 * messages and usage, docs/openapi.json's enum (test_api_reports holds that
 * to it), the CLI's renderers (tests/unit/cli/report_table.c) and the
 * database's planpipe_report_* functions (test_report reads the catalog)
 * are checked against it.
 */
extern const pp_report_def pp_reports[];

/*
 * The planpipe_report_* functions that are not reports but parts of them,
 * ended by NULL. Static storage. test_report fails on a planpipe_report_*
 * function that is neither a report's nor listed here.
 */
extern const char *const pp_report_helpers[];

/* The report names joined with ", " into out (cap bytes, truncated if short). */
void pp_report_names_join(char *out, size_t cap);

/*
 * The names of the reports that take any of the PP_REPORT_* flags takes
 * (0: every report) joined with ", " into out (cap bytes, truncated if
 * short), in the registry's order: "burndown, burnup" for PP_REPORT_BACKLOG.
 */
void pp_report_names_taking(unsigned takes, char *out, size_t cap);

/* The registry row of report name, or NULL when there is no such report. */
const pp_report_def *pp_report_find(const char *name);

/* The SQL type of an argument ("text[]", "date", ...), NULL for PP_REPORT_ARG_END. */
const char *pp_report_arg_type(pp_report_arg arg);

/*
 * The PP_REPORT_* flags of report name, derived from its args (KEYS:
 * PROJECTS; FROM and TO: WINDOW), or 0 when there is no such report.
 */
unsigned pp_report_takes(const char *name);

/*
 * The statement that runs report name with a, without running it: into sql
 * (one row with the JSON in column "body"; derived from the registry row:
 * SELECT jsonb_pretty(FUNCTION($1::TYPE, ...)) AS body) and its *n text
 * parameters in params, which point into a and into *keys (the project keys
 * as a PostgreSQL array literal, or NULL; the caller frees it, also on
 * failure). PP_EINVAL for an unknown name or a key that is not UTF-8.
 */
pp_rc pp_report_statement(const char *name, const pp_report_args *a, char sql[PP_REPORT_SQL_MAX],
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
