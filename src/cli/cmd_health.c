/* cmd_health.c: `planpipe health [--json] [--liveness|--readiness]`. */
#include <ctype.h>
#include <getopt.h>
#include <jansson.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/cmd_health_int.h"
#include "db/health.h"
#include "db/migration.h"

static const char usage_text[] =
	"usage: planpipe health [--liveness | --readiness] [--json] [OPTIONS]\n"
	"\n"
	"Checks the database with a real login and query (not PQping, which counts a\n"
	"refused login as up). Levels:\n"
	"  --liveness             a login and SELECT 1 within the timeout\n"
	"  --readiness            that, plus the schema version this binary needs, on a\n"
	"                         server that is not a standby and not read-only\n"
	"  (neither)              the full report: readiness plus the numbers below\n"
	"\n"
	"options:\n"
	"  --json                 print one JSON object instead of text\n"
	"  --timeout SECONDS      for everything, connecting included (default 5)\n"
	"  --replica              a standby or read-only server is ready too\n"
	"  --schema-exact         a schema newer than this binary's is not ready either\n"
	"\n"
	"thresholds of the full report, WARNING,CRITICAL (defaults in brackets):\n"
	"  --latency MS,MS              SELECT 1 round trip [100,1000]\n"
	"  --connections PCT,PCT        client connections of the usable slots [80,95]\n"
	"  --transaction-age S,S        oldest open or prepared transaction [300,3600]\n"
	"  --wraparound PCT,PCT         transaction ID age, percent of 2^31 [50,75]\n"
	"  --replication-lag S,S        a standby's lag, or the furthest replica's\n"
	"                               [30,300]\n"
	"  --partitions N,N             status_history months ahead, fewer is bad [2,1]\n"
	"\n"
	"exit status: 0 ok, 1 warning, 2 critical, 3 unknown (also a usage error).\n"
	"See docs/operations.md.\n";

#define EXIT_UNKNOWN 3

/* Parses "W,C" into two non-negative numbers. */
static int parse_pair(const char *flag, const char *s, double *warn, double *crit)
{
	char *end;
	double w, c;

	w = strtod(s, &end);
	if (end == s || *end != ',' || w < 0)
		goto bad;
	s = end + 1;
	c = strtod(s, &end);
	if (end == s || *end != '\0' || c < 0)
		goto bad;
	*warn = w;
	*crit = c;
	return 0;
bad:
	fprintf(stderr, "planpipe health: error: %s expects WARNING,CRITICAL, e.g. 80,95\n", flag);
	return -1;
}

/* What parse_args's options write. */
typedef struct parsed {
	pp_health_opts o;
	int json, liveness, readiness;
} parsed;

static int take_timeout(void *ctx, const pp_cli_opt *opt, const char *arg)
{
	parsed *p = ctx;
	double secs;
	char *end;

	(void)opt;
	secs = strtod(arg, &end);
	if (end == arg || *end != '\0' || secs <= 0 || secs > 3600) {
		fprintf(stderr, "planpipe health: error: --timeout expects seconds, "
				"more than 0 and at most 3600\n");
		return -1;
	}
	p->o.timeout_ms = (int)(secs * 1000);
	return 0;
}

/* The thresholds' options, by their key. */
enum { TH_LATENCY, TH_CONNECTIONS, TH_XACT_AGE, TH_WRAPAROUND, TH_LAG, TH_PARTITIONS };

static int take_threshold(void *ctx, const pp_cli_opt *opt, const char *arg)
{
	pp_health_thresholds *th = &((parsed *)ctx)->o.th;
	char flag[32];
	double w, k;

	snprintf(flag, sizeof(flag), "--%s", opt->name);
	if (parse_pair(flag, arg, &w, &k) != 0)
		return -1;
	switch (opt->key) {
	case TH_LATENCY:
		th->latency_warn_ms = w;
		th->latency_crit_ms = k;
		break;
	case TH_CONNECTIONS:
		th->connections_warn_pct = w;
		th->connections_crit_pct = k;
		break;
	case TH_XACT_AGE:
		th->xact_age_warn_s = w;
		th->xact_age_crit_s = k;
		break;
	case TH_WRAPAROUND:
		th->wraparound_warn_pct = w;
		th->wraparound_crit_pct = k;
		break;
	case TH_LAG:
		th->lag_warn_s = w;
		th->lag_crit_s = k;
		break;
	default: /* TH_PARTITIONS */
		th->partitions_warn = (int)w;
		th->partitions_crit = (int)k;
		break;
	}
	return 0;
}

