/* conn.c: connections with a deadline (see conn.h). */
#include "db/conn.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

long long pp_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

#define MASK "********"

/* Replaces every occurrence of secret[0..n) in msg (a NUL-terminated buffer of size) with MASK. */
static void mask_span(char *msg, size_t size, const char *secret, size_t n)
{
	char *out;
	size_t o = 0;
	const char *p = msg;

	if (n == 0 || size == 0)
		return;
	out = malloc(size);
	if (out == NULL) {
		snprintf(msg, size, "(message withheld: it may hold a password)");
		return;
	}
	while (*p && o + 1 < size) {
		if (strncmp(p, secret, n) == 0) {
			size_t m = strlen(MASK) < size - 1 - o ? strlen(MASK) : size - 1 - o;
			memcpy(out + o, MASK, m);
			o += m;
			p += n;
		} else {
			out[o++] = *p++;
		}
	}
	out[o] = '\0';
	memcpy(msg, out, o + 1);
	free(out);
}

/*
 * The password as it is written in a connection string, found without
 * libpq (which is what failed): in a URI, between the user's ':' and the
 * '@' (libpq looks for '@' up to the first '/'), or a password= parameter;
 * in key=value form, the value of password. Masks each in msg.
 */
static void mask_conninfo_password(const char *ci, char *msg, size_t size)
{
	const char *p, *at, *colon;
	size_t n;

	if (strncmp(ci, "postgresql://", 13) == 0 || strncmp(ci, "postgres://", 11) == 0) {
		p = strstr(ci, "://") + 3;
		n = strcspn(p, "/");
		at = memchr(p, '@', n);
		/* The last '@' before the host: a password may hold '@' unescaped. */
		while (at && memchr(at + 1, '@', n - (size_t)(at + 1 - p)))
			at = memchr(at + 1, '@', n - (size_t)(at + 1 - p));
		colon = at ? memchr(p, ':', (size_t)(at - p)) : NULL;
		if (colon) {
			const char *first = memchr(colon, '@', (size_t)(at - colon));
			mask_span(msg, size, colon + 1, (size_t)(at - colon - 1));
			/* libpq's view: the password ends at the first '@', the host follows. */
			if (first && first != at) {
				mask_span(msg, size, colon + 1, (size_t)(first - colon - 1));
				mask_span(msg, size, first + 1, (size_t)(at - first - 1));
			}
		}
	}
	for (p = ci; (p = strstr(p, "password")) != NULL; p += 8) {
		const char *v = p + 8;
		while (*v == ' ' || *v == '\t')
			v++;
		if (*v != '=')
			continue;
		v++;
		while (*v == ' ' || *v == '\t')
			v++;
		if (*v == '\'') {
			v++;
			for (n = 0; v[n] && v[n] != '\''; n++)
				if (v[n] == '\\' && v[n + 1])
					n++;
		} else {
			n = strcspn(v, " \t&");
		}
		mask_span(msg, size, v, n);
	}
}

void pp_db_mask_secrets(const pp_config *cfg, char *msg, size_t size)
{
	if (cfg->database_url)
		mask_conninfo_password(cfg->database_url, msg, size);
	if (cfg->password)
		mask_span(msg, size, cfg->password, strlen(cfg->password));
}

pp_rc pp_db_check_config(const pp_config *cfg, pp_err *err)
{
	PQconninfoOption *opts;
	char *msg = NULL;

	if (cfg->database_url == NULL)
		return PP_OK;
	opts = PQconninfoParse(cfg->database_url, &msg);
	if (opts == NULL) {
		pp_err_set(err, PP_EINVAL, "DATABASE_URL is not a valid connection string: %s",
			   msg ? msg : "out of memory");
		/* libpq's messages end in a newline. */
		if (strlen(err->msg) > 0 && err->msg[strlen(err->msg) - 1] == '\n')
			err->msg[strlen(err->msg) - 1] = '\0';
		/* libpq quotes the part it could not read: the URL, or the password itself. */
		pp_db_mask_secrets(cfg, err->msg, sizeof(err->msg));
		PQfreemem(msg);
		return PP_EINVAL;
	}
	PQconninfoFree(opts);
	return PP_OK;
}

/* Copies libpq's message without its trailing newline. */
static void trim_into(char *dst, size_t size, const char *src)
{
	size_t len;

	snprintf(dst, size, "%s", src ? src : "");
	len = strlen(dst);
	while (len > 0 && (dst[len - 1] == '\n' || dst[len - 1] == ' '))
		dst[--len] = '\0';
}

