/*
 * tests/unit/cli/cmd_serve.c: src/cli/cmd_serve.c's pure parts
 * (cmd_serve_int.h): the reports' share of the pool, the open files the
 * connection limit needs and what fits under a lower limit, the
 * --drain-timeout argument, and the host of the start-up line. (Serving
 * itself: tests/integration/test_api_*.c.)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "unit.h"

#include "capture.h"
#include "cli/cli.h"
#include "cli/cmd_serve_int.h"

static int budget(int report_concurrency, int pool_max)
{
	pp_config cfg;

	memset(&cfg, 0, sizeof(cfg));
	cfg.report_concurrency = report_concurrency;
	return serve_report_budget(&cfg, pool_max);
}

/* A quarter of the pool, at least one; a setting wins, whatever the pool. */
static void report_budget_is_a_quarter_or_the_setting(void **state)
{
	(void)state;
	assert_int_equal(budget(0, 20), 5);
	assert_int_equal(budget(0, 23), 5);
	assert_int_equal(budget(0, 8), 2);
	assert_int_equal(budget(0, 7), 1);
	assert_int_equal(budget(0, 4), 1);
	assert_int_equal(budget(0, 1), 1);
	assert_int_equal(budget(3, 20), 3);
	assert_int_equal(budget(12, 4), 12);
	assert_int_equal(budget(-1, 20), 5);
}

/* Each client connection, each pooled one and the spare: one open file each. */
static void fd_need_counts_every_descriptor(void **state)
{
	(void)state;
	assert_true(serve_fd_need(4096, 10) == 4096 + 10 + SERVE_FD_SPARE);
	assert_true(serve_fd_need(0, 0) == SERVE_FD_SPARE);
	/* No wrap-around at the top of unsigned. */
	assert_true(serve_fd_need(4294967295u, 21) == (rlim_t)4294967295u + 21 + SERVE_FD_SPARE);
}

/* Up to the need, never past the hard limit, never down. */
static void fd_raise_goes_to_the_need_within_the_hard_limit(void **state)
{
	(void)state;
	assert_true(serve_fd_raise(1024, 524288, 4170) == 4170);
	assert_true(serve_fd_raise(1024, 2048, 4170) == 2048);
	assert_true(serve_fd_raise(1024, 1024, 4170) == 1024);
	/* Never lowered, even below a (bogus) smaller hard limit. */
	assert_true(serve_fd_raise(2048, 1024, 4170) == 2048);
	assert_true(serve_fd_raise(8192, 524288, 4170) == 8192);
	assert_true(serve_fd_raise(4170, 524288, 4170) == 4170);
	assert_true(serve_fd_raise(1024, RLIM_INFINITY, 4170) == 4170);
}

/* What is left after the pool and the spare, and never fewer than the spare. */
static void fd_fit_leaves_room_for_the_pool(void **state)
{
	(void)state;
	/* Enough: unchanged. */
	assert_int_equal(serve_fd_fit(4096, 10, 4096 + 10 + SERVE_FD_SPARE), 4096);
	assert_int_equal(serve_fd_fit(4096, 10, 1048576), 4096);
	/* One short: one connection fewer. */
	assert_int_equal(serve_fd_fit(4096, 10, 4096 + 10 + SERVE_FD_SPARE - 1), 4095);
	assert_int_equal(serve_fd_fit(4096, 10, 1024), 1024 - 10 - SERVE_FD_SPARE);
	assert_int_equal(serve_fd_fit(4096, 41, 1024), 1024 - 41 - SERVE_FD_SPARE);
	/* Hardly anything: the spare, not zero or a wrapped-around huge number. */
	assert_int_equal(serve_fd_fit(4096, 10, 10 + 2 * SERVE_FD_SPARE), SERVE_FD_SPARE);
	assert_int_equal(serve_fd_fit(4096, 10, 10 + 2 * SERVE_FD_SPARE + 1), SERVE_FD_SPARE + 1);
	assert_int_equal(serve_fd_fit(4096, 10, 20), SERVE_FD_SPARE);
	assert_int_equal(serve_fd_fit(4096, 10, 0), SERVE_FD_SPARE);
}

/* Whole seconds from 0 to 3600; anything else refused, the old value kept. */
static void drain_timeout_takes_seconds_only(void **state)
{
	static const char *const bad[] = {
		"", "-1", "3601", "20s", "1.5", " ", "x", "20 ", "99999999999999999999"};
	size_t i;
	int s = -7;

	(void)state;
	assert_int_equal(serve_parse_drain("0", &s), 0);
	assert_int_equal(s, 0);
	assert_int_equal(serve_parse_drain("20", &s), 0);
	assert_int_equal(s, 20);
	assert_int_equal(serve_parse_drain("3600", &s), 0);
	assert_int_equal(s, 3600);
	assert_int_equal(serve_parse_drain("007", &s), 0);
	assert_int_equal(s, 7);
	for (i = 0; i < UNIT_NELEM(bad); i++) {
		s = 42;
		if (serve_parse_drain(bad[i], &s) != -1 || s != 42)
			fail_msg("--drain-timeout \"%s\" was taken (%d)", bad[i], s);
	}
}

/* Fails unless the start-up line shows listen's host as want. */
static void expect_host(const char *listen, const char *want)
{
	int len = -1;
	const char *h = serve_listen_host(listen, &len);

	if (len != (int)strlen(want) || strncmp(h, want, (size_t)len) != 0)
		fail_msg("host of \"%s\": \"%.*s\", want \"%s\"", listen, len, h, want);
}

static void listen_host_for_the_start_up_line(void **state)
{
	(void)state;
	expect_host("127.0.0.1:8080", "127.0.0.1");
	expect_host("localhost:0", "localhost");
	expect_host("[::1]:8080", "[::1]");
	expect_host("[::]:80", "[::]");
	expect_host(":8080", "0.0.0.0");
}

static int serve(int argc, char **argv, void *ctx)
{
	return pp_cli_serve(argc, argv, ctx);
}

/* --help prints the usage and serves nothing. */
static void help_fits_80_columns(void **state)
{
	const char *args[] = {"serve", "--help", NULL};
	pp_config cfg;

	(void)state;
	memset(&cfg, 0, sizeof(cfg));
	pp_t_expect_help(serve, args, &cfg, PP_EXIT_OK, "usage: planpipe serve");
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(report_budget_is_a_quarter_or_the_setting),
	cmocka_unit_test(fd_need_counts_every_descriptor),
	cmocka_unit_test(fd_raise_goes_to_the_need_within_the_hard_limit),
	cmocka_unit_test(fd_fit_leaves_room_for_the_pool),
	cmocka_unit_test(drain_timeout_takes_seconds_only),
	cmocka_unit_test(listen_host_for_the_start_up_line),
	cmocka_unit_test(help_fits_80_columns),
};

UNIT_MAIN("cmd_serve", tests)
