/*
 * read_route.c: the read router of `planpipe serve` (see read_route.h): the
 * standby's pool, the thread that measures the standby once a second on a
 * connection of its own, and the counters /metrics shows.
 */
#include "api/read_route.h"
#include "api/read_route_int.h"

#include <libpq-fe.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/sql.h"
#include "core/log.h"
#include "db/conn.h"

#define PROBE_INTERVAL_MS 1000
#define PROBE_TIMEOUT_MS  2000
/* A measurement this old no longer counts: the probe is stuck on a standby that hangs. */
#define STALE_MS 5000
/* Tokens whose last write the standby may not have replayed yet. */
#define TABLE_SLOTS 4096

struct pp_read_router {
	pp_config cfg; /* the caller's, with database_url = PLANPIPE_READ_DATABASE_URL */
	int max_lag_s;
	pp_pool *pool;
	pp_lsn_table *writes;

	pthread_t prober;
	int prober_started;
	pthread_mutex_t mu;
	pthread_cond_t wake; /* stopping */
	pthread_condattr_t condattr;
	int stopping;
	pp_standby_state st;                        /* mu */
	pp_read_route last_seen;                    /* the probe's own view, for the log */
	unsigned long long counts[PP_READ_NROUTES]; /* mu */
	unsigned long long probes, probe_failures;  /* mu */
};

/* The state as a read without writes behind it would be routed by (mu held). */
static pp_read_route usable(const pp_read_router *r, long long now)
{
	return pp_read_decide(&r->st, now, r->max_lag_s, STALE_MS, 0);
}

/* Logs when the standby becomes usable or stops being so (mu held). */
static void log_change(pp_read_router *r)
{
	pp_read_route now = usable(r, pp_now_ms());

	if (now == r->last_seen)
		return;
	if (now == PP_READ_STANDBY)
		pp_log(PP_LOG_INFO, "read routing: reads go to the standby again");
	else if (r->last_seen == PP_READ_STANDBY || r->probes == 1)
		pp_log(PP_LOG_WARN, "read routing: reads go to the primary (%s%s)",
		       pp_read_route_str(now),
		       now == PP_READ_LAG ? ": beyond PLANPIPE_READ_MAX_LAG or unknown" : "");
	r->last_seen = now;
}

static void set_down(pp_read_router *r)
{
	pthread_mutex_lock(&r->mu);
	r->st.measured = 1;
	r->st.up = 0;
	r->st.at_ms = pp_now_ms();
	pthread_mutex_unlock(&r->mu);
}

void read_route_state_of(const char *in_recovery, const char *replay_lsn, const char *lag,
			 long long at_ms, pp_standby_state *st)
{
	memset(st, 0, sizeof(*st));
	st->measured = st->up = 1;
	st->in_recovery = strcmp(in_recovery, "t") == 0;
	if (replay_lsn == NULL || pp_lsn_parse(replay_lsn, &st->replay_lsn) != 0)
		st->replay_lsn = 0;
	st->lag_known = lag != NULL;
	st->lag_s = st->lag_known ? strtod(lag, NULL) : 0;
	st->at_ms = at_ms;
}

/* One measurement on *conn (opened, or reopened, here). */
static void probe_once(pp_read_router *r, PGconn **conn)
{
	const char *sql = pp_api_sql("read_route.sql", "standby_state");
	pp_standby_state st;
	PGresult *res = NULL;
	pp_err err;
	int limit = r->cfg.connect_timeout_s * 1000;

	pp_err_clear(&err);
	if (*conn != NULL && PQstatus(*conn) != CONNECTION_OK) {
		PQfinish(*conn);
		*conn = NULL;
	}
	if (*conn == NULL &&
	    pp_db_connect(&r->cfg, "planpipe-api-probe",
			  limit > 0 && limit < PROBE_TIMEOUT_MS ? limit : PROBE_TIMEOUT_MS, conn,
			  &err) != PP_OK)
		goto failed;
	if (pp_db_exec_deadline(*conn, sql, pp_now_ms() + PROBE_TIMEOUT_MS, &res, &err) != PP_OK ||
	    PQntuples(res) != 1) {
		PQfinish(*conn);
		*conn = NULL;
		goto failed;
	}
	read_route_state_of(
		PQgetvalue(res, 0, 0), PQgetisnull(res, 0, 1) ? NULL : PQgetvalue(res, 0, 1),
		PQgetisnull(res, 0, 2) ? NULL : PQgetvalue(res, 0, 2), pp_now_ms(), &st);
	PQclear(res);
	pthread_mutex_lock(&r->mu);
	r->st = st;
	r->probes++;
	log_change(r);
	pthread_mutex_unlock(&r->mu);
	return;
failed:
	PQclear(res);
	pthread_mutex_lock(&r->mu);
	if (r->st.up || r->probe_failures == 0)
		pp_log(PP_LOG_WARN, "read routing: the standby does not answer: %s", err.msg);
	r->st.measured = 1;
	r->st.up = 0;
	r->st.at_ms = pp_now_ms();
	r->probes++;
	r->probe_failures++;
	log_change(r);
	pthread_mutex_unlock(&r->mu);
}

