/*
 * tests/unit/cli/cmd_health.c: src/cli/cmd_health.c's pure parts
 * (cmd_health_int.h): the arguments (levels, --timeout, each threshold as
 * WARNING,CRITICAL, the flags, what is refused and that a refusal changes
 * nothing) and the text report's layout. (The checks against a server:
 * tests/unit/db/health.c, tests/integration/test_health.c and test_cli.c.)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "unit.h"

#include "capture.h"
#include "cli/cmd_health_int.h"

#define MAX_ARGS 8

/* health_parse_args of "health" and the NULL-terminated args, from the defaults. */
static int parse(pp_health_opts *o, int *json, ...)
{
	UNIT_VARGV(argv, argc, MAX_ARGS, "health", json);

	pp_health_opts_init(o, PP_HEALTH_FULL);
	*json = -1;
	return health_parse_args(argc, argv, o, json);
}

static void levels_and_flags(void **state)
{
	pp_health_opts o, defaults;
	int json;

	(void)state;
	pp_health_opts_init(&defaults, PP_HEALTH_FULL);
	assert_int_equal(parse(&o, &json, NULL), 0);
	assert_int_equal(json, 0);
	assert_memory_equal(&o, &defaults, sizeof(o));
	assert_int_equal(parse(&o, &json, "--liveness", NULL), 0);
	assert_int_equal(o.level, PP_HEALTH_LIVENESS);
	assert_int_equal(parse(&o, &json, "--readiness", "--json", NULL), 0);
	assert_int_equal(o.level, PP_HEALTH_READINESS);
	assert_int_equal(json, 1);
	assert_int_equal(o.allow_replica, 0);
	assert_int_equal(parse(&o, &json, "--replica", "--schema-exact", NULL), 0);
	assert_int_equal(o.level, PP_HEALTH_FULL);
	assert_int_equal(o.allow_replica, 1);
	assert_int_equal(o.schema_exact, 1);
}

static void timeout_in_seconds(void **state)
{
	static const char *const bad[] = {"0", "-1", "3601", "", "5s", "x", "1,2"};
	pp_health_opts o;
	size_t i;
	int json;

	(void)state;
	assert_int_equal(parse(&o, &json, "--timeout", "2.5", NULL), 0);
	assert_int_equal(o.timeout_ms, 2500);
	assert_int_equal(parse(&o, &json, "--timeout", "3600", NULL), 0);
	assert_int_equal(o.timeout_ms, 3600000);
	assert_int_equal(parse(&o, &json, "--timeout", "0.001", NULL), 0);
	assert_int_equal(o.timeout_ms, 1);
	for (i = 0; i < UNIT_NELEM(bad); i++)
		if (parse(&o, &json, "--timeout", bad[i], NULL) != -1)
			fail_msg("--timeout \"%s\" was taken", bad[i]);
}

/* Each threshold option sets its own pair, and nothing else. */
static void each_threshold_sets_its_pair(void **state)
{
	pp_health_opts o, want;
	int json;

	(void)state;
	pp_health_opts_init(&want, PP_HEALTH_FULL);
	want.th.latency_warn_ms = 50;
	want.th.latency_crit_ms = 500.5;
	want.th.connections_warn_pct = 70;
	want.th.connections_crit_pct = 90;
	assert_int_equal(parse(&o, &json, "--latency", "50,500.5", "--connections", "70,90", NULL),
			 0);
	assert_memory_equal(&o, &want, sizeof(o));

	pp_health_opts_init(&want, PP_HEALTH_FULL);
	want.th.xact_age_warn_s = 60;
	want.th.xact_age_crit_s = 0;
	want.th.wraparound_warn_pct = 40;
	want.th.wraparound_crit_pct = 60;
	want.th.lag_warn_s = 1;
	want.th.lag_crit_s = 2;
	want.th.partitions_warn = 3;
	want.th.partitions_crit = 0;
	assert_int_equal(parse(&o, &json, "--transaction-age", "60,0", "--wraparound", "40,60",
			       "--replication-lag", "1,2", "--partitions", "3,0", NULL),
			 0);
	assert_memory_equal(&o, &want, sizeof(o));
}

