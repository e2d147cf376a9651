/*
 * queries: times planpipe's documented query patterns and checks their plans.
 *
 *   queries [--dbname CONNINFO] [--iterations N] [--budget SECONDS] [--plans DIR] SPEC...
 *
 * A SPEC file (bench/queries.sql) holds entries:
 *
 *   -- name: story-by-key
 *   -- pattern: a story by project and key
 *   -- as: owner | app            (app: SET ROLE planpipe_app, the first parameter
 *                                    column is the planpipe.user_id to set: row-level security)
 *   -- tx: rollback               (a write: BEGIN, the statement, ROLLBACK)
 *   -- requires: FUNCTION_NAME    (skipped when no such function exists yet)
 *   -- helpers: NAME NAME ...     (planpipe_report_* helpers the entry exercises)
 *   -- params: SELECT ...         (one row per run, columns are $1, $2, ...; repeatable)
 *   -- expect: REGEX              (must match the plan; repeatable)
 *   -- reject: REGEX              (must not match the plan; repeatable)
 *   SELECT ... $1 ... ;
 *
 * Each statement is prepared once, as the API's pool does, run a few times
 * to warm up, then N times with the parameter rows in turn (each run timed
 * on the client with clock_gettime, result fetched), at most --budget
 * seconds. Then EXPLAIN EXECUTE shows the plan the statement now uses
 * (custom or generic) for three parameter rows; every expect must match and
 * no reject may. Prints a markdown table; exits 1 if any entry failed.
 * With --plans, writes EXPLAIN (ANALYZE, BUFFERS) of the first row to DIR/NAME.txt.
 */
#include <errno.h>
#include <math.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libpq-fe.h>

#define MAXRE 8

typedef struct spec {
	char name[96], pattern[256], as[16], tx[16], requires[96], helpers[512];
	char *params, *sql;
	char *expect[MAXRE], *reject[MAXRE];
	int nexpect, nreject;
} spec;

static PGconn *owner, *app;
static int iterations = 200;
static double budget = 120;
static const char *plans_dir;
static char covered[4096]; /* the requires of every spec, for the reports hook */

static void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (p == NULL) {
		fprintf(stderr, "queries: out of memory\n");
		exit(1);
	}
	return p;
}

static char *xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;
	return memcpy(xmalloc(n), s, n);
}

/* Appends s (and a separator) to a malloc'd string. */
static char *append(char *dst, const char *s, const char *sep)
{
	size_t a = dst ? strlen(dst) : 0, b = strlen(s), c = strlen(sep);
	char *p = xmalloc(a + c + b + 1);
	if (a)
		memcpy(p, dst, a);
	if (a)
		memcpy(p + a, sep, c);
	else
		c = 0;
	memcpy(p + a + c, s, b + 1);
	free(dst);
	return p;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long n;
	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0) {
		fprintf(stderr, "queries: %s: %s\n", path, strerror(errno));
		exit(1);
	}
	buf = xmalloc((size_t)n + 1);
	if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
		fprintf(stderr, "queries: %s: short read\n", path);
		exit(1);
	}
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static void copy_field(char *dst, size_t size, const char *v)
{
	snprintf(dst, size, "%s", v);
}

static void directive(spec *s, const char *key, const char *v)
{
	if (strcmp(key, "pattern") == 0)
		copy_field(s->pattern, sizeof s->pattern, v);
	else if (strcmp(key, "as") == 0)
		copy_field(s->as, sizeof s->as, v);
	else if (strcmp(key, "tx") == 0)
		copy_field(s->tx, sizeof s->tx, v);
	else if (strcmp(key, "requires") == 0)
		copy_field(s->requires, sizeof s->requires, v);
	else if (strcmp(key, "helpers") == 0)
		copy_field(s->helpers, sizeof s->helpers, v);
	else if (strcmp(key, "params") == 0)
		s->params = append(s->params, v, " ");
	else if (strcmp(key, "expect") == 0 && s->nexpect < MAXRE)
		s->expect[s->nexpect++] = xstrdup(v);
	else if (strcmp(key, "reject") == 0 && s->nreject < MAXRE)
		s->reject[s->nreject++] = xstrdup(v);
}

