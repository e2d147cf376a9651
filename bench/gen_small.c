/*
 * gen_small.c: the COPY writer (gen.h) and the small tables: users,
 * projects, memberships, key counters, project dependencies, backlogs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>

#include "gen_model.h"
#include "gen_load.h"

#define FLUSH_AT (1u << 20)
#define DAY_US   (86400LL * 1000000LL)
#define TAG_USER 11
#define TAG_PROJ 12
#define N(a)     (sizeof(a) / sizeof((a)[0]))

static PGconn *copy_conn;
static gen_buf out;
static double copy_started;
static gen_stat stats[64];
static int nstats;

double gen_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

gen_stat *gen_stat_for(const char *name)
{
	for (int i = 0; i < nstats; i++)
		if (strcmp(stats[i].name, name) == 0)
			return &stats[i];
	if (nstats == (int)N(stats)) {
		fprintf(stderr, "generate: too many statistics rows\n");
		exit(1);
	}
	gen_stat *s = &stats[nstats++];
	memset(s, 0, sizeof *s);
	snprintf(s->name, sizeof s->name, "%s", name);
	return s;
}

gen_stat *gen_stats(int *n)
{
	*n = nstats;
	return stats;
}

void gen_stats_reset(void)
{
	nstats = 0;
}

void gen_exec(PGconn *c, const char *sql)
{
	PGresult *res = PQexec(c, sql);
	ExecStatusType st = PQresultStatus(res);
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
		fprintf(stderr, "generate: %s\n%s", sql, PQerrorMessage(c));
		exit(1);
	}
	PQclear(res);
}

static void copy_die(const char *what)
{
	fprintf(stderr, "generate: %s: %s", what, PQerrorMessage(copy_conn));
	exit(1);
}

gen_buf *gen_copy_begin(PGconn *c, const char *table, const char *columns, int freeze)
{
	char sql[512];
	copy_conn = c;
	snprintf(sql, sizeof sql, "COPY %s (%s) FROM STDIN%s", table, columns,
		 freeze ? " WITH (FREEZE)" : "");
	PGresult *res = PQexec(c, sql);
	if (PQresultStatus(res) != PGRES_COPY_IN) {
		fprintf(stderr, "generate: %s\n%s", sql, PQerrorMessage(c));
		exit(1);
	}
	PQclear(res);
	out.len = 0;
	copy_started = gen_now();
	return &out;
}

static void copy_flush(gen_stat *st)
{
	if (out.len && PQputCopyData(copy_conn, out.p, (int)out.len) != 1)
		copy_die("COPY");
	st->bytes += out.len;
	out.len = 0;
}

void gen_copy_eol(gen_stat *st)
{
	gen_buf_ch(&out, '\n');
	st->rows++;
	if (out.len >= FLUSH_AT)
		copy_flush(st);
}

void gen_copy_end(gen_stat *st)
{
	PGresult *res;
	copy_flush(st);
	if (PQputCopyEnd(copy_conn, NULL) != 1)
		copy_die("COPY end");
	res = PQgetResult(copy_conn);
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		copy_die("COPY");
	PQclear(res);
	while ((res = PQgetResult(copy_conn)) != NULL)
		PQclear(res);
	st->secs += gen_now() - copy_started;
}

void gen_tab(gen_buf *b)
{
	gen_buf_ch(b, '\t');
}

void gen_null(gen_buf *b)
{
	gen_buf_str(b, "\\N");
}

void gen_ts_or_null(gen_buf *b, int64_t us)
{
	if (us && us != INT64_MAX)
		gen_buf_ts(b, us);
	else
		gen_null(b);
}

void gen_u64_or_null(gen_buf *b, uint64_t v)
{
	if (v)
		gen_buf_u64(b, v);
	else
		gen_null(b);
}

/* ---------------------------------------------------------------- users */

static const char *const first_names[] = {
	"Ada",    "Grace",   "Linus", "Barbara",   "Ken",    "Margaret",
	"Dennis", "Frances", "Alan",  "Radia",     "Edsger", "Hedy",
	"Donald", "Sophie",  "Tim",   "Katherine", "Guido",  "Anita",
};
static const char *const last_names[] = {
	"Lovelace", "Hopper",  "Torvalds", "Liskov", "Thompson", "Hamilton", "Ritchie", "Allen",
	"Turing",   "Perlman", "Dijkstra", "Lamarr", "Knuth",    "Wilson",   "Berners", "Johnson",
};