pp_rc pp_db_connect(const pp_config *cfg, const char *appname, int timeout_ms, PGconn **out,
		    pp_err *err)
{
	const char *keys[16], *vals[16];
	char timeout_s[16];
	long long deadline = pp_now_ms() + timeout_ms;
	PostgresPollingStatusType st = PGRES_POLLING_WRITING;
	PGconn *conn;
	int n = 0;

	*out = NULL;
	/*
	 * Later keywords win, and the URL is expanded in place of "dbname", so
	 * the URL can override these. Keepalives find a peer that vanished
	 * while the connection idles; tcp_user_timeout one that vanished while
	 * data was unacknowledged (both ignored on unix sockets).
	 */
	keys[n] = "keepalives";
	vals[n++] = "1";
	keys[n] = "keepalives_idle";
	vals[n++] = "30";
	keys[n] = "keepalives_interval";
	vals[n++] = "10";
	keys[n] = "keepalives_count";
	vals[n++] = "3";
	keys[n] = "tcp_user_timeout";
	vals[n++] = "30000";
	if (cfg->password) {
		keys[n] = "password";
		vals[n++] = cfg->password;
	}
	if (cfg->database_url) {
		keys[n] = "dbname";
		vals[n++] = cfg->database_url;
	}
	keys[n] = "fallback_application_name";
	vals[n++] = appname;
	snprintf(timeout_s, sizeof(timeout_s), "%d", (timeout_ms + 999) / 1000);
	keys[n] = "connect_timeout";
	vals[n++] = timeout_s;
	keys[n] = NULL;
	vals[n] = NULL;

	conn = PQconnectStartParams(keys, vals, 1);
	if (conn == NULL)
		return pp_err_set(err, PP_ENOMEM, "out of memory starting a connection");
	if (PQstatus(conn) == CONNECTION_BAD)
		goto failed;
	while (st != PGRES_POLLING_OK) {
		struct pollfd pfd;
		long long left = deadline - pp_now_ms();
		int r;

		if (st == PGRES_POLLING_FAILED)
			goto failed;
		if (left <= 0) {
			PQfinish(conn);
			return pp_err_set(err, PP_ETIMEDOUT,
					  "could not connect to the database within %d ms",
					  timeout_ms);
		}
		pfd.fd = PQsocket(conn);
		pfd.events = st == PGRES_POLLING_READING ? POLLIN : POLLOUT;
		pfd.revents = 0;
		r = poll(&pfd, 1, (int)(left > 1000 ? 1000 : left));
		if (r < 0 && errno != EINTR) {
			PQfinish(conn);
			return pp_err_set(err, PP_EIO, "poll: %s", strerror(errno));
		}
		if (r > 0)
			st = PQconnectPoll(conn);
	}
	*out = conn;
	return PP_OK;
failed:
	pp_err_set(err, PP_ECONNECT, "could not connect to the database: ");
	trim_into(err->msg + strlen(err->msg), sizeof(err->msg) - strlen(err->msg),
		  PQerrorMessage(conn));
	pp_db_mask_secrets(cfg, err->msg, sizeof(err->msg));
	PQfinish(conn);
	return PP_ECONNECT;
}

/* A violation whose DETAIL is the failing row, or a DETAIL that is one. */
static int detail_is_row(const char *state, const char *detail)
{
	static const char row[] = "Failing row contains";

	if (state && (strcmp(state, "23514") == 0 || strcmp(state, "23502") == 0))
		return 1;
	return strncmp(detail, row, sizeof(row) - 1) == 0;
}

pp_rc pp_db_err_diag(pp_err *err, const pp_db_diag *d, const char *what)
{
	const char *state = d->sqlstate;
	const char *sev = d->severity && strcmp(d->severity, "ERROR") != 0 ? d->severity : NULL;
	char where[256] = "";

	if (err == NULL)
		return PP_EDB;
	if (state == NULL || strncmp(state, "PP", 2) != 0)
		snprintf(where, sizeof(where), " (SQLSTATE %s%s%s%s%s)", state ? state : "?????",
			 d->column ? ", column " : "", d->column && d->table ? d->table : "",
			 d->column && d->table ? "." : "", d->column ? d->column : "");
	pp_err_set(err, PP_EDB, "%s%s%s%s%s%s", what ? what : "", what ? ": " : "", sev ? sev : "",
		   sev ? ": " : "", d->primary ? d->primary : "", where);
	if (d->detail && !detail_is_row(state, d->detail))
		pp_err_append(err, "DETAIL: %s", d->detail);
	if (d->hint)
		pp_err_append(err, "HINT: %s", d->hint);
	if (state)
		snprintf(err->sqlstate, sizeof(err->sqlstate), "%s", state);
	return PP_EDB;
}

pp_rc pp_db_err(pp_err *err, PGconn *conn, const PGresult *res, const char *what)
{
	pp_db_diag d = {0};
	char msg[1024];

	if (res) {
		d.severity = PQresultErrorField(res, PG_DIAG_SEVERITY_NONLOCALIZED);
		d.sqlstate = PQresultErrorField(res, PG_DIAG_SQLSTATE);
		d.primary = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
		d.detail = PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL);
		d.hint = PQresultErrorField(res, PG_DIAG_MESSAGE_HINT);
		d.table = PQresultErrorField(res, PG_DIAG_TABLE_NAME);
		d.column = PQresultErrorField(res, PG_DIAG_COLUMN_NAME);
	}
	if (d.primary == NULL) {
		trim_into(msg, sizeof(msg),
			  res && *PQresultErrorMessage(res) ? PQresultErrorMessage(res)
							    : PQerrorMessage(conn));
		return pp_err_set(err, PP_EDB, "%s%s%s", what ? what : "", what ? ": " : "", msg);
	}
	return pp_db_err_diag(err, &d, what);
}

