/*
 * tests/unit/cli/cli_opts.c: src/cli/cli_opts.c, the option parser the
 * subcommands share (pp_cli_parse) and the usage lines from its table
 * (pp_cli_print_options): each kind of option reaches its target, --opt
 * value and --opt=value, a repeated option (flags count, strings keep the
 * last, takes see each), "--" ends the options, --help prints the usage on
 * standard output (1), an unknown option, a missing argument or an argument
 * to a flag names the option and prints the usage on standard error (-1), a
 * take's refusal ends the parse (-1), optind ends at the first operand, and
 * a second call starts afresh; whole numbers in a range (pp_cli_whole) and
 * the exit status after a parse (pp_cli_parse_exit).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "unit.h"

#include "capture.h"
#include "cli/cli.h"
#include "cli/cli_opts.h"

/* What the parse set: the flag's count, the string, and each take's call in order. */
typedef struct seen {
	int flag;
	const char *name;
	char log[256]; /* "KEY=VALUE;" per take */
	int calls;
} seen;

static int take(void *ctx, const pp_cli_opt *opt, const char *arg)
{
	seen *s = ctx;
	size_t n = strlen(s->log);

	s->calls++;
	if (opt->key == 'r')
		return -1;
	snprintf(s->log + n, sizeof(s->log) - n, "%c=%s;", opt->key, arg);
	return 0;
}

static const pp_cli_opt opts[] = {
	{.name = "name",
	 .kind = PP_CLI_STRING,
	 .target = offsetof(seen, name),
	 .arg = "N",
	 .help = "a name"},
	{.name = "flag", .kind = PP_CLI_FLAG, .target = offsetof(seen, flag), .help = "a flag"},
	{.name = "item", .kind = PP_CLI_TAKE, .take = take, .key = 'i'},
	{.name = "refuse", .kind = PP_CLI_TAKE, .take = take, .key = 'r'},
	{0},
};

static const char usage_text[] = "usage: planpipe test [--name N] [--flag] ARG\n";

/* The usage printer's calls: which stream it was given. */
static FILE *usage_out;
static int usage_calls;

static void usage(FILE *out)
{
	usage_out = out;
	usage_calls++;
}

static const pp_cli_spec spec_text = {.cmd = "test", .opts = opts, .usage_text = usage_text};
static const pp_cli_spec spec_fn = {.cmd = "test", .opts = opts, .usage = usage};
static const pp_cli_spec spec_none = {
	.cmd = "test", .opts = opts, .usage_text = usage_text, .no_operands = 1};
static const pp_cli_spec spec_own = {
	.cmd = "test", .opts = opts, .usage_text = usage_text, .own_message = 1};

/* The parse's argv, kept for the operands. */
static char *argv[16];

/* One parse for pp_t_capture. */
typedef struct parse_call {
	const pp_cli_spec *spec;
	int argc;
	seen *s;
} parse_call;

static int parse(void *ctx)
{
	parse_call *c = ctx;

	return pp_cli_parse(c->argc, argv, c->spec, c->s);
}

/*
 * Runs pp_cli_parse with spec on args (NULL-terminated, args[0] the command),
 * standard output and error sent to files whose contents land in out and err
 * (caller frees). Returns its result.
 */
static int run_spec(const pp_cli_spec *spec, const char *const *args, seen *s, char **out,
		    char **err)
{
	parse_call c = {spec, pp_t_argv(args, argv, 15), s};

	memset(s, 0, sizeof(*s));
	return pp_t_capture(parse, &c, out, err);
}

static int run(const char *const *args, seen *s, char **out, char **err)
{
	return run_spec(&spec_text, args, s, out, err);
}

/* Parses args with spec_text into *s, which must succeed without a word on either stream. */
static void parses_quietly(const char *const *args, seen *s)
{
	char *out, *err;

	assert_int_equal(run(args, s, &out, &err), 0);
	assert_string_equal(out, "");
	assert_string_equal(err, "");
	free(out);
	free(err);
}

