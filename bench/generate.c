/*
 * generate: loads a deterministic, realistic planpipe data set for the
 * benchmarks (docs/performance.md).
 *
 *   generate [--scale small|medium|large] [--seed N] [--end YYYY-MM-DD]
 *            [--users N] [--projects N] [--backlogs N] [--stories N] [--edges N]
 *            [--history N] [--years N] [--jobs N] [--dbname CONNINFO] [--dry-run]
 *
 * The same seed, scale and --end (default: today, UTC) give the same data.
 * Connects with libpq's environment (PGHOST, PGDATABASE, ...) or --dbname as
 * the schema owner, into a freshly migrated, empty database (it refuses
 * one with data). Every session sets session_replication_role = replica:
 * user triggers and the foreign keys' internal triggers do not fire; CHECK
 * constraints still do. Every value a trigger would have set is computed here
 * instead (keys, rank, normalised labels, started_at/completed_at from the
 * history, version, the history itself), and bench/check.sql proves the
 * rules afterwards. The steps:
 *   1. one transaction: creates the status_history partition of every month
 *      of the span (planpipe_create_history_partition); TRUNCATEs the empty
 *      tables (so that COPY ... FREEZE may write frozen, all-visible rows);
 *      drops the secondary (non-constraint) indexes of stories,
 *      story_dependencies and status_history, keeping their definitions;
 *      COPYs users, projects, project_members, story_key_counters (0),
 *      project_dependencies, backlogs; commits;
 *   2. COPYs stories over --jobs connections at once (story ids modulo the
 *      job count; each story's text comes from its own seeded stream): the
 *      server's to_tsvector of ~3 KB bodies for the generated `search`
 *      column is the most expensive part of the whole load;
 *   3. one transaction: TRUNCATEs story_dependencies and status_history again
 *      (empty: so that FREEZE applies), COPYs the edges, and the history
 *      month by month straight into each partition, in time order; commits;
 *   4. rebuilds the dropped indexes from their definitions, over --jobs
 *      connections (the full-text GIN index alone on one);
 *   5. moves the identity sequences past the ids, sets each key counter to
 *      the highest <prefix>-<n> of its project's keys (set-based SQL, what
 *      planpipe_stories_key() does row by row), gives each project the
 *      default workflow (project_statuses), VACUUM (ANALYZE) each table.
 * Prints the data set's shape and a markdown table of rows per second.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sys/wait.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "gen_load.h"

#define DAY_US (86400LL * 1000000LL)

static PGconn *conn;
static const char *dbname = "";
static uint32_t jobs = 2;

static const char usage[] =
	"usage: generate [--scale small|medium|large] [--seed N] [--end YYYY-MM-DD]\n"
	"                [--users N] [--projects N] [--backlogs N] [--stories N] [--edges N]\n"
	"                [--history N] [--years N] [--jobs N] [--dbname CONNINFO] [--dry-run]\n";

static int scale_preset(gen_config *c, const char *name)
{
	c->scale = name;
	if (strcmp(name, "large") == 0)
		*c = (gen_config){name, c->seed, c->end_us, 3,        5000, 200,
				  1000, 1000000, 2000000,   10000000, 0.1};
	else if (strcmp(name, "medium") == 0)
		*c = (gen_config){name, c->seed, c->end_us, 3,       500, 20,
				  100,  100000,  200000,    1000000, 0.1};
	else if (strcmp(name, "small") == 0)
		*c = (gen_config){name, c->seed, c->end_us, 3,     200, 20,
				  100,  2000,    4000,      20000, 0.1};
	else
		return -1;
	return 0;
}

static uint64_t parse_u64(const char *opt, const char *s)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || *end || end == s) {
		fprintf(stderr, "generate: %s needs a number, got \"%s\"\n", opt, s);
		exit(2);
	}
	return v;
}

static int64_t parse_day(const char *s)
{
	struct tm tm = {0};
	int y, mo, d, n = 0;
	if (sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3 || s[n] != '\0' || mo < 1 || mo > 12 ||
	    d < 1 || d > 31) {
		fprintf(stderr, "generate: --end needs YYYY-MM-DD, got \"%s\"\n", s);
		exit(2);
	}
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	return (int64_t)timegm(&tm) * 1000000LL;
}

static void parse_args(int argc, char **argv, gen_config *c, int *dry)
{
	time_t today = time(NULL);
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	jobs = cpus < 2 ? 2 : cpus > 8 ? 8 : (uint32_t)cpus;
	c->seed = 20250828;
	c->end_us = (int64_t)(today - today % 86400) * 1000000LL;
	scale_preset(c, "large");
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(a, "--dry-run") == 0) {
			*dry = 1;
			continue;
		}
		if (v == NULL || strncmp(a, "--", 2) != 0) {
			fputs(usage, stderr);
			exit(2);
		}
		i++;
		if (strcmp(a, "--scale") == 0) {
			if (scale_preset(c, v) != 0) {
				fprintf(stderr,
					"generate: unknown scale \"%s\" (small, medium, large)\n",
					v);
				exit(2);
			}
		} else if (strcmp(a, "--seed") == 0)
			c->seed = parse_u64(a, v);
		else if (strcmp(a, "--end") == 0)
			c->end_us = parse_day(v);
		else if (strcmp(a, "--users") == 0)
			c->users = (uint32_t)parse_u64(a, v);
		else if (strcmp(a, "--projects") == 0)
			c->projects = (uint32_t)parse_u64(a, v);
		else if (strcmp(a, "--backlogs") == 0)
			c->backlogs = (uint32_t)parse_u64(a, v);
		else if (strcmp(a, "--stories") == 0)
			c->stories = (uint32_t)parse_u64(a, v);
		else if (strcmp(a, "--edges") == 0)
			c->edges = (uint32_t)parse_u64(a, v);
		else if (strcmp(a, "--history") == 0)
			c->history = parse_u64(a, v);
		else if (strcmp(a, "--years") == 0)
			c->years = (int)parse_u64(a, v);
		else if (strcmp(a, "--dbname") == 0)
			dbname = v;
		else if (strcmp(a, "--jobs") == 0)
			jobs = (uint32_t)parse_u64(a, v);
		else {
			fputs(usage, stderr);
			exit(2);
		}
	}
	if (jobs < 1 || jobs > 16) {
		fprintf(stderr, "generate: --jobs must be 1 to 16\n");
		exit(2);
	}
	if (c->users < 1 || c->projects < 1 || c->stories < 2 || c->years < 1 ||
	    c->history < c->stories || c->backlogs < c->projects) {
		fprintf(stderr, "generate: need users, projects >= 1, stories >= 2, years >= 1, "
				"history >= stories, backlogs >= projects\n");
		exit(2);
	}
}

/* ------------------------------------------------------------- the load */

