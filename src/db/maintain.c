/* maintain.c: status_history's partitions, step by step (see maintain.h). */
#include "db/maintain.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "db/conn.h"
#include "db/maintain_int.h"
#include "db/sql.h"

#define BUSY_RETRY_MS 200

void pp_maintain_opts_init(pp_maintain_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->months_ahead = 12;
	o->lock_timeout_ms = 10000;
	o->busy_wait_ms = 10000;
}

static void sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

void maintain_hint(pp_err *err)
{
	if (strcmp(err->sqlstate, "42883") == 0)
		pp_err_append(err,
			      "HINT: the schema predates migration 15: run planpipe migrate up");
	else if (strcmp(err->sqlstate, "42501") == 0)
		pp_err_append(err, "HINT: run it as the schema owner, or as a member of "
				   "planpipe_app once migration 15 is applied");
	else if (strcmp(err->sqlstate, "55P03") == 0)
		pp_err_append(err, "HINT: status_history was in use for longer than the lock "
				   "timeout; try again (planpipe maintain --lock-timeout)");
}

/*
 * One step in its own transaction. *done: nothing was left to do; *busy:
 * another session holds the steps' lock. Otherwise *step is filled (its
 * partition points into *res, which the caller PQclear()s).
 */
static pp_rc one_step(PGconn *conn, const pp_maintain_opts *o, PGresult **res, int *done, int *busy,
		      pp_err *err)
{
	char lock_ms[16], stmt_ms[16], ahead[16];
	const char *limits[2] = {lock_ms, stmt_ms}, *params[1] = {ahead};
	pp_rc rc;

	*res = NULL;
	*done = *busy = 0;
	snprintf(ahead, sizeof(ahead), "%d", o->months_ahead);
	snprintf(lock_ms, sizeof(lock_ms), "%d", o->lock_timeout_ms);
	snprintf(stmt_ms, sizeof(stmt_ms), "%d", o->stmt_timeout_ms);
	rc = pp_db_exec(conn, pp_db_sql("tx.sql", "begin"), NULL, err);
	if (rc == PP_OK)
		rc = pp_db_execp(conn, pp_db_sql("maintain.sql", "limits"), 2, limits, NULL, err);
	if (rc == PP_OK)
		rc = pp_db_execp(conn, pp_db_sql("maintain.sql", "step"), 1, params, res, err);
	if (rc == PP_OK)
		rc = pp_db_exec(conn, pp_db_sql("tx.sql", "commit"), NULL, err);
	if (rc != PP_OK) {
		pp_db_exec_quiet(conn, pp_db_sql("tx.sql", "rollback"));
		PQclear(*res);
		*res = NULL;
		maintain_hint(err);
		return rc;
	}
	if (PQntuples(*res) == 0)
		*done = 1;
	else if (strcmp(PQgetvalue(*res, 0, 0), "busy") == 0)
		*busy = 1;
	return PP_OK;
}

pp_rc pp_maintain_history(PGconn *conn, const pp_maintain_opts *o, pp_maintain_result *r,
			  pp_err *err)
{
	long long busy_since = 0;
	PGresult *res;
	pp_maintain_step s;
	int done, busy;
	pp_rc rc;

	memset(r, 0, sizeof(*r));
	if (o->months_ahead < 0 || o->months_ahead > 120)
		return pp_err_set(err, PP_EINVAL, "months ahead: %d is not from 0 to 120",
				  o->months_ahead);
	while (o->cancel == NULL || !atomic_load(o->cancel)) {
		rc = one_step(conn, o, &res, &done, &busy, err);
		if (rc != PP_OK)
			return rc;
		if (done) {
			PQclear(res);
			return PP_OK;
		}
		if (busy) {
			PQclear(res);
			if (busy_since == 0)
				busy_since = pp_now_ms();
			if (pp_now_ms() - busy_since >= o->busy_wait_ms) {
				r->busy = 1;
				return PP_OK;
			}
			sleep_ms(BUSY_RETRY_MS);
			continue;
		}
		busy_since = 0;
		s.moved = strcmp(PQgetvalue(res, 0, 0), "moved") == 0;
		s.partition = PQgetvalue(res, 0, 1);
		s.rows = strtoll(PQgetvalue(res, 0, 2), NULL, 10);
		r->created++;
		r->moved += s.rows;
		if (o->on_step)
			o->on_step(o->ctx, &s);
		PQclear(res);
	}
	return PP_OK;
}

/* ---- The background thread of `planpipe serve`. ---- */

/* Short: a request waiting behind a step waits at most about this long. */
#define SERVE_LOCK_TIMEOUT_MS 2000
#define SERVE_STMT_TIMEOUT_MS 30000

struct pp_maintainer {
	const pp_config *cfg;
	int months_ahead, interval_s;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cond;
	atomic_int stop;  /* set under mu; read without it between steps */
	PGcancel *cancel; /* under mu: the connection of the run under way */
};

