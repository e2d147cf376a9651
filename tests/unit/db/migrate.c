/*
 * tests/unit/db/migrate.c: src/db/migrate.c's pure part: what `migrate up`
 * would apply (pp_mig_plan) from a status, and each refusal with its
 * message: a changed or missing applied migration, an out-of-order file
 * without --allow-out-of-order, an unknown --to. Running them against a
 * database: tests/integration/test_migrate.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "unit.h"

#include "db/migrate.h"
#include "db/sql.h"

static pp_mig files[5];
static pp_mig_row rows[5];

/* A status of n rows, versions 1..n, in the given states. */
static pp_mig_status status_of(const pp_mig_state *states, size_t n)
{
	pp_mig_status st;
	size_t i;

	memset(&st, 0, sizeof(st));
	memset(rows, 0, sizeof(rows));
	memset(files, 0, sizeof(files));
	for (i = 0; i < n; i++) {
		static char origins[5][32];
		snprintf(origins[i], sizeof(origins[i]), "embedded:000%zu_m.sql", i + 1);
		files[i].version = (int)i + 1;
		files[i].origin = origins[i];
		snprintf(files[i].checksum, sizeof(files[i].checksum), "%064d", (int)i);
		rows[i].version = (int)i + 1;
		rows[i].state = states[i];
		rows[i].file = states[i] == PP_MIG_MISSING ? NULL : &files[i];
		snprintf(rows[i].name, sizeof(rows[i].name), "m");
		snprintf(rows[i].applied_at, sizeof(rows[i].applied_at), "2026-12-01T00:00:00Z");
		if (states[i] == PP_MIG_APPLIED || states[i] == PP_MIG_CHANGED ||
		    states[i] == PP_MIG_MISSING)
			st.db_version = (int)i + 1;
		st.n_pending += states[i] == PP_MIG_PENDING;
		st.n_out_of_order += states[i] == PP_MIG_OUT_OF_ORDER;
		st.n_changed += states[i] == PP_MIG_CHANGED;
		st.n_missing += states[i] == PP_MIG_MISSING;
	}
	st.rows = rows;
	st.count = n;
	st.has_history = 1;
	return st;
}

/* What pp_mig_plan fills in. */
typedef struct plan {
	const pp_mig **todo;
	size_t n;
	pp_err err;
} plan;

/* pp_mig_plan of st with o, into p. */
static pp_rc plan_of(const pp_mig_status *st, const pp_mig_opts *o, plan *p)
{
	return pp_mig_plan(st, o, &p->todo, &p->n, &p->err);
}

static void plans_pending_in_order(void **state)
{
	static const pp_mig_state s[] = {PP_MIG_APPLIED, PP_MIG_PENDING, PP_MIG_PENDING,
					 PP_MIG_PENDING};
	pp_mig_status st = status_of(s, 4);
	pp_mig_opts o = {0};
	plan p;

	(void)state;
	assert_int_equal(plan_of(&st, &o, &p), PP_OK);
	assert_int_equal(p.n, 3);
	assert_ptr_equal(p.todo[0], &files[1]);
	assert_ptr_equal(p.todo[2], &files[3]);
	free(p.todo);
	o.to_version = 3;
	assert_int_equal(plan_of(&st, &o, &p), PP_OK);
	assert_int_equal(p.n, 2);
	free(p.todo);
	o.to_version = 1;
	assert_int_equal(plan_of(&st, &o, &p), PP_OK);
	assert_int_equal(p.n, 0);
	free(p.todo);
	o.to_version = 9;
	assert_int_equal(plan_of(&st, &o, &p), PP_EINVAL);
	assert_string_equal(p.err.msg, "--to 9: there is no migration 0009");
	assert_null(p.todo);
}

static void refuses_changed_and_missing(void **state)
{
	static const pp_mig_state s[] = {PP_MIG_CHANGED, PP_MIG_MISSING, PP_MIG_PENDING};
	pp_mig_status st = status_of(s, 3);
	pp_mig_opts o = {.allow_out_of_order = 1};
	plan p;

	(void)state;
	assert_int_equal(plan_of(&st, &o, &p), PP_ECONFLICT);
	assert_null(p.todo);
	assert_int_equal(p.n, 0);
	assert_non_null(strstr(p.err.msg, "embedded:0001_m.sql was changed after it was applied"));
	assert_non_null(strstr(p.err.msg, "version 2 (m), applied on 2026-12-01T00:00:00Z, has no "
					  "file here"));
	assert_non_null(strstr(p.err.msg, "An applied migration is never edited"));
}

static void out_of_order_needs_the_flag(void **state)
{
	static const pp_mig_state s[] = {PP_MIG_OUT_OF_ORDER, PP_MIG_APPLIED, PP_MIG_PENDING};
	pp_mig_status st = status_of(s, 3);
	pp_mig_opts o = {0};
	plan p;

	(void)state;
	assert_int_equal(plan_of(&st, &o, &p), PP_ECONFLICT);
	assert_non_null(strstr(p.err.msg, "the database already has version 2"));
	assert_non_null(strstr(p.err.msg, "  embedded:0001_m.sql"));
	assert_non_null(strstr(p.err.msg, "--allow-out-of-order"));
	o.allow_out_of_order = 1;
	assert_int_equal(plan_of(&st, &o, &p), PP_OK);
	assert_int_equal(p.n, 2);
	assert_ptr_equal(p.todo[0], &files[0]);
	assert_ptr_equal(p.todo[1], &files[2]);
	free(p.todo);
}

static void state_names(void **state)
{
	(void)state;
	assert_string_equal(pp_mig_state_str(PP_MIG_APPLIED), "applied");
	assert_string_equal(pp_mig_state_str(PP_MIG_PENDING), "pending");
	assert_string_equal(pp_mig_state_str(PP_MIG_OUT_OF_ORDER), "out-of-order");
	assert_string_equal(pp_mig_state_str(PP_MIG_CHANGED), "changed");
	assert_string_equal(pp_mig_state_str(PP_MIG_MISSING), "missing");
}

/*
 * migrate.sql writes the runners' lock key in decimal, and its halves as
 * pg_locks shows them: they must be PP_MIG_LOCK_KEY's.
 */
static void lock_statements_name_the_key(void **state)
{
	char key[32], halves[96];

	(void)state;
	snprintf(key, sizeof(key), "(%lld)", (long long)PP_MIG_LOCK_KEY);
	snprintf(halves, sizeof(halves), "l.classid = %lu AND l.objid = %lu",
		 (unsigned long)((unsigned long long)PP_MIG_LOCK_KEY >> 32),
		 (unsigned long)((unsigned long long)PP_MIG_LOCK_KEY & 0xffffffffu));
	assert_non_null(strstr(pp_db_sql("migrate.sql", "try_lock"), key));
	assert_non_null(strstr(pp_db_sql("migrate.sql", "unlock"), key));
	assert_non_null(strstr(pp_db_sql("migrate.sql", "lock_holder"), halves));
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(plans_pending_in_order),
	cmocka_unit_test(lock_statements_name_the_key),
	cmocka_unit_test(refuses_changed_and_missing),
	cmocka_unit_test(out_of_order_needs_the_flag),
	cmocka_unit_test(state_names),
};

UNIT_MAIN("migrate", tests)
