/* health.c: liveness, readiness and the full report (see health.h). */
#include "db/health.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/conn.h"
#include "db/sql.h"

typedef struct run {
	const pp_health_opts *o;
	pp_health_report *r;
	PGconn *conn;
	long long deadline;
	int broken;  /* the connection is lost or busy: later checks cannot run */
	int standby; /* the server is in recovery */
} run;

const char *pp_health_status_str(pp_health_status s)
{
	switch (s) {
	case PP_HEALTH_OK:
		return "ok";
	case PP_HEALTH_WARNING:
		return "warning";
	case PP_HEALTH_CRITICAL:
		return "critical";
	case PP_HEALTH_UNKNOWN:
		return "unknown";
	}
	return "unknown";
}

/* ok < warning < unknown < critical: a check that could not run hides what it checks. */
static int severity(pp_health_status s)
{
	static const int rank[] = {0, 1, 3, 2};

	return (unsigned)s < 4 ? rank[s] : 2;
}

/* The defaults of docs/operations.md, warning and critical side by side. */
/* clang-format off */
static const pp_health_thresholds default_thresholds = {
	.latency_warn_ms = 100, .latency_crit_ms = 1000,
	.connections_warn_pct = 80, .connections_crit_pct = 95,
	.xact_age_warn_s = 300, .xact_age_crit_s = 3600,
	.wraparound_warn_pct = 50, .wraparound_crit_pct = 75,
	.lag_warn_s = 30, .lag_crit_s = 300,
	.partitions_warn = 2, .partitions_crit = 1,
};
/* clang-format on */

void pp_health_opts_init(pp_health_opts *o, pp_health_level level)
{
	memset(o, 0, sizeof(*o));
	o->level = level;
	o->timeout_ms = 5000;
	o->th = default_thresholds;
}

static pp_health_check *add(run *x, const char *name, pp_health_status st, const char *fmt, ...)
	PP_PRINTF(4, 5);

static pp_health_check *add(run *x, const char *name, pp_health_status st, const char *fmt, ...)
{
	static pp_health_check overflow;
	pp_health_check *c;
	va_list ap;

	if (x->r->n_checks >= PP_HEALTH_MAX_CHECKS)
		return &overflow; /* cannot happen: there are fewer checks than slots */
	c = &x->r->checks[x->r->n_checks++];
	memset(c, 0, sizeof(*c));
	c->name = name;
	c->status = st;
	va_start(ap, fmt);
	vsnprintf(c->detail, sizeof(c->detail), fmt, ap);
	va_end(ap);
	return c;
}

static void set_value(pp_health_check *c, double v, const char *unit)
{
	c->has_value = 1;
	c->value = v;
	c->unit = unit;
}

/* Higher is worse. */
static pp_health_status judge(double v, double warn, double crit)
{
	if (v >= crit)
		return PP_HEALTH_CRITICAL;
	if (v >= warn)
		return PP_HEALTH_WARNING;
	return PP_HEALTH_OK;
}

/*
 * Runs sql within what is left of the deadline: the server stops it then
 * too (SET LOCAL in the same implicit transaction, which PgBouncer in
 * transaction mode also keeps together), and a lock it would wait for.
 */
static pp_rc query(run *x, const char *sql, PGresult **res, pp_err *err)
{
	long long left = x->deadline - pp_now_ms();
	char buf[4096];
	pp_rc rc;

	*res = NULL;
	if (x->broken)
		return pp_err_set(err, PP_EUNAVAIL,
				  "not run: an earlier check lost the connection");
	if (left <= 0) {
		x->broken = 1;
		return pp_err_set(err, PP_ETIMEDOUT, "not run: the deadline had passed");
	}
	/*
	 * sql-in-c: one simple-query text, so that the limits and the check share
	 * an implicit transaction; only the two numbers are formatted in, and sql
	 * comes from health.sql.
	 */
	snprintf(buf, sizeof(buf),
		 "SET LOCAL statement_timeout = %lld; SET LOCAL lock_timeout = %lld; %s", left,
		 left, sql);
	rc = pp_db_exec_deadline(x->conn, buf, x->deadline, res, err);
	if (rc == PP_ETIMEDOUT || rc == PP_ECONNECT)
		x->broken = 1;
	if (rc == PP_EDB && strcmp(err->sqlstate, "57014") == 0)
		pp_err_set(err, PP_ETIMEDOUT, "no answer within the deadline (statement timeout)");
	return rc;
}

