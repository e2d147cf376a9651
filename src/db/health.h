/*
 * health.h: what `planpipe health` and the API's health endpoint report.
 *
 * Every level logs in for real and runs a query, all within one deadline:
 * PQping and pg_isready count a refused login or "too many clients" as up.
 *   liveness   a login and a SELECT 1 round trip;
 *   readiness  that, plus the schema version this binary needs, and a server
 *              that is neither in recovery nor read-only (unless a replica
 *              is acceptable);
 *   full       readiness plus the numbers an operator watches, each judged
 *              against a threshold.
 * Statuses follow the Nagios plugin convention, and so do the exit codes of
 * `planpipe health`: 0 ok, 1 warning, 2 critical, 3 unknown.
 */
#ifndef PP_DB_HEALTH_H
#define PP_DB_HEALTH_H

#include <jansson.h>

#include "core/config.h"

typedef enum {
	PP_HEALTH_OK = 0,
	PP_HEALTH_WARNING = 1,
	PP_HEALTH_CRITICAL = 2,
	PP_HEALTH_UNKNOWN = 3,
} pp_health_status;

typedef enum { PP_HEALTH_LIVENESS, PP_HEALTH_READINESS, PP_HEALTH_FULL } pp_health_level;

/* Thresholds of the full report; a value at or past one raises the status. */
typedef struct pp_health_thresholds {
	double latency_warn_ms, latency_crit_ms;           /* SELECT 1 round trip */
	double connections_warn_pct, connections_crit_pct; /* of the non-reserved slots */
	double xact_age_warn_s, xact_age_crit_s;           /* oldest open or prepared transaction */
	double wraparound_warn_pct, wraparound_crit_pct;   /* oldest XID/MXID age of 2^31 */
	double lag_warn_s, lag_crit_s;                     /* replication lag */
	int partitions_warn, partitions_crit; /* months of status_history ahead, fewer */
} pp_health_thresholds;

typedef struct pp_health_opts {
	pp_health_level level;
	int timeout_ms;       /* for everything: connecting and every query */
	int allow_replica;    /* a standby or read-only server is ready too */
	int schema_exact;     /* a schema newer than this binary's is not ready either */
	int required_version; /* the schema version needed (pp_mig_required_version()) */
	pp_health_thresholds th;
} pp_health_opts;

#define PP_HEALTH_MAX_CHECKS 20

typedef struct pp_health_check {
	const char *name; /* static: "login", "query", "schema", "connections", ... */
	pp_health_status status;
	int has_value;
	double value;     /* in unit */
	const char *unit; /* static: "ms", "s", "bytes", "percent", "count", "version", "bool" */
	char detail[320]; /* for people */
} pp_health_check;

typedef struct pp_health_report {
	pp_health_level level;
	pp_health_status status; /* the worst check: ok < warning < unknown < critical */
	char summary[400];       /* one line */
	char server_version[64]; /* "" when not reached */
	long long elapsed_ms;
	pp_health_check checks[PP_HEALTH_MAX_CHECKS];
	int n_checks;
} pp_health_report;

/* Sets *o to the defaults for level (timeout 5 s, the thresholds in docs/operations.md). */
void pp_health_opts_init(pp_health_opts *o, pp_health_level level);

/*
 * Connects with cfg, runs the checks of o->level and fills *r. Never longer
 * than o->timeout_ms (plus a cancel request when a query overruns). Blocks.
 * Allocates nothing that outlives the call. Returns r->status.
 */
pp_health_status pp_health_run(const pp_config *cfg, const pp_health_opts *o, pp_health_report *r);

/*
 * Readiness, judged once for `planpipe health` (readiness and full) and the
 * API's /readyz: ready when the server is not a standby and can write
 * (either allowed with allow_replica), and the schema is at least
 * required_version (and no newer with schema_exact).
 */
typedef struct pp_health_ready_facts {
	int in_recovery;    /* pg_is_in_recovery() */
	int read_only;      /* current_setting('transaction_read_only') = 'on' */
	int schema_version; /* max(version) of planpipe_schema_migrations; 0: none */
} pp_health_ready_facts;

/*
 * The statement that reads them (health.sql's ready; static storage). The facts in one row: in
 * recovery ("t"/"f"), transaction_read_only
 * ("on"/"off"), schema version. Fails with 42P01 on a database that was
 * never migrated, which is not ready either.
 */
const char *pp_health_ready_sql(void);

typedef struct pp_health_ready {
	int ready;             /* none of the refusals below */
	int standby_refused;   /* in recovery, replicas not allowed */
	int read_only_refused; /* a primary that is read-only, replicas not allowed */
	int behind;            /* schema_version < required */
	int ahead;             /* schema_version > required (refused with schema_exact) */
	char why[256];         /* the first refusal in words (no server names); "" when ready */
} pp_health_ready;

/* Judges f against the options' required_version, allow_replica and schema_exact into *v. */
void pp_health_ready_judge(const pp_health_ready_facts *f, const pp_health_opts *o,
			   pp_health_ready *v);

/* "ok", "warning", "critical", "unknown". */
const char *pp_health_status_str(pp_health_status s);

/* The report as JSON; the caller json_decref()s it. NULL when out of memory. */
json_t *pp_health_report_json(const pp_health_report *r);

#endif
