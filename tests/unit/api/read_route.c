/*
 * tests/unit/api/read_route.c: src/api/read_route.c's pure parts
 * (read_route_int.h): the probe's row as a standby state, the check of
 * PLANPIPE_READ_DATABASE_URL (a password never in the message), and the
 * /metrics text of a snapshot. (The decision: read_decide.c; the probe
 * thread and the pool against a real standby:
 * tests/integration/test_api_standby.c.)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "unit.h"

#include "api/read_route_int.h"

static void probe_row_as_state(void **state)
{
	static const struct {
		const char *in_recovery, *lsn, *lag; /* the probe's row */
		long long at_ms;
		int want_in_recovery, lag_known;
		pp_lsn replay_lsn;
		double lag_s;
	} cases[] = {
		{"t", "16/B374D848", "0.25", 1234, 1, 1, (pp_lsn)0x16 << 32 | 0xB374D848u, 0.25},
		/* A promoted server; nothing replayed: lag and position unknown. */
		{"f", NULL, NULL, 99, 0, 0, 0, 0},
		/* Not a pg_lsn: 0, never a part of it. */
		{"t", "16/zz", "0", 1, 1, 1, 0, 0},
	};
	pp_standby_state st;
	const char *lsn;
	size_t i;

	(void)state;
	for (i = 0; i < UNIT_NELEM(cases); i++) {
		lsn = cases[i].lsn ? cases[i].lsn : "NULL";
		memset(&st, 0x5a, sizeof(st)); /* every field is set */
		read_route_state_of(cases[i].in_recovery, cases[i].lsn, cases[i].lag,
				    cases[i].at_ms, &st);
		unit_int_equal(lsn, st.measured, 1);
		unit_int_equal(lsn, st.up, 1);
		unit_int_equal(lsn, st.in_recovery, cases[i].want_in_recovery);
		if (st.replay_lsn != cases[i].replay_lsn)
			fail_msg("%s: replay_lsn %llx", lsn, (unsigned long long)st.replay_lsn);
		unit_int_equal(lsn, st.lag_known, cases[i].lag_known);
		if (st.lag_s != cases[i].lag_s)
			fail_msg("%s: lag %g, expected %g", lsn, st.lag_s, cases[i].lag_s);
		unit_int_equal(lsn, st.at_ms, cases[i].at_ms);
	}
}

/* err's message for PLANPIPE_READ_DATABASE_URL url, or "" when it parses. */
static const char *check(const char *url, pp_err *err)
{
	static char copy[256];
	pp_config cfg;

	snprintf(copy, sizeof(copy), "%s", url);
	memset(&cfg, 0, sizeof(cfg));
	cfg.database_url = copy;
	pp_err_clear(err);
	if (read_route_check_url(&cfg, err) == PP_OK)
		return "";
	unit_int_equal(url, err->rc, PP_EINVAL);
	return err->msg;
}

static void read_url_must_parse_and_never_shows_a_password(void **state)
{
	static const char *const bad[] = {
		"host=standby password=hunter2secret dbname",
		"postgresql://reader:hunter2secret@standby:5432/planpipe?bogus_option=1",
		/* libpq echoes a badly encoded password: masked. */
		"postgresql://reader:hunter2secret%zz@standby/planpipe",
	};
	const char *msg;
	pp_err err;
	size_t i;

	(void)state;
	assert_string_equal(check("postgresql://reader@standby:5432/planpipe", &err), "");
	assert_string_equal(check("host=standby dbname=planpipe user=reader", &err), "");
	for (i = 0; i < UNIT_NELEM(bad); i++) {
		msg = check(bad[i], &err);
		if (strstr(msg, "PLANPIPE_READ_DATABASE_URL is not a valid connection string: ") !=
		    msg)
			fail_msg("%s: message: %s", bad[i], msg);
		if (strstr(msg, "hunter2secret") != NULL)
			fail_msg("the password is in \"%s\"", msg);
		if (msg[strlen(msg) - 1] == '\n')
			fail_msg("%s: the message ends in a newline", bad[i]);
	}
}

