/*
 * tests/unit/api/read_decide.c: src/api/read_decide.c, the pure parts of
 * read routing: pg_lsn text, the replay target of a commit, the routing
 * decision with each reason against the standby, and the per-token table of
 * last writes (replayed entries dropped, a full table raising the floor,
 * many threads at once).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "unit.h"
#include <pthread.h>

#include "api/read_route.h"

static void lsn_text_both_ways(void **state)
{
	char buf[PP_LSN_TEXT];
	pp_lsn l = 1;

	(void)state;
	assert_int_equal(pp_lsn_parse("0/0", &l), 0);
	assert_true(l == 0);
	assert_int_equal(pp_lsn_parse("16/B374D848", &l), 0);
	assert_true(l == ((pp_lsn)0x16 << 32 | 0xB374D848u));
	assert_int_equal(pp_lsn_parse("ffffffff/ffffffff", &l), 0);
	assert_true(l == UINT64_MAX);
	pp_lsn_format((pp_lsn)0x16 << 32 | 0xB374D848u, buf);
	assert_string_equal(buf, "16/B374D848");
	pp_lsn_format(UINT64_MAX, buf);
	assert_string_equal(buf, "FFFFFFFF/FFFFFFFF");
	pp_lsn_format(0x3000060, buf);
	assert_string_equal(buf, "0/3000060");
	/* Not a pg_lsn: nothing else is taken. */
	assert_int_equal(pp_lsn_parse("", &l), -1);
	assert_int_equal(pp_lsn_parse("0", &l), -1);
	assert_int_equal(pp_lsn_parse("/0", &l), -1);
	assert_int_equal(pp_lsn_parse("0/", &l), -1);
	assert_int_equal(pp_lsn_parse("0/0/0", &l), -1);
	assert_int_equal(pp_lsn_parse("123456789/0", &l), -1);
	assert_int_equal(pp_lsn_parse("0/123456789", &l), -1);
	assert_int_equal(pp_lsn_parse("0/x1", &l), -1);
	assert_int_equal(pp_lsn_parse(" 0/1", &l), -1);
	assert_int_equal(pp_lsn_parse("0/1 ", &l), -1);
	assert_int_equal(pp_lsn_parse("-1/1", &l), -1);
	assert_int_equal(pp_lsn_parse(NULL, &l), -1);
}

static void replay_target_at_page_starts(void **state)
{
	(void)state;
	/* Mid-page: the position itself. */
	assert_true(pp_lsn_replay_target(0x3000060) == 0x3000060);
	assert_true(pp_lsn_replay_target(0x2000) == 0x2000);
	/* Just past a page's short header, or a segment's long one: the boundary. */
	assert_true(pp_lsn_replay_target(0x2018) == 0x2000);
	assert_true(pp_lsn_replay_target(0x3000028) == 0x3000000);
	/* Elsewhere in the first bytes of a page: a record's end. */
	assert_true(pp_lsn_replay_target(0x2030) == 0x2030);
}

static pp_standby_state good(void)
{
	pp_standby_state st;

	memset(&st, 0, sizeof(st));
	st.measured = st.up = st.in_recovery = st.lag_known = 1;
	st.lag_s = 0.5;
	st.replay_lsn = 1000;
	st.at_ms = 10000;
	return st;
}

static void each_reason_against_the_standby(void **state)
{
	pp_standby_state st = good();

	(void)state;
	assert_int_equal(pp_read_decide(&st, 10500, 5, 5000, 0), PP_READ_STANDBY);
	assert_int_equal(pp_read_decide(&st, 10500, 5, 5000, 1000), PP_READ_STANDBY);
	/* Read-your-writes: a position past what was replayed. */
	assert_int_equal(pp_read_decide(&st, 10500, 5, 5000, 1001), PP_READ_WRITES);
	/* The lag bound: at it still fine, beyond it not; unknown is not fine. */
	st.lag_s = 5.0;
	assert_int_equal(pp_read_decide(&st, 10500, 5, 5000, 0), PP_READ_STANDBY);
	st.lag_s = 5.001;
	assert_int_equal(pp_read_decide(&st, 10500, 5, 5000, 0), PP_READ_LAG);
	st.lag_s = 0;
	assert_int_equal(pp_read_decide(&st, 10500, 0, 5000, 0), PP_READ_STANDBY);
	st = good();
	st.lag_known = 0;
	assert_int_equal(pp_read_decide(&st, 10500, 5, 5000, 0), PP_READ_LAG);
	/* Promoted, or a primary all along. */
	st = good();
	st.in_recovery = 0;
	assert_int_equal(pp_read_decide(&st, 10500, 5, 5000, 0), PP_READ_NOT_STANDBY);
	/* An old measurement, and none at all. */
	st = good();
	assert_int_equal(pp_read_decide(&st, 15000, 5, 5000, 0), PP_READ_STANDBY);
	assert_int_equal(pp_read_decide(&st, 15001, 5, 5000, 0), PP_READ_STALE);
	st.measured = 0;
	assert_int_equal(pp_read_decide(&st, 10500, 5, 5000, 0), PP_READ_STALE);
	/* Down wins over everything it measured before. */
	st = good();
	st.up = 0;
	st.lag_s = 100;
	assert_int_equal(pp_read_decide(&st, 10500, 5, 5000, 0), PP_READ_DOWN);
	assert_int_equal(pp_read_decide(&st, 99999, 5, 5000, 0), PP_READ_DOWN);
}

