/*
 * cmd_workflow.c: `planpipe workflow PROJECT` lists a project's workflow,
 * `planpipe workflow add PROJECT WORD` adds a status to it, as the schema
 * owner. The rules are the API's (migrations/0017_team_vocabulary.sql,
 * planpipe_workflow_add): a word planpipe knows keeps its category, a new
 * one needs --category unless the vocabulary knows it.
 */
#include <getopt.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/cmd_workflow_int.h"
#include "cli/sql.h"
#include "db/conn.h"

static const char usage_text[] =
	"usage: planpipe workflow PROJECT\n"
	"       planpipe workflow add PROJECT WORD [--category C] [--name NAME]\n"
	"                                          [--position N]\n"
	"\n"
	"The first form lists project PROJECT's statuses in board order: key, name,\n"
	"category, position, whether it means blocked, and the stories in it.\n"
	"The second adds WORD to the workflow: a status planpipe knows (its category\n"
	"cannot differ), a word of the vocabulary (docs/import.md, \"Statuses\"), or a\n"
	"new word with --category todo|active|done|cancelled.\n"
	"\n"
	"Exit status: 0 done, 2 error.\n";

typedef workflow_args args;

static const pp_cli_opt opts[] = {
	PP_CLI_STRING_OPT("category", args, category),
	PP_CLI_STRING_OPT("name", args, name),
	PP_CLI_STRING_OPT("position", args, position),
	{0},
};

static const pp_cli_spec spec = {.cmd = "workflow", .opts = opts, .usage_text = usage_text};

int workflow_parse_args(int argc, char **argv, args *a)
{
	int r;

	memset(a, 0, sizeof(*a));
	r = pp_cli_parse(argc, argv, &spec, a);
	if (r != 0)
		return r;
	if (argc - optind == 3 && strcmp(argv[optind], "add") == 0) {
		a->add = 1;
		a->project = argv[optind + 1];
		a->word = argv[optind + 2];
	} else if (argc - optind == 1 && !a->category && !a->name && !a->position) {
		a->project = argv[optind];
	} else {
		fputs(usage_text, stderr);
		return -1;
	}
	if (a->position && strspn(a->position, "0123456789") != strlen(a->position)) {
		pp_cli_error("workflow", "--position is a whole number from 0");
		return -1;
	}
	return 0;
}

/* Runs sql with the project's key as $1: its rows, or NULL after printing why (none: no project).
 */
static PGresult *project_rows(PGconn *conn, const char *sql, const args *a)
{
	const char *p[1] = {a->project};
	PGresult *r = NULL;
	pp_err err;

	pp_err_clear(&err);
	if (pp_db_execp(conn, sql, 1, p, &r, &err) != PP_OK) {
		pp_cli_error("workflow", err.msg);
		return NULL;
	}
	if (PQntuples(r) == 0) {
		fprintf(stderr, "planpipe workflow: error: no project \"%s\"\n", a->project);
		PQclear(r);
		return NULL;
	}
	return r;
}

static int list(PGconn *conn, const args *a)
{
	PGresult *r = project_rows(conn, pp_cli_sql("workflow.sql", "list"), a);
	int i;

	if (r == NULL)
		return PP_EXIT_ERROR;
	printf("%-24s %-24s %-10s %8s %7s %7s\n", "STATUS", "NAME", "CATEGORY", "POSITION",
	       "BLOCKED", "STORIES");
	for (i = 0; i < PQntuples(r); i++)
		printf("%-24s %-24s %-10s %8s %7s %7s\n", PQgetvalue(r, i, 0), PQgetvalue(r, i, 1),
		       PQgetvalue(r, i, 2), PQgetvalue(r, i, 3),
		       strcmp(PQgetvalue(r, i, 4), "t") == 0 ? "yes" : "no", PQgetvalue(r, i, 5));
	PQclear(r);
	return PP_EXIT_OK;
}

static int add(PGconn *conn, const args *a)
{
	const char *p[5];
	char id[32];
	PGresult *r = project_rows(conn, pp_cli_sql("workflow.sql", "project"), a);
	pp_err err;

	if (r == NULL)
		return PP_EXIT_ERROR;
	pp_err_clear(&err);
	snprintf(id, sizeof(id), "%s", PQgetvalue(r, 0, 0));
	PQclear(r);
	p[0] = id;
	p[1] = a->word;
	p[2] = a->category;
	p[3] = a->name;
	p[4] = a->position;
	if (pp_db_execp(conn, pp_cli_sql("workflow.sql", "add"), 5, p, &r, &err) != PP_OK) {
		pp_err_prefix(&err, "%s: adding \"%s\": ", a->project, a->word);
		pp_cli_error("workflow", err.msg);
		return PP_EXIT_ERROR;
	}
	fprintf(stderr, "planpipe workflow: %s: status \"%s\" added\n", a->project,
		PQgetvalue(r, 0, 0));
	PQclear(r);
	return PP_EXIT_OK;
}

/* ctx: the args. */
static int run(PGconn *conn, const void *ctx)
{
	const args *a = ctx;

	return a->add ? add(conn, a) : list(conn, a);
}

int pp_cli_workflow(int argc, char **argv, const pp_config *cfg)
{
	args a;
	int r = workflow_parse_args(argc, argv, &a);

	if (r != 0)
		return pp_cli_parse_exit(r);
	return pp_cli_with_conn(cfg, "workflow", "planpipe-workflow", run, &a);
}