static PGresult *must_query(const char *sql)
{
	PGresult *res = PQexec(conn, sql);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		fprintf(stderr, "generate: %s\n%s", sql, PQerrorMessage(conn));
		exit(1);
	}
	return res;
}

static void timed(const char *name, const char *sql)
{
	double t0 = gen_now();
	gen_exec(conn, sql);
	gen_stat_for(name)->secs += gen_now() - t0;
}

static void require_empty(void)
{
	PGresult *res = must_query(
		"SELECT EXISTS (SELECT FROM users) OR EXISTS (SELECT FROM projects)"
		" OR EXISTS (SELECT FROM stories) OR EXISTS (SELECT FROM status_history)");
	if (strcmp(PQgetvalue(res, 0, 0), "f") != 0) {
		fprintf(stderr,
			"generate: the database already holds data; give it a freshly migrated one\n");
		exit(1);
	}
	PQclear(res);
}

/* One partition per month of the span (the runner made this month and the next 3). */
static void create_partitions(const gen_model *m)
{
	gen_buf sql = {0};
	gen_buf_str(&sql,
		    "SELECT count(*) FILTER (WHERE planpipe_create_history_partition(d::date))"
		    " FROM generate_series(date_trunc('month', '");
	gen_buf_ts(&sql, m->start_us);
	gen_buf_str(&sql, "'::timestamptz AT TIME ZONE 'UTC'), '");
	gen_buf_ts(&sql, m->cfg.end_us);
	gen_buf_str(&sql, "'::timestamptz AT TIME ZONE 'UTC', interval '1 month') AS d");
	gen_buf_ch(&sql, '\0');
	timed("history partitions", sql.p);
	gen_buf_free(&sql);
}

/* The dropped indexes: name and definition, to build again after the load. */
static PGresult *saved_indexes;

/*
 * The secondary indexes of the big tables: building them once after the
 * load is several times faster than maintaining them row by row. Indexes
 * that back a constraint (primary keys, unique keys) stay.
 */
