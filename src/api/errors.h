/*
 * errors.h: database and pool failures as HTTP problems.
 *
 * SQLSTATE -> status: the API's own PP401/PP403/PP404/PP409/PP412/PP422
 * (migrations/0009_api.sql) as their numbers; PP001 (cycle, named in
 * `cycle`), PP002 (open blockers), PP004 (last owner), 23505, 40001, 40P01
 * -> 409; 23502, 23503, 23514 and data exceptions (class 22) -> 422 with the
 * field when the constraint or column names one; 42501 -> 403; 55P03,
 * 57014, 57P01-57P03, classes 08 and 53, 25006 and a lost connection -> 503
 * with Retry-After, whose detail is the API's own words (the database's
 * message is logged: it may name the server). Anything else is the server's fault: 500, with the
 * database's message logged (with the request id), not sent.
 */
#ifndef PP_API_ERRORS_H
#define PP_API_ERRORS_H

#include <libpq-fe.h>

#include "core/err.h"
#include "http/request.h"
#include "http/response.h"

/* Fills resp from a failed result (res may be NULL: conn's error is used). */
void pp_api_db_problem(const pp_http_req *req, pp_http_resp *resp, PGconn *conn,
		       const PGresult *res);

/* What pp_api_db_problem reads of a failed result and its connection (any field may be NULL). */
typedef struct pp_api_db_error {
	const char *sqlstate, *primary, *detail, *constraint, *column;
	int connected;        /* the connection is still up */
	const char *conn_msg; /* the connection's last error, logged when primary is NULL */
} pp_api_db_error;

/* pp_api_db_problem's mapping itself, without libpq: the same resp for the same fields. */
void pp_api_db_error_problem(const pp_http_req *req, pp_http_resp *resp, const pp_api_db_error *e);

/*
 * Fills resp for a pool or connection failure: 503 with Retry-After (500 for
 * PP_ENOMEM). why is sent to the client, who may not even be authenticated:
 * never a libpq or pool message (they name hosts, ports, sockets); NULL
 * says what rc means in words of the API's own.
 */
void pp_api_unavailable(const pp_http_req *req, pp_http_resp *resp, pp_rc rc, const char *why);

/* The request field a constraint guards ("stories_title_length" -> "title"), or NULL. */
const char *pp_api_constraint_field(const char *constraint, char *buf, size_t size);

/*
 * The i-th constraint named in the list of exceptions behind
 * pp_api_constraint_field, NULL past its end: tests hold the list to the
 * schema's catalog (tests/integration/test_errors_catalog.c).
 */
const char *pp_api_constraint_listed(size_t i);

#endif
