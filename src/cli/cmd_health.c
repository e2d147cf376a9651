/* cmd_health.c: `planpipe health [--json] [--liveness|--readiness]`. */
#include <ctype.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
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
	"  --replication-lag S,S        a standby's lag, or the furthest replica's [30,300]\n"
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
	pp_health_opts *o;
	int *json, levels;
} parsed;

static int take_option(void *ctx, int opt, const char *arg)
{
	parsed *p = ctx;
	double w, k, secs;
	char *end;
	int r = 0;

	switch (opt) {
	case 'L':
		p->o->level = PP_HEALTH_LIVENESS;
		p->levels++;
		break;
	case 'R':
		p->o->level = PP_HEALTH_READINESS;
		p->levels++;
		break;
	case 'j':
		*p->json = 1;
		break;
	case 't':
		secs = strtod(arg, &end);
		if (end == arg || *end != '\0' || secs <= 0 || secs > 3600) {
			fprintf(stderr, "planpipe health: error: --timeout expects seconds, "
					"more than 0 and at most 3600\n");
			return -1;
		}
		p->o->timeout_ms = (int)(secs * 1000);
		break;
	case 'r':
		p->o->allow_replica = 1;
		break;
	case 'x':
		p->o->schema_exact = 1;
		break;
	case 1:
		r = parse_pair("--latency", arg, &p->o->th.latency_warn_ms,
			       &p->o->th.latency_crit_ms);
		break;
	case 2:
		r = parse_pair("--connections", arg, &p->o->th.connections_warn_pct,
			       &p->o->th.connections_crit_pct);
		break;
	case 3:
		r = parse_pair("--transaction-age", arg, &p->o->th.xact_age_warn_s,
			       &p->o->th.xact_age_crit_s);
		break;
	case 4:
		r = parse_pair("--wraparound", arg, &p->o->th.wraparound_warn_pct,
			       &p->o->th.wraparound_crit_pct);
		break;
	case 5:
		r = parse_pair("--replication-lag", arg, &p->o->th.lag_warn_s,
			       &p->o->th.lag_crit_s);
		break;
	case 6:
		r = parse_pair("--partitions", arg, &w, &k);
		/* On a usage error w and k were never set. */
		if (r == 0) {
			p->o->th.partitions_warn = (int)w;
			p->o->th.partitions_crit = (int)k;
		}
		break;
	}
	return r;
}

/* Returns 0 to run, 1 after --help, -1 on a usage error. */
static int parse_args(int argc, char **argv, pp_health_opts *o, int *json)
{
	static const struct option opts[] = {
		{"liveness", no_argument, NULL, 'L'},
		{"readiness", no_argument, NULL, 'R'},
		{"json", no_argument, NULL, 'j'},
		{"timeout", required_argument, NULL, 't'},
		{"replica", no_argument, NULL, 'r'},
		{"schema-exact", no_argument, NULL, 'x'},
		{"latency", required_argument, NULL, 1},
		{"connections", required_argument, NULL, 2},
		{"transaction-age", required_argument, NULL, 3},
		{"wraparound", required_argument, NULL, 4},
		{"replication-lag", required_argument, NULL, 5},
		{"partitions", required_argument, NULL, 6},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	parsed p = {o, json, 0};
	int r = pp_cli_options(argc, argv, opts, usage_text, NULL, take_option, &p);

	if (r != 0)
		return r;
	if (p.levels > 1) {
		fprintf(stderr,
			"planpipe health: error: give at most one of --liveness and --readiness\n");
		return -1;
	}
	if (optind < argc) {
		fprintf(stderr, "planpipe health: error: unexpected argument '%s'\n", argv[optind]);
		return -1;
	}
	return 0;
}

static void upper(const char *s, char *out, size_t size)
{
	size_t i;

	for (i = 0; s[i] && i + 1 < size; i++)
		out[i] = (char)toupper((unsigned char)s[i]);
	out[i] = '\0';
}

static void print_text(const pp_health_report *r)
{
	static const char *const levels[] = {"liveness", "readiness", "full report"};
	char status[16];
	int i;

	upper(pp_health_status_str(r->status), status, sizeof(status));
	printf("HEALTH %s: %s (%s, %lld ms)\n", status, r->summary, levels[r->level],
	       r->elapsed_ms);
	for (i = 0; i < r->n_checks; i++) {
		const pp_health_check *c = &r->checks[i];
		printf("  %-9s %-19s %s\n", pp_health_status_str(c->status), c->name, c->detail);
	}
}

int pp_cli_health(int argc, char **argv, const pp_config *cfg)
{
	pp_health_report report;
	pp_health_opts o;
	int json = 0, r;

	pp_health_opts_init(&o, PP_HEALTH_FULL);
	r = parse_args(argc, argv, &o, &json);
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
		print_text(&report);
	}
	return (int)report.status;
}