static double num(const PGresult *res, int col)
{
	return PQgetisnull(res, 0, col) ? 0 : strtod(PQgetvalue(res, 0, col), NULL);
}

static int is_true(const PGresult *res, int col)
{
	return !PQgetisnull(res, 0, col) && strcmp(PQgetvalue(res, 0, col), "t") == 0;
}

/* ---- Liveness and readiness. ---- */

void pp_health_ready_judge(const pp_health_ready_facts *f, const pp_health_opts *o,
			   pp_health_ready *v)
{
	memset(v, 0, sizeof(*v));
	v->standby_refused = f->in_recovery && !o->allow_replica;
	v->read_only_refused = !f->in_recovery && f->read_only && !o->allow_replica;
	v->behind = f->schema_version < o->required_version;
	v->ahead = f->schema_version > o->required_version;
	if (v->standby_refused)
		snprintf(v->why, sizeof(v->why), "the database is a standby (read-only)");
	else if (v->read_only_refused)
		snprintf(v->why, sizeof(v->why),
			 "the database is read-only (default_transaction_read_only)");
	else if (v->behind)
		snprintf(v->why, sizeof(v->why),
			 "the schema is at version %d, this binary needs %d: run planpipe "
			 "migrate up",
			 f->schema_version, o->required_version);
	else if (v->ahead && o->schema_exact)
		snprintf(v->why, sizeof(v->why),
			 "the schema is at version %d, newer than this binary's %d",
			 f->schema_version, o->required_version);
	v->ready = v->why[0] == '\0';
}

static int check_login(run *x, const pp_config *cfg)
{
	long long t0 = pp_now_ms();
	pp_err err;
	pp_health_check *c;

	pp_err_clear(&err);
	if (pp_db_connect(cfg, "planpipe health", (int)(x->deadline - t0), &x->conn, &err) !=
	    PP_OK) {
		add(x, "login", PP_HEALTH_CRITICAL, "%s", err.msg);
		return -1;
	}
	c = add(x, "login", PP_HEALTH_OK, "logged in as %s to database %s", PQuser(x->conn),
		PQdb(x->conn));
	set_value(c, (double)(pp_now_ms() - t0), "ms");
	return 0;
}

static int check_query(run *x)
{
	const pp_health_thresholds *th = &x->o->th;
	double t0 = (double)pp_now_ms();
	PGresult *res = NULL;
	pp_health_check *c;
	pp_err err;
	double ms;

	/* Without the SET LOCAL prefix: this is the bare round trip. */
	pp_err_clear(&err);
	if (pp_db_exec_deadline(x->conn, pp_db_sql("health.sql", "ping"), x->deadline, &res,
				&err) != PP_OK) {
		x->broken = 1;
		add(x, "query", PP_HEALTH_CRITICAL, "SELECT 1 failed: %s", err.msg);
		return -1;
	}
	PQclear(res);
	ms = (double)pp_now_ms() - t0;
	c = add(x, "query", PP_HEALTH_OK, "SELECT 1 answered in %.0f ms", ms);
	set_value(c, ms, "ms");
	if (x->o->level == PP_HEALTH_FULL)
		c->status = judge(ms, th->latency_warn_ms, th->latency_crit_ms);
	return 0;
}

static void check_server(run *x)
{
	PGresult *res;
	pp_health_check *c;
	pp_err err;
	pp_health_ready_facts f = {0, 0, x->o->required_version};
	pp_health_ready v;

	pp_err_clear(&err);
	if (query(x, pp_db_sql("health.sql", "server"), &res, &err) != PP_OK) {
		add(x, "recovery", PP_HEALTH_UNKNOWN, "%s", err.msg);
		return;
	}
	f.in_recovery = x->standby = is_true(res, 0);
	f.read_only = strcmp(PQgetvalue(res, 0, 1), "on") == 0;
	snprintf(x->r->server_version, sizeof(x->r->server_version), "%s", PQgetvalue(res, 0, 2));
	/* The schema is judged by check_schema: here f holds the version needed. */
	pp_health_ready_judge(&f, x->o, &v);
	if (f.in_recovery)
		c = add(x, "recovery", v.standby_refused ? PP_HEALTH_CRITICAL : PP_HEALTH_OK,
			v.standby_refused
				? "the server is a standby (in recovery): writes would fail"
				: "the server is a standby (in recovery), as allowed");
	else
		c = add(x, "recovery", PP_HEALTH_OK, "the server is a primary");
	set_value(c, f.in_recovery, "bool");
	/* A standby is read-only anyway; on a primary it means default_transaction_read_only. */
	if (!f.in_recovery) {
		c = add(x, "read_only", v.read_only_refused ? PP_HEALTH_CRITICAL : PP_HEALTH_OK,
			f.read_only ? "transactions are read-only (default_transaction_read_only)"
				    : "transactions can write");
		set_value(c, f.read_only, "bool");
	}
	PQclear(res);
}

