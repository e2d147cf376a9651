/* tx.c: the request's pipelined transaction (see tx.h). */
#include "api/tx.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/errors.h"
#include "core/log.h"
#include "core/sha256.h"
#include "db/conn.h"

static const char sql_begin[] = "BEGIN";

/*
 * Authenticates (PP401 aborts the pipeline) and sets what the rest of the
 * transaction runs under. statement_timeout bounds every statement of the
 * request; the role is switched last, so the login user may be the schema
 * owner (tests) or a member of planpipe_app (production) alike.
 */
static const char sql_auth[] =
	"SELECT set_config('planpipe.user_id', planpipe_api_authenticate($1::bytea)::text, true),"
	" set_config('planpipe.source', 'api', true),"
	" set_config('statement_timeout', '30s', true),"
	" set_config('lock_timeout', '10s', true),"
	" set_config('TimeZone', 'UTC', true),"
	" set_config('role', 'planpipe_app', true)";

static const char sql_commit[] = "COMMIT";

static const char sql_guard[] = "SELECT planpipe_api_project($1, $2::member_role)";

void pp_tx_init(pp_tx *tx)
{
	memset(tx, 0, sizeof(*tx));
}

int pp_tx_add(pp_tx *tx, const char *sql, int n, ...)
{
	pp_tx_stmt *s;
	va_list ap;
	int i;

	/* The statements are the handler's constants: overflowing is a programming error. */
	if (tx->n == PP_TX_MAX_STMTS || n > PP_TX_MAX_PARAMS)
		abort();
	s = &tx->stmts[tx->n];
	s->sql = sql;
	s->n = n;
	va_start(ap, n);
	for (i = 0; i < n; i++)
		s->params[i] = va_arg(ap, const char *);
	va_end(ap);
	return tx->n++;
}

int pp_tx_guard(pp_tx *tx, const char *project, const char *min_role)
{
	return pp_tx_add(tx, sql_guard, 2, project, min_role);
}

void pp_tx_free(pp_tx *tx)
{
	int i;

	for (i = 0; i < PP_TX_MAX_STMTS; i++) {
		PQclear(tx->res[i]);
		tx->res[i] = NULL;
	}
}

/* The token of "Authorization: Bearer TOKEN", or NULL. */
static const char *bearer(const pp_http_req *req)
{
	const char *h = pp_http_header(req, "Authorization");

	if (h == NULL || strncasecmp(h, "Bearer ", 7) != 0)
		return NULL;
	h += 7;
	while (*h == ' ')
		h++;
	return *h ? h : NULL;
}

static void unauthorized(const pp_http_req *req, pp_http_resp *resp, const char *detail)
{
	pp_problem p = {.status = 401,
			.type = "unauthorized",
			.title = "Authentication required",
			.detail = detail};

	pp_http_problem(resp, req, &p);
	if (pp_http_resp_header(resp, "WWW-Authenticate", "Bearer realm=\"planpipe\"") != PP_OK)
		pp_http_resp_set(resp, 500, NULL, NULL, 0);
}

/* A statement by name when it is prepared on this connection, else by text. */
static int send_one(PGconn *pg, const char *name, const char *sql, int n, const char *const *params)
{
	if (name[0])
		return PQsendQueryPrepared(pg, name, n, params, NULL, NULL, 0);
	return PQsendQueryParams(pg, sql, n, NULL, params, NULL, NULL, 0);
}

/*
 * With PLANPIPE_POOL_STATEMENTS=prepared, the authentication and the
 * handler's statements are prepared once per connection (before the
 * pipeline) and sent by name: no parsing and planning per request.
 */
static void prepare_all(pp_pool_conn *pc, const pp_tx *tx, char names[][PP_POOL_STMT_NAME])
{
	int i;

	pp_pool_conn_prepare(pc, sql_auth, 1, names[0]);
	for (i = 0; i < tx->n; i++)
		pp_pool_conn_prepare(pc, tx->stmts[i].sql, tx->stmts[i].n, names[i + 1]);
}

static int send_all(PGconn *pg, const char *token_hash, const pp_tx *tx,
		    char names[][PP_POOL_STMT_NAME])
{
	const char *auth_params[1] = {token_hash};
	int i;

	if (!PQsendQueryParams(pg, sql_begin, 0, NULL, NULL, NULL, NULL, 0) ||
	    !send_one(pg, names[0], sql_auth, 1, auth_params))
		return -1;
	for (i = 0; i < tx->n; i++)
		if (!send_one(pg, names[i + 1], tx->stmts[i].sql, tx->stmts[i].n,
			      tx->stmts[i].params))
			return -1;
	if (!PQsendQueryParams(pg, sql_commit, 0, NULL, NULL, NULL, NULL, 0) || !PQpipelineSync(pg))
		return -1;
	return 0;
}

/*
 * Reads the results of the n_sent queries and the sync. Keeps the handler's
 * results in tx, the first error in *failed; the user id in req. Returns -1
 * when the connection was lost.
 */
