/* tx.c: the request's pipelined transaction (see tx.h). */
#include "api/tx.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/errors.h"
#include "api/input.h"
#include "api/sql.h"
#include "api/tx_int.h"
#include "core/log.h"
#include "core/sha256.h"
#include "db/conn.h"

void pp_tx_init(pp_tx *tx)
{
	memset(tx, 0, sizeof(*tx));
}

int pp_tx_add_v(pp_tx *tx, const char *sql, int n, const char *const *params)
{
	pp_tx_stmt *s;

	/* The statements are the handler's constants: overflowing is a programming error. */
	if (tx->n == PP_TX_MAX_STMTS || n < 0 || n > PP_TX_MAX_PARAMS)
		abort();
	s = &tx->stmts[tx->n];
	s->sql = sql;
	s->n = n;
	for (int i = 0; i < n; i++)
		s->params[i] = params[i];
	return tx->n++;
}

int pp_tx_add(pp_tx *tx, const char *sql, int n, ...)
{
	const char *params[PP_TX_MAX_PARAMS];
	va_list ap;

	if (n < 0 || n > PP_TX_MAX_PARAMS)
		abort();
	va_start(ap, n);
	for (int i = 0; i < n; i++)
		params[i] = va_arg(ap, const char *);
	va_end(ap);
	return pp_tx_add_v(tx, sql, n, params);
}

int pp_tx_guard(pp_tx *tx, const char *project, const char *min_role)
{
	return pp_tx_add(tx, pp_api_sql("tx.sql", "guard"), 2, project, min_role);
}

void pp_tx_free(pp_tx *tx)
{
	int i;

	for (i = 0; i < PP_TX_MAX_STMTS; i++) {
		PQclear(tx->res[i]);
		tx->res[i] = NULL;
	}
}

const char *tx_bearer_token(const char *h, size_t *len)
{
	size_t n;

	if (h == NULL || strncasecmp(h, "Bearer ", 7) != 0)
		return NULL;
	h += 7;
	while (*h == ' ')
		h++;
	for (n = strlen(h); n > 0 && (h[n - 1] == ' ' || h[n - 1] == '\t'); n--)
		;
	*len = n;
	return n ? h : NULL;
}

int tx_none_match(const char *inm, const char *etag)
{
	size_t n = strlen(etag);
	const char *p = inm;

	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '*' && p[1 + strspn(p + 1, " \t")] == '\0')
		return 1;
	while (*p) {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (strncmp(p, "W/", 2) == 0)
			p += 2;
		if (strncmp(p, etag, n) == 0 &&
		    (p[n] == '\0' || p[n] == ',' || p[n] == ' ' || p[n] == '\t'))
			return 1;
		while (*p && *p != ',')
			p++;
	}
	return 0;
}

/* The token of "Authorization: Bearer TOKEN", or NULL; *len its length. */
static const char *bearer(const pp_http_req *req, size_t *len)
{
	return tx_bearer_token(pp_http_header(req, "Authorization"), len);
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

	pp_pool_conn_prepare(pc, pp_api_sql("tx.sql", "auth"), 1, names[0]);
	for (i = 0; i < tx->n; i++)
		pp_pool_conn_prepare(pc, tx->stmts[i].sql, tx->stmts[i].n, names[i + 1]);
}

static int send_stmts(PGconn *pg, const pp_tx *tx, char names[][PP_POOL_STMT_NAME])
{
	int i;

	for (i = 0; i < tx->n; i++)
		if (!send_one(pg, names[i + 1], tx->stmts[i].sql, tx->stmts[i].n,
			      tx->stmts[i].params))
			return -1;
	return 0;
}

