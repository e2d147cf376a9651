/*
 * pool_conn.c: one pooled connection, without the pool's lock: checked
 * before it is lent, brought back to idle when it returns (see pool_int.h).
 */
#include <errno.h>
#include <poll.h>
#include <sys/socket.h>

#include "core/log.h"
#include "db/conn.h"
#include "db/pool_int.h"
#include "db/sql.h"

/*
 * Whether nothing is waiting on an idle connection's socket, or what is
 * waiting is not the end: a closed socket reads as end-of-file (a restarted
 * server also sends a FATAL message first, which libpq takes as a notice).
 */
static int socket_alive(PGconn *pg)
{
	int round, fd = PQsocket(pg);

	for (round = 0; round < 3; round++) {
		struct pollfd pfd = {fd, POLLIN, 0};
		PGnotify *n;
		ssize_t got;
		char b;
		int r = poll(&pfd, 1, 0);

		if (r == 0)
			return 1;
		if (r < 0)
			return errno == EINTR;
		if (pfd.revents & (POLLERR | POLLHUP | POLLNVAL))
			return 0;
		got = recv(fd, &b, 1, MSG_PEEK | MSG_DONTWAIT);
		if (got == 0)
			return 0;
		if (got < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
		if (!PQconsumeInput(pg) || PQstatus(pg) != CONNECTION_OK)
			return 0;
		while ((n = PQnotifies(pg)) != NULL)
			PQfreemem(n);
	}
	return PQstatus(pg) == CONNECTION_OK;
}

/*
 * Checks a borrowed connection, without mu held; returns -1 when it is fit
 * to hand out, else why it must go.
 */
int pool_conn_check(pp_pool *p, pp_pool_conn *c, long long deadline)
{
	long long now = pp_now_ms();
	pp_err err;

	if (c->expires_ms && now >= c->expires_ms)
		return PP_POOL_DISCARD_LIFETIME;
	if (PQstatus(c->pg) != CONNECTION_OK || PQtransactionStatus(c->pg) != PQTRANS_IDLE ||
	    !socket_alive(c->pg))
		return PP_POOL_DISCARD_BROKEN;
	if (now - c->last_used_ms > p->o.validate_after_ms) {
		long long until = now + p->o.connect_timeout_ms;
		if (deadline > now && deadline < until)
			until = deadline;
		/* The empty query is the cheapest round trip there is. */
		if (pp_db_exec_deadline(c->pg, "", until, NULL, &err) != PP_OK)
			return PP_POOL_DISCARD_BROKEN;
	}
	return -1;
}

/* Reads and drops results until none is pending or the deadline passes; 1: none pending. */
static int drain(PGconn *pg, long long deadline)
{
	for (;;) {
		PGresult *res;

		while (PQisBusy(pg)) {
			struct pollfd pfd = {PQsocket(pg), POLLIN, 0};
			long long left = deadline - pp_now_ms();

			if (left <= 0)
				return 0;
			if (poll(&pfd, 1, (int)left) > 0 && !PQconsumeInput(pg))
				return 0;
		}
		res = PQgetResult(pg);
		if (res == NULL)
			return 1;
		PQclear(res);
	}
}

/*
 * Stops the query in flight before the connection is closed: closing alone
 * leaves the server running it to the end. A cancel that arrives before the
 * server has read the query is lost, so it is sent again.
 */
static void cancel_query(PGconn *pg, int timeout_ms)
{
	long long deadline = pp_now_ms() + timeout_ms;
	int tries;

	for (tries = 0; tries < 5 && pp_now_ms() < deadline; tries++) {
		PGcancel *cancel = PQgetCancel(pg);
		long long until = pp_now_ms() + 100 * (tries + 1);
		char errbuf[256];

		if (cancel == NULL)
			return;
		if (!PQcancel(cancel, errbuf, sizeof(errbuf)))
			pp_log(PP_LOG_DEBUG, "pool: cancel failed: %s", errbuf);
		PQfreeCancel(cancel);
		if (drain(pg, until < deadline ? until : deadline))
			return;
	}
	pp_log(PP_LOG_WARN, "pool: a query in flight did not stop when cancelled; closing its "
			    "connection anyway");
}

/* Brings a returned connection back to idle, or says why it cannot be kept (-1: kept). */
int pool_conn_reset(pp_pool *p, pp_pool_conn *c, int *rolled_back)
{
	pp_err err;

	if (c->broken || PQstatus(c->pg) != CONNECTION_OK)
		return PP_POOL_DISCARD_LOST;
	switch (PQtransactionStatus(c->pg)) {
	case PQTRANS_IDLE:
		break;
	case PQTRANS_INTRANS:
	case PQTRANS_INERROR:
		if (pp_db_exec_deadline(c->pg, pp_db_sql("tx.sql", "rollback"),
					pp_now_ms() + p->o.rollback_timeout_ms, NULL,
					&err) != PP_OK ||
		    PQtransactionStatus(c->pg) != PQTRANS_IDLE)
			return PQstatus(c->pg) == CONNECTION_OK ? PP_POOL_DISCARD_ROLLBACK
								: PP_POOL_DISCARD_LOST;
		*rolled_back = 1;
		break;
	case PQTRANS_ACTIVE:
		/* Its results would be read by the next borrower. */
		cancel_query(c->pg, p->o.rollback_timeout_ms);
		return PP_POOL_DISCARD_CANCELLED;
	default:
		return PP_POOL_DISCARD_LOST;
	}
	if (c->expires_ms && pp_now_ms() >= c->expires_ms)
		return PP_POOL_DISCARD_LIFETIME;
	return -1;
}

PGconn *pp_pool_conn_pg(pp_pool_conn *c)
{
	return c->pg;
}

void pp_pool_conn_discard(pp_pool_conn *c)
{
	if (c)
		c->broken = 1;
}