static void each_kind_reaches_its_target(void **state)
{
	const char *args[] = {"test", "--name", "a", "--flag", "--item", "x", "op", NULL};
	seen s;

	(void)state;
	parses_quietly(args, &s);
	assert_string_equal(s.name, "a");
	assert_int_equal(s.flag, 1);
	assert_string_equal(s.log, "i=x;");
	assert_int_equal(s.calls, 1);
	assert_int_equal(optind, 6);
	assert_string_equal(argv[optind], "op");
}

static void value_after_space_or_equals(void **state)
{
	const char *args[] = {"test", "--name=a", "--item=x=y", "--item", "", "--name", "-b", NULL};
	seen s;

	(void)state;
	parses_quietly(args, &s);
	/* The argument is taken whole, even one that starts with '-' or holds '='. */
	assert_string_equal(s.name, "-b");
	assert_string_equal(s.log, "i=x=y;i=;");
	assert_int_equal(optind, 7);
}

static void repeated_options(void **state)
{
	const char *args[] = {"test",   "--flag", "--name", "a",        "--item", "x",
			      "--flag", "--name", "b",      "--item=y", NULL};
	seen s;

	(void)state;
	parses_quietly(args, &s);
	assert_int_equal(s.flag, 2);            /* a flag counts */
	assert_string_equal(s.name, "b");       /* a string keeps the last */
	assert_string_equal(s.log, "i=x;i=y;"); /* a take sees each, in order */
}

static void operands_mix_with_options(void **state)
{
	const char *args[] = {"test", "x", "--flag", "y", "--name", "a", NULL};
	seen s;

	(void)state;
	parses_quietly(args, &s);
	assert_int_equal(s.flag, 1);
	assert_string_equal(s.name, "a");
	/* getopt_long moves the operands to the end: optind is the first of them. */
	assert_int_equal(optind, 4);
	assert_string_equal(argv[4], "x");
	assert_string_equal(argv[5], "y");
}

static void double_dash_ends_the_options(void **state)
{
	const char *args[] = {"test", "--flag", "--", "--name", "a", "--nope", NULL};
	seen s;

	(void)state;
	parses_quietly(args, &s);
	assert_int_equal(s.flag, 1);
	assert_null(s.name);
	assert_int_equal(optind, 3);
	assert_string_equal(argv[3], "--name");
	assert_string_equal(argv[5], "--nope");
}

static void unambiguous_abbreviation(void **state)
{
	const char *args[] = {"test", "--na", "a", "--fl", NULL};
	seen s;

	(void)state;
	parses_quietly(args, &s);
	assert_string_equal(s.name, "a");
	assert_int_equal(s.flag, 1);
}

static void help_prints_usage_on_stdout(void **state)
{
	const char *args[] = {"test", "--flag", "--help", "--name", "a", NULL};
	const char *short_args[] = {"test", "-h", NULL};
	char *out, *err;
	seen s;

	(void)state;
	assert_int_equal(run(args, &s, &out, &err), 1);
	assert_string_equal(out, usage_text);
	assert_string_equal(err, "");
	assert_int_equal(s.flag, 1);
	assert_null(s.name); /* nothing after --help is taken */
	free(out);
	free(err);
	assert_int_equal(run(short_args, &s, &out, &err), 1);
	assert_string_equal(out, usage_text);
	free(out);
	free(err);
}

/* A usage error: getopt's message naming the option, then the usage, on standard error. */
static void expect_usage_error(const char *const *args, const char *message)
{
	char *out, *err;
	seen s;

	assert_int_equal(run(args, &s, &out, &err), -1);
	assert_string_equal(out, "");
	assert_non_null(strstr(err, message));
	assert_non_null(strstr(err, usage_text));
	assert_true(strstr(err, message) < strstr(err, usage_text));
	assert_int_equal(s.calls, 0);
	free(out);
	free(err);
}

static void unknown_option(void **state)
{
	const char *args[] = {"test", "--nope", "x", NULL};
	const char *short_args[] = {"test", "-x", NULL};

	(void)state;
	expect_usage_error(args, "test: unrecognized option '--nope'");
	expect_usage_error(short_args, "test: invalid option -- 'x'");
}