pp_rc pp_db_execp(PGconn *conn, const char *sql, int n, const char *const *params, PGresult **out,
		  pp_err *err)
{
	PGresult *res =
		n > 0 ? PQexecParams(conn, sql, n, NULL, params, NULL, NULL, 0) : PQexec(conn, sql);
	ExecStatusType st = PQresultStatus(res);

	if (out)
		*out = NULL;
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
		pp_db_err(err, conn, res, NULL);
		PQclear(res);
		return PP_EDB;
	}
	if (out)
		*out = res;
	else
		PQclear(res);
	return PP_OK;
}

pp_rc pp_db_exec(PGconn *conn, const char *sql, PGresult **out, pp_err *err)
{
	return pp_db_execp(conn, sql, 0, NULL, out, err);
}

void pp_db_exec_quiet(PGconn *conn, const char *sql)
{
	PQclear(PQexec(conn, sql));
}

void pp_db_print_conninfo(const pp_config *cfg, FILE *out)
{
	PQconninfoOption *defs = PQconndefaults();
	PQconninfoOption *url = NULL;
	PQconninfoOption *o, *u;

	if (defs == NULL)
		return;
	if (cfg->database_url)
		url = PQconninfoParse(cfg->database_url, NULL);
	for (o = defs; o->keyword; o++) {
		const char *val = o->val;
		const char *src = "PG* variable or libpq default";
		int from_url = 0;

		for (u = url; u && u->keyword; u++) {
			if (strcmp(u->keyword, o->keyword) == 0 && u->val) {
				val = u->val;
				src = "DATABASE_URL";
				from_url = 1;
			}
		}
		if (!from_url && strcmp(o->keyword, "password") == 0 && cfg->password) {
			val = cfg->password;
			src = "PGPASSWORD_FILE";
		}
		if (val == NULL || *val == '\0' || *o->dispchar == 'D')
			continue;
		/* libpq marks secrets with dispchar '*'. */
		fprintf(out, "connection %s=%s\t# %s\n", o->keyword,
			*o->dispchar == '*' ? "********" : val, src);
	}
	PQconninfoFree(url);
	PQconninfoFree(defs);
}

/* Waits until conn's result is complete or the deadline passes. */
static pp_rc wait_result(PGconn *conn, long long deadline_ms, pp_err *err)
{
	while (PQisBusy(conn)) {
		struct pollfd pfd;
		long long left = deadline_ms - pp_now_ms();
		int r;

		if (left <= 0)
			return pp_err_set(err, PP_ETIMEDOUT, "no answer from the database in time");
		pfd.fd = PQsocket(conn);
		pfd.events = POLLIN;
		pfd.revents = 0;
		r = poll(&pfd, 1, (int)(left > 1000 ? 1000 : left));
		if (r < 0 && errno != EINTR)
			return pp_err_set(err, PP_EIO, "poll: %s", strerror(errno));
		if (r > 0 && !PQconsumeInput(conn))
			break; /* PQgetResult reports the lost connection */
	}
	return PP_OK;
}

pp_rc pp_db_exec_deadline(PGconn *conn, const char *sql, long long deadline_ms, PGresult **out,
			  pp_err *err)
{
	PGresult *keep = NULL, *res;
	pp_rc rc = PP_OK;

	if (out)
		*out = NULL;
	if (!PQsendQuery(conn, sql))
		goto lost;
	for (;;) {
		rc = wait_result(conn, deadline_ms, err);
		if (rc != PP_OK)
			goto out;
		res = PQgetResult(conn);
		if (res == NULL)
			break;
		/* Keep the last result, or the first error. */
		if (keep && PQresultStatus(keep) == PGRES_FATAL_ERROR) {
			PQclear(res);
		} else {
			PQclear(keep);
			keep = res;
		}
	}
	if (PQstatus(conn) == CONNECTION_BAD)
		goto lost;
	if (keep == NULL ||
	    (PQresultStatus(keep) != PGRES_COMMAND_OK && PQresultStatus(keep) != PGRES_TUPLES_OK &&
	     PQresultStatus(keep) != PGRES_EMPTY_QUERY)) {
		rc = pp_db_err(err, conn, keep, NULL);
		goto out;
	}
	if (out) {
		*out = keep;
		keep = NULL;
	}
	goto out;
lost:
	pp_err_set(err, PP_ECONNECT, "lost the connection to the database: ");
	trim_into(err->msg + strlen(err->msg), sizeof(err->msg) - strlen(err->msg),
		  PQerrorMessage(conn));
	rc = PP_ECONNECT;
out:
	PQclear(keep);
	return rc;
}
