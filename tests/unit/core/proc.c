/*
 * tests/unit/core/proc.c: src/core/proc.c with local commands (sh, printf,
 * head): output captured whole, NUL bytes included, exit status and death by
 * a signal, standard input /dev/null and standard error discarded, the
 * output cap (the child drained, not killed by SIGPIPE), and a program that
 * cannot be started.
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

#include "core/proc.h"

/* Runs argv, which must start; its output in *out and *len, its status returned. */
static int run_ok(const char *const *argv, size_t max, char **out, size_t *len)
{
	int status = -2;
	pp_err err;

	pp_err_clear(&err);
	if (pp_proc_capture(argv, max, out, len, &status, &err) != PP_OK)
		fail_msg("%s: %s", argv[0], err.msg);
	assert_non_null(*out);
	assert_int_equal((*out)[*len], '\0');
	return status;
}

static void captures_output_and_status(void **state)
{
	const char *const argv[] = {"sh", "-c", "echo one; echo two; exit 3", NULL};
	char *out;
	size_t len;

	(void)state;
	assert_int_equal(run_ok(argv, 1024, &out, &len), 3);
	assert_string_equal(out, "one\ntwo\n");
	assert_int_equal(len, 8);
	free(out);
}

/* Nothing printed: "" (not NULL, not an error), status 0. */
static void empty_output(void **state)
{
	const char *const argv[] = {"true", NULL};
	char *out;
	size_t len = 99;

	(void)state;
	assert_int_equal(run_ok(argv, 1024, &out, &len), 0);
	assert_int_equal(len, 0);
	assert_string_equal(out, "");
	free(out);
}

static void keeps_nul_bytes(void **state)
{
	const char *const argv[] = {"printf", "a\\000b\\000", NULL};
	char *out;
	size_t len;

	(void)state;
	assert_int_equal(run_ok(argv, 1024, &out, &len), 0);
	assert_int_equal(len, 4);
	assert_memory_equal(out, "a\0b\0", 5);
	free(out);
}

/* More than a pipe holds (64 KiB) and more than one read: all of it, in order. */
static void large_output(void **state)
{
	const char *const argv[] = {
		"sh", "-c", "i=0; while [ $i -lt 20000 ]; do echo $i; i=$((i+1)); done", NULL};
	char *out, line[16], *p;
	size_t len;
	int i;

	(void)state;
	assert_int_equal(run_ok(argv, 1 << 20, &out, &len), 0);
	assert_int_equal(len, strlen(out));
	for (i = 0, p = out; i < 20000; i++) {
		snprintf(line, sizeof(line), "%d\n", i);
		assert_memory_equal(p, line, strlen(line));
		p += strlen(line);
	}
	assert_ptr_equal(p, out + len);
	free(out);
}

/*
 * Standard input is /dev/null, not this process's (here a pipe holding
 * "leak"), and standard error is not captured.
 */
static void stdin_null_stderr_dropped(void **state)
{
	const char *const argv[] = {"sh", "-c", "cat; echo err >&2; echo out", NULL};
	int fds[2], saved;
	char *out;
	size_t len;

	(void)state;
	assert_int_equal(pipe(fds), 0);
	assert_int_equal(write(fds[1], "leak\n", 5), 5);
	close(fds[1]);
	saved = dup(0);
	assert_true(saved >= 0);
	assert_int_equal(dup2(fds[0], 0), 0);
	close(fds[0]);
	assert_int_equal(run_ok(argv, 1024, &out, &len), 0);
	assert_int_equal(dup2(saved, 0), 0);
	close(saved);
	assert_string_equal(out, "out\n");
	free(out);
}

/* Killed by signal N: status 128+N. */
static void killed_by_signal(void **state)
{
	const char *const argv[] = {"sh", "-c", "echo before; kill -TERM $$", NULL};
	char *out;
	size_t len;

	(void)state;
	assert_int_equal(run_ok(argv, 1024, &out, &len), 128 + 15);
	assert_string_equal(out, "before\n");
	free(out);
}

/*
 * Exactly max bytes is fine; more is PP_EINVAL "printed more than", never
 * ENOMEM, and the child is drained to its end: it exits 0, not 141 (SIGPIPE).
 */
static void output_cap(void **state)
{
	const char *const exact[] = {"head", "-c", "100", "/dev/zero", NULL};
	const char *const flood[] = {"head", "-c", "1000000", "/dev/zero", NULL};
	char *out = (char *)1;
	size_t len = 99;
	int status = -2;
	pp_err err;

	(void)state;
	assert_int_equal(run_ok(exact, 100, &out, &len), 0);
	assert_int_equal(len, 100);
	free(out);

	pp_err_clear(&err);
	assert_int_equal(pp_proc_capture(flood, 100, &out, &len, &status, &err), PP_EINVAL);
	assert_non_null(strstr(err.msg, "head printed more than 100 bytes"));
	assert_null(out);
	assert_int_equal(len, 0);
	assert_int_equal(status, 0);
}

static void cannot_start(void **state)
{
	const char *const argv[] = {"pp-no-such-program-for-proc-test", NULL};
	char *out = (char *)1;
	size_t len = 99;
	int status = -2;
	pp_err err;

	(void)state;
	pp_err_clear(&err);
	assert_int_equal(pp_proc_capture(argv, 1024, &out, &len, &status, &err), PP_EIO);
	assert_non_null(strstr(err.msg, "cannot run pp-no-such-program-for-proc-test"));
	assert_non_null(strstr(err.msg, "No such file"));
	assert_null(out);
	assert_int_equal(len, 0);
	assert_int_equal(status, -1);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(captures_output_and_status),
	cmocka_unit_test(empty_output),
	cmocka_unit_test(keeps_nul_bytes),
	cmocka_unit_test(large_output),
	cmocka_unit_test(stdin_null_stderr_dropped),
	cmocka_unit_test(killed_by_signal),
	cmocka_unit_test(output_cap),
	cmocka_unit_test(cannot_start),
};

UNIT_MAIN("proc", tests)