static int send_all(PGconn *pg, const char *token_hash, const pp_tx *tx,
		    char names[][PP_POOL_STMT_NAME])
{
	const char *auth_params[1] = {token_hash};

	if (!PQsendQueryParams(pg, pp_api_sql("tx.sql", "begin"), 0, NULL, NULL, NULL, NULL, 0) ||
	    !send_one(pg, names[0], pp_api_sql("tx.sql", "auth"), 1, auth_params) ||
	    send_stmts(pg, tx, names) != 0)
		return -1;
	if (!PQsendQueryParams(pg, pp_api_sql("tx.sql", "commit"), 0, NULL, NULL, NULL, NULL, 0) ||
	    !PQpipelineSync(pg))
		return -1;
	return 0;
}

/*
 * Reads the results of the n_sent queries and the sync. Keeps each query's
 * rows in out[i] (the caller clears them), the first error in *failed.
 * Returns -1 when the connection was lost.
 */
static int read_all(PGconn *pg, int n_sent, PGresult **out, PGresult **failed)
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
			out[i] = r;
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

/* The authenticated user's id from the result of pp_api_sql("tx.sql", "auth"), for the access log.
 */
static void keep_user(pp_http_req *req, const PGresult *auth)
{
	if (auth != NULL && PQntuples(auth) == 1)
		snprintf(req->user_id, sizeof(req->user_id), "%s", PQgetvalue(auth, 0, 0));
}

/*
 * After a failure: the connection goes back to the pool only when it left
 * pipeline mode and its transaction is ended.
 */
static void end_failed(pp_pool_conn *pc, PGconn *pg)
{
	pp_err err;

	if (PQpipelineStatus(pg) != PQ_PIPELINE_OFF && !PQexitPipelineMode(pg)) {
		pp_pool_conn_discard(pc);
		return;
	}
	if (PQtransactionStatus(pg) != PQTRANS_IDLE &&
	    pp_db_exec_deadline(pg, pp_api_sql("tx.sql", "rollback"), pp_now_ms() + 2000, NULL,
				&err) != PP_OK)
		pp_pool_conn_discard(pc);
}

/*
 * The problem for a phase that failed: the database's error when there is
 * one, else the lost connection. Ends the transaction or discards the
 * connection. Returns the rc for pp_tx_run's caller.
 */
static pp_rc phase_failed(pp_http_req *req, pp_http_resp *resp, pp_pool_conn *pc, PGconn *pg,
			  int lost, PGresult *failed)
{
	pp_rc rc = PP_EDB;

	pp_http_resp_free(resp);
	if (lost) {
		pp_pool_conn_discard(pc);
		rc = PP_ECONNECT;
		if (failed != NULL && PQresultErrorField(failed, PG_DIAG_SQLSTATE) != NULL)
			pp_api_db_problem(req, resp, pg, failed);
		else
			pp_api_unavailable(req, resp, PP_ECONNECT,
					   "the connection to the database was lost");
	} else {
		end_failed(pc, pg);
		pp_api_db_problem(req, resp, pg, failed);
	}
	PQclear(failed);
	return rc;
}

/* The bearer token's SHA-256 as a bytea literal: "\\x" and hex (hash + 2 is the hex). */
static pp_rc token_hash(const pp_http_req *req, pp_http_resp *resp,
			char hash[PP_SHA256_HEX_LEN + 3])
{
	size_t len = 0;
	const char *token = bearer(req, &len);
	char hex[PP_SHA256_HEX_LEN + 1];

	if (token == NULL) {
		unauthorized(req, resp, "send the API token as \"Authorization: Bearer TOKEN\"");
		return PP_EINVAL;
	}
	pp_sha256_hex(token, len, hex);
	snprintf(hash, PP_SHA256_HEX_LEN + 3, "\\x%s", hex);
	return PP_OK;
}

/* Borrows a connection of pool; on failure the problem is in resp. */
static pp_rc acquire(pp_pool *pool, pp_http_req *req, pp_http_resp *resp, pp_pool_conn **pc)
{
	pp_err err;
	pp_rc rc;

	pp_err_clear(&err);
	rc = pp_pool_acquire(pool, -1, pc, &err);
	if (rc != PP_OK) {
		/* The pool's message names the server: for the log, never the client. */
		pp_log(PP_LOG_WARN, "request %s: %s", req->request_id, err.msg);
		pp_api_unavailable(req, resp, rc, NULL);
	}
	return rc;
}