/* Splits a spec file into entries; returns how many, *out malloc'd. */
static int parse_specs(char *text, spec **out)
{
	int n = 0, cap = 0;
	spec *specs = NULL, *cur = NULL;
	for (char *line = text, *next; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (strncmp(line, "-- name:", 8) == 0) {
			if (n == cap) {
				cap = cap ? cap * 2 : 32;
				specs = realloc(specs, (size_t)cap * sizeof *specs);
				if (specs == NULL) {
					fprintf(stderr, "queries: out of memory\n");
					exit(1);
				}
			}
			cur = &specs[n++];
			memset(cur, 0, sizeof *cur);
			copy_field(cur->name, sizeof cur->name, line + 8 + strspn(line + 8, " "));
			copy_field(cur->as, sizeof cur->as, "owner");
			continue;
		}
		if (cur == NULL)
			continue;
		if (strncmp(line, "--", 2) == 0) {
			char key[32];
			int used = 0;
			if (sscanf(line, "-- %31[a-z]:%n", key, &used) == 1 && used > 0)
				directive(cur, key, line + used + strspn(line + used, " "));
			continue;
		}
		if (line[strspn(line, " \t")] != '\0')
			cur->sql = append(cur->sql, line, "\n");
	}
	for (int i = 0; i < n; i++) {
		char *q = specs[i].sql;
		size_t l = q ? strlen(q) : 0;
		while (l && (q[l - 1] == ';' || q[l - 1] == ' ' || q[l - 1] == '\n'))
			q[--l] = '\0';
	}
	*out = specs;
	return n;
}

/* ------------------------------------------------------------------ runs */

typedef struct outcome {
	int runs, failed;
	double rows, p50, p95, p99, max;
	char why[512];
} outcome;

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double pct(const double *v, int n, double p)
{
	int i = (int)ceil(p * n) - 1;
	return v[i < 0 ? 0 : i >= n ? n - 1 : i];
}

static int ok_status(PGresult *r)
{
	ExecStatusType st = PQresultStatus(r);
	return st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK;
}

static void exec_or_fail(PGconn *c, const char *sql, outcome *o)
{
	PGresult *r = PQexec(c, sql);
	if (!ok_status(r) && !o->failed) {
		o->failed = 1;
		snprintf(o->why, sizeof o->why, "%s: %s", sql, PQresultErrorMessage(r));
	}
	PQclear(r);
}

/* Sets planpipe.user_id for the app connection from the row's first column. */
static void set_user(const char *uid, outcome *o)
{
	const char *v[1] = {uid};
	PGresult *r = PQexecParams(app, "SELECT set_config('planpipe.user_id', $1, false)", 1, NULL,
				   v, NULL, NULL, 0);
	if (!ok_status(r) && !o->failed) {
		o->failed = 1;
		snprintf(o->why, sizeof o->why, "set user: %s", PQresultErrorMessage(r));
	}
	PQclear(r);
}

/* The statement's parameters from row i of the parameter rows. */
static void row_params(PGresult *p, int i, int skip, const char **v, int *n)
{
	*n = PQnfields(p) - skip;
	for (int k = 0; k < *n; k++)
		v[k] = PQgetisnull(p, i, k + skip) ? NULL : PQgetvalue(p, i, k + skip);
}

/* EXPLAIN [(opts)] EXECUTE name(literals of row i). */
static char *explain(PGconn *c, const char *opts, const char *stmt, PGresult *p, int i, int skip,
		     outcome *o)
{
	char *sql = append(NULL, "EXPLAIN ", "");
	char *plan = NULL;
	sql = append(sql, opts, "");
	sql = append(sql, " EXECUTE ", "");
	sql = append(sql, stmt, "");
	for (int k = skip; k < PQnfields(p); k++) {
		char *lit = PQgetisnull(p, i, k) ? NULL
						 : PQescapeLiteral(c, PQgetvalue(p, i, k),
								   (size_t)PQgetlength(p, i, k));
		sql = append(sql, k == skip ? "(" : ", ", "");
		sql = append(sql, lit ? lit : "NULL", "");
		PQfreemem(lit);
	}
	if (PQnfields(p) > skip)
		sql = append(sql, ")", "");
	PGresult *r = PQexec(c, sql);
	if (ok_status(r)) {
		for (int k = 0; k < PQntuples(r); k++)
			plan = append(plan, PQgetvalue(r, k, 0), "\n");
	} else if (!o->failed) {
		o->failed = 1;
		snprintf(o->why, sizeof o->why, "EXPLAIN: %s", PQresultErrorMessage(r));
	}
	PQclear(r);
	free(sql);
	return plan ? plan : xstrdup("");
}