/* v rendered; fails unless every line of want appears in it, in order. */
static void expect_metrics(const read_route_view *v, const char *const *want, size_t n)
{
	const char *text, *at;
	pp_buf b;
	size_t i;

	pp_buf_init(&b, 1 << 16);
	assert_int_equal(read_route_render(v, &b), PP_OK);
	text = pp_buf_str(&b);
	at = text;
	for (i = 0; i < n; i++) {
		const char *hit = strstr(at, want[i]);
		if (hit == NULL || (hit != text && hit[-1] != '\n'))
			fail_msg("no line \"%s\" (in order) in:\n%s", want[i], text);
		at = hit + strlen(want[i]);
	}
	pp_buf_free(&b);
}

static void metrics_of_a_snapshot(void **state)
{
	static const char *const up[] = {
		"# TYPE planpipe_read_routed_total counter\n",
		"planpipe_read_routed_total{target=\"standby\",reason=\"ok\"} 40\n",
		"planpipe_read_routed_total{target=\"primary\",reason=\"down\"} 1\n",
		"planpipe_read_routed_total{target=\"primary\",reason=\"stale\"} 2\n",
		"planpipe_read_routed_total{target=\"primary\",reason=\"not_standby\"} 3\n",
		"planpipe_read_routed_total{target=\"primary\",reason=\"lag\"} 4\n",
		"planpipe_read_routed_total{target=\"primary\",reason=\"read_your_writes\"} 5\n",
		"planpipe_read_routed_total{target=\"primary\",reason=\"failed\"} "
		"18446744073709551615\n",
		"planpipe_read_standby_in_use 1\n",
		"planpipe_read_standby_up 1\n",
		"planpipe_read_standby_lag_seconds 0.125\n",
		"planpipe_read_standby_probe_age_seconds 2.500\n",
		"planpipe_read_max_lag_seconds 5\n",
		"planpipe_read_tokens_tracked 17\n",
		"planpipe_read_pool_connections{state=\"idle\"} 3\n",
		"planpipe_read_pool_connections{state=\"in_use\"} 2\n",
	};
	static const char *const down[] = {
		"planpipe_read_routed_total{target=\"standby\",reason=\"ok\"} 0\n",
		"planpipe_read_standby_in_use 0\n",
		"planpipe_read_standby_up 0\n",
		"planpipe_read_standby_lag_seconds NaN\n",
		"planpipe_read_standby_probe_age_seconds 0.000\n",
		"planpipe_read_max_lag_seconds 30\n",
		"planpipe_read_tokens_tracked 0\n",
	};
	read_route_view v;
	int i;

	(void)state;
	memset(&v, 0, sizeof(v));
	for (i = 0; i < PP_READ_NROUTES; i++)
		v.counts[i] = (unsigned long long)i;
	v.counts[PP_READ_STANDBY] = 40;
	v.counts[PP_READ_FAILED] = 18446744073709551615ull;
	read_route_state_of("t", "0/3000060", "0.125", 10000, &v.st);
	v.in_use = 1;
	v.max_lag_s = 5;
	v.tracked = 17;
	v.pool_idle = 3;
	v.pool_in_use = 2;
	v.now_ms = 12500;
	expect_metrics(&v, up, UNIT_NELEM(up));

	/* Never measured: not up, lag NaN, no age. */
	memset(&v, 0, sizeof(v));
	v.max_lag_s = 30;
	v.now_ms = 987654321;
	expect_metrics(&v, down, UNIT_NELEM(down));

	/* Down after a probe: the lag it had is no longer shown; the age runs. */
	read_route_state_of("t", "0/3000060", "0.125", 1000, &v.st);
	v.st.up = 0;
	v.now_ms = 4000;
	{
		static const char *const gone[] = {
			"planpipe_read_standby_up 0\n",
			"planpipe_read_standby_lag_seconds NaN\n",
			"planpipe_read_standby_probe_age_seconds 3.000\n",
		};
		expect_metrics(&v, gone, UNIT_NELEM(gone));
	}
}

/* A buffer too small: its error, not a cut-off text reported as done. */
static void metrics_over_the_cap_fail(void **state)
{
	read_route_view v;
	pp_buf b;

	(void)state;
	memset(&v, 0, sizeof(v));
	pp_buf_init(&b, 200);
	assert_int_not_equal(read_route_render(&v, &b), PP_OK);
	pp_buf_free(&b);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(probe_row_as_state),
	cmocka_unit_test(read_url_must_parse_and_never_shows_a_password),
	cmocka_unit_test(metrics_of_a_snapshot),
	cmocka_unit_test(metrics_over_the_cap_fail),
};

UNIT_MAIN("read_route", tests)
