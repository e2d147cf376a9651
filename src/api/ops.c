/*
 * ops.c: what operators and tools ask: /livez, /readyz, /metrics,
 * /openapi.json, and the small reference routes /v1/me and /v1/statuses.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/errors.h"
#include "api/handlers.h"
#include "api/input.h"
#include "api/ops_int.h"
#include "api/sql.h"
#include "core/log.h"
#include "db/health.h"

static const char *const no_params[] = {NULL};

void pp_api_livez(void *ctx, pp_http_req *req, pp_http_resp *resp)
{
	(void)ctx;
	if (pp_api_query_known(req, resp, no_params) == 0)
		pp_http_resp_copy(resp, 200, "application/json", "{\"status\":\"alive\"}");
}

/*
 * The readiness of `planpipe health --level readiness` (src/db/health.h):
 * the same facts, judged by the same function, for a writable primary.
 */
void pp_api_readyz(void *ctx, pp_http_req *req, pp_http_resp *resp)
{
	pp_api *api = ctx;
	pp_pool_conn *pc = NULL;
	PGresult *res = NULL;
	char body[160];
	pp_health_opts o;
	pp_health_ready_facts f;
	pp_health_ready v;
	pp_err err;
	pp_rc rc;

	if (pp_api_query_known(req, resp, no_params) != 0)
		return;
	pp_err_clear(&err);
	rc = pp_pool_acquire(api->pool, 2000, &pc, &err);
	if (rc == PP_OK)
		rc = pp_pool_exec(pc, pp_health_ready_sql(), 0, NULL, &res, &err);
	if (rc != PP_OK) {
		/* The message names the server: for the log, never the (anonymous) client. */
		pp_log(PP_LOG_WARN, "request %s: readyz: %s", req->request_id, err.msg);
		pp_api_unavailable(req, resp, rc == PP_EDB ? PP_EUNAVAIL : rc, NULL);
		goto out;
	}
	pp_health_opts_init(&o, PP_HEALTH_READINESS);
	o.required_version = api->schema_version;
	f.in_recovery = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
	f.read_only = strcmp(PQgetvalue(res, 0, 1), "on") == 0;
	f.schema_version = (int)strtol(PQgetvalue(res, 0, 2), NULL, 10);
	pp_health_ready_judge(&f, &o, &v);
	if (!v.ready) {
		pp_api_unavailable(req, resp, PP_EUNAVAIL, v.why);
		goto out;
	}
	snprintf(body, sizeof(body), "{\"status\":\"ready\",\"schema_version\":%d,\"required\":%d}",
		 f.schema_version, api->schema_version);
	pp_http_resp_copy(resp, 200, "application/json", body);
out:
	PQclear(res);
	pp_pool_release(pc);
}

/* The pool's histograms are per bucket in milliseconds; Prometheus wants cumulative seconds. */
pp_rc ops_render_hist(pp_buf *out, const char *name, const char *help, const pp_pool_hist *h)
{
	unsigned long long cum = 0;
	pp_rc rc = pp_buf_printf(out, "# HELP %s %s\n# TYPE %s histogram\n", name, help, name);
	int i;

	for (i = 0; i < PP_POOL_HIST_BUCKETS && rc == PP_OK; i++) {
		cum += h->counts[i];
		if (i < PP_POOL_HIST_BUCKETS - 1)
			rc = pp_buf_printf(out, "%s_bucket{le=\"%g\"} %llu\n", name,
					   pp_pool_hist_bounds_ms[i] / 1000.0, cum);
		else
			rc = pp_buf_printf(out, "%s_bucket{le=\"+Inf\"} %llu\n", name, cum);
	}
	if (rc == PP_OK)
		rc = pp_buf_printf(out, "%s_sum %.6f\n%s_count %llu\n", name, h->sum_ms / 1000.0,
				   name, h->count);
	return rc;
}

