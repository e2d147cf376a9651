/* cmd_serve.c: `planpipe serve`, the HTTP/JSON API (src/http, src/api, docs/api.md). */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "api/api.h"
#include "cli/cli.h"
#include "cli/cmd_serve_int.h"
#include "core/log.h"
#include "db/maintain.h"
#include "db/migration.h"
#include "db/pool.h"
#include "http/server.h"
#include "version.h"

static const char usage_text[] =
	"usage: planpipe serve [--drain-timeout SECONDS]\n"
	"\n"
	"Serves the plan_pipe API over HTTP/JSON (see docs/api.md) until SIGTERM or\n"
	"SIGINT, then stops accepting connections, lets the requests under way finish\n"
	"(at most --drain-timeout seconds, default 20) and exits 0.\n"
	"\n"
	"The database login (DATABASE_URL or libpq's PG* variables) must be a member\n"
	"of the role planpipe_app (or the schema owner); every request runs as\n"
	"planpipe_app under row-level security. Settings (planpipe config lists them):\n"
	"  PLANPIPE_LISTEN      address to listen on, HOST:PORT (default 127.0.0.1:8080)\n"
	"  PLANPIPE_MAX_BODY    largest request body in bytes (default 1048576)\n"
	"  PLANPIPE_LOG_FORMAT  text or json: the access log on standard output and the\n"
	"                       server's messages on standard error\n"
	"  PLANPIPE_MAX_CONNECTIONS, PLANPIPE_MAX_CONNECTIONS_PER_IP\n"
	"                       client connections held open at once (4096; 256 per\n"
	"                       address)\n"
	"  PLANPIPE_REQUEST_TIMEOUT  seconds a request has to arrive whole (30)\n"
	"  PLANPIPE_REPORT_CONCURRENCY, PLANPIPE_REPORT_WAIT_MS\n"
	"                       reports run at once (a quarter of the pool) and how long\n"
	"                       one waits for its turn before a 503 (1000 ms)\n"
	"  PLANPIPE_HTTP_THREADS  event loop threads (2)\n"
	"  PLANPIPE_POOL_*      the database connection pool\n"
	"  PLANPIPE_READ_DATABASE_URL[_FILE], PLANPIPE_READ_MAX_LAG\n"
	"                       a hot standby for reports, the cross-project story list\n"
	"                       and history, used while its replay lag is within the\n"
	"                       bound (5 s); see docs/operations.md\n"
	"  PLANPIPE_HISTORY_MAINTAIN_INTERVAL, PLANPIPE_HISTORY_MONTHS_AHEAD\n"
	"                       status_history's partitions are maintained at start and\n"
	"                       then every so many seconds (3600; 0: never), as\n"
	"                       `planpipe maintain` does, one instance at a time\n";

/*
 * Test only (tests/integration/test_api_limits.c): PLANPIPE_TEST_REPORT_HOLD_MS
 * makes every report hold a pooled database connection that long before it
 * runs, as a slow report would. Not a setting: never set it in production.
 */
static int report_hold_ms;
static pp_http_handler report_handler;

static void held_report(void *ctx, pp_http_req *req, pp_http_resp *resp)
{
	pp_api *api = ctx;
	pp_pool_conn *pc = NULL;
	struct timespec ts = {report_hold_ms / 1000, (long)(report_hold_ms % 1000) * 1000000L};
	pp_err err;

	pp_err_clear(&err);
	if (pp_pool_acquire(api->pool, -1, &pc, &err) == PP_OK) {
		while (nanosleep(&ts, &ts) != 0)
			;
		pp_pool_release(pc);
	}
	report_handler(ctx, req, resp);
}

/* The route table, with the test hook above when it is set (caller frees *copy). */
static const pp_route *routes(size_t *n, pp_route **copy)
{
	const pp_route *r = pp_api_routes(n);
	const char *hold = getenv("PLANPIPE_TEST_REPORT_HOLD_MS");
	size_t i;

	*copy = NULL;
	if (hold == NULL || atoi(hold) <= 0 || (*copy = malloc(*n * sizeof(*r))) == NULL)
		return r;
	report_hold_ms = atoi(hold);
	memcpy(*copy, r, *n * sizeof(*r));
	for (i = 0; i < *n; i++) {
		if (strstr(r[i].pattern, "/reports/") != NULL) {
			report_handler = r[i].handler;
			(*copy)[i].handler = held_report;
		}
	}
	pp_log(PP_LOG_WARN,
	       "serve: PLANPIPE_TEST_REPORT_HOLD_MS=%d: reports are slowed (tests only)",
	       report_hold_ms);
	return *copy;
}