/* Authenticates the request's token and borrows a primary connection. */
static pp_rc start(pp_api *api, pp_http_req *req, pp_http_resp *resp, pp_pool_conn **pc,
		   char hash[PP_SHA256_HEX_LEN + 3])
{
	pp_rc rc = token_hash(req, resp, hash);

	return rc == PP_OK ? acquire(api->pool, req, resp, pc) : rc;
}

int tx_is_read(const char *method)
{
	return strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
}

static int is_read(const pp_http_req *req)
{
	return tx_is_read(req->method);
}

/*
 * After a committed write, with a read router: the WAL position after it,
 * in a PlanPipe-LSN header and in the token's entry (read-your-writes). The
 * write is done whatever happens here; a failure is logged.
 */
static void note_write(pp_api *api, pp_http_req *req, pp_http_resp *resp, pp_pool_conn *pc,
		       const char *hash)
{
	char text[PP_LSN_TEXT];
	PGresult *res = NULL;
	pp_lsn lsn = 0;
	pp_err err;

	if (api->reads == NULL || is_read(req))
		return;
	pp_err_clear(&err);
	if (pp_pool_exec(pc, pp_api_sql("read_route.sql", "write_lsn"), 0, NULL, &res, &err) !=
		    PP_OK ||
	    PQntuples(res) != 1 || pp_lsn_parse(PQgetvalue(res, 0, 0), &lsn) != 0) {
		pp_log(PP_LOG_WARN,
		       "request %s: no WAL position after the write, its reads may miss it: %s",
		       req->request_id, err.msg[0] ? err.msg : "not a pg_lsn");
		PQclear(res);
		return;
	}
	PQclear(res);
	pp_read_router_note_write(api->reads, hash + 2, lsn);
	pp_lsn_format(lsn, text);
	if (pp_http_resp_header(resp, "PlanPipe-LSN", text) != PP_OK)
		pp_log(PP_LOG_WARN, "request %s: no room for the PlanPipe-LSN header",
		       req->request_id);
}

static pp_rc enter_pipeline(pp_http_req *req, pp_http_resp *resp, pp_pool_conn *pc)
{
	if (PQenterPipelineMode(pp_pool_conn_pg(pc)))
		return PP_OK;
	pp_pool_conn_discard(pc);
	pp_pool_release(pc);
	pp_api_unavailable(req, resp, PP_ECONNECT, "the database connection is unusable");
	return PP_ECONNECT;
}

void pp_tx_read_anywhere(pp_tx *tx)
{
	tx->anywhere = 1;
}

int tx_standby_fault(pp_rc rc, int lost, const char *st)
{
	if (lost || rc == PP_ECONNECT || rc == PP_EUNAVAIL)
		return TX_FAULT_GONE;
	if (st != NULL && (strncmp(st, "08", 2) == 0 || strncmp(st, "57P", 3) == 0))
		return TX_FAULT_GONE;
	if (rc == PP_ETIMEDOUT)
		return TX_FAULT_REFUSED;
	if (st != NULL &&
	    (strncmp(st, "40", 2) == 0 || strncmp(st, "53", 2) == 0 || strcmp(st, "25006") == 0))
		return TX_FAULT_REFUSED;
	return TX_FAULT_NONE;
}

/* tx_standby_fault of a failure with the failed statement's result (NULL when none). */
static int standby_fault(pp_rc rc, int lost, const PGresult *failed)
{
	return tx_standby_fault(rc, lost,
				failed ? PQresultErrorField(failed, PG_DIAG_SQLSTATE) : NULL);
}

