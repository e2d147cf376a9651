/*
 * gen_stories.c: writes stories (with their text), dependency edges and the
 * status history of the model (gen_model.h).
 *
 * A story's text comes from its own stream, seeded by (seed, id): title,
 * priority, estimate, epic, labels (Zipf over 300, normalised: lower case,
 * distinct), owner, author, branch, a markdown body of ~3 KB on average
 * (1.8 KB plus an exponential tail) whose checklists are ticked according to
 * the status, and front-matter metadata.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "gen_load.h"

#define TAG_TEXT 10
#define DAY_US   (86400LL * 1000000LL)
#define N(a)     (sizeof(a) / sizeof((a)[0]))

static const char *const priorities[] = {"critical", "high", "medium", "low"};
static const char *const layers[] = {"api", "db", "ui", "infra", "data", "ml", "ops", "sdk"};
static const char *const markets[] = {"eu", "us", "apac", "global"};
static const char *const points[] = {"0.5", "1", "2", "3", "5", "8", "13"};
static const char *const sources[] = {"api", "import", "sql"};
static const char *const notes[] = {
	"moved after stand-up", "reopened: regression found in review",
	"imported from git",    "waiting on a dependency",
	"scope changed",        "done in pairing session",
};

static void key_of(const gen_model *m, const gen_story *s, char *key, size_t size)
{
	snprintf(key, size, "%s-%03u", m->projects[s->project].prefix, s->number);
}

static void epic(gen_buf *b, uint32_t p, uint32_t e)
{
	gen_buf_str(b, gen_word(40 + (p * 7 + e * 13) % 400));
	gen_buf_ch(b, '-');
	gen_buf_str(b, gen_word(40 + (p * 11 + e * 17 + 5) % 400));
}

static void labels(gen_buf *b, gen_rng *r)
{
	static const double cut[] = {0.10, 0.35, 0.65, 0.85, 0.95};
	uint32_t chosen[5];
	int n = 0, want = 0;
	double u = gen_unit(r);
	while (want < 5 && u >= cut[want])
		want++;
	gen_buf_ch(b, '{');
	for (int k = 0; k < want; k++) {
		uint32_t l = gen_zipf(r, GEN_LABELS);
		int dup = 0;
		for (int j = 0; j < n; j++)
			dup |= chosen[j] == l;
		if (dup)
			continue;
		if (n)
			gen_buf_ch(b, ',');
		chosen[n++] = l;
		gen_buf_str(b, gen_label(l));
	}
	gen_buf_ch(b, '}');
}

static void metadata(gen_buf *b, gen_rng *r, const gen_story *s)
{
	const char *layer = gen_chance(r, 0.8) ? layers[gen_zipf(r, N(layers))] : NULL;
	gen_buf_str(b, "{\"layer\": ");
	if (layer) {
		gen_buf_ch(b, '"');
		gen_buf_str(b, layer);
		gen_buf_ch(b, '"');
	} else {
		gen_buf_str(b, "null");
	}
	gen_buf_str(b, ", \"market\": ");
	if (gen_chance(r, 0.6)) {
		gen_buf_ch(b, '"');
		gen_buf_str(b, markets[gen_below(r, N(markets))]);
		gen_buf_ch(b, '"');
	} else {
		gen_buf_str(b, "null");
	}
	gen_buf_str(b, ", \"component\": \"component-");
	gen_buf_u64(b, gen_zipf(r, 200));
	gen_buf_str(b, "\", \"created\": \"");
	gen_buf_date(b, s->created);
	gen_buf_str(b, "\", \"last_updated\": \"");
	gen_buf_date(b, s->updated);
	gen_buf_str(b, "\"");
	if (gen_chance(r, 0.05)) {
		gen_buf_str(b, ", \"customer\": \"cust-");
		gen_buf_u64(b, gen_below(r, 5000));
		gen_buf_ch(b, '"');
	}
	gen_buf_str(b, ", \"emit_metadata\": {\"source_id\": ");
	if (gen_chance(r, 0.3)) {
		gen_buf_str(b, "\"src-");
		gen_buf_u64(b, gen_below(r, 100000));
		gen_buf_ch(b, '"');
	} else {
		gen_buf_str(b, "null");
	}
	gen_buf_str(b, ", \"layer\": null, \"input_path\": null, \"notes\": null}}");
}

/* Owner or author: a member's handle, or one of the planning agents' names. */
static void person(gen_buf *b, const gen_model *m, const gen_story *s, gen_rng *r,
		   const char *agent)
{
	uint32_t u = gen_model_member(m, s->project, r);
	if (u == 0 || gen_chance(r, 0.4)) {
		gen_buf_str(b, agent);
		return;
	}
	char handle[32];
	snprintf(handle, sizeof handle, "user%05u", u);
	gen_buf_str(b, handle);
}

