/*
 * cmd_maintain.c: `planpipe maintain`, status_history's partitions: rows out
 * of the default partition into their months' partitions, and partitions
 * ahead (src/db/maintain.h, docs/operations.md "History partitions").
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/cmd_maintain_int.h"
#include "db/conn.h"
#include "db/maintain.h"

static const char usage_head[] =
	"usage: planpipe maintain [--months-ahead N] [--lock-timeout SECONDS]\n"
	"\n"
	"Maintains status_history's monthly partitions: moves every row of the default\n"
	"partition into the partition of its month (creating it), then creates the\n"
	"partitions of this month and N ahead. One month per transaction, each holding\n"
	"a lock on status_history while it runs. Safe to run at any time and more than\n"
	"once (cron); `planpipe serve` does the same every\n"
	"PLANPIPE_HISTORY_MAINTAIN_INTERVAL.\n"
	"Runs as the schema owner or a member of planpipe_app.\n"
	"\n"
	"options:\n";

static const char usage_tail[] =
	"\n"
	"Prints one line per partition created; exit status 0 when nothing is left\n"
	"to do, 2 on an error (the steps done before it stay done).\n";

/* --months-ahead ('m') and --lock-timeout ('l'): whole numbers in their ranges. */
static int take_whole(void *ctx, const pp_cli_opt *opt, const char *arg)
{
	pp_maintain_opts *o = ctx;
	int months = opt->key == 'm';
	long v;

	if (pp_cli_whole(arg, 0, months ? 120 : 3600, &v) != 0) {
		pp_cli_error("maintain",
			     months ? "--months-ahead expects a whole number from 0 to 120"
				    : "--lock-timeout expects seconds, 0 to 3600");
		return -1;
	}
	if (months)
		o->months_ahead = (int)v;
	else
		o->lock_timeout_ms = o->busy_wait_ms = (int)v * 1000;
	return 0;
}

static const pp_cli_opt opts[] = {
	{.name = "months-ahead",
	 .kind = PP_CLI_TAKE,
	 .take = take_whole,
	 .key = 'm',
	 .arg = "N",
	 .help = "partitions ahead of this month, 0 to 120\n"
		 "(default PLANPIPE_HISTORY_MONTHS_AHEAD, 12)"},
	{.name = "lock-timeout",
	 .kind = PP_CLI_TAKE,
	 .take = take_whole,
	 .key = 'l',
	 .arg = "SECONDS",
	 .help = "how long one step waits for status_history's lock or\n"
		 "for another session's step (default 10)"},
	{0},
};

void maintain_usage(FILE *out)
{
	fputs(usage_head, out);
	pp_cli_print_options(opts, PP_CLI_MAX_OPTS, 26, out);
	fputs(usage_tail, out);
}

static const pp_cli_spec spec = {
	.cmd = "maintain", .opts = opts, .usage = maintain_usage, .no_operands = 1};

int maintain_parse_args(int argc, char **argv, int months_ahead, pp_maintain_opts *o)
{
	pp_maintain_opts_init(o);
	o->months_ahead = months_ahead;
	return pp_cli_parse(argc, argv, &spec, o);
}

static void print_step(void *ctx, const pp_maintain_step *s)
{
	(void)ctx;
	if (s->moved)
		printf("%s: created, %lld row%s moved out of status_history_default\n",
		       s->partition, s->rows, s->rows == 1 ? "" : "s");
	else
		printf("%s: created\n", s->partition);
	fflush(stdout);
}

int pp_cli_maintain(int argc, char **argv, const pp_config *cfg)
{
	pp_maintain_opts o;
	pp_maintain_result r;
	PGconn *conn = NULL;
	pp_err err;
	int status = PP_EXIT_ERROR, rv;
	pp_rc rc;

	rv = maintain_parse_args(argc, argv, cfg->history_months_ahead, &o);
	if (rv != 0)
		return pp_cli_parse_exit(rv);
	o.on_step = print_step;
	conn = pp_cli_connect(cfg, "maintain", "planpipe maintain");
	if (conn == NULL)
		goto out;
	pp_err_clear(&err);
	rc = pp_maintain_history(conn, &o, &r, &err);
	if (rc != PP_OK) {
		if (r.created > 0)
			pp_err_prefix(&err, "after %d partition%s created and %lld row%s moved: ",
				      r.created, r.created == 1 ? "" : "s", r.moved,
				      r.moved == 1 ? "" : "s");
		pp_cli_error("maintain", err.msg);
		goto out;
	}
	if (r.busy) {
		pp_cli_error("maintain", "another session kept maintaining status_history for "
					 "longer than --lock-timeout; try again");
		goto out;
	}
	printf("%d partition%s created, %lld row%s moved; the default partition is empty and "
	       "partitions exist for this month and %d ahead\n",
	       r.created, r.created == 1 ? "" : "s", r.moved, r.moved == 1 ? "" : "s",
	       o.months_ahead);
	status = PP_EXIT_OK;
out:
	PQfinish(conn);
	return status;
}