/* clang-format off */
#define THRESHOLD(n, k) {.name = (n), .kind = PP_CLI_TAKE, .take = take_threshold, .key = (k)}
/* clang-format on */

/* usage_text describes them, as one text: the SQL check knows it as prose by its start. */
static const pp_cli_opt opts[] = {
	PP_CLI_FLAG_OPT("liveness", parsed, liveness),
	PP_CLI_FLAG_OPT("readiness", parsed, readiness),
	PP_CLI_FLAG_OPT("json", parsed, json),
	{.name = "timeout", .kind = PP_CLI_TAKE, .take = take_timeout},
	PP_CLI_FLAG_OPT("replica", parsed, o.allow_replica),
	PP_CLI_FLAG_OPT("schema-exact", parsed, o.schema_exact),
	THRESHOLD("latency", TH_LATENCY),
	THRESHOLD("connections", TH_CONNECTIONS),
	THRESHOLD("transaction-age", TH_XACT_AGE),
	THRESHOLD("wraparound", TH_WRAPAROUND),
	THRESHOLD("replication-lag", TH_LAG),
	THRESHOLD("partitions", TH_PARTITIONS),
	{0},
};

static const pp_cli_spec spec = {.cmd = "health", .opts = opts, .usage_text = usage_text};

int health_parse_args(int argc, char **argv, pp_health_opts *o, int *json)
{
	parsed p;
	int r;

	memset(&p, 0, sizeof(p));
	p.o = *o;
	r = pp_cli_parse(argc, argv, &spec, &p);
	if (r != 0)
		return r;
	if (p.liveness + p.readiness > 1) {
		fprintf(stderr,
			"planpipe health: error: give at most one of --liveness and --readiness\n");
		return -1;
	}
	if (optind < argc) {
		fprintf(stderr, "planpipe health: error: unexpected argument '%s'\n", argv[optind]);
		return -1;
	}
	*o = p.o;
	if (p.liveness)
		o->level = PP_HEALTH_LIVENESS;
	else if (p.readiness)
		o->level = PP_HEALTH_READINESS;
	*json = p.json != 0;
	return 0;
}

static void upper(const char *s, char *out, size_t size)
{
	size_t i;

	for (i = 0; s[i] && i + 1 < size; i++)
		out[i] = (char)toupper((unsigned char)s[i]);
	out[i] = '\0';
}

void health_print_text(FILE *out, const pp_health_report *r)
{
	static const char *const levels[] = {"liveness", "readiness", "full report"};
	char status[16];
	int i;

	upper(pp_health_status_str(r->status), status, sizeof(status));
	fprintf(out, "HEALTH %s: %s (%s, %lld ms)\n", status, r->summary, levels[r->level],
		r->elapsed_ms);
	for (i = 0; i < r->n_checks; i++) {
		const pp_health_check *c = &r->checks[i];
		fprintf(out, "  %-9s %-19s %s\n", pp_health_status_str(c->status), c->name,
			c->detail);
	}
}

int pp_cli_health(int argc, char **argv, const pp_config *cfg)
{
	pp_health_report report;
	pp_health_opts o;
	int json = 0, r;

	pp_health_opts_init(&o, PP_HEALTH_FULL);
	r = health_parse_args(argc, argv, &o, &json);
	if (r != 0)
		return r > 0 ? PP_EXIT_OK : EXIT_UNKNOWN;
	o.required_version = pp_mig_required_version();
	pp_health_run(cfg, &o, &report);
	if (json) {
		json_t *j = pp_health_report_json(&report);
		if (j == NULL || json_dumpf(j, stdout, JSON_INDENT(2)) != 0) {
			json_decref(j);
			fprintf(stderr, "planpipe health: error: cannot write the JSON report\n");
			return EXIT_UNKNOWN;
		}
		putchar('\n');
		json_decref(j);
	} else {
		health_print_text(stdout, &report);
	}
	return (int)report.status;
}
