/*
 * cli_opts.h: what the subcommands share: one option parser over a table of
 * options (name, argument, where it goes, help), the usage lines printed from
 * that table, and the database connection with its error.
 */
#ifndef PP_CLI_CLI_OPTS_H
#define PP_CLI_CLI_OPTS_H

#include <getopt.h> /* optind, after pp_cli_parse */
#include <libpq-fe.h>
#include <stddef.h>
#include <stdio.h>

#include "core/config.h"

/* The most options a table may hold (besides --help, which every command has). */
#define PP_CLI_MAX_OPTS 32

/* What an option does with what it is given. */
typedef enum pp_cli_opt_kind {
	PP_CLI_FLAG = 1, /* no argument: the int at target counts the times it is given */
	PP_CLI_STRING,   /* an argument: the const char * at target points at it (the last wins) */
	PP_CLI_TAKE,     /* an argument: take checks it and keeps it */
} pp_cli_opt_kind;

typedef struct pp_cli_opt pp_cli_opt;

/* Takes opt's argument arg into ctx (the parse's context): 0, or -1 after printing why not. */
typedef int (*pp_cli_take_fn)(void *ctx, const pp_cli_opt *opt, const char *arg);

/* One option of a table; a table ends with a row whose name is NULL. */
struct pp_cli_opt {
	const char *name;     /* without the leading "--" */
	pp_cli_opt_kind kind; /* which fields below it reads */
	size_t target;        /* offsetof the field it sets in the context (TAKE: if any) */
	pp_cli_take_fn take;  /* TAKE */
	int key;              /* TAKE: tells one take's options apart */
	const char *arg;      /* the argument's name in the usage ("N", "DIR"); NULL: none */
	const char *help;     /* its usage line(s); NULL: pp_cli_print_options leaves it out */
};

/* Rows without usage help: a flag or a string option into field of the context's type. */
/* clang-format off */
#define PP_CLI_FLAG_OPT(n, type, field)   {.name = (n), .kind = PP_CLI_FLAG, .target = offsetof(type, field)}
#define PP_CLI_STRING_OPT(n, type, field) {.name = (n), .kind = PP_CLI_STRING, .target = offsetof(type, field)}
/* clang-format on */

/* A command's options and usage. */
typedef struct pp_cli_spec {
	const char *cmd;          /* "user": messages start "planpipe user: " */
	const pp_cli_opt *opts;   /* the table */
	const char *usage_text;   /* the usage, or NULL: */
	void (*usage)(FILE *out); /* prints it */
	int own_message;          /* an unknown option or a missing argument: "planpipe CMD:
				     unknown or incomplete option 'ARG'" and a blank line before
				     the usage, instead of getopt's message (backup, restore) */
	int no_operands;          /* an operand is a usage error: "too many arguments" */
} pp_cli_spec;

/*
 * Parses the options of argv (from argv[1]) by spec->opts into ctx, with
 * getopt_long: --opt value and --opt=value, unambiguous abbreviations, -h or
 * --help, and "--" ending the options. The options and operands may mix;
 * getopt_long moves the operands to the end. Returns 0 with optind at the
 * first operand; 1 when --help printed the usage on standard output; -1 for
 * a usage error: an unknown option or a missing or unwanted argument
 * (getopt's message naming it, or spec->own_message's, then the usage on
 * standard error), a take that refused its argument (it says why), or with
 * spec->no_operands an operand ("planpipe CMD: error: too many arguments
 * (see planpipe CMD --help)").
 * Every call starts afresh at argv[1].
 */
int pp_cli_parse(int argc, char **argv, const pp_cli_spec *spec, void *ctx);

/*
 * A whole number from min to max as strtol reads it (leading blanks and a
 * sign pass), with nothing after it: 0 and *v set, or -1 and *v untouched.
 * The caller says what was wrong, in its own words.
 */
int pp_cli_whole(const char *s, long min, long max, long *v);

/*
 * The exit status of a subcommand whose pp_cli_parse (or a parse around it)
 * returned r (not 0): PP_EXIT_OK after --help, PP_EXIT_ERROR after a usage error.
 */
int pp_cli_parse_exit(int r);

/*
 * Connects as pp_cli_connect does, runs run(conn, ctx) and disconnects:
 * run's exit status, or PP_EXIT_ERROR when the connection failed (its
 * message printed).
 */
int pp_cli_with_conn(const pp_config *cfg, const char *cmd, const char *app,
		     int (*run)(PGconn *conn, const void *ctx), const void *ctx);

/* The field opt->target of ctx, for a take. */
void *pp_cli_target(void *ctx, const pp_cli_opt *opt);

/*
 * Prints the first n rows of opts (fewer if its end comes first) that have
 * help, one a line: "  --NAME ARG" padded to column col (at least two spaces
 * after it), then the help, whose further lines are indented to col.
 */
void pp_cli_print_options(const pp_cli_opt *opts, size_t n, int col, FILE *out);

/*
 * Connects to the database as application_name app, within the configured
 * connect timeout. NULL after printing "planpipe CMD: error: ..." on failure.
 */
PGconn *pp_cli_connect(const pp_config *cfg, const char *cmd, const char *app);

#endif