static void hex(gen_buf *b, const unsigned char *p, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		gen_buf_ch(b, "0123456789abcdef"[p[i] >> 4]);
		gen_buf_ch(b, "0123456789abcdef"[p[i] & 15]);
	}
}

void gen_load_users(const gen_model *m, PGconn *c)
{
	gen_stat *st = gen_stat_for("users");
	uint32_t admins = m->cfg.users / 1000 ? m->cfg.users / 1000 : 1;
	gen_buf *b = gen_copy_begin(c, "users",
				    "id, handle, display_name, email, api_token_hash, "
				    "is_admin, created_at, updated_at, disabled_at, version",
				    1);
	for (uint32_t u = 1; u <= m->cfg.users; u++) {
		gen_rng r;
		char handle[32], token[48];
		unsigned char hash[EVP_MAX_MD_SIZE];
		unsigned int hlen = 0;
		int64_t created;
		gen_rng_for(&r, m->cfg.seed, TAG_USER, u);
		created = m->start_us - 30 * DAY_US + (int64_t)gen_below(&r, 500) * DAY_US;
		snprintf(handle, sizeof handle, "user%05u", u);
		/* The API benchmark authenticates as user N with the token "bench-token-N". */
		snprintf(token, sizeof token, "bench-token-%u", u);
		if (!EVP_Digest(token, strlen(token), hash, &hlen, EVP_sha256(), NULL) ||
		    hlen != 32) {
			fprintf(stderr, "generate: SHA-256 failed\n");
			exit(1);
		}
		gen_buf_u64(b, u);
		gen_tab(b);
		gen_buf_str(b, handle);
		gen_tab(b);
		gen_buf_str(b, first_names[gen_below(&r, N(first_names))]);
		gen_buf_ch(b, ' ');
		gen_buf_str(b, last_names[gen_below(&r, N(last_names))]);
		gen_tab(b);
		gen_buf_str(b, handle);
		gen_buf_str(b, "@example.com\t\\\\x");
		hex(b, hash, hlen);
		gen_buf_str(b, u <= admins ? "\tt\t" : "\tf\t");
		gen_buf_ts(b, created);
		gen_tab(b);
		gen_buf_ts(b, created);
		gen_tab(b);
		gen_ts_or_null(b, m->user_disabled[u] ? created + 400 * DAY_US : 0);
		gen_buf_str(b, "\t1");
		gen_copy_eol(st);
	}
	gen_copy_end(st);
}

/* -------------------------------------------------------------- projects */

static void load_members(const gen_model *m, PGconn *c)
{
	static const char *const roles[] = {"viewer", "developer", "maintainer", "owner"};
	gen_stat *st = gen_stat_for("project_members");
	gen_buf *b = gen_copy_begin(c, "project_members",
				    "project_id, user_id, role, created_at, updated_at", 1);
	for (uint32_t p = 0; p < m->cfg.projects; p++)
		for (uint32_t i = 0; i < m->projects[p].nmembers; i++) {
			const gen_member *mb = &m->projects[p].members[i];
			gen_buf_u64(b, p + 1);
			gen_tab(b);
			gen_buf_u64(b, mb->user);
			gen_tab(b);
			gen_buf_str(b, roles[mb->role]);
			gen_tab(b);
			gen_buf_ts(b, m->start_us);
			gen_tab(b);
			gen_buf_ts(b, m->start_us);
			gen_copy_eol(st);
		}
	gen_copy_end(st);
}

static void load_project_edges(const gen_model *m, PGconn *c)
{
	gen_stat *st = gen_stat_for("story_key_counters");
	gen_buf *b = gen_copy_begin(c, "story_key_counters", "project_id, last_number", 1);
	for (uint32_t p = 0; p < m->cfg.projects; p++) {
		/* Written as 0: the loader derives the counters from the keys, set-based. */
		gen_buf_u64(b, p + 1);
		gen_buf_str(b, "\t0");
		gen_copy_eol(st);
	}
	gen_copy_end(st);

	st = gen_stat_for("project_dependencies");
	b = gen_copy_begin(c, "project_dependencies",
			   "project_id, depends_on_project_id, kind, note, created_by, created_at",
			   1);
	for (uint32_t p = 0; p < m->cfg.projects; p++)
		for (uint32_t k = 0; k < m->projects[p].ndeps; k++) {
			gen_buf_u64(b, p + 1);
			gen_tab(b);
			gen_buf_u64(b, m->projects[p].deps[k] + 1);
			gen_buf_str(b, k == 2 ? "\trelates\t" : "\tblocks\t");
			gen_buf_str(b, k == 0 ? "shared platform" : "\\N");
			gen_tab(b);
			gen_buf_u64(b, m->projects[p].creator);
			gen_tab(b);
			gen_buf_ts(b, m->start_us);
			gen_copy_eol(st);
		}
	gen_copy_end(st);
}