static void missing_argument(void **state)
{
	const char *args[] = {"test", "--flag", "--item", NULL};

	(void)state;
	expect_usage_error(args, "test: option '--item' requires an argument");
}

static void argument_to_a_flag(void **state)
{
	const char *args[] = {"test", "--flag=1", NULL};

	(void)state;
	expect_usage_error(args, "test: option '--flag' doesn't allow an argument");
}

/* own_message: the command's message, naming the option as given, then a blank line. */
static void own_message_names_the_option(void **state)
{
	const char *unknown[] = {"test", "--nope=3", NULL};
	const char *missing[] = {"test", "--name", NULL};
	char *out, *err;
	seen s;

	(void)state;
	assert_int_equal(run_spec(&spec_own, unknown, &s, &out, &err), -1);
	assert_string_equal(out, "");
	assert_string_equal(err, "planpipe test: unknown or incomplete option '--nope=3'\n\n"
				 "usage: planpipe test [--name N] [--flag] ARG\n");
	free(out);
	free(err);
	assert_int_equal(run_spec(&spec_own, missing, &s, &out, &err), -1);
	assert_string_equal(err, "planpipe test: unknown or incomplete option '--name'\n\n"
				 "usage: planpipe test [--name N] [--flag] ARG\n");
	free(out);
	free(err);
}

/* no_operands: options alone pass; an operand, even after "--", is "too many arguments". */
static void no_operands(void **state)
{
	const char *options[] = {"test", "--flag", "--name", "a", NULL};
	const char *operand[] = {"test", "--flag", "x", NULL};
	const char *after_dashes[] = {"test", "--", "--flag", NULL};
	char *out, *err;
	seen s;

	(void)state;
	assert_int_equal(run_spec(&spec_none, options, &s, &out, &err), 0);
	assert_string_equal(err, "");
	free(out);
	free(err);
	assert_int_equal(run_spec(&spec_none, operand, &s, &out, &err), -1);
	assert_string_equal(out, "");
	assert_string_equal(err, "planpipe test: error: too many arguments "
				 "(see planpipe test --help)\n");
	assert_int_equal(s.flag, 1);
	free(out);
	free(err);
	assert_int_equal(run_spec(&spec_none, after_dashes, &s, &out, &err), -1);
	assert_int_equal(s.flag, 0);
	free(out);
	free(err);
}

static void usage_function_when_no_text(void **state)
{
	const char *help[] = {"test", "--help", NULL};
	const char *unknown[] = {"test", "--nope", NULL};
	char *out, *err;
	seen s;

	(void)state;
	usage_calls = 0;
	assert_int_equal(run_spec(&spec_fn, help, &s, &out, &err), 1);
	assert_int_equal(usage_calls, 1);
	assert_ptr_equal(usage_out, stdout);
	free(out);
	free(err);
	assert_int_equal(run_spec(&spec_fn, unknown, &s, &out, &err), -1);
	assert_int_equal(usage_calls, 2);
	assert_ptr_equal(usage_out, stderr);
	free(out);
	free(err);
}

static void refusal_stops_the_parse(void **state)
{
	const char *args[] = {"test", "--flag", "--refuse", "x", "--name", "a", NULL};
	char *out, *err;
	seen s;

	(void)state;
	assert_int_equal(run(args, &s, &out, &err), -1);
	assert_int_equal(s.flag, 1);
	assert_int_equal(s.calls, 1);
	assert_null(s.name);          /* --name is never seen */
	assert_string_equal(err, ""); /* the take says why, not the parser */
	free(out);
	free(err);
}

/* A second parse (a subcommand's own options after a first) starts at argv[1]. */
static void each_call_starts_afresh(void **state)
{
	const char *first[] = {"test", "--name", "a", "x", NULL};
	const char *second[] = {"test", "--flag", NULL};
	seen s;

	(void)state;
	parses_quietly(first, &s);
	parses_quietly(second, &s);
	assert_int_equal(s.flag, 1);
	assert_null(s.name);
	assert_int_equal(optind, 2);
}

