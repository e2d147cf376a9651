/*
 * capture.h: what a call writes on standard output and standard error, for
 * the unit tests of code that prints (a subcommand's parser, its messages).
 * Every helper fails the running cmocka test on error.
 */
#ifndef PP_TESTS_CAPTURE_H
#define PP_TESTS_CAPTURE_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

/* The call to capture: any function of a context, returning an int. */
typedef int (*pp_t_call_fn)(void *ctx);

/*
 * Runs fn(ctx) with standard output and standard error sent to temporary
 * files: *out and *err receive what each got, NUL-terminated (the caller
 * frees both). Returns fn's result.
 */
int pp_t_capture(pp_t_call_fn fn, void *ctx, char **out, char **err);

/*
 * Runs fn(ctx) as pp_t_capture does and fails the test, showing both, unless
 * it returns r and writes exactly out and err (NULL: anything).
 */
void pp_t_expect_call(pp_t_call_fn fn, void *ctx, int r, const char *out, const char *err);

/*
 * Copies args (NULL-terminated, args[0] the command) into argv (room for
 * max pointers and the NULL), since getopt moves the pointers of the array
 * it is given. Returns argc.
 */
int pp_t_argv(const char *const *args, char **argv, int max);

/* A command line's parser, with its context. */
typedef int (*pp_t_argv_fn)(int argc, char **argv, void *ctx);

/*
 * pp_t_capture and pp_t_expect_call for fn on args (NULL-terminated, args[0]
 * the command, at most 31 of them): the argv it is given lives until the
 * next call.
 */
int pp_t_capture_argv(pp_t_argv_fn fn, const char *const *args, void *ctx, char **out, char **err);
void pp_t_expect_argv(pp_t_argv_fn fn, const char *const *args, void *ctx, int r, const char *out,
		      const char *err);

/*
 * Runs fn on args (a --help) and fails the test unless it returns r, says
 * nothing on standard error, and prints on standard output a text that
 * starts with first and has no line over 80 columns.
 */
void pp_t_expect_help(pp_t_argv_fn fn, const char *const *args, void *ctx, int r,
		      const char *first);

/* Fails the test, naming the line, unless every line of text fits in cols columns. */
void pp_t_assert_width(const char *text, size_t cols);

#endif