rlim_t serve_fd_need(unsigned conn_limit, int pool_max)
{
	return (rlim_t)conn_limit + (rlim_t)pool_max + SERVE_FD_SPARE;
}

rlim_t serve_fd_raise(rlim_t cur, rlim_t max, rlim_t need)
{
	if (cur < need && cur < max)
		return max < need ? max : need;
	return cur;
}

unsigned serve_fd_fit(unsigned conn_limit, int pool_max, rlim_t cur)
{
	if (cur >= serve_fd_need(conn_limit, pool_max))
		return conn_limit;
	return cur > (rlim_t)pool_max + 2 * SERVE_FD_SPARE
		       ? (unsigned)(cur - (rlim_t)pool_max - SERVE_FD_SPARE)
		       : SERVE_FD_SPARE;
}

/*
 * Raises the soft limit on open files to the hard one, so the connection
 * limit can be reached; lowers conn_limit (with a warning) when even that is
 * too few.
 */
static void fit_fd_limit(unsigned *conn_limit, int pool_max)
{
	struct rlimit rl;
	rlim_t want = serve_fd_need(*conn_limit, pool_max), soft;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return;
	soft = serve_fd_raise(rl.rlim_cur, rl.rlim_max, want);
	if (soft != rl.rlim_cur) {
		rl.rlim_cur = soft;
		if (setrlimit(RLIMIT_NOFILE, &rl) != 0 && getrlimit(RLIMIT_NOFILE, &rl) != 0)
			return;
	}
	if (rl.rlim_cur < want) {
		unsigned fit = serve_fd_fit(*conn_limit, pool_max, rl.rlim_cur);
		pp_log(PP_LOG_WARN,
		       "serve: PLANPIPE_MAX_CONNECTIONS=%u needs %llu open files but the limit "
		       "(ulimit -n) is %llu: at most %u connections",
		       *conn_limit, (unsigned long long)want, (unsigned long long)rl.rlim_cur, fit);
		*conn_limit = fit;
	}
}

int serve_report_budget(const pp_config *cfg, int pool_max)
{
	if (cfg->report_concurrency > 0)
		return cfg->report_concurrency;
	return pool_max / 4 > 1 ? pool_max / 4 : 1;
}

int serve_parse_drain(const char *arg, int *seconds)
{
	long v;

	if (pp_cli_whole(arg, 0, 3600, &v) != 0)
		return -1;
	*seconds = (int)v;
	return 0;
}

const char *serve_listen_host(const char *listen, int *len)
{
	int host_len = (int)(strrchr(listen, ':') - listen);

	*len = host_len ? host_len : 7;
	return host_len ? listen : "0.0.0.0";
}

static int take_drain_timeout(void *ctx, const pp_cli_opt *opt, const char *arg)
{
	(void)opt;
	if (serve_parse_drain(arg, ctx) != 0) {
		pp_cli_error("serve", "--drain-timeout expects seconds, 0 to 3600");
		return -1;
	}
	return 0;
}

static const pp_cli_opt opts[] = {
	{.name = "drain-timeout", .kind = PP_CLI_TAKE, .take = take_drain_timeout},
	{0},
};

static const pp_cli_spec spec = {
	.cmd = "serve", .opts = opts, .usage_text = usage_text, .no_operands = 1};

/*
 * History partitions are maintained in a thread of their own with its own
 * connection, so requests never wait for it; a failure is logged, never fatal.
 */
static void start_maintainer(const pp_config *cfg, pp_maintainer **out)
{
	pp_err err;

	*out = NULL;
	if (cfg->history_maintain_interval == 0) {
		pp_log(PP_LOG_INFO,
		       "serve: history partition maintenance is off "
		       "(PLANPIPE_HISTORY_MAINTAIN_INTERVAL=0): run planpipe maintain");
		return;
	}
	pp_err_clear(&err);
	if (pp_maintainer_start(cfg, cfg->history_months_ahead, cfg->history_maintain_interval, out,
				&err) != PP_OK)
		pp_log(PP_LOG_WARN, "serve: history partitions will not be maintained: %s",
		       err.msg);
}

