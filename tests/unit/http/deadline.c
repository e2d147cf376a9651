/*
 * tests/unit/http/deadline.c: src/http/deadline.c with socket pairs standing
 * for client connections (no network). deadline.c reads CLOCK_MONOTONIC
 * itself and takes no clock, so nothing here waits for a deadline to come
 * or asserts how fast the checker is: a timeout of 0 has passed at once,
 * one of an hour never passes while the test runs, and "cut" is observed as
 * the end of input on the client's side, waited for without a time limit
 * (the test's own timeout is the limit). That a restarted clock starts
 * from zero again would need a clock parameter to test; it is not tested.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "unit.h"

#include "http/deadline.h"

#define HOUR 3600

/* A connected pair: sv[0] the server's end, sv[1] the client's. */
static void pair(int sv[2])
{
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
}

/* A new connected pair sv, its server's end tracked by d. */
static pp_http_dl_conn *open_pair(pp_http_deadline *d, int sv[2])
{
	pp_http_dl_conn *c;

	pair(sv);
	c = pp_http_deadline_open(d, sv[0]);
	assert_non_null(c);
	return c;
}

static void close_pair(int sv[2])
{
	close(sv[0]);
	close(sv[1]);
}

/* Waits until the client's end sees the end of input: the server's end was shut down. */
static void wait_cut(int client)
{
	struct pollfd p = {.fd = client, .events = POLLIN};
	char c;

	assert_int_equal(poll(&p, 1, -1), 1);
	assert_int_equal(read(client, &c, 1), 0);
}

/* Whether the client's end has seen the end of input, without waiting. */
static int is_cut(int client)
{
	struct pollfd p = {.fd = client, .events = POLLIN};
	char c;

	if (poll(&p, 1, 0) != 1)
		return 0;
	return read(client, &c, 1) == 0;
}

static pp_http_deadline *start(int timeout_s)
{
	pp_http_deadline *d = NULL;
	pp_err err;

	pp_err_clear(&err);
	assert_int_equal(pp_http_deadline_start(timeout_s, &d, &err), PP_OK);
	assert_non_null(d);
	return d;
}

/* passed follows the clock: running past 0 s, stopped, restarted; never within an hour. */
static void passed_follows_the_clock(void **state)
{
	pp_http_deadline *d = start(0), *h = start(HOUR);
	pp_http_dl_conn *c, *k;
	int sv[2], sk[2];

	(void)state;
	c = open_pair(d, sv);
	k = open_pair(h, sk);
	assert_true(pp_http_deadline_passed(d, c));
	assert_false(pp_http_deadline_passed(h, k));
	pp_http_deadline_stop_clock(d, c);
	assert_false(pp_http_deadline_passed(d, c));
	pp_http_deadline_restart_clock(d, c);
	assert_true(pp_http_deadline_passed(d, c));
	pp_http_deadline_stop_clock(h, k);
	pp_http_deadline_restart_clock(h, k);
	assert_false(pp_http_deadline_passed(h, k));
	pp_http_deadline_close(d, c);
	pp_http_deadline_close(h, k);
	pp_http_deadline_free(d);
	pp_http_deadline_free(h);
	close_pair(sv);
	close_pair(sk);
}

/*
 * The checker shuts down a connection past its deadline and counts it once:
 * by the time a second one is cut, the first has been seen (cut) again at
 * least once and must not be counted twice.
 */
static void past_deadline_is_cut_once(void **state)
{
	pp_http_deadline *d = start(0);
	pp_http_dl_conn *a, *b;
	int sa[2], sb[2];

	(void)state;
	a = open_pair(d, sa);
	wait_cut(sa[1]);
	assert_int_equal(pp_http_deadline_cut(d), 1);
	b = open_pair(d, sb);
	wait_cut(sb[1]);
	assert_int_equal(pp_http_deadline_cut(d), 2);
	pp_http_deadline_close(d, a);
	pp_http_deadline_close(d, b);
	pp_http_deadline_free(d);
	close_pair(sa);
	close_pair(sb);
}