const char *maintain_one_line(char *msg)
{
	char buf[PP_ERR_MSG_MAX], *nl;
	size_t len;

	while ((nl = strchr(msg, '\n')) != NULL) {
		len = strlen(nl + 1);
		if ((size_t)(nl - msg) + 3 + len >= sizeof(buf))
			*nl = ' ';
		else {
			memcpy(buf, nl + 1, len + 1);
			memcpy(nl, " / ", 3);
			memcpy(nl + 3, buf, len + 1);
		}
	}
	return msg;
}

static void log_step(void *ctx, const pp_maintain_step *s)
{
	(void)ctx;
	if (s->moved)
		pp_log(PP_LOG_INFO,
		       "maintain: %s created, %lld row(s) moved out of status_history_default",
		       s->partition, s->rows);
	else
		pp_log(PP_LOG_INFO, "maintain: %s created (ahead)", s->partition);
}

static void run_once(pp_maintainer *m)
{
	pp_maintain_opts o;
	pp_maintain_result r;
	PGconn *conn = NULL;
	pp_err err;
	pp_rc rc;

	pp_err_clear(&err);
	rc = pp_db_connect(m->cfg, "planpipe-maintain", m->cfg->connect_timeout_s * 1000, &conn,
			   &err);
	if (rc != PP_OK) {
		pp_log(PP_LOG_WARN, "maintain: history partitions not maintained: %s", err.msg);
		return;
	}
	pthread_mutex_lock(&m->mu);
	m->cancel = PQgetCancel(conn);
	pthread_mutex_unlock(&m->mu);

	pp_maintain_opts_init(&o);
	o.months_ahead = m->months_ahead;
	o.lock_timeout_ms = SERVE_LOCK_TIMEOUT_MS;
	o.stmt_timeout_ms = SERVE_STMT_TIMEOUT_MS;
	o.busy_wait_ms = 0; /* another instance is at it */
	o.cancel = &m->stop;
	o.on_step = log_step;
	rc = pp_maintain_history(conn, &o, &r, &err);
	if (atomic_load(&m->stop))
		pp_log(PP_LOG_DEBUG, "maintain: stopped (%d created, %lld row(s) moved)", r.created,
		       r.moved);
	else if (rc != PP_OK)
		pp_log(PP_LOG_WARN,
		       "maintain: history partitions: %s (%d created, %lld row(s) moved before that; "
		       "retried in %d s, or run planpipe maintain)",
		       maintain_one_line(err.msg), r.created, r.moved, m->interval_s);
	else if (r.busy)
		pp_log(PP_LOG_INFO, "maintain: another session is maintaining history partitions");
	else if (r.created > 0)
		pp_log(PP_LOG_INFO,
		       "maintain: history partitions done: %d created, %lld row(s) moved; the "
		       "default partition is empty",
		       r.created, r.moved);
	else
		pp_log(PP_LOG_DEBUG, "maintain: history partitions: nothing to do");

	pthread_mutex_lock(&m->mu);
	PQfreeCancel(m->cancel);
	m->cancel = NULL;
	pthread_mutex_unlock(&m->mu);
	PQfinish(conn);
}

static void *thread_main(void *arg)
{
	pp_maintainer *m = arg;
	struct timespec until;

	for (;;) {
		run_once(m);
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_sec += m->interval_s;
		pthread_mutex_lock(&m->mu);
		while (!atomic_load(&m->stop) &&
		       pthread_cond_timedwait(&m->cond, &m->mu, &until) == 0)
			;
		if (atomic_load(&m->stop)) {
			pthread_mutex_unlock(&m->mu);
			return NULL;
		}
		pthread_mutex_unlock(&m->mu);
	}
}

pp_rc pp_maintainer_start(const pp_config *cfg, int months_ahead, int interval_s,
			  pp_maintainer **out, pp_err *err)
{
	pthread_condattr_t ca;
	pp_maintainer *m;
	int e;

	*out = NULL;
	if (interval_s <= 0)
		return pp_err_set(err, PP_EINVAL, "maintenance interval: %d s", interval_s);
	m = calloc(1, sizeof(*m));
	if (m == NULL)
		return pp_err_set(err, PP_ENOMEM, "out of memory");
	m->cfg = cfg;
	m->months_ahead = months_ahead;
	m->interval_s = interval_s;
	pthread_mutex_init(&m->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&m->cond, &ca);
	pthread_condattr_destroy(&ca);
	e = pthread_create(&m->thread, NULL, thread_main, m);
	if (e != 0) {
		pthread_cond_destroy(&m->cond);
		pthread_mutex_destroy(&m->mu);
		free(m);
		return pp_err_set(err, PP_EIO, "cannot start the maintenance thread: %s",
				  strerror(e));
	}
	*out = m;
	return PP_OK;
}

void pp_maintainer_stop(pp_maintainer *m)
{
	char buf[256];

	if (m == NULL)
		return;
	pthread_mutex_lock(&m->mu);
	atomic_store(&m->stop, 1);
	if (m->cancel != NULL)
		PQcancel(m->cancel, buf, sizeof(buf));
	pthread_cond_signal(&m->cond);
	pthread_mutex_unlock(&m->mu);
	pthread_join(m->thread, NULL);
	pthread_cond_destroy(&m->cond);
	pthread_mutex_destroy(&m->mu);
	free(m);
}
