/* migrate.c: the migration runner (see migrate.h). */
#include "db/migrate.h"

#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/buf.h"
#include "db/conn.h"
#include "db/sql.h"
#include "version.h"

const char *pp_mig_state_str(pp_mig_state s)
{
	switch (s) {
	case PP_MIG_APPLIED:
		return "applied";
	case PP_MIG_PENDING:
		return "pending";
	case PP_MIG_OUT_OF_ORDER:
		return "out-of-order";
	case PP_MIG_CHANGED:
		return "changed";
	case PP_MIG_MISSING:
		return "missing";
	}
	return "?";
}

static void emit(const pp_mig_opts *o, pp_mig_event_kind kind, const pp_mig *m, long long ms,
		 const char *text)
{
	pp_mig_event ev = {kind, m, ms, text};

	if (o && o->on_event)
		o->on_event(o->ctx, &ev);
}

void pp_mig_status_free(pp_mig_status *st)
{
	if (st == NULL)
		return;
	free(st->rows);
	memset(st, 0, sizeof(*st));
}

static int has_history(PGconn *conn, pp_err *err)
{
	PGresult *res;
	int yes;

	if (pp_db_exec(conn, pp_db_sql("migrate.sql", "has_history"), &res, err) != PP_OK)
		return -1;
	yes = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
	PQclear(res);
	return yes;
}

