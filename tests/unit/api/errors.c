/*
 * tests/unit/api/errors.c: src/api/errors.c's mapping of database and pool
 * failures to problems: SQLSTATE to status, type and field, the database's
 * words shown only where they are the client's (never for 500 and 503),
 * Retry-After and WWW-Authenticate, and a constraint's field.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "unit.h"

#include "api/errors.h"
#include "core/log.h"

typedef struct answer {
	int status;
	json_t *body;
	const char *retry_after;
	const char *www_auth;
	pp_http_resp resp;
} answer;

static void read_resp(answer *a)
{
	int i;

	a->status = a->resp.status;
	a->body = a->resp.body ? json_loads(a->resp.body, 0, NULL) : NULL;
	a->retry_after = a->www_auth = NULL;
	for (i = 0; i < a->resp.n_headers; i++) {
		if (strcmp(a->resp.headers[i].name, "Retry-After") == 0)
			a->retry_after = a->resp.headers[i].value;
		if (strcmp(a->resp.headers[i].name, "WWW-Authenticate") == 0)
			a->www_auth = a->resp.headers[i].value;
	}
}

static void map(answer *a, const char *state, const char *primary, const char *detail,
		const char *constraint, const char *column)
{
	pp_http_req req;
	pp_api_db_error e = {state, primary, detail, constraint, column, 1, "conn message"};

	memset(&req, 0, sizeof(req));
	strcpy(req.request_id, "req-1");
	memset(&a->resp, 0, sizeof(a->resp));
	pp_api_db_error_problem(&req, &a->resp, &e);
	read_resp(a);
}

static void done(answer *a)
{
	json_decref(a->body);
	pp_http_resp_free(&a->resp);
}

static const char *str(const answer *a, const char *key)
{
	return json_string_value(json_object_get(a->body, key));
}

static void api_states_keep_their_numbers(void **state)
{
	static const struct {
		const char *state;
		int status;
		const char *type;
	} cases[] = {
		{"PP401", 401, "unauthorized"},        {"PP403", 403, "forbidden"},
		{"PP404", 404, "not-found"},           {"PP409", 409, "conflict"},
		{"PP412", 412, "precondition-failed"}, {"PP422", 422, "validation"},
		{"PP002", 409, "open-blockers"},       {"PP004", 409, "last-owner"},
		{"PP006", 409, "request-in-progress"}, {"PP007", 422, "idempotency-key-reused"},
		{"23505", 409, "already-exists"},      {"23503", 422, "invalid-reference"},
		{"23514", 422, "validation"},          {"23502", 422, "validation"},
		{"22P02", 422, "validation"},          {"22008", 422, "validation"},
		{"42501", 403, "forbidden"},           {"40001", 409, "concurrent-update"},
		{"40P01", 409, "concurrent-update"},
	};
	char type[128];
	size_t i;
	answer a;

	(void)state;
	for (i = 0; i < UNIT_NELEM(cases); i++) {
		map(&a, cases[i].state, "msg", NULL, NULL, NULL);
		if (a.status != cases[i].status)
			fail_msg("%s: %d, not %d", cases[i].state, a.status, cases[i].status);
		snprintf(type, sizeof(type), PP_PROBLEM_BASE "%s", cases[i].type);
		unit_str_equal(cases[i].state, str(&a, "type"), type);
		unit_str_equal(cases[i].state, str(&a, "sqlstate"), cases[i].state);
		unit_str_equal(cases[i].state, str(&a, "request_id"), "req-1");
		unit_str_equal(cases[i].state, a.retry_after, NULL);
		unit_int_equal(cases[i].state, a.www_auth != NULL, cases[i].status == 401);
		done(&a);
	}
}

static void detail_only_where_it_is_the_clients(void **state)
{
	answer a;

	(void)state;
	map(&a, "PP404", "no project NOPE", "as the caller sees it", NULL, NULL);
	assert_string_equal(str(&a, "detail"), "no project NOPE: as the caller sees it");
	done(&a);
	/*
	 * 23505's DETAIL quotes the existing row's key: not for the client; nor
	 * PostgreSQL's own words, which name the table and the constraint.
	 */
	map(&a, "23505", "duplicate key value violates unique constraint \"projects_key_key\"",
	    "Key (key)=(X) already exists.", "projects_key_key", NULL);
	assert_string_equal(str(&a, "detail"), "the key is taken: another one has it already");
	assert_string_equal(str(&a, "field"), "key");
	done(&a);
	map(&a, "23503", "insert or update on table \"stories\" violates foreign key constraint",
	    NULL, "stories_status_workflow_fkey", NULL);
	assert_string_equal(str(&a, "detail"), "the status is not in the project's workflow");
	done(&a);
	map(&a, "23514", "new row for relation \"statuses\" violates check constraint", NULL,
	    "statuses_key_format", NULL);
	assert_string_equal(str(&a, "detail"), "the key is not a valid value");
	done(&a);
	map(&a, "23503", "violates foreign key constraint", NULL, "some_other_fkey", NULL);
	assert_string_equal(str(&a, "detail"), "it names something that does not exist");
	done(&a);
	map(&a, "42501", "new row violates row-level security policy for table \"project_members\"",
	    NULL, NULL, NULL);
	assert_string_equal(str(&a, "detail"),
			    "your role in this project does not allow this change");
	done(&a);
	/* Ours, raised by a function, keep their words. */
	map(&a, "42501", "only an owner removes an owner", NULL, NULL, NULL);
	assert_string_equal(str(&a, "detail"), "only an owner removes an owner");
	done(&a);
	map(&a, "23514", NULL, NULL, NULL, NULL);
	assert_string_equal(str(&a, "detail"), "Invalid value");
	done(&a);
}

