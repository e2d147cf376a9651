/*
 * tests/unit/db/maintain.c: tests what src/db/maintain.c decides without a
 * database: the options' defaults and range, the hints an operator gets,
 * and the one-line form of an error for the log. The steps themselves run
 * against a real server in tests/integration/test_maintain.c.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "unit.h"
#include <stdio.h>
#include <string.h>

#include "db/maintain.h"
#include "db/maintain_int.h"

static void defaults(void **state)
{
	pp_maintain_opts o;

	(void)state;
	memset(&o, 0xff, sizeof(o));
	pp_maintain_opts_init(&o);
	assert_int_equal(o.months_ahead, 12);
	assert_int_equal(o.lock_timeout_ms, 10000);
	assert_int_equal(o.stmt_timeout_ms, 0);
	assert_int_equal(o.busy_wait_ms, 10000);
	assert_null(o.cancel);
	assert_null(o.on_step);
	assert_null(o.ctx);
}

/* Months ahead out of range are refused before the connection is used (it is NULL here). */
static void months_ahead_out_of_range(void **state)
{
	pp_maintain_result r;
	pp_maintain_opts o;
	pp_err err;

	(void)state;
	pp_maintain_opts_init(&o);
	o.months_ahead = -1;
	memset(&r, 0xff, sizeof(r));
	pp_err_clear(&err);
	assert_int_equal(pp_maintain_history(NULL, &o, &r, &err), PP_EINVAL);
	assert_string_equal(err.msg, "months ahead: -1 is not from 0 to 120");
	assert_int_equal(r.created, 0);
	assert_int_equal(r.moved, 0);
	assert_int_equal(r.busy, 0);
	o.months_ahead = 121;
	assert_int_equal(pp_maintain_history(NULL, &o, &r, &err), PP_EINVAL);
	assert_string_equal(err.msg, "months ahead: 121 is not from 0 to 120");
}

static void hinted(const char *sqlstate, const char *want)
{
	pp_err err;

	pp_err_set(&err, PP_EDB, "the server said no");
	snprintf(err.sqlstate, sizeof(err.sqlstate), "%s", sqlstate);
	maintain_hint(&err);
	if (want == NULL)
		assert_string_equal(err.msg, "the server said no");
	else if (strncmp(err.msg, "the server said no\n", 19) != 0 ||
		 strcmp(err.msg + 19, want) != 0)
		fail_msg("%s: got \"%s\", want the message, a line break and \"%s\"", sqlstate,
			 err.msg, want);
	assert_int_equal(err.rc, PP_EDB);
}

static void hints_what_an_operator_can_do(void **state)
{
	(void)state;
	hinted("42883", "HINT: the schema predates migration 15: run planpipe migrate up");
	hinted("42501", "HINT: run it as the schema owner, or as a member of planpipe_app once "
			"migration 15 is applied");
	hinted("55P03", "HINT: status_history was in use for longer than the lock timeout; try "
			"again (planpipe maintain --lock-timeout)");
	hinted("", NULL);
	hinted("23505", NULL);
	hinted("42P01", NULL);
}

static void joins_lines_for_the_log(void **state)
{
	char msg[PP_ERR_MSG_MAX];

	(void)state;
	snprintf(msg, sizeof(msg), "no lines");
	assert_ptr_equal(maintain_one_line(msg), msg);
	assert_string_equal(msg, "no lines");
	snprintf(msg, sizeof(msg), "first\nsecond\n\nfourth");
	assert_string_equal(maintain_one_line(msg), "first / second /  / fourth");
	snprintf(msg, sizeof(msg), "trailing\n");
	assert_string_equal(maintain_one_line(msg), "trailing / ");
}

/* A message near the size limit never grows past it: a line break becomes a space. */
static void stays_within_the_message_size(void **state)
{
	char msg[PP_ERR_MSG_MAX];
	size_t i;

	(void)state;
	/* 2000 bytes with 39 line breaks: 23 of them fit " / " (2 bytes more each). */
	memset(msg, 'x', 2000);
	msg[2000] = '\0';
	for (i = 50; i < 2000; i += 50)
		msg[i] = '\n';
	maintain_one_line(msg);
	assert_int_equal(strlen(msg), 2000 + 2 * 23);
	assert_null(strchr(msg, '\n'));
	assert_memory_equal(msg + 49, "x / x", 5);
	{
		const char *last = strrchr(msg, ' ');

		assert_non_null(last);
		assert_int_equal(last[-1], 'x');
		assert_int_equal(last[1], 'x');
	}
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(defaults),
	cmocka_unit_test(months_ahead_out_of_range),
	cmocka_unit_test(hints_what_an_operator_can_do),
	cmocka_unit_test(joins_lines_for_the_log),
	cmocka_unit_test(stays_within_the_message_size),
};

UNIT_MAIN("maintain", tests)