void gen_load_projects(const gen_model *m, PGconn *c)
{
	gen_stat *st = gen_stat_for("projects");
	gen_buf *b = gen_copy_begin(c, "projects",
				    "id, key, name, description, story_key_prefix, "
				    "git_remote_url, git_submodule_path, git_stories_dir, "
				    "git_last_synced_commit, git_last_synced_at, metadata, "
				    "created_by, created_at, updated_at, version",
				    1);
	for (uint32_t p = 0; p < m->cfg.projects; p++) {
		const gen_project *pr = &m->projects[p];
		gen_rng r;
		gen_rng_for(&r, m->cfg.seed, TAG_PROJ, p);
		gen_buf_u64(b, p + 1);
		gen_tab(b);
		gen_buf_str(b, pr->key);
		gen_buf_str(b, "\tProject ");
		gen_buf_str(b, pr->key);
		gen_buf_str(b, "\tPlanning for ");
		gen_buf_str(b, gen_word(40 + gen_below(&r, 300)));
		gen_buf_str(b, " and ");
		gen_buf_str(b, gen_word(40 + gen_below(&r, 300)));
		gen_tab(b);
		gen_buf_str(b, pr->prefix);
		gen_buf_str(b, "\thttps://git.example.com/plan/");
		gen_buf_str(b, pr->key);
		gen_buf_str(b, ".git\tprojects/");
		gen_buf_str(b, pr->key);
		gen_buf_str(b, "\tstories\t");
		for (int i = 0; i < 40; i++)
			gen_buf_ch(b, "0123456789abcdef"[gen_below(&r, 16)]);
		gen_tab(b);
		gen_buf_ts(b, m->cfg.end_us - (int64_t)gen_below(&r, 72) * 3600LL * 1000000LL - 1);
		gen_buf_str(b, "\t{\"team\": \"team-");
		gen_buf_u64(b, p % 25);
		gen_buf_str(b, "\", \"tier\": ");
		gen_buf_u64(b, 1 + p % 3);
		gen_buf_str(b, "}\t");
		gen_buf_u64(b, pr->creator);
		gen_tab(b);
		gen_buf_ts(b, m->start_us - DAY_US);
		gen_tab(b);
		gen_buf_ts(b, m->cfg.end_us - DAY_US);
		gen_buf_str(b, "\t1");
		gen_copy_eol(st);
	}
	gen_copy_end(st);
	load_members(m, c);
	load_project_edges(m, c);
}

void gen_load_backlogs(const gen_model *m, PGconn *c)
{
	static const char *const kinds[] = {"backlog", "icebox", "kanban", "sprint"};
	static const char *const names[] = {"Backlog", "Icebox", "Kanban"};
	gen_stat *st = gen_stat_for("backlogs");
	gen_buf *b = gen_copy_begin(c, "backlogs",
				    "id, project_id, name, kind, position, starts_on, "
				    "ends_on, created_at, updated_at, version",
				    1);
	for (uint32_t i = 0; i < m->cfg.backlogs; i++) {
		const gen_backlog *bl = &m->backlogs[i];
		gen_buf_u64(b, i + 1);
		gen_tab(b);
		gen_buf_u64(b, bl->project + 1);
		gen_tab(b);
		if (bl->kind < 3) {
			gen_buf_str(b, names[bl->kind]);
		} else {
			gen_buf_str(b, "Sprint ");
			gen_buf_u64(b, bl->sprint);
		}
		gen_tab(b);
		gen_buf_str(b, kinds[bl->kind]);
		gen_tab(b);
		gen_buf_u64(b, i - m->projects[bl->project].first_backlog);
		gen_tab(b);
		if (bl->kind == 3) {
			gen_buf_date(b, bl->starts);
			gen_tab(b);
			gen_buf_date(b, bl->ends);
		} else {
			gen_buf_str(b, "\\N\t\\N");
		}
		gen_tab(b);
		gen_buf_ts(b, m->start_us);
		gen_tab(b);
		gen_buf_ts(b, m->start_us);
		gen_buf_str(b, "\t1");
		gen_copy_eol(st);
	}
	gen_copy_end(st);
}
