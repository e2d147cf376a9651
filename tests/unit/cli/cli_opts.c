/*
 * tests/unit/cli/cli_opts.c: src/cli/cli_opts.c, the option loop the
 * subcommands share (pp_cli_options): options reach the callback in order
 * with their arguments, --help prints the usage on standard output (1),
 * an unknown option or a missing argument prints it on standard error (-1),
 * a callback's refusal ends the loop (-1), optind ends at the first operand,
 * and a second call starts afresh.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "cli/cli.h"

static const struct option opts[] = {
	{"name", required_argument, NULL, 'n'},
	{"flag", no_argument, NULL, 'f'},
	{"refuse", no_argument, NULL, 'r'},
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
};

static const char usage_text[] = "usage: planpipe test [--name N] [--flag] ARG\n";

/* What the callback saw: "n=VALUE;f;" and so on, in order. */
typedef struct seen {
	char log[256];
	int calls;
} seen;

static int take(void *ctx, int opt, const char *arg)
{
	seen *s = ctx;
	size_t n = strlen(s->log);

	s->calls++;
	if (opt == 'r')
		return -1;
	snprintf(s->log + n, sizeof(s->log) - n, "%c%s%s;", opt, arg ? "=" : "", arg ? arg : "");
	return 0;
}

/* The usage printer's calls: which stream it was given. */
static FILE *usage_out;
static int usage_calls;

static void usage(FILE *out)
{
	usage_out = out;
	usage_calls++;
}

/*
 * Runs pp_cli_options on args (NULL-terminated, args[0] the command), with
 * standard output and error sent to files whose contents land in out and
 * err (caller frees). Returns its result.
 */
static int run(const char *const *args, const char *text, seen *s, char **out, char **err)
{
	char *argv[16];
	int argc = 0, r, saved_out, saved_err;
	FILE *fo = tmpfile(), *fe = tmpfile();
	long n;

	assert_non_null(fo);
	assert_non_null(fe);
	while (args[argc] != NULL) {
		argv[argc] = (char *)args[argc];
		argc++;
	}
	argv[argc] = NULL;
	memset(s, 0, sizeof(*s));
	fflush(stdout);
	fflush(stderr);
	saved_out = dup(STDOUT_FILENO);
	saved_err = dup(STDERR_FILENO);
	dup2(fileno(fo), STDOUT_FILENO);
	dup2(fileno(fe), STDERR_FILENO);
	opterr = 0; /* getopt's own message is not what is tested */
	r = pp_cli_options(argc, argv, opts, text, usage, take, s);
	opterr = 1;
	fflush(stdout);
	fflush(stderr);
	dup2(saved_out, STDOUT_FILENO);
	dup2(saved_err, STDERR_FILENO);
	close(saved_out);
	close(saved_err);
	for (int k = 0; k < 2; k++) {
		FILE *f = k == 0 ? fo : fe;
		char **dst = k == 0 ? out : err;

		n = ftell(f);
		*dst = calloc(1, (size_t)n + 1);
		assert_non_null(*dst);
		rewind(f);
		assert_int_equal(fread(*dst, 1, (size_t)n, f), (size_t)n);
		fclose(f);
	}
	return r;
}

static void options_in_order_then_operands(void **state)
{
	const char *args[] = {"test", "--name", "a", "--flag", "--name=b", "x", "y", NULL};
	char *out, *err;
	seen s;

	(void)state;
	assert_int_equal(run(args, usage_text, &s, &out, &err), 0);
	assert_string_equal(s.log, "n=a;f;n=b;");
	assert_int_equal(s.calls, 3);
	/* getopt_long moves the operands to the end: optind is the first of them. */
	assert_int_equal(optind, 5);
	assert_string_equal(out, "");
	assert_string_equal(err, "");
	free(out);
	free(err);
}

static void help_prints_usage_on_stdout(void **state)
{
	const char *args[] = {"test", "--flag", "--help", "--name", "a", NULL};
	const char *short_args[] = {"test", "-h", NULL};
	char *out, *err;
	seen s;

	(void)state;
	assert_int_equal(run(args, usage_text, &s, &out, &err), 1);
	assert_string_equal(out, usage_text);
	assert_string_equal(err, "");
	assert_string_equal(s.log, "f;"); /* nothing after --help is taken */
	free(out);
	free(err);
	assert_int_equal(run(short_args, usage_text, &s, &out, &err), 1);
	assert_string_equal(out, usage_text);
	free(out);
	free(err);
}

static void usage_errors_print_usage_on_stderr(void **state)
{
	const char *unknown[] = {"test", "--nope", "x", NULL};
	const char *missing[] = {"test", "--name", NULL};
	char *out, *err;
	seen s;

	(void)state;
	assert_int_equal(run(unknown, usage_text, &s, &out, &err), -1);
	assert_string_equal(out, "");
	assert_string_equal(err, usage_text);
	assert_int_equal(s.calls, 0);
	free(out);
	free(err);
	assert_int_equal(run(missing, usage_text, &s, &out, &err), -1);
	assert_string_equal(err, usage_text);
	assert_int_equal(s.calls, 0);
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
	assert_int_equal(run(help, NULL, &s, &out, &err), 1);
	assert_int_equal(usage_calls, 1);
	assert_ptr_equal(usage_out, stdout);
	free(out);
	free(err);
	assert_int_equal(run(unknown, NULL, &s, &out, &err), -1);
	assert_int_equal(usage_calls, 2);
	assert_ptr_equal(usage_out, stderr);
	free(out);
	free(err);
}

static void refusal_stops_the_loop(void **state)
{
	const char *args[] = {"test", "--flag", "--refuse", "--name", "a", NULL};
	char *out, *err;
	seen s;

	(void)state;
	assert_int_equal(run(args, usage_text, &s, &out, &err), -1);
	assert_string_equal(s.log, "f;");
	assert_int_equal(s.calls, 2); /* --name is never seen */
	assert_string_equal(err, ""); /* the callback says why, not the loop */
	free(out);
	free(err);
}

/* A second parse (a subcommand's own options after a first) starts at argv[1]. */
static void each_call_starts_afresh(void **state)
{
	const char *first[] = {"test", "--name", "a", "x", NULL};
	const char *second[] = {"test", "--flag", NULL};
	char *out, *err;
	seen s;

	(void)state;
	assert_int_equal(run(first, usage_text, &s, &out, &err), 0);
	free(out);
	free(err);
	assert_int_equal(run(second, usage_text, &s, &out, &err), 0);
	assert_string_equal(s.log, "f;");
	assert_int_equal(optind, 2);
	free(out);
	free(err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(options_in_order_then_operands),
		cmocka_unit_test(help_prints_usage_on_stdout),
		cmocka_unit_test(usage_errors_print_usage_on_stderr),
		cmocka_unit_test(usage_function_when_no_text),
		cmocka_unit_test(refusal_stops_the_loop),
		cmocka_unit_test(each_call_starts_afresh),
	};

	return cmocka_run_group_tests_name("cli_opts", tests, NULL, NULL);
}