/* Prints pp_cli_print_options(o, n, col) into a string (caller frees). */
static char *printed(const pp_cli_opt *o, size_t n, int col)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	assert_non_null(f);
	pp_cli_print_options(o, n, col, f);
	fclose(f);
	return text;
}

static void usage_lines_from_the_table(void **state)
{
	static const pp_cli_opt table[] = {
		{.name = "out", .kind = PP_CLI_STRING, .arg = "DIR", .help = "where it goes"},
		{.name = "hidden", .kind = PP_CLI_FLAG},
		{.name = "a-long-option-name", .kind = PP_CLI_FLAG, .help = "two\nlines"},
		{.name = "last", .kind = PP_CLI_FLAG, .help = "after n"},
		{0},
	};
	char *t;

	(void)state;
	/* Two spaces at least after an option wider than col allows. */
	t = printed(table, 3, 12);
	assert_string_equal(t, "  --out DIR  where it goes\n"
			       "  --a-long-option-name  two\n"
			       "            lines\n");
	free(t);
	t = printed(table, PP_CLI_MAX_OPTS, 14);
	assert_string_equal(t, "  --out DIR   where it goes\n"
			       "  --a-long-option-name  two\n"
			       "              lines\n"
			       "  --last      after n\n");
	free(t);
}

/* Whole numbers in a range, as strtol reads them, nothing after; refused ones leave *v alone. */
static void whole_numbers_in_range(void **state)
{
	static const struct {
		const char *s;
		long min, max;
		int ok;
		long v;
	} cases[] = {
		{"0", 0, 10, 1, 0},    {"10", 0, 10, 1, 10},
		{"11", 0, 10, 0, 0},   {"-1", 0, 10, 0, 0},
		{"-1", -5, 10, 1, -1}, {"", 0, 10, 0, 0},
		{"3x", 0, 10, 0, 0},   {"3 ", 0, 10, 0, 0},
		{" 3", 0, 10, 1, 3},   {"+7", 0, 10, 1, 7},
		{"1.5", 0, 10, 0, 0},  {"0x10", 0, 100, 0, 0},
		{"007", 0, 10, 1, 7},  {"99999999999999999999", 0, 10, 0, 0},
	};
	size_t i;

	(void)state;
	for (i = 0; i < UNIT_NELEM(cases); i++) {
		long v = 42;
		int r = pp_cli_whole(cases[i].s, cases[i].min, cases[i].max, &v);

		if (r != (cases[i].ok ? 0 : -1) || v != (cases[i].ok ? cases[i].v : 42))
			fail_msg("\"%s\" in [%ld, %ld]: %d, %ld", cases[i].s, cases[i].min,
				 cases[i].max, r, v);
	}
}

/* After --help the command succeeds; after a usage error it fails with 2. */
static void parse_exit_status(void **state)
{
	(void)state;
	assert_int_equal(pp_cli_parse_exit(1), PP_EXIT_OK);
	assert_int_equal(pp_cli_parse_exit(-1), PP_EXIT_ERROR);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(each_kind_reaches_its_target),
	cmocka_unit_test(value_after_space_or_equals),
	cmocka_unit_test(repeated_options),
	cmocka_unit_test(operands_mix_with_options),
	cmocka_unit_test(double_dash_ends_the_options),
	cmocka_unit_test(unambiguous_abbreviation),
	cmocka_unit_test(help_prints_usage_on_stdout),
	cmocka_unit_test(unknown_option),
	cmocka_unit_test(missing_argument),
	cmocka_unit_test(argument_to_a_flag),
	cmocka_unit_test(own_message_names_the_option),
	cmocka_unit_test(no_operands),
	cmocka_unit_test(usage_function_when_no_text),
	cmocka_unit_test(refusal_stops_the_parse),
	cmocka_unit_test(each_call_starts_afresh),
	cmocka_unit_test(usage_lines_from_the_table),
	cmocka_unit_test(whole_numbers_in_range),
	cmocka_unit_test(parse_exit_status),
};

UNIT_MAIN("cli_opts", tests)
