/*
 * tests/unit/api/tx.c: src/api/tx.c's pure parts (tx.h, tx_int.h): which
 * standby failures send a read to the primary (by rc and SQLSTATE), the
 * bearer token of an Authorization header, reads by method, a response's
 * header, building a transaction's statement list, and pp_api_reply's
 * answer from a result row built in memory (status, body, ETag, Location).
 * (If-None-Match needs libmicrohttpd's connection and the rest a database:
 * tests/integration/test_api_core.c and test_api_standby.c.)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "unit.h"

#include "api/sql.h"
#include "api/tx.h"
#include "api/tx_int.h"

typedef struct fault_case {
	pp_rc rc;
	int lost;
	const char *sqlstate;
	int want;
} fault_case;

/* Every class the standby can answer with, and what each means for the read. */
static void standby_fault_by_rc_and_sqlstate(void **state)
{
	static const fault_case cases[] = {
		/* Gone: leave the standby at once. */
		{PP_OK, 1, NULL, TX_FAULT_GONE},
		{PP_OK, 1, "23505", TX_FAULT_GONE},
		{PP_ECONNECT, 0, NULL, TX_FAULT_GONE},
		{PP_EUNAVAIL, 0, NULL, TX_FAULT_GONE},
		{PP_OK, 0, "08006", TX_FAULT_GONE},
		{PP_OK, 0, "08P01", TX_FAULT_GONE},
		{PP_OK, 0, "57P01", TX_FAULT_GONE},
		{PP_OK, 0, "57P02", TX_FAULT_GONE},
		{PP_OK, 0, "57P03", TX_FAULT_GONE},
		{PP_OK, 0, "57P04", TX_FAULT_GONE},
		/* Refused: this request goes to the primary, the standby stays in use. */
		{PP_ETIMEDOUT, 0, NULL, TX_FAULT_REFUSED},
		{PP_OK, 0, "40001", TX_FAULT_REFUSED},
		{PP_OK, 0, "40P01", TX_FAULT_REFUSED},
		{PP_OK, 0, "53300", TX_FAULT_REFUSED},
		{PP_OK, 0, "53200", TX_FAULT_REFUSED},
		{PP_OK, 0, "25006", TX_FAULT_REFUSED},
		/* The answer stands: the client's error is the same on the primary. */
		{PP_OK, 0, NULL, TX_FAULT_NONE},
		{PP_EDB, 0, NULL, TX_FAULT_NONE},
		{PP_EINVAL, 0, NULL, TX_FAULT_NONE},
		{PP_OK, 0, "P0001", TX_FAULT_NONE},
		{PP_OK, 0, "23505", TX_FAULT_NONE},
		{PP_OK, 0, "22P02", TX_FAULT_NONE},
		{PP_OK, 0, "42501", TX_FAULT_NONE},
		{PP_OK, 0, "57014", TX_FAULT_NONE}, /* canceled: the statement timeout */
		{PP_OK, 0, "25001", TX_FAULT_NONE},
		{PP_OK, 0, "42P01", TX_FAULT_NONE},
	};
	size_t i;

	(void)state;
	assert_int_not_equal(TX_FAULT_GONE, TX_FAULT_NONE);
	assert_int_not_equal(TX_FAULT_REFUSED, TX_FAULT_NONE);
	assert_int_not_equal(TX_FAULT_REFUSED, TX_FAULT_GONE);
	for (i = 0; i < UNIT_NELEM(cases); i++) {
		const fault_case *c = &cases[i];
		int got = tx_standby_fault(c->rc, c->lost, c->sqlstate);
		if (got != c->want)
			fail_msg("rc %d, lost %d, SQLSTATE %s: %d, want %d", (int)c->rc, c->lost,
				 c->sqlstate ? c->sqlstate : "none", got, c->want);
	}
}

static void if_none_match_lists_and_weak_tags(void **state)
{
	static const struct {
		const char *inm;
		int match;
	} cases[] = {
		{"\"7\"", 1},        {"*", 1},
		{" * ", 1},          {"W/\"7\"", 1},
		{"\"1\", \"7\"", 1}, {"\"1\",W/\"7\" ", 1},
		{"\"1\"", 0},        {"\"77\"", 0},
		{"\"7", 0},          {"7", 0},
		{"\"1\", \"2\"", 0}, {"", 0},
	};
	size_t i;

	(void)state;
	for (i = 0; i < UNIT_NELEM(cases); i++)
		unit_int_equal(cases[i].inm, tx_none_match(cases[i].inm, "\"7\""), cases[i].match);
}

