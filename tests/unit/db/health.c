/*
 * tests/unit/db/health.c: src/db/health.c's pure part, the one readiness
 * judgement that `planpipe health` and /readyz share (pp_health_ready_judge):
 * standby, read-only primary, schema behind or ahead, and the options that
 * allow them. The checks against a real server: tests/integration/test_health.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "unit.h"

#include "db/health.h"

static pp_health_ready judge(int recovery, int read_only, int version, int allow_replica, int exact)
{
	pp_health_ready_facts f = {recovery, read_only, version};
	pp_health_opts o;
	pp_health_ready v;

	pp_health_opts_init(&o, PP_HEALTH_READINESS);
	o.required_version = 20;
	o.allow_replica = allow_replica;
	o.schema_exact = exact;
	memset(&v, 'x', sizeof(v));
	pp_health_ready_judge(&f, &o, &v);
	return v;
}

static void a_writable_primary_at_the_version_is_ready(void **state)
{
	pp_health_ready v = judge(0, 0, 20, 0, 0);

	(void)state;
	assert_true(v.ready);
	assert_string_equal(v.why, "");
	assert_false(v.standby_refused || v.read_only_refused || v.behind || v.ahead);
	/* Ahead is ready (a newer release rolling out), unless exact. */
	v = judge(0, 0, 21, 0, 0);
	assert_true(v.ready);
	assert_true(v.ahead);
	v = judge(0, 0, 21, 0, 1);
	assert_false(v.ready);
	assert_string_equal(v.why, "the schema is at version 21, newer than this binary's 20");
}

static void standby_and_read_only(void **state)
{
	pp_health_ready v = judge(1, 1, 20, 0, 0);

	(void)state;
	assert_false(v.ready);
	assert_true(v.standby_refused);
	assert_false(v.read_only_refused);
	assert_string_equal(v.why, "the database is a standby (read-only)");
	v = judge(0, 1, 20, 0, 0);
	assert_false(v.ready);
	assert_true(v.read_only_refused);
	assert_string_equal(v.why, "the database is read-only (default_transaction_read_only)");
	v = judge(1, 1, 20, 1, 0);
	assert_true(v.ready);
	v = judge(0, 1, 20, 1, 0);
	assert_true(v.ready);
}

static void schema_behind(void **state)
{
	pp_health_ready v = judge(0, 0, 0, 0, 0);

	(void)state;
	assert_false(v.ready);
	assert_true(v.behind);
	assert_string_equal(v.why, "the schema is at version 0, this binary needs 20: run planpipe "
				   "migrate up");
	/* The first refusal is the one told; every one is flagged. */
	v = judge(1, 1, 3, 0, 0);
	assert_true(v.standby_refused && v.behind);
	assert_string_equal(v.why, "the database is a standby (read-only)");
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(a_writable_primary_at_the_version_is_ready),
	cmocka_unit_test(standby_and_read_only),
	cmocka_unit_test(schema_behind),
};

UNIT_MAIN("health_judge", tests)