static void fields_from_column_or_constraint(void **state)
{
	answer a;

	(void)state;
	map(&a, "23502", "null value", NULL, NULL, "title");
	assert_string_equal(str(&a, "field"), "title");
	done(&a);
	map(&a, "23514", "check", NULL, "stories_title_length", NULL);
	assert_string_equal(str(&a, "field"), "title");
	done(&a);
	map(&a, "23514", "check", NULL, "some_other_table_check", NULL);
	assert_null(json_object_get(a.body, "field"));
	done(&a);
}

static void cycles_are_listed(void **state)
{
	answer a;
	json_t *cycle;

	(void)state;
	map(&a, "PP001", "dependency cycle: A:1 -> B:2 -> A:1", NULL, NULL, NULL);
	assert_int_equal(a.status, 409);
	cycle = json_object_get(a.body, "cycle");
	assert_int_equal(json_array_size(cycle), 3);
	assert_string_equal(json_string_value(json_array_get(cycle, 0)), "A:1");
	assert_string_equal(json_string_value(json_array_get(cycle, 1)), "B:2");
	done(&a);
}

static void unavailable_states_are_503_in_our_words(void **state)
{
	static const char *const states[] = {"55P03", "57014", "57P01", "57P03",
					     "08006", "53300", "25006"};
	size_t i;
	answer a;

	(void)state;
	for (i = 0; i < UNIT_NELEM(states); i++) {
		map(&a, states[i], "server at 10.0.0.5 port 5432 is shutting down", NULL, NULL,
		    NULL);
		unit_int_equal(states[i], a.status, 503);
		unit_str_equal(states[i], a.retry_after, "1");
		if (strstr(a.resp.body, "10.0.0.5") != NULL)
			fail_msg("%s: the body shows the server's address: %s", states[i],
				 a.resp.body);
		unit_str_equal(states[i], str(&a, "sqlstate"), states[i]);
		done(&a);
	}
}