/* pp_tx_run on pool; *fault as standby_fault says. */
static pp_rc run_on(pp_api *api, pp_pool *pool, pp_http_req *req, pp_http_resp *resp, pp_tx *tx,
		    const char *hash, int *fault)
{
	char names[PP_TX_MAX_STMTS + 1][PP_POOL_STMT_NAME];
	PGresult *out[PP_TX_MAX_STMTS + 3] = {0};
	PGresult *failed = NULL;
	pp_pool_conn *pc = NULL;
	PGconn *pg;
	pp_rc rc;
	int i, lost;

	rc = acquire(pool, req, resp, &pc);
	*fault = standby_fault(rc, 0, NULL);
	if (rc != PP_OK)
		return rc;
	pg = pp_pool_conn_pg(pc);
	prepare_all(pc, tx, names);
	rc = enter_pipeline(req, resp, pc);
	*fault = standby_fault(rc, 0, NULL);
	if (rc != PP_OK)
		return rc;
	lost = send_all(pg, hash, tx, names) != 0 || read_all(pg, tx->n + 3, out, &failed) != 0;
	keep_user(req, out[1]);
	for (i = 0; i < tx->n; i++)
		tx->res[i] = out[i + 2];
	PQclear(out[0]);
	PQclear(out[1]);
	PQclear(out[tx->n + 2]);
	if (!lost && !PQexitPipelineMode(pg))
		lost = 1;
	if (lost || failed != NULL) {
		*fault = standby_fault(PP_OK, lost, failed);
		rc = phase_failed(req, resp, pc, pg, lost, failed);
	} else {
		note_write(api, req, resp, pc, hash);
	}
	pp_pool_release(pc);
	if (rc != PP_OK)
		pp_tx_free(tx);
	return rc;
}

/*
 * Where a GET of a transaction marked anywhere goes, with a read router:
 * a pp_read_route; PP_READ_NROUTES when it is not routed at all (the
 * primary, uncounted); -1 after a bad PlanPipe-LSN header (resp has the 400).
 */
static int route_of(pp_api *api, pp_http_req *req, pp_http_resp *resp, const pp_tx *tx,
		    const char *hash)
{
	const char *h;
	pp_lsn want = 0;

	if (api->reads == NULL || !tx->anywhere || !is_read(req))
		return PP_READ_NROUTES;
	h = pp_http_header(req, "PlanPipe-LSN");
	if (h != NULL && pp_lsn_parse(h, &want) != 0) {
		pp_api_bad(req, resp, 400, "PlanPipe-LSN",
			   "the PlanPipe-LSN header must be a WAL position as a write's answer "
			   "gives it, e.g. 0/16B3748");
		return -1;
	}
	return (int)pp_read_router_pick(api->reads, hash + 2, want);
}

pp_rc pp_tx_run(pp_api *api, pp_http_req *req, pp_http_resp *resp, pp_tx *tx)
{
	char hash[PP_SHA256_HEX_LEN + 3];
	int route, fault;
	pp_rc rc;

	rc = token_hash(req, resp, hash);
	if (rc != PP_OK)
		return rc;
	route = route_of(api, req, resp, tx, hash);
	if (route < 0)
		return PP_EINVAL;
	if (route == PP_READ_STANDBY) {
		rc = run_on(api, pp_read_router_pool(api->reads), req, resp, tx, hash, &fault);
		if (rc == PP_OK || fault == TX_FAULT_NONE) {
			pp_read_router_count(api->reads, PP_READ_STANDBY);
			return rc;
		}
		/* The caller gets the primary's answer instead. */
		pp_log(PP_LOG_INFO, "request %s: the standby failed it, running it on the primary",
		       req->request_id);
		if (fault == TX_FAULT_GONE)
			pp_read_router_standby_failed(api->reads);
		pp_http_resp_free(resp);
		route = PP_READ_FAILED;
	}
	rc = run_on(api, api->pool, req, resp, tx, hash, &fault);
	if (route != PP_READ_NROUTES)
		pp_read_router_count(api->reads, (pp_read_route)route);
	return rc;
}

