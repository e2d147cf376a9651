/*
 * cli_opts.c: what the subcommands share (cli_opts.h): one option parser
 * over their tables, the usage lines from a table, and the database
 * connection with its error.
 */
#include "cli/cli_opts.h"

#include <assert.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "db/conn.h"

/* getopt_long's value for row i of a table: clear of 'h', '?' and ':'. */
#define OPT_VAL 256

static void print_usage(const pp_cli_spec *spec, FILE *out)
{
	if (spec->usage_text)
		fputs(spec->usage_text, out);
	else
		spec->usage(out);
}

int pp_cli_whole(const char *s, long min, long max, long *v)
{
	char *end;
	long n = strtol(s, &end, 10);

	if (*s == '\0' || *end != '\0' || n < min || n > max)
		return -1;
	*v = n;
	return 0;
}

int pp_cli_parse_exit(int r)
{
	assert(r != 0);
	return r > 0 ? PP_EXIT_OK : PP_EXIT_ERROR;
}

void *pp_cli_target(void *ctx, const pp_cli_opt *opt)
{
	return (char *)ctx + opt->target;
}

/* Row o of a table takes arg (NULL for a flag) into ctx: 0, or -1 (take said why). */
static int take(const pp_cli_opt *o, void *ctx, const char *arg)
{
	void *field = pp_cli_target(ctx, o);

	switch (o->kind) {
	case PP_CLI_FLAG:
		(*(int *)field)++;
		return 0;
	case PP_CLI_STRING:
		*(const char **)field = arg;
		return 0;
	case PP_CLI_TAKE:
		return o->take(ctx, o, arg);
	}
	assert(!"an option of no known kind");
	return -1;
}

int pp_cli_parse(int argc, char **argv, const pp_cli_spec *spec, void *ctx)
{
	struct option lo[PP_CLI_MAX_OPTS + 2];
	size_t n;
	int c;

	for (n = 0; n < PP_CLI_MAX_OPTS && spec->opts[n].name; n++) {
		assert(spec->opts[n].kind != PP_CLI_TAKE || spec->opts[n].take != NULL);
		lo[n].name = spec->opts[n].name;
		lo[n].has_arg = spec->opts[n].kind == PP_CLI_FLAG ? no_argument : required_argument;
		lo[n].flag = NULL;
		lo[n].val = OPT_VAL + (int)n;
	}
	assert(spec->opts[n].name == NULL); /* a longer table is cut short */
	lo[n] = (struct option){"help", no_argument, NULL, 'h'};
	lo[n + 1] = (struct option){NULL, 0, NULL, 0};
	optind = 1;
	opterr = !spec->own_message;
	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		if (c == 'h') {
			print_usage(spec, stdout);
			return 1;
		}
		if (c < OPT_VAL) { /* '?': getopt_long has said why, unless opterr is 0 */
			if (spec->own_message)
				fprintf(stderr,
					"planpipe %s: unknown or incomplete option '%s'\n\n",
					spec->cmd, argv[optind - 1]);
			print_usage(spec, stderr);
			return -1;
		}
		if (take(&spec->opts[c - OPT_VAL], ctx, optarg) != 0)
			return -1;
	}
	if (spec->no_operands && optind < argc) {
		char msg[128];

		snprintf(msg, sizeof(msg), "too many arguments (see planpipe %s --help)",
			 spec->cmd);
		pp_cli_error(spec->cmd, msg);
		return -1;
	}
	return 0;
}

void pp_cli_print_options(const pp_cli_opt *opts, size_t n, int col, FILE *out)
{
	size_t i;

	for (i = 0; i < n && opts[i].name; i++) {
		const char *h = opts[i].help;
		int w;

		if (h == NULL)
			continue;
		w = fprintf(out, "  --%s%s%s", opts[i].name, opts[i].arg ? " " : "",
			    opts[i].arg ? opts[i].arg : "");
		fprintf(out, "%*s", w + 2 <= col ? col - w : 2, "");
		for (; *h; h++) {
			fputc(*h, out);
			if (*h == '\n')
				fprintf(out, "%*s", col, "");
		}
		fputc('\n', out);
	}
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

int pp_cli_with_conn(const pp_config *cfg, const char *cmd, const char *app,
		     int (*run)(PGconn *conn, const void *ctx), const void *ctx)
{
	PGconn *conn = pp_cli_connect(cfg, cmd, app);
	int status;

	if (conn == NULL)
		return PP_EXIT_ERROR;
	status = run(conn, ctx);
	PQfinish(conn);
	return status;
}