static void unknown_states_are_500_and_lost_connections_503(void **state)
{
	pp_http_req req;
	pp_api_db_error lost = {NULL, NULL, NULL, NULL, NULL, 0, "server closed the connection"};
	answer a;

	(void)state;
	map(&a, "XX000", "internal error at host db-7", NULL, NULL, NULL);
	assert_int_equal(a.status, 500);
	assert_string_equal(str(&a, "type"), PP_PROBLEM_BASE "internal");
	assert_null(strstr(a.resp.body, "db-7"));
	done(&a);

	memset(&req, 0, sizeof(req));
	memset(&a.resp, 0, sizeof(a.resp));
	pp_api_db_error_problem(&req, &a.resp, &lost);
	read_resp(&a);
	assert_int_equal(a.status, 503);
	assert_string_equal(a.retry_after, "2");
	assert_string_equal(str(&a, "detail"), "the connection to the database was lost");
	done(&a);
}

static void pool_failures(void **state)
{
	pp_http_req req;
	answer a;

	(void)state;
	memset(&req, 0, sizeof(req));
	memset(&a.resp, 0, sizeof(a.resp));
	pp_api_unavailable(&req, &a.resp, PP_ETIMEDOUT, NULL);
	read_resp(&a);
	assert_int_equal(a.status, 503);
	assert_string_equal(a.retry_after, "1");
	assert_string_equal(str(&a, "title"), "Too busy: no database connection free");
	assert_string_equal(str(&a, "detail"), "no database connection became free in time");
	done(&a);

	memset(&a.resp, 0, sizeof(a.resp));
	pp_api_unavailable(&req, &a.resp, PP_EUNAVAIL, "circuit open");
	read_resp(&a);
	assert_int_equal(a.status, 503);
	assert_string_equal(a.retry_after, "2");
	assert_string_equal(str(&a, "detail"), "circuit open");
	done(&a);

	memset(&a.resp, 0, sizeof(a.resp));
	pp_api_unavailable(&req, &a.resp, PP_ENOMEM, NULL);
	read_resp(&a);
	assert_int_equal(a.status, 500);
	assert_null(a.retry_after);
	done(&a);
}

static void constraint_fields(void **state)
{
	char buf[64];

	(void)state;
	assert_string_equal(pp_api_constraint_field("projects_key_key", buf, sizeof(buf)), "key");
	assert_string_equal(pp_api_constraint_field("backlogs_dates_ordered", buf, sizeof(buf)),
			    "ends_on");
	assert_string_equal(pp_api_constraint_field("stories_points_range", buf, sizeof(buf)),
			    "points");
	assert_string_equal(pp_api_constraint_field("users_email_format", buf, sizeof(buf)),
			    "email");
	assert_string_equal(pp_api_constraint_field("projects_name_length", buf, sizeof(buf)),
			    "name");
	/* A workflow's and a status change's (review of 2026-12-05: no field before). */
	assert_string_equal(pp_api_constraint_field("statuses_key_format", buf, sizeof(buf)),
			    "key");
	assert_string_equal(
		pp_api_constraint_field("project_statuses_name_length", buf, sizeof(buf)), "name");
	assert_string_equal(pp_api_constraint_field("status_history_note_length", buf, sizeof(buf)),
			    "note");
	assert_null(pp_api_constraint_field("stories_unsuffixed", buf, sizeof(buf)));
	assert_null(pp_api_constraint_field("other_name_length", buf, sizeof(buf)));
	assert_null(pp_api_constraint_field("stories_", buf, sizeof(buf)));
	assert_null(pp_api_constraint_field("", buf, sizeof(buf)));
	assert_null(pp_api_constraint_field(NULL, buf, sizeof(buf)));
}

/* The 500 and 503 paths log; keep the test's output to errors only. */
static int quiet_logs(void **state)
{
	(void)state;
	pp_log_set_level(PP_LOG_ERROR);
	return 0;
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(api_states_keep_their_numbers),
	cmocka_unit_test(detail_only_where_it_is_the_clients),
	cmocka_unit_test(fields_from_column_or_constraint),
	cmocka_unit_test(cycles_are_listed),
	cmocka_unit_test(unavailable_states_are_503_in_our_words),
	cmocka_unit_test(unknown_states_are_500_and_lost_connections_503),
	cmocka_unit_test(pool_failures),
	cmocka_unit_test(constraint_fields),
};

UNIT_MAIN_WITH("errors", tests, quiet_logs, NULL)