static void drop_indexes(void)
{
	saved_indexes = must_query(
		"SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)"
		" FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid"
		" WHERE t.relnamespace = 'public'::regnamespace"
		"   AND t.relname IN ('stories', 'story_search', 'story_dependencies', 'status_history')"
		"   AND NOT EXISTS (SELECT FROM pg_constraint k WHERE k.conindid = i.indexrelid)"
		" ORDER BY t.relname, 1");
	for (int i = 0; i < PQntuples(saved_indexes); i++) {
		gen_buf sql = {0};
		gen_buf_str(&sql, "DROP INDEX ");
		gen_buf_str(&sql, PQgetvalue(saved_indexes, i, 0));
		gen_buf_ch(&sql, '\0');
		gen_exec(conn, sql.p);
		gen_buf_free(&sql);
	}
}

static PGconn *connect_or_die(void)
{
	PGconn *c = PQconnectdb(dbname);
	if (PQstatus(c) != CONNECTION_OK) {
		fprintf(stderr, "generate: cannot connect: %s", PQerrorMessage(c));
		exit(1);
	}
	gen_exec(c, "SET TimeZone = 'UTC'");
	gen_exec(c, "SET synchronous_commit = off");
	/* Triggers and foreign-key checks off for this session (see the top of the file). */
	gen_exec(c, "SET session_replication_role = replica");
	return c;
}

/*
 * Job k of n, in a child process with its own connection and transaction.
 * The child reports its statistics rows through the pipe as
 * "name\trows\tbytes\tseconds\n".
 */
typedef void job_fn(const gen_model *m, PGconn *c, uint32_t k, uint32_t n);

static void job_stories(const gen_model *m, PGconn *c, uint32_t k, uint32_t n)
{
	gen_load_stories(m, c, k, n);
}

/* Index builds: the full-text GIN index (the longest) alone in job 0, the rest spread. */
static void job_indexes(const gen_model *m, PGconn *c, uint32_t k, uint32_t n)
{
	(void)m;
	for (int i = 0, j = 0; i < PQntuples(saved_indexes); i++) {
		const char *def = PQgetvalue(saved_indexes, i, 1);
		uint32_t owner = strstr(def, "gin (search)") ? 0
				 : n > 1                     ? 1 + (uint32_t)j++ % (n - 1)
							     : 0;
		char name[128];
		if (owner != k)
			continue;
		snprintf(name, sizeof name, "index %s", PQgetvalue(saved_indexes, i, 0));
		/*
		 * A partitioned index is shown as CREATE INDEX ... ON ONLY parent, which
		 * would leave the partitions without it: build it on every partition.
		 */
		gen_buf sql = {0};
		const char *only = strstr(def, " ON ONLY ");
		if (only) {
			gen_buf_put(&sql, def, (size_t)(only - def));
			gen_buf_str(&sql, " ON ");
			gen_buf_str(&sql, only + strlen(" ON ONLY "));
		} else {
			gen_buf_str(&sql, def);
		}
		gen_buf_ch(&sql, '\0');
		double t0 = gen_now();
		gen_exec(c, sql.p);
		gen_buf_free(&sql);
		gen_stat_for(name)->secs += gen_now() - t0;
	}
}

static void parallel(const gen_model *m, job_fn *fn, const char *label)
{
	pid_t pids[16];
	int fds[16];
	double t0 = gen_now();
	for (uint32_t k = 0; k < jobs; k++) {
		int p[2];
		if (pipe(p) != 0 || (pids[k] = fork()) < 0) {
			perror("generate: fork");
			exit(1);
		}
		if (pids[k] == 0) {
			close(p[0]);
			gen_stats_reset();
			PGconn *c = connect_or_die();
			int n;
			gen_exec(c, "BEGIN");
			fn(m, c, k, jobs);
			gen_exec(c, "COMMIT");
			PQfinish(c);
			gen_stat *st = gen_stats(&n);
			FILE *f = fdopen(p[1], "w");
			for (int i = 0; f && i < n; i++)
				fprintf(f, "%s\t%" PRIu64 "\t%" PRIu64 "\t%.6f\n", st[i].name,
					st[i].rows, st[i].bytes, st[i].secs);
			_exit(f && fclose(f) == 0 ? 0 : 1);
		}
		close(p[1]);
		fds[k] = p[0];
	}
	int failed = 0;
	for (uint32_t k = 0; k < jobs; k++) {
		FILE *f = fdopen(fds[k], "r");
		char line[256], name[128];
		uint64_t rows, bytes;
		double secs;
		while (f && fgets(line, sizeof line, f))
			if (sscanf(line, "%127[^\t]\t%" SCNu64 "\t%" SCNu64 "\t%lf", name, &rows,
				   &bytes, &secs) == 4) {
				gen_stat *st = gen_stat_for(name);
				st->rows += rows;
				st->bytes += bytes;
				/* Parallel parts: the table's time is the longest part's. */
				if (secs > st->secs)
					st->secs = secs;
			}
		if (f)
			fclose(f);
		int status;
		if (waitpid(pids[k], &status, 0) < 0 || !WIFEXITED(status) ||
		    WEXITSTATUS(status) != 0)
			failed = 1;
	}
	if (failed) {
		fprintf(stderr, "generate: a parallel job failed (%s)\n", label);
		exit(1);
	}
	gen_stat_for(label)->secs += gen_now() - t0;
}