static void branch(gen_buf *b, const char *key, const char *title)
{
	int words = 0;
	for (const char *k = key; *k; k++)
		gen_buf_ch(b, (char)(*k >= 'A' && *k <= 'Z' ? *k - 'A' + 'a' : *k));
	gen_buf_ch(b, '-');
	for (const char *t = title; *t && words < 4; t++) {
		char ch = *t;
		if (ch == ' ') {
			if (++words < 4)
				gen_buf_ch(b, '-');
			continue;
		}
		gen_buf_ch(b, (char)(ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch));
	}
}

static void story_line(const gen_model *m, uint32_t i, gen_buf *b, gen_buf *title, gen_buf *body)
{
	const gen_story *s = &m->stories[i];
	gen_rng r;
	gen_story_text txt;
	char key[48];
	int cat = gen_status_category(s->status);
	double done_share = cat == CAT_DONE        ? 1.0
			    : cat == CAT_ACTIVE    ? 0.4
			    : cat == CAT_CANCELLED ? 0.1
						   : 0;
	size_t body_bytes;

	gen_rng_for(&r, m->cfg.seed, TAG_TEXT, i + 1);
	key_of(m, s, key, sizeof key);
	title->len = body->len = 0;
	gen_story_title(&r, title);
	gen_buf_ch(title, '\0');
	body_bytes = 1800 + (size_t)gen_exp(&r, 1200);
	if (body_bytes > 30000)
		body_bytes = 30000;
	gen_story_body(&r, body, key, title->p, body_bytes, done_share, &txt);

	gen_buf_u64(b, i + 1);
	gen_tab(b);
	gen_buf_u64(b, s->project + 1);
	gen_tab(b);
	if (s->backlog >= 0)
		gen_buf_u64(b, (uint64_t)s->backlog + 1);
	else
		gen_null(b);
	gen_tab(b);
	gen_buf_str(b, key);
	gen_tab(b);
	gen_buf_copy_escaped(b, title->p, title->len - 1);
	gen_tab(b);
	gen_buf_str(b, gen_status_key[s->status]);
	gen_tab(b);
	double u = gen_unit(&r);
	gen_buf_str(b, priorities[u < 0.05 ? 0 : u < 0.25 ? 1 : u < 0.75 ? 2 : 3]);
	gen_tab(b);
	if (gen_chance(&r, 0.85)) {
		const char *pts = points[gen_below(&r, N(points))];
		gen_buf_str(b, pts);
		gen_tab(b);
		gen_buf_str(b, pts);
		gen_buf_str(b, "sp");
	} else {
		gen_buf_str(b, "\\N\t\\N");
	}
	gen_tab(b);
	if (gen_chance(&r, 0.8))
		epic(b, s->project, gen_zipf(&r, 20));
	else
		gen_null(b);
	gen_tab(b);
	labels(b, &r);
	gen_tab(b);
	if (gen_chance(&r, 0.9))
		person(b, m, s, &r, "implementation-team");
	else
		gen_null(b);
	gen_tab(b);
	person(b, m, s, &r, "planning-agent");
	gen_tab(b);
	branch(b, key, title->p);
	gen_tab(b);
	gen_buf_copy_escaped(b, body->p, body->len);
	gen_tab(b);
	gen_buf_u64(b, (uint64_t)txt.checklist_total);
	gen_tab(b);
	gen_buf_u64(b, (uint64_t)txt.checklist_done);
	gen_buf_str(b, "\tstories/");
	gen_buf_str(b, key);
	gen_buf_str(b, ".md\t");
	for (int k = 0; k < 40; k++)
		gen_buf_ch(b, "0123456789abcdef"[gen_below(&r, 16)]);
	gen_tab(b);
	metadata(b, &r, s);
	gen_tab(b);
	if (s->backlog >= 0)
		gen_buf_u64(b, s->rank);
	else
		gen_null(b);
	gen_tab(b);
	gen_u64_or_null(b, gen_chance(&r, 0.8) ? gen_model_member(m, s->project, &r) : 0);
	gen_tab(b);
	gen_buf_ts(b, s->created);
	gen_tab(b);
	gen_buf_ts(b, s->updated);
	gen_tab(b);
	gen_ts_or_null(b, s->started);
	gen_tab(b);
	gen_ts_or_null(b, s->completed);
	gen_tab(b);
	gen_ts_or_null(b, s->archived);
	gen_tab(b);
	gen_buf_u64(b, s->version);
}