static void bearer_token_of_the_header(void **state)
{
	static const struct {
		const char *header, *token; /* token NULL: none */
	} cases[] = {
		{"Bearer pp_abc123", "pp_abc123"},
		{"bearer pp_abc123", "pp_abc123"},
		{"BEARER   pp_abc123", "pp_abc123"},
		/*
		 * The token as sent: trailing text is the token's (the database finds
		 * no such hash).
		 */
		{"Bearer a b", "a b"},
		/* White space after a header's value is not the value's (RFC 9110 OWS). */
		{"Bearer pp_abc123 ", "pp_abc123"},
		{"Bearer pp_abc123\t \t", "pp_abc123"},
		{"Bearer \t", NULL},
		{NULL, NULL},
		{"", NULL},
		{"Bearer", NULL},
		{"Bearer ", NULL},
		{"Bearer    ", NULL},
		{"Basic dXNlcjpwYXNz", NULL},
		{"Bearerpp_abc", NULL},
		{" Bearer pp_abc", NULL},
	};
	size_t i;

	(void)state;
	for (i = 0; i < UNIT_NELEM(cases); i++) {
		size_t len = 0;
		const char *t = tx_bearer_token(cases[i].header, &len);
		char got[64];

		snprintf(got, sizeof(got), "%.*s", (int)len, t ? t : "");
		unit_str_equal(cases[i].header ? cases[i].header : "NULL", t ? got : NULL,
			       cases[i].token);
	}
}

static void reads_are_get_and_head(void **state)
{
	static const struct {
		const char *method;
		int read;
	} cases[] = {
		{"GET", 1},
		{"HEAD", 1},
		{"POST", 0},
		{"PATCH", 0},
		{"PUT", 0},
		{"DELETE", 0},
		{"OPTIONS", 0},
		/* Methods are case-sensitive (RFC 9110 9.1). */
		{"get", 0},
		{"GETX", 0},
	};
	size_t i;

	(void)state;
	for (i = 0; i < UNIT_NELEM(cases); i++)
		unit_int_equal(cases[i].method, tx_is_read(cases[i].method) != 0, cases[i].read);
}

static void response_header_by_name(void **state)
{
	pp_http_resp resp;

	(void)state;
	memset(&resp, 0, sizeof(resp));
	assert_null(tx_resp_header(&resp, "ETag"));
	assert_int_equal(pp_http_resp_header(&resp, "ETag", "\"3\""), PP_OK);
	assert_int_equal(pp_http_resp_header(&resp, "Location", "/v1/projects/API"), PP_OK);
	assert_int_equal(pp_http_resp_header(&resp, "ETag", "\"4\""), PP_OK);
	assert_string_equal(tx_resp_header(&resp, "ETag"), "\"3\"");
	assert_string_equal(tx_resp_header(&resp, "etag"), "\"3\"");
	assert_string_equal(tx_resp_header(&resp, "LOCATION"), "/v1/projects/API");
	assert_null(tx_resp_header(&resp, "Retry-After"));
	assert_null(tx_resp_header(&resp, "ETa"));
	pp_http_resp_free(&resp);
}

/* Statements in order with their parameters; the guard is tx.sql's, with the key and role. */
static void statements_in_order(void **state)
{
	pp_tx tx;

	(void)state;
	memset(&tx, 0x5a, sizeof(tx));
	pp_tx_init(&tx);
	assert_int_equal(tx.n, 0);
	assert_int_equal(tx.anywhere, 0);
	assert_null(tx.res[0]);
	assert_int_equal(pp_tx_guard(&tx, "API", "developer"), 0);
	assert_int_equal(pp_tx_add(&tx, "select 1", 0), 1);
	assert_int_equal(pp_tx_add(&tx, "select $1, $2, $3", 3, "a", (const char *)NULL, "c"), 2);
	assert_int_equal(tx.n, 3);
	assert_ptr_equal(tx.stmts[0].sql, pp_api_sql("tx.sql", "guard"));
	assert_int_equal(tx.stmts[0].n, 2);
	assert_string_equal(tx.stmts[0].params[0], "API");
	assert_string_equal(tx.stmts[0].params[1], "developer");
	assert_int_equal(tx.stmts[1].n, 0);
	assert_int_equal(tx.stmts[2].n, 3);
	assert_string_equal(tx.stmts[2].params[0], "a");
	assert_null(tx.stmts[2].params[1]);
	assert_string_equal(tx.stmts[2].params[2], "c");
	{
		const char *v[2] = {"x", NULL};

		assert_int_equal(pp_tx_add_v(&tx, "select $1, $2", 2, v), 3);
		assert_int_equal(tx.stmts[3].n, 2);
		assert_string_equal(tx.stmts[3].params[0], "x");
		assert_null(tx.stmts[3].params[1]);
	}
	assert_int_equal(tx.anywhere, 0);
	pp_tx_read_anywhere(&tx);
	assert_int_equal(tx.anywhere, 1);
	pp_tx_free(&tx);
	assert_null(tx.res[0]);
}