static int matches(const char *re, const char *text)
{
	regex_t rx;
	int rc;
	if (regcomp(&rx, re, REG_EXTENDED | REG_NOSUB) != 0) {
		fprintf(stderr, "queries: bad regular expression: %s\n", re);
		exit(1);
	}
	rc = regexec(&rx, text, 0, NULL, 0) == 0;
	regfree(&rx);
	return rc;
}

static void check_plans(const spec *s, PGconn *c, const char *stmt, PGresult *p, int skip,
			outcome *o)
{
	int rows[3] = {0, PQntuples(p) / 2, PQntuples(p) - 1};
	for (int j = 0; j < 3 && !o->failed; j++) {
		if (skip)
			set_user(PQgetvalue(p, rows[j], 0), o);
		char *plan = explain(c, "(COSTS OFF)", stmt, p, rows[j], skip, o);
		for (int k = 0; k < s->nexpect && !o->failed; k++)
			if (!matches(s->expect[k], plan)) {
				o->failed = 1;
				snprintf(o->why, sizeof o->why, "plan does not match `%s`",
					 s->expect[k]);
			}
		for (int k = 0; k < s->nreject && !o->failed; k++)
			if (matches(s->reject[k], plan)) {
				o->failed = 1;
				snprintf(o->why, sizeof o->why, "plan matches `%s`", s->reject[k]);
			}
		if (o->failed)
			fprintf(stderr, "queries: %s: %s; the plan:\n%s\n", s->name, o->why, plan);
		free(plan);
	}
}

static void save_plan(const spec *s, PGconn *c, const char *stmt, PGresult *p, int skip, outcome *o)
{
	char path[512];
	FILE *f;
	snprintf(path, sizeof path, "%s/%s.txt", plans_dir, s->name);
	if (skip)
		set_user(PQgetvalue(p, 0, 0), o);
	exec_or_fail(c, "BEGIN", o);
	char *plan = explain(c, "(ANALYZE, BUFFERS)", stmt, p, 0, skip, o);
	exec_or_fail(c, "ROLLBACK", o);
	if ((f = fopen(path, "w")) == NULL) {
		fprintf(stderr, "queries: %s: %s\n", path, strerror(errno));
		exit(1);
	}
	fprintf(f, "-- %s: %s (as %s)\n%s;\n-- parameters:", s->name, s->pattern, s->as, s->sql);
	for (int k = 0; k < PQnfields(p); k++)
		fprintf(f, " %s%.60s", k == skip && skip ? "| " : "",
			PQgetisnull(p, 0, k) ? "NULL" : PQgetvalue(p, 0, k));
	fprintf(f, "\n\n%s\n", plan);
	fclose(f);
	free(plan);
}