pp_rc pp_tx_call(pp_api *api, pp_http_req *req, pp_http_resp *resp, const char *sql, int n,
		 const char *const *args, int status)
{
	char hash[PP_SHA256_HEX_LEN + 3], name[PP_POOL_STMT_NAME];
	const char *params[PP_TX_MAX_PARAMS];
	pp_pool_conn *pc = NULL;
	PGresult *res;
	PGconn *pg;
	pp_rc rc;

	/* The statements are the handlers' constants: overflowing is a programming error. */
	if (n < 0 || n + 1 > PP_TX_MAX_PARAMS)
		abort();
	rc = start(api, req, resp, &pc, hash);
	if (rc != PP_OK)
		return rc;
	pg = pp_pool_conn_pg(pc);
	params[0] = hash;
	if (n > 0)
		memcpy(params + 1, args, (size_t)n * sizeof(*args));
	if (pp_pool_conn_prepare(pc, sql, n + 1, name))
		res = PQexecPrepared(pg, name, n + 1, params, NULL, NULL, 0);
	else
		res = PQexecParams(pg, sql, n + 1, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(res) == PGRES_TUPLES_OK) {
		keep_user(req, res);
		pp_api_reply(req, resp, res, status);
		PQclear(res);
		if (resp->status < 400)
			note_write(api, req, resp, pc, hash);
	} else {
		int lost = PQstatus(pg) != CONNECTION_OK;
		if (res != NULL && PQresultStatus(res) != PGRES_FATAL_ERROR) {
			PQclear(res);
			res = NULL;
		}
		rc = phase_failed(req, resp, pc, pg, lost || res == NULL, res);
	}
	pp_pool_release(pc);
	return rc;
}

const char *tx_resp_header(const pp_http_resp *resp, const char *name)
{
	int i;

	for (i = 0; i < resp->n_headers; i++)
		if (strcasecmp(resp->headers[i].name, name) == 0)
			return resp->headers[i].value;
	return NULL;
}

/* The stored answer (row 0 of claim: status, etag, location, body), marked as a replay. */
static void replay(pp_http_resp *resp, const PGresult *claim)
{
	const char *body = PQgetisnull(claim, 0, 3) ? NULL : PQgetvalue(claim, 0, 3);

	pp_http_resp_copy(resp, (int)strtol(PQgetvalue(claim, 0, 0), NULL, 10),
			  body ? "application/json" : NULL, body);
	if ((!PQgetisnull(claim, 0, 1) &&
	     pp_http_resp_header(resp, "ETag", PQgetvalue(claim, 0, 1)) != PP_OK) ||
	    (!PQgetisnull(claim, 0, 2) &&
	     pp_http_resp_header(resp, "Location", PQgetvalue(claim, 0, 2)) != PP_OK) ||
	    pp_http_resp_header(resp, "Idempotent-Replayed", "true") != PP_OK)
		pp_http_resp_set(resp, 500, NULL, NULL, 0);
}

/* Round trip 1 of a keyed write: BEGIN, the authentication, the key's claim. */
static int send_claim(PGconn *pg, const char *token_hash, const char *key, const pp_http_req *req,
		      const char *body_hash, char names[][PP_POOL_STMT_NAME])
{
	const char *auth_params[1] = {token_hash};
	const char *p[4] = {key, req->method, req->path, body_hash};

	if (!PQsendQueryParams(pg, pp_api_sql("tx.sql", "begin"), 0, NULL, NULL, NULL, NULL, 0) ||
	    !send_one(pg, names[0], pp_api_sql("tx.sql", "auth"), 1, auth_params) ||
	    !send_one(pg, names[PP_TX_MAX_STMTS + 1], pp_api_sql("tx.sql", "idem_claim"), 4, p) ||
	    !PQpipelineSync(pg))
		return -1;
	return 0;
}