static void check_schema(run *x)
{
	int need = x->o->required_version, have = 0;
	pp_health_ready_facts f = {0, 0, 0};
	pp_health_ready v;
	PGresult *res;
	pp_health_check *c;
	pp_err err;
	pp_rc rc;

	pp_err_clear(&err);
	rc = query(x, pp_db_sql("migrate.sql", "has_history"), &res, &err);
	if (rc == PP_OK && is_true(res, 0)) {
		PQclear(res);
		rc = query(x, pp_db_sql("migrate.sql", "db_version"), &res, &err);
		if (rc == PP_OK)
			have = (int)num(res, 0);
	}
	PQclear(res);
	if (rc != PP_OK) {
		add(x, "schema", PP_HEALTH_UNKNOWN, "cannot read the schema version: %s", err.msg);
		return;
	}
	/* The server is judged by check_server: here f is a writable primary. */
	f.schema_version = have;
	pp_health_ready_judge(&f, x->o, &v);
	if (v.behind)
		c = add(x, "schema", PP_HEALTH_CRITICAL,
			"the schema is behind: database at version %d, this binary needs %d "
			"(run planpipe migrate up)",
			have, need);
	else if (v.ahead)
		c = add(x, "schema",
			!v.ready                        ? PP_HEALTH_CRITICAL
			: x->o->level == PP_HEALTH_FULL ? PP_HEALTH_WARNING
							: PP_HEALTH_OK,
			"the schema is ahead: database at version %d, this binary needs %d "
			"(fine while a newer release rolls out)",
			have, need);
	else
		c = add(x, "schema", PP_HEALTH_OK, "database at version %d, as this binary needs",
			have);
	set_value(c, have, "version");
}

/* ---- The full report. ---- */

/* Runs a one-row query for check name; NULL (and an unknown check) on failure. */
static PGresult *one_row(run *x, const char *name, const char *sql)
{
	PGresult *res;
	pp_err err;

	pp_err_clear(&err);
	if (query(x, sql, &res, &err) != PP_OK) {
		add(x, name, PP_HEALTH_UNKNOWN, "%s", err.msg);
		return NULL;
	}
	if (PQntuples(res) != 1) {
		PQclear(res);
		add(x, name, PP_HEALTH_UNKNOWN, "unexpected answer");
		return NULL;
	}
	return res;
}

static void check_basics(run *x)
{
	const pp_health_thresholds *th = &x->o->th;
	PGresult *res;
	pp_health_check *c;

	if ((res = one_row(x, "uptime", pp_db_sql("health.sql", "uptime"))) != NULL) {
		c = add(x, "uptime", PP_HEALTH_OK, "server up for %.0f s", num(res, 0));
		set_value(c, num(res, 0), "s");
		PQclear(res);
	}
	if ((res = one_row(x, "connections", pp_db_sql("health.sql", "connections"))) != NULL) {
		double used = num(res, 0), max = num(res, 1), usable = max - num(res, 2);
		double pct = usable > 0 ? used * 100 / usable : 100;
		c = add(x, "connections",
			judge(pct, th->connections_warn_pct, th->connections_crit_pct),
			"%.0f client connections of max_connections %.0f (%.0f usable by "
			"non-superusers: %.0f%%)",
			used, max, usable, pct);
		set_value(c, pct, "percent");
		PQclear(res);
	}
	if ((res = one_row(x, "oldest_transaction", pp_db_sql("health.sql", "oldest_xact"))) !=
	    NULL) {
		double age = num(res, 0);
		c = add(x, "oldest_transaction",
			judge(age, th->xact_age_warn_s, th->xact_age_crit_s),
			"the oldest open or prepared transaction began %.0f s ago%s", age,
			is_true(res, 1)
				? ""
				: " (only this role's sessions are visible: grant pg_monitor)");
		set_value(c, age, "s");
		PQclear(res);
	}
	if ((res = one_row(x, "wraparound", pp_db_sql("health.sql", "wraparound"))) != NULL) {
		double pct = num(res, 0);
		c = add(x, "wraparound",
			judge(pct, th->wraparound_warn_pct, th->wraparound_crit_pct),
			"the oldest unfrozen transaction ID is %.1f%% of the way to wraparound",
			pct);
		set_value(c, pct, "percent");
		PQclear(res);
	}
	if ((res = one_row(x, "database_size", pp_db_sql("health.sql", "size"))) != NULL) {
		c = add(x, "database_size", PP_HEALTH_OK, "%.1f MB",
			num(res, 0) / (1024.0 * 1024.0));
		set_value(c, num(res, 0), "bytes");
		PQclear(res);
	}
}