/*
 * A client that shut down its side mid-request is cut long before its
 * deadline (an hour); one whose clock is stopped (its request is being
 * handled) is not, though it also shut down its side: b is cut only after two
 * checks that also saw a, stopped and half-closed.
 */
static void half_closed_is_cut_unless_stopped(void **state)
{
	pp_http_deadline *d = start(HOUR);
	pp_http_dl_conn *a, *b, *idle;
	int sa[2], sb[2], si[2];

	(void)state;
	idle = open_pair(d, si);
	a = open_pair(d, sa);
	pp_http_deadline_stop_clock(d, a);
	assert_int_equal(shutdown(sa[1], SHUT_WR), 0);
	b = open_pair(d, sb);
	assert_int_equal(shutdown(sb[1], SHUT_WR), 0);
	wait_cut(sb[1]);
	/* Taking the lock: the check that cut b has ended. */
	assert_int_equal(pp_http_deadline_cut(d), 1);
	assert_false(is_cut(sa[1]));
	assert_false(is_cut(si[1]));
	assert_false(pp_http_deadline_passed(d, b));
	pp_http_deadline_close(d, a);
	pp_http_deadline_close(d, b);
	pp_http_deadline_close(d, idle);
	pp_http_deadline_free(d);
	close_pair(sa);
	close_pair(sb);
	close_pair(si);
}

/*
 * Closing from the middle, the head and the tail of the list keeps the rest
 * tracked: a connection opened afterwards past its deadline is still cut,
 * and free closes what is left (ASan sees a broken list).
 */
static void close_keeps_the_rest(void **state)
{
	pp_http_deadline *d = start(HOUR), *z = start(0);
	pp_http_dl_conn *c[5], *last;
	int sv[5][2], sl[2];

	(void)state;
	for (int i = 0; i < 5; i++)
		c[i] = open_pair(d, sv[i]);
	pp_http_deadline_close(d, c[2]);
	pp_http_deadline_close(d, c[4]); /* the head: opened last */
	pp_http_deadline_close(d, c[0]); /* the tail */
	assert_false(pp_http_deadline_passed(d, c[1]));
	assert_false(pp_http_deadline_passed(d, c[3]));
	pp_http_deadline_free(d); /* closes c[1] and c[3] */
	for (int i = 0; i < 5; i++)
		assert_false(is_cut(sv[i][1]));

	for (int i = 0; i < 3; i++)
		c[i] = pp_http_deadline_open(z, sv[i][0]);
	pp_http_deadline_close(z, c[1]);
	last = open_pair(z, sl);
	wait_cut(sl[1]);
	pp_http_deadline_close(z, last);
	pp_http_deadline_close(z, c[0]);
	pp_http_deadline_close(z, c[2]);
	pp_http_deadline_free(z);
	for (int i = 0; i < 5; i++)
		close_pair(sv[i]);
	close_pair(sl);
}

/* The functions documented to accept NULL do. */
static void accepts_null(void **state)
{
	pp_http_deadline *d = start(0);

	(void)state;
	pp_http_deadline_stop_clock(d, NULL);
	pp_http_deadline_restart_clock(d, NULL);
	assert_false(pp_http_deadline_passed(d, NULL));
	pp_http_deadline_close(d, NULL);
	assert_int_equal(pp_http_deadline_cut(d), 0);
	pp_http_deadline_free(d);
	pp_http_deadline_free(NULL);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(passed_follows_the_clock),
	cmocka_unit_test(past_deadline_is_cut_once),
	cmocka_unit_test(half_closed_is_cut_unless_stopped),
	cmocka_unit_test(close_keeps_the_rest),
	cmocka_unit_test(accepts_null),
};

UNIT_MAIN("deadline", tests)