static void run_spec(const spec *s, int index, outcome *o)
{
	int is_app = strcmp(s->as, "app") == 0, rollback = strcmp(s->tx, "rollback") == 0;
	int skip = is_app ? 1 : 0, np, warm;
	PGconn *c = is_app ? app : owner;
	char stmt[32];
	const char *v[32];
	double *lat = xmalloc(sizeof(double) * (size_t)iterations), started;
	PGresult *p = PQexec(owner, s->params ? s->params : "SELECT");

	memset(o, 0, sizeof *o);
	if (!ok_status(p) || PQntuples(p) == 0 || PQnfields(p) - skip > 32) {
		o->failed = 1;
		snprintf(o->why, sizeof o->why, "parameters: %s",
			 ok_status(p) ? "no rows" : PQresultErrorMessage(p));
		goto out;
	}
	snprintf(stmt, sizeof stmt, "bench_%d", index);
	PGresult *prep = PQprepare(c, stmt, s->sql, 0, NULL);
	if (!ok_status(prep)) {
		o->failed = 1;
		snprintf(o->why, sizeof o->why, "prepare: %s", PQresultErrorMessage(prep));
		PQclear(prep);
		goto out;
	}
	PQclear(prep);

	warm = PQntuples(p) < 10 ? PQntuples(p) : 10;
	started = now_s();
	for (int i = -warm; i < iterations && !o->failed; i++) {
		int row = (i + warm) % PQntuples(p);
		if (i >= 10 && now_s() - started > budget)
			break;
		if (is_app)
			set_user(PQgetvalue(p, row, 0), o);
		if (rollback)
			exec_or_fail(c, "BEGIN", o);
		row_params(p, row, skip, v, &np);
		double t0 = now_s();
		PGresult *r = PQexecPrepared(c, stmt, np, v, NULL, NULL, 0);
		double t1 = now_s();
		if (!ok_status(r)) {
			o->failed = 1;
			snprintf(o->why, sizeof o->why, "run: %s", PQresultErrorMessage(r));
		} else if (i >= 0) {
			lat[o->runs++] = (t1 - t0) * 1000.0;
			o->rows += PQntuples(r);
		}
		PQclear(r);
		if (rollback)
			exec_or_fail(c, "ROLLBACK", o);
	}
	if (!o->failed && o->runs > 0) {
		qsort(lat, (size_t)o->runs, sizeof *lat, cmp_double);
		o->p50 = pct(lat, o->runs, 0.50);
		o->p95 = pct(lat, o->runs, 0.95);
		o->p99 = pct(lat, o->runs, 0.99);
		o->max = lat[o->runs - 1];
		o->rows /= o->runs;
		check_plans(s, c, stmt, p, skip, o);
		if (plans_dir && !o->failed)
			save_plan(s, c, stmt, p, skip, o);
	}
out:
	PQclear(p);
	free(lat);
}

/* ---------------------------------------------------------------- output */

/* Prints s for a markdown table cell: | escaped. */
static void cell(const char *s)
{
	for (; *s; s++) {
		if (*s == '|')
			fputs("\\|", stdout);
		else if (*s != '\n')
			fputc(*s, stdout);
	}
}

static int function_exists(const char *name)
{
	const char *v[1] = {name};
	PGresult *r = PQexecParams(owner, "SELECT count(*) FROM pg_proc WHERE proname = $1", 1,
				   NULL, v, NULL, NULL, 0);
	long n = ok_status(r) ? strtol(PQgetvalue(r, 0, 0), NULL, 10) : 0;
	PQclear(r);
	return n > 0;
}

/*
 * The reports hook (issue 9): every planpipe_report_* function in the
 * database that no entry names in `requires` is listed as not benchmarked.
 */
static int report_hook(void)
{
	PGresult *r = PQexec(owner, "SELECT proname, oid::regprocedure::text FROM pg_proc"
				    " WHERE proname LIKE 'planpipe\\_report\\_%' ORDER BY 1");
	int found = ok_status(r) ? PQntuples(r) : 0;
	for (int i = 0; i < found; i++) {
		char needle[128];
		snprintf(needle, sizeof needle, "|%s|", PQgetvalue(r, i, 0));
		if (strstr(covered, needle))
			continue;
		printf("| `");
		cell(PQgetvalue(r, i, 1));
		printf("` | a report (issue 9) | owner | 0 | | | | | | **not benchmarked yet**: add its entry to "
		       "bench/queries-reports.sql |\n");
	}
	PQclear(r);
	return found;
}

static PGconn *connect_or_die(const char *conninfo)
{
	PGconn *c = PQconnectdb(conninfo);
	PGresult *r;
	if (PQstatus(c) != CONNECTION_OK) {
		fprintf(stderr, "queries: cannot connect: %s", PQerrorMessage(c));
		exit(1);
	}
	r = PQexec(c, "SET TimeZone = 'UTC'; SET client_min_messages = warning");
	PQclear(r);
	return c;
}