static void check_replication(run *x, int standby)
{
	const pp_health_thresholds *th = &x->o->th;
	PGresult *res;
	pp_health_check *c;

	if (standby) {
		if ((res = one_row(x, "replication_lag", pp_db_sql("health.sql", "standby_lag"))) ==
		    NULL)
			return;
		if (PQgetisnull(res, 0, 1)) {
			c = add(x, "replication_lag", PP_HEALTH_WARNING,
				"nothing replayed yet: the lag is unknown");
		} else {
			c = add(x, "replication_lag",
				judge(num(res, 1), th->lag_warn_s, th->lag_crit_s),
				"%.0f s and %.0f bytes behind the primary", num(res, 1),
				num(res, 0));
			set_value(c, num(res, 1), "s");
		}
		PQclear(res);
		return;
	}
	if ((res = one_row(x, "replicas", pp_db_sql("health.sql", "replicas"))) == NULL)
		return;
	c = add(x, "replicas", judge(num(res, 2), th->lag_warn_s, th->lag_crit_s),
		"%.0f streaming; the furthest behind by %.0f s and %.0f bytes", num(res, 0),
		num(res, 2), num(res, 1));
	set_value(c, num(res, 0), "count");
	PQclear(res);
}

static void check_archiver(run *x)
{
	PGresult *res;
	pp_health_check *c;

	if ((res = one_row(x, "wal_archiver", pp_db_sql("health.sql", "archiver"))) == NULL)
		return;
	if (strcmp(PQgetvalue(res, 0, 0), "off") == 0)
		c = add(x, "wal_archiver", PP_HEALTH_OK, "archive_mode is off");
	else if (is_true(res, 4))
		c = add(x, "wal_archiver", PP_HEALTH_WARNING,
			"archiving is failing: %s failed at %s (%s failures in all)",
			PQgetvalue(res, 0, 2), PQgetvalue(res, 0, 3), PQgetvalue(res, 0, 1));
	else
		c = add(x, "wal_archiver", PP_HEALTH_OK, "archiving works (%s failures in all)",
			PQgetvalue(res, 0, 1));
	set_value(c, num(res, 1), "count");
	PQclear(res);
}

static void check_partitions(run *x)
{
	const pp_health_thresholds *th = &x->o->th;
	PGresult *res, *rows = NULL;
	pp_health_check *c;
	char sql[512];
	int ahead, current, in_default = 0;
	pp_err err;

	if ((res = one_row(x, "history_partitions", pp_db_sql("health.sql", "partitions"))) == NULL)
		return;
	if (!is_true(res, 0)) {
		add(x, "history_partitions", PP_HEALTH_OK,
		    "no status_history table (schema not applied)");
		PQclear(res);
		return;
	}
	ahead = (int)num(res, 1);
	current = (int)num(res, 2);
	if (!PQgetisnull(res, 0, 4)) {
		/* sql-in-c: the partition's name, quoted by partitions's format('%I.%I'). */
		snprintf(sql, sizeof(sql), "SELECT EXISTS (SELECT FROM %s)", PQgetvalue(res, 0, 4));
		pp_err_clear(&err);
		if (query(x, sql, &rows, &err) == PP_OK)
			in_default = is_true(rows, 0);
		PQclear(rows);
	}
	c = add(x, "history_partitions",
		ahead < th->partitions_crit                             ? PP_HEALTH_CRITICAL
		: ahead < th->partitions_warn || !current || in_default ? PP_HEALTH_WARNING
									: PP_HEALTH_OK,
		"%d monthly partitions ahead, covered until %s%s%s%s", ahead,
		*PQgetvalue(res, 0, 3) ? PQgetvalue(res, 0, 3) : "(none)",
		current ? "" : "; none for this month",
		in_default
			? "; rows in the default partition, where no month's partition holds them"
			: "",
		ahead < th->partitions_warn || !current || in_default ? " (run planpipe maintain)"
								      : "");
	set_value(c, ahead, "count");
	PQclear(res);
}