/* A one-row result with columns names[i] = values[i] (NULL: SQL NULL), or no row when !row. */
static PGresult *row_of(int n, const char *const *names, const char *const *values, int row)
{
	PGresAttDesc attrs[4];
	PGresult *res = PQmakeEmptyPGresult(NULL, PGRES_TUPLES_OK);
	int i;

	assert_non_null(res);
	assert_true(n <= 4);
	memset(attrs, 0, sizeof(attrs));
	for (i = 0; i < n; i++) {
		attrs[i].name = (char *)names[i];
		attrs[i].typid = 25; /* text */
		attrs[i].typlen = -1;
		attrs[i].atttypmod = -1;
	}
	assert_true(PQsetResultAttrs(res, n, attrs));
	for (i = 0; row && i < n; i++)
		assert_true(PQsetvalue(res, 0, i, (char *)values[i],
				       values[i] ? (int)strlen(values[i]) : -1));
	return res;
}

/* pp_api_reply of res to a GET without headers, with status. */
static void reply(const PGresult *res, int status, pp_http_resp *resp)
{
	pp_http_req req;

	memset(&req, 0, sizeof(req));
	req.method = "GET";
	req.path = "/v1/projects/API";
	memset(resp, 0, sizeof(*resp));
	pp_api_reply(&req, resp, res, status);
}

static void reply_from_the_first_row(void **state)
{
	static const char *const names[] = {"body", "version", "status", "location"};
	const char *values[] = {"{\"key\":\"API\"}", NULL, NULL, NULL};
	pp_http_resp resp;
	PGresult *res;

	(void)state;
	/* The body as JSON, the status given, no ETag without a version. */
	res = row_of(1, names, values, 1);
	reply(res, 200, &resp);
	assert_int_equal(resp.status, 200);
	assert_string_equal(resp.content_type, "application/json");
	assert_string_equal(resp.body, "{\"key\":\"API\"}");
	assert_null(tx_resp_header(&resp, "ETag"));
	assert_null(tx_resp_header(&resp, "Location"));
	pp_http_resp_free(&resp);
	PQclear(res);

	/* A version is the ETag, quoted; a status column wins; a location is the Location. */
	values[1] = "17";
	values[2] = "201";
	values[3] = "/v1/projects/API/stories/API-3";
	res = row_of(4, names, values, 1);
	reply(res, 200, &resp);
	assert_int_equal(resp.status, 201);
	assert_string_equal(resp.body, "{\"key\":\"API\"}");
	assert_string_equal(tx_resp_header(&resp, "ETag"), "\"17\"");
	assert_string_equal(tx_resp_header(&resp, "Location"), "/v1/projects/API/stories/API-3");
	pp_http_resp_free(&resp);
	PQclear(res);

	/* NULL columns are absent: no body, no ETag, the status given. */
	values[0] = values[1] = values[2] = values[3] = NULL;
	res = row_of(4, names, values, 1);
	reply(res, 204, &resp);
	assert_int_equal(resp.status, 204);
	assert_null(resp.content_type);
	assert_null(resp.body);
	assert_int_equal(resp.n_headers, 0);
	pp_http_resp_free(&resp);
	PQclear(res);

	/* No row at all: the status given, nothing else. */
	values[0] = "{}";
	values[1] = "1";
	res = row_of(2, names, values, 0);
	reply(res, 404, &resp);
	assert_int_equal(resp.status, 404);
	assert_null(resp.body);
	assert_int_equal(resp.n_headers, 0);
	pp_http_resp_free(&resp);
	PQclear(res);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(standby_fault_by_rc_and_sqlstate),
	cmocka_unit_test(bearer_token_of_the_header),
	cmocka_unit_test(if_none_match_lists_and_weak_tags),
	cmocka_unit_test(reads_are_get_and_head),
	cmocka_unit_test(response_header_by_name),
	cmocka_unit_test(statements_in_order),
	cmocka_unit_test(reply_from_the_first_row),
};

UNIT_MAIN("tx", tests)
