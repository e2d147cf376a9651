/*
 * tx_int.h: the pure decisions of the request's transaction (tx.c), apart
 * so that tests/unit/api/tx.c can reach them. Not for other modules: names
 * carry the tx_ prefix, never pp_. None of them blocks, allocates or
 * touches a connection.
 */
#ifndef PP_API_TX_INT_H
#define PP_API_TX_INT_H

#include "core/err.h"
#include "http/response.h"

/* What tx_standby_fault finds of a failure on the standby. */
enum {
	TX_FAULT_NONE = 0, /* the answer stands (the client's error, a constraint, ...) */
	TX_FAULT_GONE = 1, /* unreachable or going away: reads leave it at once */
	TX_FAULT_REFUSED =
		2, /* refused for a reason of its own: this request goes to the primary */
};

/*
 * Whether a failure on the standby is worth the primary's try, from the
 * rc of the attempt (PP_OK once the statements were sent), lost (the
 * connection was lost) and the failed statement's SQLSTATE (NULL when
 * none): TX_FAULT_GONE for a lost connection, PP_ECONNECT, PP_EUNAVAIL,
 * class 08 and 57P01-57P04 (shut down, crashed, starting up, database
 * dropped); TX_FAULT_REFUSED for PP_ETIMEDOUT, class 40 (a conflict with
 * recovery, a serialization failure), class 53 (too many connections, out
 * of memory or disk) and 25006 (read-only transaction); else TX_FAULT_NONE.
 */
int tx_standby_fault(pp_rc rc, int lost, const char *sqlstate);

/*
 * The token of an Authorization header's value "Bearer TOKEN" (the scheme
 * in any case, spaces before the token skipped), pointing into
 * authorization, *len its length without the white space that may follow a
 * header's value (RFC 9110's OWS: spaces and tabs); NULL when authorization
 * is NULL, of another scheme or has no token.
 */
const char *tx_bearer_token(const char *authorization, size_t *len);

/*
 * Whether an If-None-Match value matches etag ("\"7\""): "*", or a list of
 * entity tags one of which is etag, compared weakly (W/"7" matches, as RFC
 * 9110 13.1.2 asks of If-None-Match).
 */
int tx_none_match(const char *if_none_match, const char *etag);

/* Whether method is a read (GET or HEAD), whose transaction may run on the standby. */
int tx_is_read(const char *method);

/* The value of header name (case-insensitive) that resp carries, or NULL; borrowed from resp. */
const char *tx_resp_header(const pp_http_resp *resp, const char *name);

#endif