static const char usage[] =
	"usage: queries [--dbname CONNINFO] [--iterations N] [--budget SECONDS] [--plans DIR] SPEC...\n";

int main(int argc, char **argv)
{
	const char *dbname = "";
	int nspecs = 0, failures = 0, i, reports;
	spec *all = NULL;

	for (i = 1; i < argc && strncmp(argv[i], "--", 2) == 0; i += 2) {
		if (i + 1 >= argc) {
			fputs(usage, stderr);
			return 2;
		}
		if (strcmp(argv[i], "--dbname") == 0)
			dbname = argv[i + 1];
		else if (strcmp(argv[i], "--iterations") == 0)
			iterations = (int)strtol(argv[i + 1], NULL, 10);
		else if (strcmp(argv[i], "--budget") == 0)
			budget = strtod(argv[i + 1], NULL);
		else if (strcmp(argv[i], "--plans") == 0)
			plans_dir = argv[i + 1];
		else {
			fputs(usage, stderr);
			return 2;
		}
	}
	if (i >= argc || iterations < 1 || budget <= 0) {
		fputs(usage, stderr);
		return 2;
	}
	for (; i < argc; i++) {
		spec *more;
		char *text = read_file(argv[i]);
		int n = parse_specs(text, &more);
		free(text);
		all = realloc(all, (size_t)(nspecs + n) * sizeof *all);
		if (all == NULL) {
			fprintf(stderr, "queries: out of memory\n");
			return 1;
		}
		memcpy(all + nspecs, more, (size_t)n * sizeof *more);
		nspecs += n;
		free(more);
	}

	owner = connect_or_die(dbname);
	app = connect_or_die(dbname);
	PQclear(PQexec(app, "SET ROLE planpipe_app"));

	printf("| query | pattern | as | runs | rows/run | p50 ms | p95 ms | p99 ms | max ms | plan |\n");
	printf("|---|---|---|---:|---:|---:|---:|---:|---:|---|\n");
	for (int k = 0; k < nspecs; k++) {
		spec *s = &all[k];
		outcome o;
		/* Helper functions an entry exercises count as covered by it. */
		for (const char *h = s->helpers; *h;) {
			size_t n = strcspn(h, " "), l = strlen(covered);
			if (n)
				snprintf(covered + l, sizeof covered - l, "|%.*s|", (int)n, h);
			h += n + strspn(h + n, " ");
		}
		if (s->requires[0]) {
			size_t l = strlen(covered);
			snprintf(covered + l, sizeof covered - l, "|%s|", s->requires);
			if (!function_exists(s->requires)) {
				printf("| %s | ", s->name);
				cell(s->pattern);
				printf(" | %s | 0 | | | | | | skipped: `%s` does not exist yet |\n",
				       s->as, s->requires);
				fflush(stdout);
				continue;
			}
		}
		fprintf(stderr, "queries: %s\n", s->name);
		run_spec(s, k, &o);
		printf("| %s | ", s->name);
		cell(s->pattern);
		printf(" | %s | %d | %.1f | %.3f | %.3f | %.3f | %.3f | ", s->as, o.runs, o.rows,
		       o.p50, o.p95, o.p99, o.max);
		if (o.failed) {
			failures++;
			printf("**FAIL**: ");
			cell(o.why);
		} else {
			printf("ok:");
			for (int j = 0; j < s->nexpect; j++) {
				printf(" `");
				cell(s->expect[j]);
				printf("`");
			}
		}
		printf(" |\n");
		fflush(stdout);
	}
	reports = report_hook();
	printf("\nReports (issue 9): %d `planpipe_report_*` function(s) in this database%s.\n",
	       reports,
	       reports ? "" : "; bench/queries-reports.sql is the hook their entries go into");
	PQfinish(app);
	PQfinish(owner);
	for (int k = 0; k < nspecs; k++) {
		free(all[k].params);
		free(all[k].sql);
		for (int j = 0; j < all[k].nexpect; j++)
			free(all[k].expect[j]);
		for (int j = 0; j < all[k].nreject; j++)
			free(all[k].reject[j]);
	}
	free(all);
	return failures ? 1 : 0;
}