static void every_route_has_a_name(void **state)
{
	int i;

	(void)state;
	assert_string_equal(pp_read_route_str(PP_READ_STANDBY), "standby");
	assert_string_equal(pp_read_route_str(PP_READ_WRITES), "read_your_writes");
	assert_string_equal(pp_read_route_str(PP_READ_FAILED), "failed");
	assert_string_equal(pp_read_route_str(PP_READ_NROUTES), "?");
	for (i = 0; i < PP_READ_NROUTES; i++)
		if (strcmp(pp_read_route_str((pp_read_route)i), "?") == 0)
			fail_msg("route %d has no name", i);
}

/* A key as the router gets it: 64 hex digits, the first eight choosing the slot. */
static void key_of(char key[PP_LSN_KEY_LEN + 1], unsigned home, unsigned n)
{
	snprintf(key, PP_LSN_KEY_LEN + 1, "%08x%056x", home, n);
}

static void table_keeps_the_highest_until_replayed(void **state)
{
	pp_lsn_table *t = pp_lsn_table_new(16);
	char a[PP_LSN_KEY_LEN + 1], b[PP_LSN_KEY_LEN + 1];

	(void)state;
	assert_non_null(t);
	assert_null(pp_lsn_table_new(15));
	assert_null(pp_lsn_table_new(8));
	key_of(a, 1, 1);
	key_of(b, 1, 2);
	assert_true(pp_lsn_table_need(t, a, 0) == 0);
	pp_lsn_table_note(t, a, 500, 100);
	assert_true(pp_lsn_table_need(t, a, 100) == 500);
	assert_true(pp_lsn_table_need(t, b, 100) == 0);
	/* The highest write counts. */
	pp_lsn_table_note(t, a, 400, 100);
	assert_true(pp_lsn_table_need(t, a, 100) == 500);
	pp_lsn_table_note(t, a, 700, 100);
	assert_true(pp_lsn_table_need(t, a, 100) == 700);
	/* Already replayed: nothing to note. */
	pp_lsn_table_note(t, b, 90, 100);
	assert_int_equal(pp_lsn_table_count(t), 1);
	/* Replayed since: the entry goes. */
	assert_true(pp_lsn_table_need(t, a, 700) == 0);
	assert_int_equal(pp_lsn_table_count(t), 0);
	pp_lsn_table_free(t);
	pp_lsn_table_free(NULL);
}

static void full_table_raises_the_floor(void **state)
{
	pp_lsn_table *t = pp_lsn_table_new(16);
	char k[PP_LSN_KEY_LEN + 1], other[PP_LSN_KEY_LEN + 1];
	unsigned i;

	(void)state;
	/* Eight keys with the same home fill its probe window. */
	for (i = 0; i < 8; i++) {
		key_of(k, 3, i);
		pp_lsn_table_note(t, k, 1000 + i, 0);
	}
	assert_int_equal(pp_lsn_table_count(t), 8);
	key_of(other, 9, 0);
	assert_true(pp_lsn_table_need(t, other, 0) == 0);
	/* A ninth evicts the lowest (1000): every token must now see 1000. */
	key_of(k, 3, 8);
	pp_lsn_table_note(t, k, 2000, 0);
	assert_int_equal(pp_lsn_table_count(t), 8);
	assert_true(pp_lsn_table_need(t, other, 0) == 1000);
	key_of(k, 3, 0);
	assert_true(pp_lsn_table_need(t, k, 0) == 1000);
	key_of(k, 3, 8);
	assert_true(pp_lsn_table_need(t, k, 0) == 2000);
	/* Once replayed, the floor costs nothing. */
	assert_true(pp_lsn_table_need(t, other, 1000) == 0);
	/* Replayed entries are free slots: no eviction, the floor stays. */
	key_of(k, 3, 9);
	pp_lsn_table_note(t, k, 3000, 1500);
	assert_true(pp_lsn_table_need(t, other, 1000) == 0);
	assert_true(pp_lsn_table_need(t, k, 1500) == 3000);
	pp_lsn_table_free(t);
}

typedef struct hammer_arg {
	pp_lsn_table *t;
	unsigned id;
} hammer_arg;

static void *hammer(void *p)
{
	hammer_arg *a = p;
	char k[PP_LSN_KEY_LEN + 1];
	unsigned i;

	for (i = 0; i < 20000; i++) {
		pp_lsn lsn = (pp_lsn)i * 8 + 8;
		key_of(k, (a->id * 7919 + i) % 64, a->id);
		pp_lsn_table_note(a->t, k, lsn, 0);
		/* Just written: it must be seen, or a floor at least as high (evicted). */
		if (pp_lsn_table_need(a->t, k, 0) < lsn)
			return (void *)1;
	}
	return NULL;
}

static void table_under_eight_threads(void **state)
{
	pp_lsn_table *t = pp_lsn_table_new(64);
	pthread_t th[8];
	hammer_arg args[8];
	unsigned i;
	void *ret;

	(void)state;
	for (i = 0; i < 8; i++) {
		args[i].t = t;
		args[i].id = i;
		assert_int_equal(pthread_create(&th[i], NULL, hammer, &args[i]), 0);
	}
	for (i = 0; i < 8; i++) {
		assert_int_equal(pthread_join(th[i], &ret), 0);
		assert_null(ret);
	}
	assert_true(pp_lsn_table_count(t) <= 64);
	pp_lsn_table_free(t);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(lsn_text_both_ways),
	cmocka_unit_test(replay_target_at_page_starts),
	cmocka_unit_test(each_reason_against_the_standby),
	cmocka_unit_test(every_route_has_a_name),
	cmocka_unit_test(table_keeps_the_highest_until_replayed),
	cmocka_unit_test(full_table_raises_the_floor),
	cmocka_unit_test(table_under_eight_threads),
};

UNIT_MAIN("read_decide", tests)
