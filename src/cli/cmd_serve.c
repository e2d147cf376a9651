/* cmd_serve.c: `planpipe serve`, the HTTP/JSON API (src/http, src/api, docs/api.md). */
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "cli/cli.h"
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
	"  PLANPIPE_LOG_FORMAT  access log on standard output: text or json\n"
	"  PLANPIPE_POOL_*      the database connection pool\n"
	"  PLANPIPE_HISTORY_MAINTAIN_INTERVAL, PLANPIPE_HISTORY_MONTHS_AHEAD\n"
	"                       status_history's partitions are maintained at start and\n"
	"                       then every so many seconds (3600; 0: never), as\n"
	"                       `planpipe maintain` does, one instance at a time\n";

#define CONN_LIMIT     1024
#define CONN_TIMEOUT_S 60

static int parse_args(int argc, char **argv, int *drain_s)
{
	static const struct option opts[] = {
		{"drain-timeout", required_argument, NULL, 'd'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	char *end;
	long v;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			v = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end || v < 0 || v > 3600) {
				pp_cli_error("serve", "--drain-timeout expects seconds, 0 to 3600");
				return -1;
			}
			*drain_s = (int)v;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 1;
		default:
			fputs(usage_text, stderr);
			return -1;
		}
	}
	if (optind < argc) {
		pp_cli_error("serve", "too many arguments (see planpipe serve --help)");
		return -1;
	}
	return 0;
}

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
	pp_api api;
	sigset_t stop;
	pp_err err;
	int drain_s = 20, sig = 0, status = PP_EXIT_ERROR, left, r, host_len;

	r = parse_args(argc, argv, &drain_s);
	if (r != 0)
		return r > 0 ? PP_EXIT_OK : PP_EXIT_ERROR;
	pp_err_clear(&err);
	memset(&api, 0, sizeof(api));
	api.cfg = cfg;
	/* Not thread-safe on the first call: made here, before any thread. */
	api.schema_version = pp_migrations_required_version();

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
	memset(&ho, 0, sizeof(ho));
	ho.listen = cfg->listen;
	ho.max_body = (size_t)cfg->max_body;
	ho.log_json = cfg->log_format == 1;
	ho.conn_limit = CONN_LIMIT;
	ho.conn_timeout_s = CONN_TIMEOUT_S;
	ho.routes = pp_api_routes(&ho.n_routes);
	ho.ctx = &api;
	ho.metrics = api.metrics;
	if (pp_http_server_start(&ho, &server, &err) != PP_OK) {
		pp_cli_error("serve", err.msg);
		goto out;
	}
	host_len = (int)(strrchr(cfg->listen, ':') - cfg->listen);
	pp_log(PP_LOG_INFO,
	       "serve: planpipe %s listening on http://%.*s:%d (pool of %d, schema %d)", PP_VERSION,
	       host_len ? host_len : 7, host_len ? cfg->listen : "0.0.0.0",
	       pp_http_server_port(server), po.max_size, api.schema_version);
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
	pp_pool_free(api.pool);
	pp_http_metrics_free(api.metrics);
	if (status == PP_EXIT_OK)
		pp_log(PP_LOG_INFO, "serve: stopped");
	return status;
}