pp_rc ops_render_pool(pp_buf *out, const pp_pool_stats *st)
{
	static const struct {
		const char *name, *help;
		size_t offset;
	} counters[] = {
#define C(field, help) {"planpipe_pool_" #field "_total", help, offsetof(pp_pool_stats, field)}
		C(acquired, "Connections handed out."),
		C(released, "Connections given back."),
		C(timeouts, "Acquires that timed out with every connection in use."),
		C(unavailable, "Acquires that failed to connect to the database."),
		C(rejected, "Acquires refused while the circuit was open."),
		C(connects, "Connections opened."),
		C(connect_failures, "Connection attempts that failed."),
		C(rolled_back, "Connections given back in a transaction, rolled back and kept."),
#undef C
	};
	pp_rc rc;
	size_t i;

	rc = pp_buf_printf(out,
			   "# HELP planpipe_pool_connections Open database connections by state.\n"
			   "# TYPE planpipe_pool_connections gauge\n"
			   "planpipe_pool_connections{state=\"idle\"} %d\n"
			   "planpipe_pool_connections{state=\"in_use\"} %d\n"
			   "planpipe_pool_connections{state=\"opening\"} %d\n"
			   "# HELP planpipe_pool_max_connections The pool's size.\n"
			   "# TYPE planpipe_pool_max_connections gauge\n"
			   "planpipe_pool_max_connections %d\n"
			   "# HELP planpipe_pool_waiting Requests waiting for a connection.\n"
			   "# TYPE planpipe_pool_waiting gauge\n"
			   "planpipe_pool_waiting %d\n"
			   "# HELP planpipe_pool_circuit_open 1 while the pool fails fast.\n"
			   "# TYPE planpipe_pool_circuit_open gauge\n"
			   "planpipe_pool_circuit_open %d\n",
			   st->idle, st->in_use, st->opening, st->max_size, st->waiting,
			   st->circuit_open);
	for (i = 0; i < sizeof(counters) / sizeof(counters[0]) && rc == PP_OK; i++)
		rc = pp_buf_printf(out, "# HELP %s %s\n# TYPE %s counter\n%s %llu\n",
				   counters[i].name, counters[i].help, counters[i].name,
				   counters[i].name,
				   *(const unsigned long long *)(const void *)((const char *)st +
									       counters[i].offset));
	if (rc == PP_OK)
		rc = pp_buf_adds(out, "# HELP planpipe_pool_discards_total Connections closed "
				      "instead of reused, by reason.\n"
				      "# TYPE planpipe_pool_discards_total counter\n");
	for (i = 0; i < PP_POOL_DISCARD_NREASONS && rc == PP_OK; i++)
		rc = pp_buf_printf(out, "planpipe_pool_discards_total{reason=\"%s\"} %llu\n",
				   pp_pool_discard_reason_str((pp_pool_discard_reason)i),
				   st->discards[i]);
	if (rc == PP_OK)
		rc = ops_render_hist(out, "planpipe_pool_acquire_wait_seconds",
				     "Time to get a connection, successful acquires.",
				     &st->acquire_wait);
	if (rc == PP_OK)
		rc = ops_render_hist(out, "planpipe_pool_connect_seconds",
				     "Time to open a connection, successful connects.",
				     &st->connect_time);
	return rc;
}

void pp_api_metrics(void *ctx, pp_http_req *req, pp_http_resp *resp)
{
	pp_api *api = ctx;
	pp_pool_stats st;
	pp_buf out;
	pp_rc rc;

	if (pp_api_query_known(req, resp, no_params) != 0)
		return;
	pp_buf_init(&out, 16 << 20);
	pp_pool_stats_get(api->pool, &st);
	rc = pp_http_metrics_render(api->metrics, &out);
	if (rc == PP_OK)
		rc = ops_render_pool(&out, &st);
	if (rc == PP_OK && api->reads != NULL)
		rc = pp_read_router_render(api->reads, &out);
	if (rc == PP_OK) {
		size_t len = out.len;
		pp_http_resp_set(resp, 200, "text/plain; version=0.0.4; charset=utf-8",
				 pp_buf_take(&out), len);
	} else {
		pp_http_resp_set(resp, 500, NULL, NULL, 0);
	}
	pp_buf_free(&out);
}

/* docs/openapi.json as bytes, generated at build time (meson.build, openapi_json.inc). */
static const char openapi_doc[] = {
#include "openapi_json.inc"
	0};

const char *pp_api_openapi(size_t *len)
{
	*len = sizeof(openapi_doc) - 1;
	return openapi_doc;
}

void pp_api_openapi_doc(void *ctx, pp_http_req *req, pp_http_resp *resp)
{
	size_t len;
	const char *doc = pp_api_openapi(&len);
	char *copy;

	(void)ctx;
	if (pp_api_query_known(req, resp, no_params) != 0)
		return;
	copy = malloc(len + 1);
	if (copy == NULL) {
		pp_http_resp_set(resp, 500, NULL, NULL, 0);
		return;
	}
	memcpy(copy, doc, len + 1);
	pp_http_resp_set(resp, 200, "application/json", copy, len);
}

/* clang-format off */
PP_API_SQL_ROUTE(ops_me, pp_api_me, "ops.sql", "me", NULL, 200, 0, PP_API_NO_FIELDS, NULL, PP_ARG_END)
PP_API_SQL_ROUTE(ops_statuses, pp_api_statuses, "ops.sql", "statuses", NULL, 200, 0, PP_API_NO_FIELDS, NULL, PP_ARG_END)
/* clang-format on */