static void *probe_main(void *arg)
{
	pp_read_router *r = arg;
	PGconn *conn = NULL;
	struct timespec ts;

	pthread_mutex_lock(&r->mu);
	while (!r->stopping) {
		long long next;

		pthread_mutex_unlock(&r->mu);
		probe_once(r, &conn);
		pthread_mutex_lock(&r->mu);
		next = pp_now_ms() + PROBE_INTERVAL_MS;
		ts.tv_sec = (time_t)(next / 1000);
		ts.tv_nsec = (long)(next % 1000) * 1000000L;
		while (!r->stopping && pp_now_ms() < next)
			pthread_cond_timedwait(&r->wake, &r->mu, &ts);
	}
	pthread_mutex_unlock(&r->mu);
	PQfinish(conn);
	return NULL;
}

/* PLANPIPE_READ_DATABASE_URL must parse, as DATABASE_URL must (pp_db_check_config). */
pp_rc read_route_check_url(const pp_config *rcfg, pp_err *err)
{
	char *msg = NULL;
	PQconninfoOption *opts = PQconninfoParse(rcfg->database_url, &msg);
	size_t len;

	if (opts != NULL) {
		PQconninfoFree(opts);
		return PP_OK;
	}
	pp_err_set(err, PP_EINVAL,
		   "PLANPIPE_READ_DATABASE_URL is not a valid connection string: %s",
		   msg ? msg : "out of memory");
	len = strlen(err->msg);
	while (len > 0 && err->msg[len - 1] == '\n')
		err->msg[--len] = '\0';
	pp_db_mask_secrets(rcfg, err->msg, sizeof(err->msg));
	PQfreemem(msg);
	return PP_EINVAL;
}

pp_rc pp_read_router_new(const pp_config *cfg, const pp_pool_opts *primary, pp_read_router **out,
			 pp_err *err)
{
	pp_read_router *r;
	pp_pool_opts po;
	pp_rc rc;
	int locks = 0;

	*out = NULL;
	if (cfg->read_database_url == NULL)
		return PP_OK;
	r = calloc(1, sizeof(*r));
	if (r == NULL)
		return pp_err_set(err, PP_ENOMEM, "out of memory");
	/* A shallow copy: the strings stay the caller's, never freed here. */
	r->cfg = *cfg;
	r->cfg.database_url = cfg->read_database_url;
	r->max_lag_s = cfg->read_max_lag_s;
	r->last_seen = PP_READ_STALE;
	rc = read_route_check_url(&r->cfg, err);
	if (rc != PP_OK)
		goto fail;
	r->writes = pp_lsn_table_new(TABLE_SLOTS);
	if (r->writes == NULL) {
		rc = pp_err_set(err, PP_ENOMEM, "out of memory");
		goto fail;
	}
	if (pthread_mutex_init(&r->mu, NULL) != 0 || pthread_condattr_init(&r->condattr) != 0 ||
	    pthread_condattr_setclock(&r->condattr, CLOCK_MONOTONIC) != 0 ||
	    pthread_cond_init(&r->wake, &r->condattr) != 0) {
		rc = pp_err_set(err, PP_EIO, "read routing: cannot initialise its locks");
		goto fail;
	}
	locks = 1;
	po = *primary;
	po.cfg = &r->cfg;
	po.appname = "planpipe-api-read";
	rc = pp_pool_new(&po, &r->pool, err);
	if (rc != PP_OK) {
		pp_err_prefix(err, "PLANPIPE_READ_DATABASE_URL: ");
		goto fail;
	}
	if (pthread_create(&r->prober, NULL, probe_main, r) != 0) {
		rc = pp_err_set(err, PP_EIO, "read routing: cannot start the probe thread");
		goto fail;
	}
	r->prober_started = 1;
	*out = r;
	return PP_OK;
fail:
	pp_pool_free(r->pool);
	if (locks) {
		pthread_cond_destroy(&r->wake);
		pthread_condattr_destroy(&r->condattr);
		pthread_mutex_destroy(&r->mu);
	}
	pp_lsn_table_free(r->writes);
	free(r);
	return rc;
}

void pp_read_router_free(pp_read_router *r)
{
	if (r == NULL)
		return;
	pthread_mutex_lock(&r->mu);
	r->stopping = 1;
	pthread_cond_signal(&r->wake);
	pthread_mutex_unlock(&r->mu);
	if (r->prober_started)
		pthread_join(r->prober, NULL);
	pp_pool_free(r->pool);
	pthread_cond_destroy(&r->wake);
	pthread_condattr_destroy(&r->condattr);
	pthread_mutex_destroy(&r->mu);
	pp_lsn_table_free(r->writes);
	free(r);
}

pp_pool *pp_read_router_pool(pp_read_router *r)
{
	return r->pool;
}

void pp_read_router_state(pp_read_router *r, pp_standby_state *out)
{
	pthread_mutex_lock(&r->mu);
	*out = r->st;
	pthread_mutex_unlock(&r->mu);
}

