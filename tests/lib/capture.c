/* capture.c: what a call writes on standard output and standard error (capture.h). */
#include "capture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The command line of pp_t_capture_argv and pp_t_expect_argv. */
static struct {
	pp_t_argv_fn fn;
	void *ctx;
	int argc;
	char *argv[32];
} line;

static int run_line(void *ctx)
{
	(void)ctx;
	return line.fn(line.argc, line.argv, line.ctx);
}

/* What f holds, from its start, as a string the caller frees; closes f. */
static char *slurp(FILE *f)
{
	char *s = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&s, &len);
	int c;

	assert_non_null(m);
	rewind(f);
	while ((c = getc(f)) != EOF)
		putc(c, m);
	assert_int_equal(fclose(m), 0);
	fclose(f);
	return s;
}

int pp_t_capture(pp_t_call_fn fn, void *ctx, char **out, char **err)
{
	FILE *fo = tmpfile(), *fe = tmpfile();
	int r, saved_out, saved_err;

	assert_non_null(fo);
	assert_non_null(fe);
	fflush(stdout);
	fflush(stderr);
	saved_out = dup(STDOUT_FILENO);
	saved_err = dup(STDERR_FILENO);
	assert_true(saved_out >= 0 && saved_err >= 0);
	assert_true(dup2(fileno(fo), STDOUT_FILENO) >= 0);
	assert_true(dup2(fileno(fe), STDERR_FILENO) >= 0);
	r = fn(ctx);
	fflush(stdout);
	fflush(stderr);
	dup2(saved_out, STDOUT_FILENO);
	dup2(saved_err, STDERR_FILENO);
	close(saved_out);
	close(saved_err);
	*out = slurp(fo);
	*err = slurp(fe);
	return r;
}

void pp_t_expect_call(pp_t_call_fn fn, void *ctx, int r, const char *out, const char *err)
{
	char *got_out, *got_err;
	int got = pp_t_capture(fn, ctx, &got_out, &got_err);

	if (got != r || (out && strcmp(got_out, out) != 0) || (err && strcmp(got_err, err) != 0))
		fail_msg(
			"returned %d, wanted %d\nstdout:\n%s\nwanted:\n%s\nstderr:\n%s\nwanted:\n%s",
			got, r, got_out, out ? out : "(anything)", got_err,
			err ? err : "(anything)");
	free(got_out);
	free(got_err);
}

int pp_t_argv(const char *const *args, char **argv, int max)
{
	int argc = 0;

	while (args[argc] != NULL) {
		assert_true(argc < max);
		argv[argc] = (char *)args[argc];
		argc++;
	}
	argv[argc] = NULL;
	return argc;
}

void pp_t_assert_width(const char *text, size_t cols)
{
	const char *p = text;

	while (*p) {
		size_t n = strcspn(p, "\n");

		if (n > cols)
			fail_msg("%zu columns, over %zu: %.*s", n, cols, (int)n, p);
		p += n + (p[n] == '\n');
	}
}

int pp_t_capture_argv(pp_t_argv_fn fn, const char *const *args, void *ctx, char **out, char **err)
{
	line.fn = fn;
	line.ctx = ctx;
	line.argc = pp_t_argv(args, line.argv, 31);
	return pp_t_capture(run_line, NULL, out, err);
}

void pp_t_expect_argv(pp_t_argv_fn fn, const char *const *args, void *ctx, int r, const char *out,
		      const char *err)
{
	line.fn = fn;
	line.ctx = ctx;
	line.argc = pp_t_argv(args, line.argv, 31);
	pp_t_expect_call(run_line, NULL, r, out, err);
}

void pp_t_expect_help(pp_t_argv_fn fn, const char *const *args, void *ctx, int r, const char *first)
{
	char *out, *err;

	assert_int_equal(pp_t_capture_argv(fn, args, ctx, &out, &err), r);
	assert_string_equal(err, "");
	if (strncmp(out, first, strlen(first)) != 0)
		fail_msg("the help starts:\n%.200s\nwant:\n%s", out, first);
	pp_t_assert_width(out, 80);
	free(out);
	free(err);
}