void gen_load_stories(const gen_model *m, PGconn *c, uint32_t part, uint32_t nparts)
{
	gen_stat *st = gen_stat_for("stories");
	gen_buf title = {0}, body = {0};
	gen_buf *b = gen_copy_begin(
		c, "stories",
		"id, project_id, backlog_id, key, title, status, priority, "
		"estimate_points, estimate_raw, epic, labels, owner, author, branch_name, "
		"body, checklist_total, checklist_done, source_path, source_blob_id, "
		"metadata, rank, created_by, created_at, updated_at, started_at, "
		"completed_at, archived_at, version",
		0);
	for (uint32_t i = part; i < m->cfg.stories; i += nparts) {
		story_line(m, i, b, &title, &body);
		gen_copy_eol(st);
	}
	gen_copy_end(st);
	gen_buf_free(&title);
	gen_buf_free(&body);
}

void gen_load_edges(const gen_model *m, PGconn *c)
{
	gen_stat *st = gen_stat_for("story_dependencies");
	gen_buf *b = gen_copy_begin(c, "story_dependencies",
				    "story_id, depends_on_id, kind, created_by, created_at", 1);
	for (uint64_t k = 0; k < m->nedges; k++) {
		const gen_edge *e = &m->edges[k];
		gen_buf_u64(b, e->from + 1);
		gen_tab(b);
		gen_buf_u64(b, e->to + 1);
		gen_buf_str(b, e->blocks ? "\tblocks\t" : "\trelates\t");
		gen_u64_or_null(b, e->created_by);
		gen_tab(b);
		gen_buf_ts(b, e->created);
		gen_copy_eol(st);
	}
	gen_copy_end(st);
}

/* The first microsecond of the month after the one holding us (UTC). */
static int64_t next_month(int64_t us, char *part, size_t size)
{
	time_t t = (time_t)(us / 1000000);
	struct tm tm;
	gmtime_r(&t, &tm);
	snprintf(part, size, "status_history_p%04d%02d", tm.tm_year + 1900, tm.tm_mon + 1);
	tm.tm_mday = 1;
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	tm.tm_mon++;
	return (int64_t)timegm(&tm) * 1000000LL;
}

void gen_load_history(const gen_model *m, PGconn *c)
{
	static const char cols[] = "id, story_id, project_id, from_status, to_status, changed_by, "
				   "changed_at, source, note";
	gen_stat *st = gen_stat_for("status_history");
	gen_buf *b = NULL;
	int64_t boundary = INT64_MIN;
	char part[64];

	for (uint64_t k = 0; k < m->nhist; k++) {
		const gen_hist *h = &m->hist[k];
		if (h->at >= boundary) {
			/* COPY straight into the month's partition: FREEZE needs a plain table. */
			if (b != NULL)
				gen_copy_end(st);
			boundary = next_month(h->at, part, sizeof part);
			b = gen_copy_begin(c, part, cols, 1);
		}
		gen_buf_u64(b, k + 1);
		gen_tab(b);
		gen_buf_u64(b, h->story + 1);
		gen_tab(b);
		gen_buf_u64(b, m->stories[h->story].project + 1);
		gen_tab(b);
		if (h->from < ST_N)
			gen_buf_str(b, gen_status_key[h->from]);
		else
			gen_null(b);
		gen_tab(b);
		gen_buf_str(b, gen_status_key[h->to]);
		gen_tab(b);
		gen_u64_or_null(b, h->changed_by);
		gen_tab(b);
		gen_buf_ts(b, h->at);
		gen_tab(b);
		gen_buf_str(b, sources[h->source]);
		gen_tab(b);
		if (h->note)
			gen_buf_str(b, notes[(h->story + k) % N(notes)]);
		else
			gen_null(b);
		gen_copy_eol(st);
	}
	if (b != NULL)
		gen_copy_end(st);
}
