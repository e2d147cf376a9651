/*
 * tx.h: one request, one transaction, one round trip.
 *
 * A handler lists its statements; pp_tx_run sends, in libpq pipeline
 * mode, the statements of src/api/sql/tx.sql: begin; auth (with the token's
 * hash: planpipe_api_authenticate, then the request's settings and the role
 * planpipe_app, all local to the transaction); the handler's statements;
 * commit; and one sync, then reads every result. A statement that fails
 * (an unknown token raises PP401) aborts the rest, so nothing after it runs
 * and the transaction is rolled back. Row-level security applies from the second
 * statement on, whoever the login user is: planpipe_api_authenticate also
 * sets planpipe.token_hash, from which the policies find the user
 * (migrations/0022_token_identity.sql; for a login of planpipe_app
 * planpipe.user_id alone names nobody).
 */
#ifndef PP_API_TX_H
#define PP_API_TX_H

#include <libpq-fe.h>

#include "api/api.h"
#include "core/err.h"
#include "http/request.h"
#include "http/response.h"

#define PP_TX_MAX_STMTS  6
#define PP_TX_MAX_PARAMS 24

typedef struct pp_tx_stmt {
	const char *sql;
	int n;
	const char *params[PP_TX_MAX_PARAMS]; /* text; NULL is SQL NULL; borrowed */
} pp_tx_stmt;

typedef struct pp_tx {
	pp_tx_stmt stmts[PP_TX_MAX_STMTS];
	int n;
	int anywhere;                   /* pp_tx_read_anywhere: it may run on the standby */
	PGresult *res[PP_TX_MAX_STMTS]; /* after a successful pp_tx_run: each statement's result */
} pp_tx;

/* Empties tx. */
void pp_tx_init(pp_tx *tx);

/*
 * Appends a statement with n text parameters (const char *, NULL for SQL
 * NULL); returns its index. The strings must live until pp_tx_run returns.
 */
int pp_tx_add(pp_tx *tx, const char *sql, int n, ...);

/* pp_tx_add with the n parameters in an array (borrowed, as above). */
int pp_tx_add_v(pp_tx *tx, const char *sql, int n, const char *const *params);

/*
 * Appends the access check of project key: PP404 when the caller cannot see
 * it, PP403 when its role is below min_role ("viewer", "developer",
 * "maintainer", "owner").
 */
int pp_tx_guard(pp_tx *tx, const char *project, const char *min_role);

/*
 * Authenticates the request's bearer token and runs tx's statements as
 * described above. Blocks. PP_OK: tx->res holds the results. Otherwise the
 * problem is in resp (401, 403, 404, 409, 412, 422, 503, ...) and the
 * return value says why (PP_EINVAL: the client; PP_EDB: the database
 * refused; PP_ECONNECT/PP_ETIMEDOUT/PP_EUNAVAIL: unavailable).
 *
 * With a read router (api->reads): a write's answer carries the WAL
 * position after its commit in a PlanPipe-LSN header, and the token's reads
 * wait for the standby to replay it (read_route.h). A request's own
 * PlanPipe-LSN header asks its standby reads to see that position (400 when
 * it is not one).
 */
pp_rc pp_tx_run(pp_api *api, pp_http_req *req, pp_http_resp *resp, pp_tx *tx) PP_WARN_UNUSED;

/*
 * Like pp_tx_run followed by pp_api_reply(req, resp, tx->res[which],
 * status), for a write sent with Idempotency-Key key (already checked:
 * pp_api_idempotency_key): the answer is stored with the write, in its
 * transaction, for 24 hours, per user and key; a retry of the same request
 * (method, path, body) gets the stored answer with "Idempotent-Replayed:
 * true" and writes nothing; another request under the key is a 422
 * (idempotency-key-reused), one while the first still runs a 409
 * (request-in-progress). Takes three round trips instead of one. Blocks.
 * Frees tx's results in every case.
 */
pp_rc pp_tx_run_idempotent(pp_api *api, pp_http_req *req, pp_http_resp *resp, pp_tx *tx,
			   const char *key, int which, int status) PP_WARN_UNUSED;

/*
 * Marks tx as reading only, so that for a GET it may run on the standby
 * (PLANPIPE_READ_DATABASE_URL, read_route.h) when the router finds it
 * usable; otherwise, or when the standby fails it, it runs on the primary.
 * For reports, the cross-project story list and history pages.
 */
void pp_tx_read_anywhere(pp_tx *tx);

/* Frees the results. */
void pp_tx_free(pp_tx *tx);

/*
 * One request as one statement (src/api/sql/, sql.h): runs sql in
 * autocommit, prepared once per connection with PLANPIPE_POOL_STATEMENTS=
 * prepared, with $1 the SHA-256 of the request's bearer token and $2.. the
 * n args (borrowed, NULL for SQL NULL). The statement authenticates, sets
 * what it runs under and reads under row-level security itself (see
 * migrations/0022_api_request_path.sql); its first row's first column is
 * the caller's id (the access log) and it is answered as pp_api_reply does
 * with status. Blocks. Returns as pp_tx_run; resp holds the answer either way.
 */
pp_rc pp_tx_call(pp_api *api, pp_http_req *req, pp_http_resp *resp, const char *sql, int n,
		 const char *const *args, int status);

/*
 * Answers with the first row of res: column "body" (JSON text) as the body,
 * with status; column "version", when present and not NULL, as the ETag. A
 * GET whose If-None-Match names that ETag gets 304 without a body.
 */
void pp_api_reply(pp_http_req *req, pp_http_resp *resp, const PGresult *res, int status);

#endif