static int read_all(PGconn *pg, int n_sent, pp_tx *tx, pp_http_req *req, PGresult **failed)
{
	PGresult *r;
	int i, guard;

	for (i = 0; i < n_sent; i++) {
		r = PQgetResult(pg);
		if (r == NULL)
			return -1;
		switch (PQresultStatus(r)) {
		case PGRES_FATAL_ERROR:
			if (*failed == NULL)
				*failed = r;
			else
				PQclear(r);
			break;
		case PGRES_TUPLES_OK:
			if (i == 1 && PQntuples(r) == 1)
				snprintf(req->user_id, sizeof(req->user_id), "%s",
					 PQgetvalue(r, 0, 0));
			if (i >= 2 && i < 2 + tx->n) {
				tx->res[i - 2] = r;
				break;
			}
			PQclear(r);
			break;
		default:
			PQclear(r);
			break;
		}
		/* Each query's results end with a NULL; a lost connection may not. */
		for (guard = 0; (r = PQgetResult(pg)) != NULL && guard < 8; guard++)
			PQclear(r);
		if (r != NULL) {
			PQclear(r);
			return -1;
		}
		if (PQstatus(pg) != CONNECTION_OK)
			return -1;
	}
	r = PQgetResult(pg);
	if (r == NULL || PQresultStatus(r) != PGRES_PIPELINE_SYNC) {
		PQclear(r);
		return -1;
	}
	PQclear(r);
	return 0;
}

pp_rc pp_tx_run(pp_api *api, pp_http_req *req, pp_http_resp *resp, pp_tx *tx)
{
	const char *token = bearer(req);
	char hex[PP_SHA256_HEX_LEN + 1], hash[PP_SHA256_HEX_LEN + 3];
	char names[PP_TX_MAX_STMTS + 1][PP_POOL_STMT_NAME];
	PGresult *failed = NULL;
	pp_pool_conn *pc = NULL;
	PGconn *pg;
	pp_err err;
	pp_rc rc;
	int lost;

	if (token == NULL) {
		unauthorized(req, resp, "send the API token as \"Authorization: Bearer TOKEN\"");
		return PP_EINVAL;
	}
	pp_sha256_hex(token, strlen(token), hex);
	snprintf(hash, sizeof(hash), "\\x%s", hex);
	pp_err_clear(&err);
	rc = pp_pool_acquire(api->pool, -1, &pc, &err);
	if (rc != PP_OK) {
		pp_log(PP_LOG_WARN, "request %s: %s", req->request_id, err.msg);
		pp_api_unavailable(req, resp, rc, err.msg);
		return rc;
	}
	pg = pp_pool_conn_pg(pc);
	prepare_all(pc, tx, names);
	if (!PQenterPipelineMode(pg)) {
		pp_pool_conn_discard(pc);
		pp_pool_release(pc);
		pp_api_unavailable(req, resp, PP_ECONNECT, "the database connection is unusable");
		return PP_ECONNECT;
	}
	lost = send_all(pg, hash, tx, names) != 0 || read_all(pg, tx->n + 3, tx, req, &failed) != 0;
	if (lost || !PQexitPipelineMode(pg)) {
		pp_pool_conn_discard(pc);
		if (failed != NULL && PQresultErrorField(failed, PG_DIAG_SQLSTATE) != NULL)
			pp_api_db_problem(req, resp, pg, failed);
		else
			pp_api_unavailable(req, resp, PP_ECONNECT,
					   "the connection to the database was lost");
		rc = PP_ECONNECT;
	} else if (failed != NULL) {
		/* The explicit transaction is left aborted: end it now, not at release. */
		if (PQtransactionStatus(pg) != PQTRANS_IDLE &&
		    pp_db_exec_deadline(pg, "ROLLBACK", pp_now_ms() + 2000, NULL, &err) != PP_OK)
			pp_pool_conn_discard(pc);
		pp_api_db_problem(req, resp, pg, failed);
		rc = PP_EDB;
	}
	PQclear(failed);
	pp_pool_release(pc);
	if (rc != PP_OK)
		pp_tx_free(tx);
	return rc;
}

/* Column col of res's first row, or NULL when there is no such column or it is NULL. */
static const char *col(const PGresult *res, const char *name)
{
	int c = PQfnumber(res, name);

	if (c < 0 || PQntuples(res) < 1 || PQgetisnull(res, 0, c))
		return NULL;
	return PQgetvalue(res, 0, c);
}

void pp_api_reply(pp_http_req *req, pp_http_resp *resp, const PGresult *res, int status)
{
	const char *body = col(res, "body");
	const char *version = col(res, "version");
	const char *inm = pp_http_header(req, "If-None-Match");
	const char *st = col(res, "status");
	const char *location = col(res, "location");
	char etag[40];

	if (st)
		status = (int)strtol(st, NULL, 10);
	if (version) {
		snprintf(etag, sizeof(etag), "\"%s\"", version);
		if (inm && (strcmp(req->method, "GET") == 0 || strcmp(req->method, "HEAD") == 0) &&
		    (strcmp(inm, etag) == 0 || strcmp(inm, "*") == 0)) {
			pp_http_resp_set(resp, 304, NULL, NULL, 0);
		} else {
			pp_http_resp_copy(resp, status, body ? "application/json" : NULL, body);
		}
		if (pp_http_resp_header(resp, "ETag", etag) != PP_OK)
			goto oom;
	} else {
		pp_http_resp_copy(resp, status, body ? "application/json" : NULL, body);
	}
	if (location && pp_http_resp_header(resp, "Location", location) != PP_OK)
		goto oom;
	return;
oom:
	pp_http_resp_set(resp, 500, NULL, NULL, 0);
}