/* Round trip 3 of a keyed write: the answer in resp stored, COMMIT. */
static int send_store(PGconn *pg, const char *key, const pp_http_req *req, const char *body_hash,
		      const pp_http_resp *resp, char names[][PP_POOL_STMT_NAME])
{
	char status[16];
	const char *p[8] = {key, req->method, req->path, body_hash, status, NULL, NULL, resp->body};

	snprintf(status, sizeof(status), "%d", resp->status);
	p[5] = tx_resp_header(resp, "ETag");
	p[6] = tx_resp_header(resp, "Location");
	if (!send_one(pg, names[PP_TX_MAX_STMTS + 2], pp_api_sql("tx.sql", "idem_store"), 8, p) ||
	    !PQsendQueryParams(pg, pp_api_sql("tx.sql", "commit"), 0, NULL, NULL, NULL, NULL, 0) ||
	    !PQpipelineSync(pg))
		return -1;
	return 0;
}

/*
 * The idempotent write: three round trips in one transaction (see
 * migrations/0018_api_hardening.sql): BEGIN, authenticate, claim the key;
 * the handler's statements; store the answer, COMMIT. A stored answer is
 * replayed (the transaction rolled back, nothing written).
 */
pp_rc pp_tx_run_idempotent(pp_api *api, pp_http_req *req, pp_http_resp *resp, pp_tx *tx,
			   const char *key, int which, int status)
{
	char hash[PP_SHA256_HEX_LEN + 3], body_hash[PP_SHA256_HEX_LEN + 3];
	char hex[PP_SHA256_HEX_LEN + 1];
	char names[PP_TX_MAX_STMTS + 3][PP_POOL_STMT_NAME];
	PGresult *out[3] = {0};
	PGresult *failed = NULL;
	pp_pool_conn *pc = NULL;
	PGconn *pg;
	pp_rc rc;
	int i, lost;

	rc = start(api, req, resp, &pc, hash);
	if (rc != PP_OK)
		goto done;
	pg = pp_pool_conn_pg(pc);
	pp_sha256_hex(req->body, req->body_len, hex);
	snprintf(body_hash, sizeof(body_hash), "\\x%s", hex);
	prepare_all(pc, tx, names);
	pp_pool_conn_prepare(pc, pp_api_sql("tx.sql", "idem_claim"), 4, names[PP_TX_MAX_STMTS + 1]);
	pp_pool_conn_prepare(pc, pp_api_sql("tx.sql", "idem_store"), 8, names[PP_TX_MAX_STMTS + 2]);
	rc = enter_pipeline(req, resp, pc);
	if (rc != PP_OK)
		goto done;
	lost = send_claim(pg, hash, key, req, body_hash, names) != 0 ||
	       read_all(pg, 3, out, &failed) != 0;
	keep_user(req, out[1]);
	if (lost || failed != NULL)
		goto fail;
	if (out[2] != NULL && PQntuples(out[2]) == 1) {
		replay(resp, out[2]);
		end_failed(pc, pg);
		goto out;
	}
	lost = send_stmts(pg, tx, names) != 0 || !PQpipelineSync(pg) ||
	       read_all(pg, tx->n, tx->res, &failed) != 0;
	if (lost || failed != NULL)
		goto fail;
	pp_api_reply(req, resp, tx->res[which], status);
	if (resp->status >= 500) {
		end_failed(pc, pg);
		goto out;
	}
	for (i = 0; i < 3; i++) {
		PQclear(out[i]);
		out[i] = NULL;
	}
	lost = send_store(pg, key, req, body_hash, resp, names) != 0 ||
	       read_all(pg, 2, out, &failed) != 0;
	if (lost || failed != NULL)
		goto fail;
	if (!PQexitPipelineMode(pg))
		pp_pool_conn_discard(pc);
	else
		note_write(api, req, resp, pc, hash);
	goto out;
fail:
	if (!lost && !PQexitPipelineMode(pg))
		lost = 1;
	rc = phase_failed(req, resp, pc, pg, lost, failed);
out:
	for (i = 0; i < 3; i++)
		PQclear(out[i]);
	pp_pool_release(pc);
done:
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
		    tx_none_match(inm, etag)) {
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