static const char sql_fixups[] =
	"SELECT setval(pg_get_serial_sequence('public.' || t, 'id'), n)"
	" FROM (VALUES ('users', (SELECT max(id) FROM users)),"
	"  ('projects', (SELECT max(id) FROM projects)), ('backlogs', (SELECT max(id) FROM backlogs)),"
	"  ('stories', (SELECT max(id) FROM stories)),"
	"  ('status_history', (SELECT max(id) FROM status_history))) AS v(t, n) WHERE n IS NOT NULL;"
	/* What planpipe_stories_key() does row by row: counters past every <prefix>-<n> key. */
	"UPDATE story_key_counters c SET last_number = k.n"
	" FROM (SELECT s.project_id, max(planpipe_story_key_number(p.story_key_prefix, s.key)) AS n"
	"       FROM stories s JOIN projects p ON p.id = s.project_id GROUP BY s.project_id) k"
	" WHERE k.project_id = c.project_id AND k.n > c.last_number;"
	/* What the counter rows' trigger does (0030): a key sequence per project. */
	"SELECT planpipe_story_key_seqs_sync();"
	/* What planpipe_projects_default_workflow() does for each new project (0017). */
	"INSERT INTO project_statuses (project_id, status, name, position)"
	" SELECT p.id, s.key, s.key, s.position FROM projects p CROSS JOIN statuses s"
	"  WHERE s.is_default ON CONFLICT DO NOTHING";

static const char *const vacuumed[] = {
	"users",
	"projects",
	"project_members",
	"story_key_counters",
	"backlogs",
	"project_dependencies",
	"stories",
	"story_search",
	"story_dependencies",
	"status_history",
};

/*
 * The visibility map whole, as autovacuum leaves a settled table: a VACUUM
 * that ran beside another session's snapshot (autovacuum analysing the
 * table just loaded) may mark no page all-visible, and then the plans the
 * queries step checks (index-only scans) are not the ones a deployment
 * gets. Again, a few times, for a table with pages left.
 */
static void all_visible(void)
{
	for (int round = 0; round < 5; round++) {
		PGresult *r = PQexec(
			conn, "SELECT c.relname FROM pg_class c"
			      " WHERE c.relnamespace = 'public'::regnamespace"
			      "   AND c.relkind = 'r' AND c.relallvisible < c.relpages"
			      "   AND c.relname IN ('stories', 'story_search', 'project_members',"
			      "                     'story_dependencies')");
		int n = PQresultStatus(r) == PGRES_TUPLES_OK ? PQntuples(r) : 0;

		for (int i = 0; i < n; i++) {
			char sql[96];
			snprintf(sql, sizeof sql, "VACUUM %s", PQgetvalue(r, i, 0));
			gen_exec(conn, sql);
		}
		PQclear(r);
		if (n == 0)
			return;
		usleep(200000);
	}
}

