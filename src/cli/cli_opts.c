/*
 * cli_opts.c: what the subcommands share (see cli.h): the getopt_long loop
 * with --help and usage errors, and the database connection with its error.
 */
#include <getopt.h>
#include <stdio.h>

#include "cli/cli.h"
#include "db/conn.h"

static void print_usage(const char *usage_text, void (*usage)(FILE *out), FILE *out)
{
	if (usage_text)
		fputs(usage_text, out);
	else
		usage(out);
}

int pp_cli_options(int argc, char **argv, const struct option *opts, const char *usage_text,
		   void (*usage)(FILE *out), pp_cli_opt_fn fn, void *ctx)
{
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'h') {
			print_usage(usage_text, usage, stdout);
			return 1;
		}
		if (c == '?' || c == ':') {
			print_usage(usage_text, usage, stderr);
			return -1;
		}
		if (fn(ctx, c, optarg) != 0)
			return -1;
	}
	return 0;
}

PGconn *pp_cli_connect(const pp_config *cfg, const char *cmd, const char *app)
{
	PGconn *conn = NULL;
	pp_err err;

	pp_err_clear(&err);
	if (pp_db_connect(cfg, app, cfg->connect_timeout_s * 1000, &conn, &err) != PP_OK) {
		pp_cli_error(cmd, err.msg);
		return NULL;
	}
	return conn;
}