/* A refusal leaves the options as they were. */
static void refused_arguments(void **state)
{
	static const char *const pairs[] = {"80",    "80,",      ",95", "80;95",  "-1,95",
					    "80,-1", "80,95,99", "a,b", "80,95x", ""};
	pp_health_opts o, defaults;
	size_t i;
	int json;

	(void)state;
	pp_health_opts_init(&defaults, PP_HEALTH_FULL);
	for (i = 0; i < UNIT_NELEM(pairs); i++) {
		if (parse(&o, &json, "--connections", pairs[i], NULL) != -1)
			fail_msg("--connections \"%s\" was taken", pairs[i]);
		if (memcmp(&o, &defaults, sizeof(o)) != 0) {
			print_error("ERROR: --connections \"%s\" changed the options\n", pairs[i]);
			assert_memory_equal(&o, &defaults, sizeof(o));
		}
		unit_int_equal(pairs[i], json, -1);
	}
	assert_int_equal(parse(&o, &json, "--liveness", "--readiness", NULL), -1);
	assert_int_equal(parse(&o, &json, "--json", "extra", NULL), -1);
	assert_int_equal(json, -1);
	assert_int_equal(parse(&o, &json, "--bogus", NULL), -1);
	assert_int_equal(parse(&o, &json, "--timeout", NULL), -1);
	assert_memory_equal(&o, &defaults, sizeof(o));
}

static void text_report_layout(void **state)
{
	pp_health_report r;
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	memset(&r, 0, sizeof(r));
	r.level = PP_HEALTH_FULL;
	r.status = PP_HEALTH_WARNING;
	r.elapsed_ms = 42;
	snprintf(r.summary, sizeof(r.summary), "connections at 85%% of the usable slots");
	r.n_checks = 2;
	r.checks[0].name = "login";
	r.checks[0].status = PP_HEALTH_OK;
	snprintf(r.checks[0].detail, sizeof(r.checks[0].detail), "as planpipe");
	r.checks[1].name = "connections";
	r.checks[1].status = PP_HEALTH_WARNING;
	snprintf(r.checks[1].detail, sizeof(r.checks[1].detail), "85 of 100");
	f = open_memstream(&text, &len);
	assert_non_null(f);
	health_print_text(f, &r);
	assert_int_equal(fclose(f), 0);
	assert_string_equal(text, "HEALTH WARNING: connections at 85% of the usable slots "
				  "(full report, 42 ms)\n"
				  "  ok        login               as planpipe\n"
				  "  warning   connections         85 of 100\n");
	free(text);

	r.level = PP_HEALTH_LIVENESS;
	r.status = PP_HEALTH_CRITICAL;
	r.n_checks = 0;
	snprintf(r.summary, sizeof(r.summary), "cannot connect");
	text = NULL;
	f = open_memstream(&text, &len);
	assert_non_null(f);
	health_print_text(f, &r);
	assert_int_equal(fclose(f), 0);
	assert_string_equal(text, "HEALTH CRITICAL: cannot connect (liveness, 42 ms)\n");
	free(text);
}

static int parse_help(int argc, char **argv, void *ctx)
{
	int json;

	return health_parse_args(argc, argv, ctx, &json);
}

static void help_fits_80_columns(void **state)
{
	const char *args[] = {"health", "--help", NULL};
	pp_health_opts o;

	(void)state;
	pp_health_opts_init(&o, PP_HEALTH_FULL);
	pp_t_expect_help(parse_help, args, &o, 1, "usage: planpipe health");
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(levels_and_flags),
	cmocka_unit_test(timeout_in_seconds),
	cmocka_unit_test(each_threshold_sets_its_pair),
	cmocka_unit_test(refused_arguments),
	cmocka_unit_test(text_report_layout),
	cmocka_unit_test(help_fits_80_columns),
};

UNIT_MAIN("cmd_health", tests)