int pp_cli_serve(int argc, char **argv, const pp_config *cfg)
{
	pp_http_server *server = NULL;
	pp_maintainer *maintainer = NULL;
	pp_http_opts ho;
	pp_pool_opts po;
	pp_route *route_copy = NULL;
	const char *host;
	pp_api api;
	sigset_t stop;
	pp_err err;
	int drain_s = 20, sig = 0, status = PP_EXIT_ERROR, left, r, host_len;

	r = pp_cli_parse(argc, argv, &spec, &drain_s);
	if (r != 0)
		return pp_cli_parse_exit(r);
	pp_err_clear(&err);
	/* The server's own messages in the access log's format; before any thread. */
	pp_log_set_json(cfg->log_format == 1);
	memset(&api, 0, sizeof(api));
	api.cfg = cfg;
	/* Not thread-safe on the first call: made here, before any thread. */
	api.schema_version = pp_mig_required_version();

	/*
	 * Every thread (the pool's, libmicrohttpd's) inherits this mask, so the
	 * stop signals reach only sigwait below; a peer that hangs up must not
	 * kill the process.
	 */
	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	pthread_sigmask(SIG_BLOCK, &stop, NULL);
	signal(SIGPIPE, SIG_IGN);

	api.metrics = pp_http_metrics_new();
	if (api.metrics == NULL) {
		pp_cli_error("serve", "out of memory");
		goto out;
	}
	pp_pool_opts_init(&po, cfg);
	po.appname = "planpipe-api";
	if (pp_pool_new(&po, &api.pool, &err) != PP_OK) {
		pp_cli_error("serve", err.msg);
		goto out;
	}
	if (pp_read_router_new(cfg, &po, &api.reads, &err) != PP_OK) {
		pp_cli_error("serve", err.msg);
		goto out;
	}
	memset(&ho, 0, sizeof(ho));
	ho.report_workers = serve_report_budget(cfg, po.max_size);
	if (ho.report_workers >= po.max_size && po.max_size > 1) {
		char msg[200];
		snprintf(msg, sizeof(msg),
			 "PLANPIPE_REPORT_CONCURRENCY=%d must be smaller than the pool "
			 "(PLANPIPE_POOL_SIZE=%d), so that reports never take every connection",
			 ho.report_workers, po.max_size);
		pp_cli_error("serve", msg);
		goto out;
	}
	ho.listen = cfg->listen;
	ho.max_body = (size_t)cfg->max_body;
	ho.log_json = cfg->log_format == 1;
	ho.conn_limit = (unsigned)cfg->max_connections;
	fit_fd_limit(&ho.conn_limit, api.reads ? 2 * po.max_size + 1 : po.max_size);
	ho.per_ip_limit = (unsigned)cfg->max_connections_per_ip;
	ho.request_timeout_s = (unsigned)cfg->request_timeout_s;
	ho.event_threads = (unsigned)cfg->http_threads;
	ho.workers = po.max_size;
	ho.wait_ms = po.acquire_timeout_ms;
	ho.report_wait_ms = cfg->report_wait_ms;
	ho.routes = routes(&ho.n_routes, &route_copy);
	ho.ctx = &api;
	ho.metrics = api.metrics;
	if (pp_http_server_start(&ho, &server, &err) != PP_OK) {
		pp_cli_error("serve", err.msg);
		goto out;
	}
	host = serve_listen_host(cfg->listen, &host_len);
	pp_log(PP_LOG_INFO,
	       "serve: planpipe %s listening on http://%.*s:%d (pool of %d, %d for reports, "
	       "%u connections, schema %d)",
	       PP_VERSION, host_len, host, pp_http_server_port(server), po.max_size,
	       ho.report_workers, ho.conn_limit, api.schema_version);
	if (api.reads)
		pp_log(PP_LOG_INFO,
		       "serve: reports, the cross-project story list and history read from "
		       "PLANPIPE_READ_DATABASE_URL while its replay lag is within %d s "
		       "(PLANPIPE_READ_MAX_LAG)",
		       cfg->read_max_lag_s);
	fflush(stderr);
	start_maintainer(cfg, &maintainer);

	while (sigwait(&stop, &sig) != 0)
		;
	pp_log(PP_LOG_INFO, "serve: %s: draining (at most %d s)", strsignal(sig), drain_s);
	left = pp_http_server_drain(server, drain_s * 1000);
	if (left > 0)
		pp_log(PP_LOG_WARN, "serve: %d request(s) still running at the deadline", left);
	status = PP_EXIT_OK;
out:
	pp_maintainer_stop(maintainer);
	pp_http_server_stop(server);
	pp_read_router_free(api.reads);
	pp_pool_free(api.pool);
	pp_http_metrics_free(api.metrics);
	free(route_copy);
	if (status == PP_EXIT_OK)
		pp_log(PP_LOG_INFO, "serve: stopped");
	return status;
}
