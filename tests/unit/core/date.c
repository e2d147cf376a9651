/*
 * tests/unit/core/date.c: src/core/date.c, the one YYYY-MM-DD check: the
 * shape, and the calendar (month lengths, leap years by the Gregorian rule).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "unit.h"

#include "core/date.h"

static void real_days(void **state)
{
	static const char *const ok[] = {
		"2026-12-03", "0001-01-01", "9999-12-31", "2024-02-29", "2000-02-29",
		"2027-03-28", "2026-04-30", "2026-01-31", "1970-01-01",
	};

	(void)state;
	unit_each_is(pp_date_valid, ok, 1);
}

static void not_days(void **state)
{
	static const char *const bad[] = {
		"",
		"2026-1-03",
		"2026-01-3",
		"26-01-03",
		"2026/01/03",
		"2026-01-03T00:00:00Z",
		" 2026-01-03",
		"2026-01-03 ",
		"2026-00-10",
		"2026-13-01",
		"2026-01-00",
		"2026-01-32",
		"2026-04-31",
		"2026-02-29",
		"1900-02-29",
		"2100-02-29",
		"0000-01-01",
		"2026-0a-01",
		"+026-01-01",
		"2026--1-01",
		"２０２６-01-01",
	};

	(void)state;
	assert_false(pp_date_valid(NULL));
	unit_each_is(pp_date_valid, bad, 0);
}

static void month_lengths(void **state)
{
	static const struct {
		int year, month, days; /* days 0: no such month */
	} cases[] = {
		{2026, 1, 31}, {2026, 2, 28},  {2024, 2, 29}, {2000, 2, 29}, {1900, 2, 28},
		{2026, 4, 30}, {2026, 12, 31}, {2026, 0, 0},  {2026, 13, 0},
	};
	size_t i;
	int days;

	(void)state;
	for (i = 0; i < UNIT_NELEM(cases); i++) {
		days = pp_date_days_in_month(cases[i].year, cases[i].month);
		if (days != cases[i].days)
			fail_msg("%04d-%02d: %d days, expected %d", cases[i].year, cases[i].month,
				 days, cases[i].days);
	}
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(real_days),
	cmocka_unit_test(not_days),
	cmocka_unit_test(month_lengths),
};

UNIT_MAIN("date", tests)
