/*
 * route_cases.h: for tests/unit/api/, the requests a route's checks must
 * accept or refuse as a table of cases: one t_api_check (api_check.h) per
 * row, a failing row named by its route's statement, path and body.
 * Static functions in a header: each test program includes it once.
 */
#ifndef PP_TESTS_ROUTE_CASES_H
#define PP_TESTS_ROUTE_CASES_H

#include <stdio.h>

#include "api_check.h"
#include "unit.h"

/*
 * A request on {p0}/{p1} (NULL: none) with body (NULL: none): accepted
 * (status 0), or refused with status, the problem's body holding want.
 */
typedef struct route_case {
	const char *p0, *p1, *body, *want;
	int status;
} route_case;

/* t_api_check of route for every row of the static array cases. */
#define expect_checks(route, cases) expect_checks_n(route, cases, UNIT_NELEM(cases))

static inline void expect_checks_n(const pp_api_route_sql *route, const route_case *cases, size_t n)
{
	char what[512];
	size_t i;

	for (i = 0; i < n; i++) {
		const route_case *c = &cases[i];

		snprintf(what, sizeof(what), "%s %s/%s %s", route->name ? route->name : "route",
			 c->p0 ? c->p0 : "-", c->p1 ? c->p1 : "-", c->body ? c->body : "(no body)");
		unit_int_equal(what, t_api_check(route, c->p0, c->p1, c->body, c->want), c->status);
	}
}

#endif