static void load(const gen_model *m)
{
	double t0 = gen_now();

	conn = connect_or_die();
	require_empty();
	/* 1. Partitions, empty tables, no secondary indexes; the small tables, frozen. */
	gen_exec(conn, "BEGIN");
	create_partitions(m);
	gen_exec(conn, "TRUNCATE users, projects, project_members, story_key_counters, backlogs,"
		       " stories, story_dependencies, project_dependencies, status_history,"
		       " story_dependency_refs CASCADE");
	drop_indexes();
	gen_load_users(m, conn);
	gen_load_projects(m, conn);
	gen_load_backlogs(m, conn);
	gen_exec(conn, "COMMIT");
	/* Children must not share the parent's connection. */
	PQfinish(conn);

	/* 2. Stories in parallel: the server's to_tsvector of the bodies is the cost. */
	parallel(m, job_stories, "stories (wall time of the parallel COPY)");

	/* 3. Edges and history, truncated again in this transaction so that FREEZE applies. */
	conn = connect_or_die();
	gen_exec(conn, "BEGIN");
	gen_exec(conn, "TRUNCATE story_dependencies, status_history");
	gen_load_edges(m, conn);
	gen_load_history(m, conn);
	gen_exec(conn, "COMMIT");
	PQfinish(conn);

	/* 4. The secondary indexes, several at once. */
	parallel(m, job_indexes, "indexes (wall time)");
	PQclear(saved_indexes);

	/* 5. Sequences and counters, then statistics and the visibility map. */
	conn = connect_or_die();
	timed("fix-ups: sequences, key counters", sql_fixups);
	for (size_t i = 0; i < sizeof vacuumed / sizeof vacuumed[0]; i++) {
		char sql[96];
		snprintf(sql, sizeof sql, "VACUUM (ANALYZE) %s", vacuumed[i]);
		timed("VACUUM (ANALYZE)", sql);
	}
	all_visible();
	PQfinish(conn);
	gen_stat_for("total")->secs = gen_now() - t0;
}

static void commas(char *dst, size_t size, uint64_t v)
{
	char tmp[32];
	int n = snprintf(tmp, sizeof tmp, "%" PRIu64, v), o = 0;
	for (int i = 0; i < n && (size_t)o + 2 < size; i++) {
		if (i && (n - i) % 3 == 0)
			dst[o++] = ',';
		dst[o++] = tmp[i];
	}
	dst[o] = '\0';
}

static void report(const gen_model *m, double model_secs)
{
	int n;
	gen_stat *st = gen_stats(&n);
	uint64_t cross = 0, blocks = 0, per_status[ST_N] = {0};
	char a[32], b[32];
	for (uint64_t k = 0; k < m->nedges; k++) {
		cross += m->stories[m->edges[k].from].project != m->stories[m->edges[k].to].project;
		blocks += m->edges[k].blocks;
	}
	for (uint32_t i = 0; i < m->cfg.stories; i++)
		per_status[m->stories[i].status]++;

	printf("Data set `%s`: seed %" PRIu64 ", history %d years up to ", m->cfg.scale,
	       m->cfg.seed, m->cfg.years);
	time_t end = (time_t)(m->cfg.end_us / 1000000);
	struct tm tm;
	gmtime_r(&end, &tm);
	printf("%04d-%02d-%02d (UTC); %" PRIu64 " memberships; %.1f%% of %" PRIu64
	       " edges cross projects, %.1f%% block; rework probability %.3f; model built in %.1f s.\n",
	       tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, m->nmembers,
	       m->nedges ? 100.0 * (double)cross / (double)m->nedges : 0.0, m->nedges,
	       m->nedges ? 100.0 * (double)blocks / (double)m->nedges : 0.0, m->rework, model_secs);
	printf("Statuses:");
	for (int s = 0; s < ST_N; s++)
		printf(" %s %.1f%%%s", gen_status_key[s],
		       100.0 * (double)per_status[s] / m->cfg.stories,
		       s + 1 < ST_N ? "," : ".\n\n");
	printf("| step | rows | MB sent | seconds | rows/s |\n|---|---:|---:|---:|---:|\n");
	for (int i = 0; i < n; i++) {
		commas(a, sizeof a, st[i].rows);
		commas(b, sizeof b,
		       st[i].secs > 0 ? (uint64_t)((double)st[i].rows / st[i].secs) : 0);
		if (st[i].rows)
			printf("| COPY %s | %s | %.1f | %.1f | %s |\n", st[i].name, a,
			       (double)st[i].bytes / 1e6, st[i].secs, b);
		else
			printf("| %s | | | %.1f | |\n", st[i].name, st[i].secs);
	}
}

int main(int argc, char **argv)
{
	gen_config cfg;
	gen_model m;
	int dry = 0;
	double t0;

	parse_args(argc, argv, &cfg, &dry);
	gen_text_init();
	t0 = gen_now();
	gen_model_build(&m, &cfg);
	t0 = gen_now() - t0;
	if (!dry)
		load(&m);
	report(&m, t0);
	fflush(stdout);
	gen_model_free(&m);
	gen_text_free();
	return 0;
}