int pp_mig_db_version(PGconn *conn, pp_err *err)
{
	PGresult *res;
	int h = has_history(conn, err), v;

	if (h <= 0)
		return h;
	if (pp_db_exec(conn, pp_db_sql("migrate.sql", "db_version"), &res, err) != PP_OK)
		return -1;
	v = (int)strtol(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return v;
}

/* An integer column's value; the server only sends digits for one. */
static long int_field(const PGresult *res, int row, int col)
{
	return strtol(PQgetvalue(res, row, col), NULL, 10);
}

static void copy_field(char *dst, size_t size, const PGresult *res, int row, int col)
{
	snprintf(dst, size, "%s", PQgetisnull(res, row, col) ? "" : PQgetvalue(res, row, col));
}

/* Fills st->rows from the history rows and the files, merged by version. */
static pp_rc merge(pp_mig_status *st, const PGresult *hist, const pp_mig_set *set)
{
	int nh = hist ? PQntuples(hist) : 0;
	size_t fi = 0, cap = (size_t)nh + set->count;
	int hi = 0;

	st->rows = calloc(cap ? cap : 1, sizeof(*st->rows));
	if (st->rows == NULL)
		return PP_ENOMEM;
	while (hi < nh || fi < set->count) {
		pp_mig_row *r = &st->rows[st->count++];
		int hv = hi < nh ? (int)int_field(hist, hi, 0) : 0;
		const pp_mig *f = fi < set->count ? &set->items[fi] : NULL;

		if (hi < nh && (f == NULL || hv <= f->version)) {
			r->version = hv;
			copy_field(r->name, sizeof(r->name), hist, hi, 1);
			copy_field(r->applied_checksum, sizeof(r->applied_checksum), hist, hi, 2);
			copy_field(r->applied_at, sizeof(r->applied_at), hist, hi, 3);
			copy_field(r->applied_by, sizeof(r->applied_by), hist, hi, 4);
			r->duration_ms = int_field(hist, hi, 5);
			copy_field(r->kind, sizeof(r->kind), hist, hi, 6);
			if (f && hv == f->version) {
				r->file = f;
				r->state = strcmp(f->checksum, r->applied_checksum) == 0
						   ? PP_MIG_APPLIED
						   : PP_MIG_CHANGED;
				fi++;
			} else {
				r->state = PP_MIG_MISSING;
			}
			if (hv > st->db_version)
				st->db_version = hv;
			hi++;
		} else {
			r->version = f->version;
			snprintf(r->name, sizeof(r->name), "%s", f->name);
			r->file = f;
			r->state = PP_MIG_PENDING;
			fi++;
		}
	}
	return PP_OK;
}

pp_rc pp_mig_status_read(PGconn *conn, const pp_mig_set *set, pp_mig_status *st, pp_err *err)
{
	PGresult *hist = NULL;
	size_t i;
	int h;
	pp_rc rc;

	memset(st, 0, sizeof(*st));
	h = has_history(conn, err);
	if (h < 0)
		return PP_EDB;
	st->has_history = h;
	if (h &&
	    (rc = pp_db_exec(conn, pp_db_sql("migrate.sql", "read_history"), &hist, err)) != PP_OK)
		return rc;
	rc = merge(st, hist, set);
	PQclear(hist);
	if (rc != PP_OK)
		return pp_err_set(err, rc, "out of memory");
	st->file_version = pp_mig_latest(set);
	for (i = 0; i < st->count; i++) {
		pp_mig_row *r = &st->rows[i];
		if (r->state == PP_MIG_PENDING && r->version < st->db_version)
			r->state = PP_MIG_OUT_OF_ORDER;
		st->n_pending += r->state == PP_MIG_PENDING;
		st->n_out_of_order += r->state == PP_MIG_OUT_OF_ORDER;
		st->n_changed += r->state == PP_MIG_CHANGED;
		st->n_missing += r->state == PP_MIG_MISSING;
	}
	return PP_OK;
}

pp_rc pp_mig_plan(const pp_mig_status *st, const pp_mig_opts *o, const pp_mig ***todo, size_t *n,
		  pp_err *err)
{
	int to = o->to_version;
	size_t i;

	*todo = NULL;
	*n = 0;
	if (st->n_changed || st->n_missing) {
		pp_err_set(err, PP_ECONFLICT, "the applied migrations do not match the files:");
		for (i = 0; i < st->count; i++) {
			const pp_mig_row *r = &st->rows[i];
			if (r->state == PP_MIG_CHANGED)
				pp_err_append(
					err,
					"  %s was changed after it was applied on %s (checksum %.12s "
					"then, %.12s now)",
					r->file->origin, r->applied_at, r->applied_checksum,
					r->file->checksum);
			else if (r->state == PP_MIG_MISSING)
				pp_err_append(
					err,
					"  version %d (%s), applied on %s, has no file here: is this "
					"planpipe older than the database?",
					r->version, r->name, r->applied_at);
		}
		pp_err_append(err, "An applied migration is never edited: restore the file and "
				   "write a new migration for the change (docs/migrations.md).");
		return PP_ECONFLICT;
	}
	if (to > 0) {
		int known = 0;
		for (i = 0; i < st->count; i++)
			known |= st->rows[i].version == to;
		if (!known)
			return pp_err_set(err, PP_EINVAL, "--to %d: there is no migration %04d", to,
					  to);
	}
	if (st->n_out_of_order && !o->allow_out_of_order) {
		pp_err_set(
			err, PP_ECONFLICT,
			"these migrations were never applied, and the database already has version "
			"%d, above them:",
			st->db_version);
		for (i = 0; i < st->count; i++)
			if (st->rows[i].state == PP_MIG_OUT_OF_ORDER)
				pp_err_append(err, "  %s", st->rows[i].file->origin);
		pp_err_append(err,
			      "Renumber them above %04d, or apply them anyway with "
			      "--allow-out-of-order if they do not depend on the order.",
			      st->db_version);
		return PP_ECONFLICT;
	}
	*todo = calloc(st->count ? st->count : 1, sizeof(**todo));
	if (*todo == NULL)
		return pp_err_set(err, PP_ENOMEM, "out of memory");
	for (i = 0; i < st->count; i++) {
		const pp_mig_row *r = &st->rows[i];
		if ((r->state == PP_MIG_PENDING || r->state == PP_MIG_OUT_OF_ORDER) &&
		    (to == 0 || r->version <= to))
			(*todo)[(*n)++] = r->file;
	}
	return PP_OK;
}

/* Describes the lock's holder into out; the text is only for people, so it may be cut. */
static pp_rc describe_holder(PGconn *conn, pp_buf *out)
{
	PGresult *res;
	pp_err ignored;
	pp_rc rc = PP_OK;
	int i;

	if (pp_db_exec(conn, pp_db_sql("migrate.sql", "lock_holder"), &res, &ignored) != PP_OK)
		return pp_buf_adds(out, "another session (its details could not be read)");
	if (PQntuples(res) == 0)
		rc = pp_buf_adds(out, "another session, which has just released it");
	for (i = 0; rc == PP_OK && i < PQntuples(res); i++)
		rc = pp_buf_printf(out,
				   "pid %s (application_name '%s', user %s, from %s), connected "
				   "since %s (%ss ago), now %s",
				   PQgetvalue(res, i, 0), PQgetvalue(res, i, 1),
				   PQgetvalue(res, i, 2), PQgetvalue(res, i, 3),
				   PQgetvalue(res, i, 4), PQgetvalue(res, i, 5),
				   PQgetvalue(res, i, 6));
	PQclear(res);
	return rc;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

/*
 * Polls for the lock: each try is a short autocommit statement, so between
 * tries this session holds no snapshot and blocks nobody.
 */
static pp_rc lock_acquire(PGconn *conn, const pp_mig_opts *o, pp_err *err)
{
	long long start = pp_now_ms(), deadline = start + o->lock_timeout_ms;
	long delay = 50;
	int told = 0;

	for (;;) {
		PGresult *res;
		int got;
		pp_rc rc = pp_db_exec(conn, pp_db_sql("migrate.sql", "try_lock"), &res, err);

		if (rc != PP_OK)
			return rc;
		got = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
		PQclear(res);
		if (got) {
			emit(o, PP_MIG_EV_LOCKED, NULL, pp_now_ms() - start, NULL);
			return PP_OK;
		}
		if (!told || pp_now_ms() >= deadline) {
			pp_buf who;
			pp_buf_init(&who, 4096);
			if (describe_holder(conn, &who) != PP_OK)
				pp_buf_reset(&who); /* over the cap: say less rather than half */
			if (pp_now_ms() >= deadline) {
				pp_err_set(
					err, PP_EBUSY,
					"another migration runner has held the lock for more than %d ms: "
					"%s",
					o->lock_timeout_ms, pp_buf_str(&who));
				pp_buf_free(&who);
				return PP_EBUSY;
			}
			emit(o, PP_MIG_EV_WAITING, NULL, 0, pp_buf_str(&who));
			pp_buf_free(&who);
			told = 1;
		}
		/* Back off to 1 s, with jitter so that many waiters do not poll in step. */
		sleep_ms(delay / 2 + rand() % (delay / 2 + 1));
		if (delay < 1000)
			delay *= 2;
	}
}

static void lock_release(PGconn *conn)
{

	/* Closing the connection releases it too; this is for a caller that goes on. */
	pp_db_exec_quiet(conn, pp_db_sql("migrate.sql", "unlock"));
}

static pp_rc ensure_history(PGconn *conn, pp_err *err)
{
	int h = has_history(conn, err);
	pp_rc rc;

	if (h < 0)
		return PP_EDB;
	if (h)
		return PP_OK;
	rc = pp_db_exec(conn, pp_db_sql("tx.sql", "begin"), NULL, err);
	if (rc == PP_OK)
		rc = pp_db_exec(conn, pp_db_sql("migrate.sql", "create_history"), NULL, err);
	if (rc == PP_OK)
		rc = pp_db_exec(conn, pp_db_sql("migrate.sql", "comment_history"), NULL, err);
	if (rc == PP_OK)
		rc = pp_db_exec(conn, pp_db_sql("tx.sql", "commit"), NULL, err);
	if (rc != PP_OK) {
		pp_db_exec_quiet(conn, pp_db_sql("tx.sql", "rollback"));
	}
	return rc;
}

/* "user@host" of this process, for applied_by. */
static void os_identity(char *out, size_t size)
{
	struct passwd *pw = getpwuid(geteuid());
	char host[256] = "?";

	gethostname(host, sizeof(host) - 1);
	host[sizeof(host) - 1] = '\0';
	snprintf(out, size, "%s@%s", pw ? pw->pw_name : "?", host);
}

static pp_rc insert_history(PGconn *conn, const pp_mig *m, long long ms, const char *kind,
			    pp_err *err)
{
	char version[16], duration[24], who[320];
	const char *params[7];

	snprintf(version, sizeof(version), "%d", m->version);
	snprintf(duration, sizeof(duration), "%lld", ms);
	os_identity(who, sizeof(who));
	params[0] = version;
	params[1] = m->name;
	params[2] = m->checksum;
	params[3] = who;
	params[4] = duration;
	params[5] = PP_VERSION;
	params[6] = kind;
	return pp_db_execp(conn, pp_db_sql("migrate.sql", "insert_history"), 7, params, NULL, err);
}

typedef struct notice_ctx {
	const pp_mig_opts *o;
	const pp_mig *m;
} notice_ctx;

static void on_notice(void *arg, const PGresult *res)
{
	notice_ctx *nc = arg;
	char text[1024];
	size_t len;

	snprintf(text, sizeof(text), "%s", PQresultErrorMessage(res));
	len = strlen(text);
	while (len > 0 && text[len - 1] == '\n')
		text[--len] = '\0';
	emit(nc->o, PP_MIG_EV_NOTICE, nc->m, 0, text);
}

/* Drains a COPY that a migration started: migrations have no data stream. */
static void abort_copy(PGconn *conn, ExecStatusType st)
{
	PGresult *res;
	char *buf;

	if (st == PGRES_COPY_IN)
		PQputCopyEnd(conn,
			     "planpipe migrate: COPY FROM STDIN is not supported in migrations");
	else if (st == PGRES_COPY_OUT)
		while (PQgetCopyData(conn, &buf, 0) > 0)
			PQfreemem(buf);
	while ((res = PQgetResult(conn)) != NULL)
		PQclear(res);
}

/* Runs statement i of m; on error fills err with file, line, SQLSTATE and message. */
static pp_rc run_statement(PGconn *conn, const pp_mig *m, size_t i, pp_err *err)
{
	const pp_sql_stmt *st = &m->script.stmts[i];
	char *sql = strndup(m->sql + st->offset, st->len);
	PGresult *res;
	ExecStatusType status;
	const char *pos, *ctx;
	int line = st->line;

	if (sql == NULL)
		return pp_err_set(err, PP_ENOMEM, "out of memory");
	res = PQexec(conn, sql);
	free(sql);
	status = PQresultStatus(res);
	if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) {
		PQclear(res);
		return PP_OK;
	}
	if (status == PGRES_COPY_IN || status == PGRES_COPY_OUT || status == PGRES_COPY_BOTH) {
		PQclear(res);
		abort_copy(conn, status);
		pp_err_set(err, PP_EINVAL,
			   "COPY FROM STDIN / TO STDOUT cannot run in a migration: "
			   "it has no data stream");
		pp_err_at(err, m->origin, line);
		return PP_EINVAL;
	}
	pos = PQresultErrorField(res, PG_DIAG_STATEMENT_POSITION);
	if (pos)
		line = pp_sql_line_of(m->sql, st, strtol(pos, NULL, 10));
	pp_db_err(err, conn, res, NULL);
	ctx = PQresultErrorField(res, PG_DIAG_CONTEXT);
	if (ctx)
		pp_err_append(err, "CONTEXT: %s", ctx);
	PQclear(res);
	pp_err_at(err, m->origin, line);
	return PP_EDB;
}

/* SET [LOCAL] the timeouts a migration asks for. */
static pp_rc set_timeouts(PGconn *conn, const pp_mig *m, int local, pp_err *err)
{
	const char *sql = pp_db_sql("migrate.sql", local ? "set_local" : "set_session");
	const char *p[2];
	pp_rc rc = PP_OK;

	if (m->lock_timeout) {
		p[0] = "lock_timeout";
		p[1] = m->lock_timeout;
		rc = pp_db_execp(conn, sql, 2, p, NULL, err);
	}
	if (rc == PP_OK && m->statement_timeout) {
		p[0] = "statement_timeout";
		p[1] = m->statement_timeout;
		rc = pp_db_execp(conn, sql, 2, p, NULL, err);
	}
	return rc;
}

static pp_rc apply_in_transaction(PGconn *conn, const pp_mig *m, long long *ms, pp_err *err)
{
	long long start = pp_now_ms();
	size_t i;
	pp_rc rc = pp_db_exec(conn, pp_db_sql("tx.sql", "begin"), NULL, err);

	if (rc == PP_OK)
		rc = set_timeouts(conn, m, 1, err);
	for (i = 0; rc == PP_OK && i < m->script.count; i++)
		rc = run_statement(conn, m, i, err);
	*ms = pp_now_ms() - start;
	if (rc == PP_OK)
		rc = insert_history(conn, m, *ms, "applied", err);
	if (rc == PP_OK) {
		rc = pp_db_exec(conn, pp_db_sql("tx.sql", "commit"), NULL, err);
		if (rc != PP_OK)
			pp_err_at(err, m->origin, 0); /* a deferred constraint */
	}
	if (rc != PP_OK && PQtransactionStatus(conn) != PQTRANS_IDLE)
		pp_db_exec_quiet(conn, pp_db_sql("tx.sql", "rollback"));
	return rc;
}

/* Lists indexes left invalid, e.g. by a failed CREATE INDEX CONCURRENTLY. */
static pp_rc invalid_indexes(PGconn *conn, char *out, size_t size, pp_err *err)
{
	PGresult *res;
	pp_rc rc = pp_db_exec(conn, pp_db_sql("migrate.sql", "invalid_indexes"), &res, err);

	out[0] = '\0';
	if (rc != PP_OK)
		return rc;
	copy_field(out, size, res, 0, 0);
	PQclear(res);
	return PP_OK;
}

static pp_rc apply_without_transaction(PGconn *conn, const pp_mig *m, long long *ms, pp_err *err)
{
	long long start = pp_now_ms();
	char invalid[1024];
	pp_err ignored;
	pp_rc rc = set_timeouts(conn, m, 0, err);

	if (rc == PP_OK)
		rc = run_statement(conn, m, 0, err);
	*ms = pp_now_ms() - start;
	pp_db_exec_quiet(conn, pp_db_sql("migrate.sql", "reset_lock_timeout"));
	pp_db_exec_quiet(conn, pp_db_sql("migrate.sql", "reset_statement_timeout"));
	if (invalid_indexes(conn, invalid, sizeof(invalid), &ignored) == PP_OK && invalid[0]) {
		if (rc == PP_OK) {
			pp_err_set(err, PP_ECONFLICT, "the database has invalid indexes: %s",
				   invalid);
			pp_err_at(err, m->origin, m->script.stmts[0].line);
			rc = PP_ECONFLICT;
		}
		pp_err_append(err,
			      "HINT: a failed CREATE INDEX CONCURRENTLY leaves an invalid index "
			      "behind (and IF NOT EXISTS then skips it). Drop it with DROP INDEX "
			      "CONCURRENTLY %s; then run migrate up again.",
			      invalid);
	}
	if (rc == PP_OK)
		rc = insert_history(conn, m, *ms, "applied", err);
	return rc;
}

static pp_rc run_maintenance(PGconn *conn, const pp_mig_opts *o, pp_err *err)
{
	PGresult *res;
	pp_rc rc = pp_db_exec(conn, pp_db_sql("migrate.sql", "has_maintenance"), &res, err);
	int has;

	if (rc != PP_OK)
		return rc;
	has = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
	PQclear(res);
	if (!has)
		return PP_OK;
	rc = pp_db_exec(conn, pp_db_sql("migrate.sql", "maintenance"), &res, err);
	if (rc != PP_OK) {
		pp_err_prefix(err,
			      "the migrations were applied, but planpipe_maintenance() failed: ");
		return rc;
	}
	emit(o, PP_MIG_EV_MAINTENANCE, NULL, 0,
	     PQgetisnull(res, 0, 0) ? "" : PQgetvalue(res, 0, 0));
	PQclear(res);
	return PP_OK;
}

/* Under the lock: re-reads the history (another runner may have applied some) and applies. */
static pp_rc up_locked(PGconn *conn, const pp_mig_set *set, const pp_mig_opts *o, int *applied,
		       pp_err *err)
{
	const pp_mig **todo = NULL;
	notice_ctx nc = {o, NULL};
	PQnoticeReceiver old;
	pp_mig_status st;
	size_t n = 0, i;
	pp_rc rc;

	rc = ensure_history(conn, err);
	if (rc == PP_OK)
		rc = pp_mig_status_read(conn, set, &st, err);
	else
		memset(&st, 0, sizeof(st));
	if (rc == PP_OK)
		rc = pp_mig_plan(&st, o, &todo, &n, err);
	old = PQsetNoticeReceiver(conn, on_notice, &nc);
	for (i = 0; rc == PP_OK && i < n; i++) {
		long long ms = 0;
		nc.m = todo[i];
		emit(o, PP_MIG_EV_APPLYING, todo[i], 0, NULL);
		rc = todo[i]->no_transaction ? apply_without_transaction(conn, todo[i], &ms, err)
					     : apply_in_transaction(conn, todo[i], &ms, err);
		if (rc == PP_OK) {
			emit(o, PP_MIG_EV_APPLIED, todo[i], ms, NULL);
			if (applied)
				(*applied)++;
		}
	}
	nc.m = NULL;
	if (rc == PP_OK)
		rc = run_maintenance(conn, o, err);
	PQsetNoticeReceiver(conn, old, NULL);
	free(todo);
	pp_mig_status_free(&st);
	return rc;
}

pp_rc pp_mig_up(PGconn *conn, const pp_mig_set *set, const pp_mig_opts *o, int *applied,
		pp_err *err)
{
	pp_rc rc;

	if (applied)
		*applied = 0;
	rc = lock_acquire(conn, o, err);
	if (rc != PP_OK)
		return rc;
	rc = up_locked(conn, set, o, applied, err);
	lock_release(conn);
	return rc;
}

pp_rc pp_mig_baseline(PGconn *conn, const pp_mig_set *set, int version, const pp_mig_opts *o,
		      pp_err *err)
{
	pp_rc rc;
	int dbv;
	size_t i;

	if (pp_mig_find(set, version) == NULL)
		return pp_err_set(err, PP_EINVAL, "baseline %d: there is no migration %04d",
				  version, version);
	rc = lock_acquire(conn, o, err);
	if (rc != PP_OK)
		return rc;
	rc = ensure_history(conn, err);
	dbv = rc == PP_OK ? pp_mig_db_version(conn, err) : -1;
	if (rc == PP_OK && dbv < 0)
		rc = PP_EDB;
	if (rc == PP_OK && dbv > 0)
		rc = pp_err_set(
			err, PP_ECONFLICT,
			"the database already has migration history (version %d): baseline is "
			"only for a database that has none",
			dbv);
	if (rc == PP_OK)
		rc = pp_db_exec(conn, pp_db_sql("tx.sql", "begin"), NULL, err);
	for (i = 0; rc == PP_OK && i < set->count && set->items[i].version <= version; i++)
		rc = insert_history(conn, &set->items[i], 0, "baseline", err);
	if (rc == PP_OK)
		rc = pp_db_exec(conn, pp_db_sql("tx.sql", "commit"), NULL, err);
	if (rc != PP_OK && PQtransactionStatus(conn) != PQTRANS_IDLE)
		pp_db_exec_quiet(conn, pp_db_sql("tx.sql", "rollback"));
	lock_release(conn);
	return rc;
}