static void summarise(pp_health_report *r)
{
	static const char *const levels[] = {"alive", "ready", "healthy"};
	size_t len = 0;
	int i;

	r->status = PP_HEALTH_OK;
	for (i = 0; i < r->n_checks; i++)
		if (severity(r->checks[i].status) > severity(r->status))
			r->status = r->checks[i].status;
	if (r->status == PP_HEALTH_OK) {
		snprintf(r->summary, sizeof(r->summary), "%s", levels[r->level]);
		return;
	}
	r->summary[0] = '\0';
	for (i = 0; i < r->n_checks && len + 4 < sizeof(r->summary); i++) {
		const pp_health_check *c = &r->checks[i];
		if (c->status == PP_HEALTH_OK)
			continue;
		snprintf(r->summary + len, sizeof(r->summary) - len, "%s%s: %s", len ? "; " : "",
			 c->name, c->detail);
		len = strlen(r->summary);
	}
}

pp_health_status pp_health_run(const pp_config *cfg, const pp_health_opts *o, pp_health_report *r)
{
	long long t0 = pp_now_ms();
	run x;

	memset(r, 0, sizeof(*r));
	memset(&x, 0, sizeof(x));
	r->level = o->level;
	x.o = o;
	x.r = r;
	x.deadline = t0 + (o->timeout_ms > 0 ? o->timeout_ms : 5000);
	if (check_login(&x, cfg) != 0 || check_query(&x) != 0)
		goto out;
	if (o->level == PP_HEALTH_LIVENESS)
		goto out;
	check_server(&x);
	check_schema(&x);
	if (o->level == PP_HEALTH_FULL) {
		check_basics(&x);
		check_replication(&x, x.standby);
		check_archiver(&x);
		check_partitions(&x);
	}
out:
	PQfinish(x.conn);
	r->elapsed_ms = pp_now_ms() - t0;
	summarise(r);
	return r->status;
}

json_t *pp_health_report_json(const pp_health_report *r)
{
	static const char *const levels[] = {"liveness", "readiness", "full"};
	json_t *root = json_object(), *checks = json_object();
	int i;

	if (root == NULL || checks == NULL) {
		json_decref(root);
		json_decref(checks);
		return NULL;
	}
	json_object_set_new(root, "status", json_string(pp_health_status_str(r->status)));
	json_object_set_new(root, "exit_code", json_integer(r->status));
	json_object_set_new(root, "level", json_string(levels[r->level]));
	json_object_set_new(root, "summary", json_string(r->summary));
	json_object_set_new(root, "server_version",
			    r->server_version[0] ? json_string(r->server_version) : json_null());
	json_object_set_new(root, "elapsed_ms", json_integer(r->elapsed_ms));
	for (i = 0; i < r->n_checks; i++) {
		const pp_health_check *c = &r->checks[i];
		json_t *o = json_object();
		json_object_set_new(o, "status", json_string(pp_health_status_str(c->status)));
		json_t *v = json_null();
		if (c->has_value && c->value == (double)(json_int_t)c->value)
			v = json_integer((json_int_t)c->value);
		else if (c->has_value)
			v = json_real(c->value);
		json_object_set_new(o, "value", v);
		json_object_set_new(o, "unit", c->has_value ? json_string(c->unit) : json_null());
		json_object_set_new(o, "detail", json_string(c->detail));
		json_object_set_new(checks, c->name, o);
	}
	json_object_set_new(root, "checks", checks);
	return root;
}

const char *pp_health_ready_sql(void)
{
	return pp_db_sql("health.sql", "ready");
}
