/* main.c: reads the configuration and dispatches to a subcommand. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/config.h"
#include "db/conn.h"
#include "version.h"

typedef struct command {
	const char *name;
	int (*run)(int argc, char **argv, const pp_config *cfg);
	const char *summary;
} command;

static const command commands[] = {
	{"migrate", pp_cli_migrate, "apply, check and create schema migrations"},
	{"config", pp_cli_config, "print the effective configuration, secrets masked"},
	{"backup", pp_cli_backup, "verified backups: backup, backup verify (restore drill)"},
	{"restore", pp_cli_restore, "restore a backup into a fresh database, then swap it in"},
	{"health", pp_cli_health, "check the database: liveness, readiness, full report"},
	{"maintain", pp_cli_maintain, "history partitions: rows out of the default, months ahead"},
	{"import", pp_cli_import, "import story files from a directory into a project"},
	{"import-repo", pp_cli_import_repo, "import a planning repository of git submodules"},
	{"serve", pp_cli_serve, "serve the HTTP/JSON API"},
	{"user", pp_cli_user, "add users, rotate their API tokens, disable them"},
	{"workflow", pp_cli_workflow, "a project's statuses: list them, add one"},
	{"report", pp_cli_report, "reports: status, blockers, cycle time, flow, burndown"},
	{"export", pp_cli_export, "the dashboard's data as JSON files, or as a static site"},
};

static void usage(FILE *out)
{
	size_t i;

	fprintf(out, "usage: planpipe [--version] [--help] COMMAND [ARGS]\n\ncommands:\n");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(out, "\n'planpipe COMMAND --help' describes a command. Configuration comes from\n"
		     "the environment: DATABASE_URL or libpq's PG* variables, PLANPIPE_* for the\n"
		     "rest ('planpipe config' lists them).\n");
}

int main(int argc, char **argv)
{
	pp_config cfg;
	pp_err err;
	size_t i;
	int status;

	if (argc < 2) {
		usage(stderr);
		return PP_EXIT_ERROR;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
		printf("planpipe %s\n", PP_VERSION);
		return PP_EXIT_OK;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return PP_EXIT_OK;
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			break;
	if (i == sizeof(commands) / sizeof(commands[0])) {
		fprintf(stderr, "planpipe: unknown command '%s'\n\n", argv[1]);
		usage(stderr);
		return PP_EXIT_ERROR;
	}
	pp_err_clear(&err);
	if (pp_config_load(&cfg, &err) != PP_OK || pp_db_check_config(&cfg, &err) != PP_OK) {
		fprintf(stderr, "planpipe: configuration error: %s\n", err.msg);
		pp_config_free(&cfg);
		return PP_EXIT_ERROR;
	}
	status = commands[i].run(argc - 1, argv + 1, &cfg);
	pp_config_free(&cfg);
	return status;
}
