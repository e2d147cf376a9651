/*
 * tests/unit/api/reports.c: src/api/reports.c's checks of a report's query
 * before its statement is built: the project= keys it gathers, the
 * parameters each kind of report accepts, and what it refuses (with the
 * parameter named).
 */
#include "api_check.h"
#include "unit.h"

#include "api/reports_int.h"

/* One request's only project= value into a fresh *k: the callback's answer. */
static int one(const char *value, reports_keys *k)
{
	memset(k, 0, sizeof(*k));
	return reports_collect(k, "project", value);
}

static void collect_keys(void **state)
{
	reports_keys k;
	char key[16];
	int i;

	(void)state;
	assert_int_equal(one("PLAN", &k), 0);
	assert_int_equal(reports_collect(&k, "from", "2025-01-01"), 0); /* passed over */
	assert_int_equal(reports_collect(&k, "project", "OPS_2"), 0);
	assert_int_equal(reports_collect(&k, "project", "ABCDEFGHIJKLMNOPQRST"), 0); /* 20 */
	assert_int_equal(k.n, 3);
	assert_string_equal(k.v[1], "OPS_2");
	assert_false(k.bad || k.too_many);
	assert_true(one("plan", &k) == 1 && k.bad);
	assert_true(one("", &k) == 1 && k.bad);
	assert_true(one("ABCDEFGHIJKLMNOPQRSTU", &k) == 1 && k.bad); /* 21 */
	assert_true(one("A-B", &k) == 1 && k.bad);

	memset(&k, 0, sizeof(k));
	for (i = 0; i < REPORTS_MAX_PROJECTS; i++) {
		snprintf(key, sizeof(key), "P%d", i);
		assert_int_equal(reports_collect(&k, "project", key), 0);
	}
	assert_false(k.too_many);
	assert_int_equal(reports_collect(&k, "project", "ONE_MORE"), 1);
	assert_true(k.too_many);
	assert_int_equal(k.n, REPORTS_MAX_PROJECTS);
}

/* reports_allowed_for(takes) joined by spaces. */
static const char *allowed(unsigned takes, char out[128])
{
	const char *v[REPORTS_MAX_ALLOWED];
	size_t len = 0;
	int i;

	reports_allowed_for(takes, v);
	out[0] = '\0';
	for (i = 0; v[i] != NULL; i++) {
		assert_true(i < REPORTS_MAX_ALLOWED - 1);
		len += (size_t)snprintf(out + len, 128 - len, "%s%s", i > 0 ? " " : "", v[i]);
	}
	return out;
}

static void allowed_parameters(void **state)
{
	char out[128];

	(void)state;
	assert_string_equal(allowed(0, out), "");
	assert_string_equal(allowed(PP_REPORT_PROJECTS, out), "project");
	assert_string_equal(allowed(PP_REPORT_PROJECT | PP_REPORT_BACKLOG, out), "project backlog");
	assert_string_equal(allowed(PP_REPORT_PROJECTS | PP_REPORT_WINDOW, out), "project from to");
	assert_string_equal(allowed(PP_REPORT_PROJECT | PP_REPORT_STORY | PP_REPORT_AS_OF, out),
			    "project story as_of");
	assert_string_equal(allowed(0x7fu, out), "project from to backlog story last as_of");
}

/* reports_check_args on k and a: 0, or the 422's status with want in its body. */
static int check(unsigned takes, const reports_keys *k, const pp_report_args *a, const char *want)
{
	pp_http_req req;
	pp_http_resp resp;

	t_api_req(&req, "burndown", NULL, NULL);
	memset(&resp, 0, sizeof(resp));
	if (reports_check_args(&req, &resp, takes, k, a) == 0) {
		assert_int_equal(resp.status, 0);
		return 0;
	}
	return t_api_status(&resp, want, want);
}

static void checks(void **state)
{
	reports_keys none, one, two;
	pp_report_args a;
	unsigned w = PP_REPORT_PROJECTS | PP_REPORT_WINDOW;

	(void)state;
	memset(&none, 0, sizeof(none));
	memset(&one, 0, sizeof(one));
	one.v[0] = "PLAN";
	one.n = 1;
	two = one;
	two.v[1] = "OPS";
	two.n = 2;
	memset(&a, 0, sizeof(a));
	assert_int_equal(check(w, &none, &a, NULL), 0);
	assert_int_equal(check(w, &two, &a, NULL), 0);
	none.too_many = 1;
	assert_int_equal(check(w, &none, &a, "at most 200 projects"), 422);
	none.too_many = 0;
	none.bad = 1;
	assert_int_equal(check(w, &none, &a, T_FIELD("project")), 422);
	none.bad = 0;

	/* One project's reports take exactly one. */
	assert_int_equal(check(PP_REPORT_PROJECT, &none, &a, "exactly one project="), 422);
	assert_int_equal(check(PP_REPORT_PROJECT, &two, &a, "exactly one project="), 422);
	assert_int_equal(check(PP_REPORT_PROJECT | PP_REPORT_BACKLOG, &one, &a, T_FIELD("backlog")),
			 422);
	a.backlog = "Sprint 3";
	assert_int_equal(check(PP_REPORT_PROJECT | PP_REPORT_BACKLOG, &one, &a, NULL), 0);
	assert_int_equal(check(PP_REPORT_PROJECT | PP_REPORT_STORY, &one, &a, T_FIELD("story")),
			 422);

	a.from = "2025-02-30";
	assert_int_equal(check(w, &one, &a, T_FIELD("from")), 422);
	a.from = "2025-02-28";
	a.to = "28/02/2025";
	assert_int_equal(check(w, &one, &a, T_FIELD("to")), 422);
	a.to = "2025-03-31";
	assert_int_equal(check(w, &one, &a, NULL), 0);
	a.as_of = "today";
	assert_int_equal(check(PP_REPORT_AS_OF, &one, &a, T_FIELD("as_of")), 422);
	a.as_of = NULL;

	/* last: 1 to 3 digits here (the database says 1 to 100). */
	a.last = "100";
	assert_int_equal(check(PP_REPORT_LAST, &one, &a, NULL), 0);
	a.last = "1000";
	assert_int_equal(check(PP_REPORT_LAST, &one, &a, T_FIELD("last")), 422);
	a.last = "";
	assert_int_equal(check(PP_REPORT_LAST, &one, &a, T_FIELD("last")), 422);
	a.last = "-3";
	assert_int_equal(check(PP_REPORT_LAST, &one, &a, T_FIELD("last")), 422);
}

static const struct CMUnitTest tests[] = {cmocka_unit_test(collect_keys),
					  cmocka_unit_test(allowed_parameters),
					  cmocka_unit_test(checks)};

UNIT_MAIN("reports", tests)