pp_read_route pp_read_router_pick(pp_read_router *r, const char *key, pp_lsn header_lsn)
{
	pp_standby_state st;
	pp_lsn need = header_lsn, mine;

	pp_read_router_state(r, &st);
	mine = pp_lsn_table_need(r->writes, key, st.up ? st.replay_lsn : 0);
	if (mine > need)
		need = mine;
	return pp_read_decide(&st, pp_now_ms(), r->max_lag_s, STALE_MS, need);
}

void pp_read_router_count(pp_read_router *r, pp_read_route route)
{
	pthread_mutex_lock(&r->mu);
	if ((unsigned)route < PP_READ_NROUTES)
		r->counts[route]++;
	pthread_mutex_unlock(&r->mu);
}

void pp_read_router_standby_failed(pp_read_router *r)
{
	set_down(r);
}

void pp_read_router_note_write(pp_read_router *r, const char *key, pp_lsn insert_lsn)
{
	pp_standby_state st;

	pp_read_router_state(r, &st);
	pp_lsn_table_note(r->writes, key, pp_lsn_replay_target(insert_lsn),
			  st.up ? st.replay_lsn : 0);
}

pp_rc read_route_render(const read_route_view *v, pp_buf *out)
{
	const pp_standby_state *st = &v->st;
	char lag[32] = "NaN";
	int i;
	pp_rc rc;

	if (st->measured && st->up && st->lag_known)
		snprintf(lag, sizeof(lag), "%.3f", st->lag_s);
	rc = pp_buf_adds(out,
			 "# HELP planpipe_read_routed_total Reads that may run on the standby, "
			 "by where they ran (target) and why not on the standby (reason).\n"
			 "# TYPE planpipe_read_routed_total counter\n");
	for (i = 0; i < PP_READ_NROUTES && rc == PP_OK; i++)
		rc = pp_buf_printf(
			out, "planpipe_read_routed_total{target=\"%s\",reason=\"%s\"} %llu\n",
			i == PP_READ_STANDBY ? "standby" : "primary",
			i == PP_READ_STANDBY ? "ok" : pp_read_route_str((pp_read_route)i),
			v->counts[i]);
	if (rc == PP_OK)
		rc = pp_buf_printf(
			out,
			"# HELP planpipe_read_standby_in_use 1 while reads go to the standby.\n"
			"# TYPE planpipe_read_standby_in_use gauge\n"
			"planpipe_read_standby_in_use %d\n"
			"# HELP planpipe_read_standby_up 1 when the standby answered the last probe.\n"
			"# TYPE planpipe_read_standby_up gauge\n"
			"planpipe_read_standby_up %d\n"
			"# HELP planpipe_read_standby_lag_seconds The standby's replay lag at the last "
			"probe (NaN: unknown).\n"
			"# TYPE planpipe_read_standby_lag_seconds gauge\n"
			"planpipe_read_standby_lag_seconds %s\n"
			"# HELP planpipe_read_standby_probe_age_seconds Time since the last probe.\n"
			"# TYPE planpipe_read_standby_probe_age_seconds gauge\n"
			"planpipe_read_standby_probe_age_seconds %.3f\n"
			"# HELP planpipe_read_max_lag_seconds PLANPIPE_READ_MAX_LAG.\n"
			"# TYPE planpipe_read_max_lag_seconds gauge\n"
			"planpipe_read_max_lag_seconds %d\n"
			"# HELP planpipe_read_tokens_tracked Tokens whose last write the standby may "
			"not have replayed yet.\n"
			"# TYPE planpipe_read_tokens_tracked gauge\n"
			"planpipe_read_tokens_tracked %zu\n"
			"# HELP planpipe_read_pool_connections The standby pool's connections by "
			"state.\n"
			"# TYPE planpipe_read_pool_connections gauge\n"
			"planpipe_read_pool_connections{state=\"idle\"} %d\n"
			"planpipe_read_pool_connections{state=\"in_use\"} %d\n",
			v->in_use, st->measured && st->up, lag,
			st->measured ? (double)(v->now_ms - st->at_ms) / 1000.0 : 0.0, v->max_lag_s,
			v->tracked, v->pool_idle, v->pool_in_use);
	return rc;
}

pp_rc pp_read_router_render(pp_read_router *r, pp_buf *out)
{
	read_route_view v;
	pp_pool_stats ps;

	memset(&v, 0, sizeof(v));
	v.now_ms = pp_now_ms();
	pthread_mutex_lock(&r->mu);
	v.st = r->st;
	memcpy(v.counts, r->counts, sizeof(v.counts));
	v.in_use = usable(r, v.now_ms) == PP_READ_STANDBY;
	pthread_mutex_unlock(&r->mu);
	pp_pool_stats_get(r->pool, &ps);
	v.max_lag_s = r->max_lag_s;
	v.tracked = pp_lsn_table_count(r->writes);
	v.pool_idle = ps.idle;
	v.pool_in_use = ps.in_use;
	return read_route_render(&v, out);
}
