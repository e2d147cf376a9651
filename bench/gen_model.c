/*
 * gen_model.c: decides the benchmark data set (gen_model.h).
 *
 * Stories are numbered in creation order over the whole time span, across
 * projects, as ids of a real system are; project sizes are skewed (a 1/rank^0.7
 * law: the largest project has ~40 times the stories of the smallest). Each
 * story walks the workflow from its creation time (draft -> ready ->
 * in_progress -> review -> done -> accepted, with rework, re-opening,
 * cancelling and long idle spells) until it stops or reaches the data's end;
 * its status, started_at and completed_at are read off that walk, exactly as
 * the schema's triggers would have set them. How often review sends work back
 * is calibrated so that the walks add up to the wanted number of history rows.
 *
 * A story only depends on stories created before it (lower id), so the
 * blocking graph has no cycle. A story that ever entered a done status only
 * has blocking dependencies that were closed (done or cancelled) before it
 * first did, so the open-blockers rule held at every transition; where no
 * such candidate is found the edge is kind 'relates'.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen_model.h"

const char *const gen_status_key[ST_N] = {
	"draft", "ready", "in_progress", "review", "done", "accepted", "cancelled",
};

int gen_status_category(int st)
{
	switch (st) {
	case ST_DRAFT:
	case ST_READY:
		return CAT_TODO;
	case ST_IN_PROGRESS:
	case ST_REVIEW:
		return CAT_ACTIVE;
	case ST_DONE:
	case ST_ACCEPTED:
		return CAT_DONE;
	default:
		return CAT_CANCELLED;
	}
}

#define DAY_US  (86400LL * 1000000LL)
#define MIN_US  (60LL * 1000000LL)
#define TAG_MOD 1 /* the model's sequential stream */
#define TAG_CAL 2 /* calibration walks */

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);
	if (p == NULL) {
		fprintf(stderr, "generate: out of memory\n");
		exit(1);
	}
	return p;
}

static void *xrealloc(void *p, size_t size)
{
	p = realloc(p, size);
	if (p == NULL) {
		fprintf(stderr, "generate: out of memory\n");
		exit(1);
	}
	return p;
}

/* ------------------------------------------------------------- projects */

static const char *const project_keys[] = {
	"INF",  "API",  "WEB",  "OPS", "DATA",  "MOB",  "SEC",  "PAY",   "AUTH", "SRCH",
	"RPT",  "ML",   "CORE", "UI",  "CLI",   "SDK",  "DOCS", "QA",    "PERF", "BILL",
	"MAIL", "CHAT", "GEO",  "IOT", "EDGE",  "CDN",  "DNS",  "LOG",   "MON",  "ETL",
	"CRM",  "ERP",  "HR",   "FIN", "LEGAL", "PLAT", "GAME", "MEDIA", "SHOP", "TOOL",
};
#define NPROJECT_KEYS (sizeof project_keys / sizeof project_keys[0])

/* Cumulative project weights for sampling a project by size. */
static double *project_cdf(const gen_config *cfg, gen_rng *r)
{
	uint32_t n = cfg->projects;
	double *w = xcalloc(n, sizeof *w), sum = 0;
	uint32_t *perm = xcalloc(n, sizeof *perm);
	for (uint32_t i = 0; i < n; i++)
		perm[i] = i;
	for (uint32_t i = n; i > 1; i--) { /* the largest project is not always the first */
		uint32_t j = gen_below(r, i), t = perm[i - 1];
		perm[i - 1] = perm[j];
		perm[j] = t;
	}
	for (uint32_t i = 0; i < n; i++)
		w[perm[i]] = 1.0 / pow((double)i + 1.0, 0.7);
	for (uint32_t i = 0; i < n; i++) {
		sum += w[i];
		w[i] = sum;
	}
	for (uint32_t i = 0; i < n; i++)
		w[i] /= sum;
	free(perm);
	return w;
}

static uint32_t sample_cdf(const double *cdf, uint32_t n, gen_rng *r)
{
	double u = gen_unit(r);
	uint32_t lo = 0, hi = n - 1;
	while (lo < hi) {
		uint32_t mid = (lo + hi) / 2;
		if (cdf[mid] < u)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void add_member(gen_model *m, uint32_t p, uint32_t user, uint8_t role)
{
	gen_project *pr = &m->projects[p];
	for (uint32_t i = 0; i < pr->nmembers; i++)
		if (pr->members[i].user == user) {
			if (role > pr->members[i].role)
				pr->members[i].role = role;
			return;
		}
	if (pr->nmembers == pr->cap_members) {
		pr->cap_members = pr->cap_members ? pr->cap_members * 2 : 8;
		pr->members = xrealloc(pr->members, pr->cap_members * sizeof *pr->members);
	}
	pr->members[pr->nmembers++] = (gen_member){user, role};
	m->nmembers++;
}

uint32_t gen_model_member(const gen_model *m, uint32_t p, gen_rng *r)
{
	const gen_project *pr = &m->projects[p];
	return pr->nmembers ? pr->members[gen_below(r, pr->nmembers)].user : 0;
}

static uint32_t enabled_user(const gen_model *m, gen_rng *r)
{
	for (;;) {
		uint32_t u = 1 + gen_below(r, m->cfg.users);
		if (!m->user_disabled[u])
			return u;
	}
}

static void build_projects(gen_model *m, gen_rng *r, const double *cdf)
{
	const gen_config *c = &m->cfg;
	uint32_t admins = c->users / 1000 ? c->users / 1000 : 1;

	m->user_disabled = xcalloc(c->users + 1, 1);
	for (uint32_t u = admins + 1; u <= c->users; u++)
		m->user_disabled[u] = gen_chance(r, 0.02);

	m->projects = xcalloc(c->projects, sizeof *m->projects);
	for (uint32_t p = 0; p < c->projects; p++) {
		gen_project *pr = &m->projects[p];
		const char *base = project_keys[p % NPROJECT_KEYS];
		if (p < NPROJECT_KEYS)
			snprintf(pr->key, sizeof pr->key, "%s", base);
		else
			snprintf(pr->key, sizeof pr->key, "%s%u", base,
				 p / (uint32_t)NPROJECT_KEYS + 1);
		/* One project in ten numbers its stories with another prefix (INF in PLANPIPE). */
		if (p % 10 == 9)
			snprintf(pr->prefix, sizeof pr->prefix, "%sX", pr->key);
		else
			snprintf(pr->prefix, sizeof pr->prefix, "%s", pr->key);
		pr->creator = enabled_user(m, r);
		add_member(m, p, pr->creator, 3);
		/* Project dependencies point at lower ids only: acyclic. */
		uint32_t want = p ? gen_below(r, 4) : 0;
		for (uint32_t k = 0; k < want; k++) {
			uint32_t q = gen_below(r, p), dup = 0;
			for (uint32_t j = 0; j < pr->ndeps; j++)
				dup |= pr->deps[j] == q;
			if (!dup)
				pr->deps[pr->ndeps++] = q;
		}
	}
	/* Memberships: most people work in one or two projects, a few in many. */
	for (uint32_t u = 1; u <= c->users; u++) {
		double x = gen_unit(r);
		uint32_t k = x < 0.6   ? 1 + gen_below(r, 2)
			     : x < 0.9 ? 3 + gen_below(r, 4)
				       : 7 + gen_below(r, 14);
		if (k > c->projects)
			k = c->projects;
		for (uint32_t j = 0; j < k; j++) {
			double y = gen_unit(r);
			uint8_t role = y < 0.25 ? 0 : y < 0.75 ? 1 : y < 0.90 ? 2 : 3;
			add_member(m, sample_cdf(cdf, c->projects, r), u, role);
		}
	}
}

static void build_backlogs(gen_model *m)
{
	const gen_config *c = &m->cfg;
	uint32_t base = c->backlogs / c->projects, extra = c->backlogs % c->projects, b = 0;
	m->backlogs = xcalloc(c->backlogs, sizeof *m->backlogs);
	for (uint32_t p = 0; p < c->projects; p++) {
		uint32_t n = base + (p < extra);
		m->projects[p].first_backlog = b;
		m->projects[p].nbacklogs = n;
		for (uint32_t j = 0; j < n; j++, b++) {
			gen_backlog *bl = &m->backlogs[b];
			bl->project = p;
			bl->kind = j < 3 ? (uint8_t)j : 3;
			if (bl->kind == 3) {
				/* Two-week sprints; the project's last one is the current one. */
				bl->sprint = 40 + j;
				bl->ends =
					c->end_us + 7 * DAY_US - (int64_t)(n - 1 - j) * 14 * DAY_US;
				bl->starts = bl->ends - 13 * DAY_US;
			}
		}
	}
}

/* A backlog of project p of the given kind (its last sprint for 3), -1 if none. */
static int32_t backlog_of_kind(const gen_model *m, uint32_t p, int kind, gen_rng *r)
{
	const gen_project *pr = &m->projects[p];
	if (pr->nbacklogs == 0)
		return -1;
	if (kind == 4) /* any sprint, for finished work */
		return pr->nbacklogs > 3
			       ? (int32_t)(pr->first_backlog + 3 + gen_below(r, pr->nbacklogs - 3))
			       : (int32_t)pr->first_backlog;
	if (kind == 3)
		return (int32_t)(pr->first_backlog + pr->nbacklogs - 1);
	return (uint32_t)kind < pr->nbacklogs ? (int32_t)(pr->first_backlog + (uint32_t)kind)
					      : (int32_t)pr->first_backlog;
}

/* ----------------------------------------------------------------- walks */

typedef struct walk {
	int64_t started, completed, first_done, closed_since, last;
	uint8_t status, n;
} walk;

static void enter(walk *w, int from, int to, int64_t t)
{
	int cf = from == ST_N ? -1 : gen_status_category(from), ct = gen_status_category(to);
	int closed_from = cf == CAT_DONE || cf == CAT_CANCELLED;
	int closed_to = ct == CAT_DONE || ct == CAT_CANCELLED;
	if (ct == CAT_ACTIVE && w->started == 0)
		w->started = t;
	if (ct == CAT_DONE && cf != CAT_DONE) {
		w->completed = t;
		if (w->first_done == GEN_NEVER)
			w->first_done = t;
	}
	if (ct != CAT_DONE)
		w->completed = 0;
	if (closed_to && !closed_from)
		w->closed_since = t;
	if (!closed_to)
		w->closed_since = GEN_NEVER;
	w->status = (uint8_t)to;
	w->last = t;
	w->n++;
}

/* Next status after st, or -1 to stay; *delay the time spent in st. */
static int next_status(int st, double rework, gen_rng *r, double *delay_days)
{
	double u = gen_unit(r);
	switch (st) {
	case ST_DRAFT:
		/* Backlogs are long: many stories wait months before anyone refines them. */
		*delay_days = gen_chance(r, 0.35) ? gen_exp(r, 300) : gen_exp(r, 5);
		return u < 0.88 ? ST_READY : u < 0.96 ? ST_CANCELLED : ST_IN_PROGRESS;
	case ST_READY:
		*delay_days = gen_chance(r, 0.30) ? gen_exp(r, 200) : gen_exp(r, 6);
		return u < 0.82   ? ST_IN_PROGRESS
		       : u < 0.94 ? ST_DRAFT
		       : u < 0.98 ? ST_CANCELLED
				  : ST_DONE;
	case ST_IN_PROGRESS:
		*delay_days = gen_exp(r, 3);
		return u < 0.86   ? ST_REVIEW
		       : u < 0.94 ? ST_READY
		       : u < 0.95 ? ST_CANCELLED
				  : ST_DONE;
	case ST_REVIEW:
		*delay_days = gen_exp(r, 1.5);
		if (u < rework)
			return ST_IN_PROGRESS;
		return gen_chance(r, 0.99) ? ST_DONE : ST_CANCELLED;
	case ST_DONE:
		*delay_days = gen_exp(r, 3);
		return u < 0.75 ? ST_ACCEPTED : u < 0.82 ? ST_IN_PROGRESS : -1;
	case ST_ACCEPTED:
		*delay_days = gen_exp(r, 20);
		return u < 0.04 ? ST_IN_PROGRESS : -1;
	default:
		*delay_days = gen_exp(r, 30);
		return u < 0.15 ? ST_DRAFT : -1;
	}
}

/* Walks one story from its creation; appends history rows when out != NULL. */
static void run_walk(gen_model *m, gen_rng *r, uint32_t story, int64_t created, double rework,
		     walk *w, uint64_t *cap)
{
	double x = gen_unit(r), delay;
	int st = x < 0.90 ? ST_DRAFT : x < 0.98 ? ST_READY : ST_IN_PROGRESS;
	int64_t t = created;
	*w = (walk){0, 0, GEN_NEVER, GEN_NEVER, 0, 0, 0};

	for (int from = ST_N;;) {
		if (cap != NULL) {
			if (m->nhist == *cap) {
				*cap *= 2;
				m->hist = xrealloc(m->hist, *cap * sizeof *m->hist);
			}
			gen_hist *h = &m->hist[m->nhist++];
			double y = gen_unit(r);
			h->at = t;
			h->story = story;
			h->from = (uint8_t)from;
			h->to = (uint8_t)st;
			h->source = y < 0.5 ? 0 : y < 0.9 ? 1 : 2;
			h->changed_by = h->source == 0
						? gen_model_member(m, m->stories[story].project, r)
						: 0;
			h->note = gen_chance(r, 0.03);
		}
		enter(w, from, st, t);
		if (w->n >= 60)
			break;
		int next = next_status(st, rework, r, &delay);
		if (next < 0)
			break;
		t += MIN_US + (int64_t)(delay * (double)DAY_US);
		if (t >= m->cfg.end_us)
			break;
		from = st;
		st = next;
	}
}

static int64_t created_at(const gen_model *m, uint32_t i, gen_rng *r)
{
	double span = (double)(m->cfg.end_us - m->start_us);
	return m->start_us + (int64_t)(span * ((double)i + gen_unit(r)) / (double)m->cfg.stories);
}

/*
 * Finds the rework probability whose walks average history/stories rows, by
 * bisection over walks sampled evenly across the time span (the same walks
 * for every candidate, so the average grows with the probability).
 */
static double calibrate(gen_model *m)
{
	const uint32_t samples = m->cfg.stories < 4000 ? m->cfg.stories : 4000;
	double want = (double)m->cfg.history / m->cfg.stories, lo = 0.0, hi = 0.95;
	for (int it = 0; it < 24; it++) {
		double mid = (lo + hi) / 2, total = 0;
		for (uint32_t j = 0; j < samples; j++) {
			gen_rng r;
			walk w;
			uint32_t i = (uint32_t)((uint64_t)j * m->cfg.stories / samples);
			gen_rng_for(&r, m->cfg.seed, TAG_CAL, j);
			run_walk(m, &r, i, created_at(m, i, &r), mid, &w, NULL);
			total += w.n;
		}
		if (total / samples < want)
			lo = mid;
		else
			hi = mid;
	}
	return (lo + hi) / 2;
}

/* ----------------------------------------------------------------- edges */

static int has_target(const gen_edge *e, uint32_t n, uint32_t to)
{
	for (uint32_t i = 0; i < n; i++)
		if (e[i].to == to)
			return 1;
	return 0;
}

static int cmp_edge_to(const void *a, const void *b)
{
	uint32_t x = ((const gen_edge *)a)->to, y = ((const gen_edge *)b)->to;
	return x < y ? -1 : x > y;
}

/* A story created before story i: in its project, or (cross) in another one. */
static int64_t pick_target(gen_model *m, uint32_t i, const uint32_t *seen, const double *cdf,
			   int cross, gen_rng *r)
{
	uint32_t p = m->stories[i].project, q = p, n, off;
	const gen_project *pr = &m->projects[p];
	if (cross || seen[p] == 0) {
		q = pr->ndeps && gen_chance(r, 0.7) ? pr->deps[gen_below(r, pr->ndeps)]
						    : sample_cdf(cdf, m->cfg.projects, r);
		if (q == p || seen[q] == 0)
			return -1;
	}
	n = seen[q];
	/* Recent work depends on recent work: a geometric distance back. */
	off = 1 + (uint32_t)gen_exp(r, q == p ? 30 : 200);
	if (off > n)
		off = 1 + gen_below(r, n);
	return m->projects[q].stories[n - off];
}

static void story_edges(gen_model *m, uint32_t i, const uint32_t *seen, const double *cdf,
			gen_rng *r)
{
	const gen_config *c = &m->cfg;
	const gen_story *s = &m->stories[i];
	uint64_t left = c->edges - m->nedges;
	double mean = (double)left / (double)(c->stories - i);
	uint64_t d = i + 1 == c->stories ? left : (uint64_t)(gen_exp(r, mean) + gen_unit(r));
	gen_edge *mine = m->edges + m->nedges;
	uint32_t n = 0;

	if (d > left)
		d = left;
	if (d > 64 && i + 1 < c->stories)
		d = 64;
	for (uint64_t k = 0; k < d; k++) {
		int blocks = gen_chance(r, 0.85), cross = gen_chance(r, c->cross_share), found = 0;
		int64_t t = -1, fallback = -1;
		for (int attempt = 0; attempt < 8 && !found; attempt++) {
			t = pick_target(m, i, seen, cdf, cross, r);
			if (t < 0 || has_target(mine, n, (uint32_t)t))
				continue;
			fallback = t;
			/* The open-blockers rule: blockers closed before the story first closed. */
			found = !blocks || s->first_done == GEN_NEVER ||
				m->stories[t].closed_final <= s->first_done;
		}
		if (!found) {
			if (fallback < 0)
				continue;
			t = fallback;
			blocks = 0;
		}
		gen_edge *e = &mine[n++];
		e->from = i;
		e->to = (uint32_t)t;
		e->blocks = (uint8_t)blocks;
		e->created_by = gen_chance(r, 0.7) ? gen_model_member(m, s->project, r) : 0;
		e->created = s->created + MIN_US + (int64_t)(gen_exp(r, 2) * (double)DAY_US);
		if (blocks && s->first_done != GEN_NEVER && e->created > s->first_done)
			e->created = s->first_done;
		if (e->created >= c->end_us)
			e->created = c->end_us - 1;
	}
	qsort(mine, n, sizeof *mine, cmp_edge_to);
	m->nedges += n;
}

/* --------------------------------------------------------------- stories */

static void place_in_backlog(gen_model *m, gen_story *s, gen_rng *r)
{
	int cat = gen_status_category(s->status), kind;
	double u = gen_unit(r);
	if (cat == CAT_TODO || cat == CAT_ACTIVE)
		kind = u < 0.45 ? 0 : u < 0.65 ? 3 : u < 0.80 ? 2 : u < 0.90 ? 1 : -1;
	else
		kind = u < 0.30 ? 4 : u < 0.60 ? 0 : u < 0.70 ? 2 : -1;
	s->backlog = kind < 0 ? -1 : backlog_of_kind(m, s->project, kind, r);
	if (s->backlog >= 0)
		s->rank = ++m->backlogs[s->backlog].nstories;
}

static void finish_story(gen_model *m, gen_story *s, const walk *w, gen_rng *r)
{
	const int64_t end = m->cfg.end_us;
	s->status = w->status;
	s->nhist = w->n;
	s->started = w->started;
	s->completed = w->completed;
	s->first_done = w->first_done;
	s->closed_final = w->closed_since;
	s->version = (uint16_t)(w->n + gen_below(r, 4));
	s->updated = w->last;
	if (gen_chance(r, 0.3))
		s->updated += MIN_US + (int64_t)(gen_exp(r, 5) * (double)DAY_US);
	if (s->closed_final != GEN_NEVER && s->closed_final < end - 365 * DAY_US &&
	    gen_chance(r, 0.3)) {
		s->archived =
			s->closed_final + 30 * DAY_US + (int64_t)(gen_exp(r, 30) * (double)DAY_US);
		if (s->archived > s->updated)
			s->updated = s->archived;
		s->version++;
	}
	if (s->updated >= end)
		s->updated = end - 1;
	if (s->archived >= end)
		s->archived = end - 1;
	if (s->updated < w->last)
		s->updated = w->last;
}

static int cmp_hist(const void *a, const void *b)
{
	const gen_hist *x = a, *y = b;
	if (x->at != y->at)
		return x->at < y->at ? -1 : 1;
	return x->story < y->story ? -1 : x->story > y->story;
}

void gen_model_build(gen_model *m, const gen_config *cfg)
{
	gen_rng r;
	uint64_t hcap = cfg->history + cfg->history / 8 + 64;
	uint32_t *seen;
	double *cdf;

	memset(m, 0, sizeof *m);
	m->cfg = *cfg;
	m->start_us = cfg->end_us - (int64_t)((double)cfg->years * 365.25 * (double)DAY_US);
	gen_rng_for(&r, cfg->seed, TAG_MOD, 0);
	cdf = project_cdf(cfg, &r);
	build_projects(m, &r, cdf);
	build_backlogs(m);

	/* Which project each story belongs to, then each project's stories in id order. */
	m->stories = xcalloc(cfg->stories, sizeof *m->stories);
	for (uint32_t i = 0; i < cfg->stories; i++) {
		gen_story *s = &m->stories[i];
		s->project = sample_cdf(cdf, cfg->projects, &r);
		s->number = ++m->projects[s->project].nstories;
	}
	for (uint32_t p = 0; p < cfg->projects; p++)
		m->projects[p].stories = xcalloc(m->projects[p].nstories, sizeof(uint32_t));
	for (uint32_t i = 0; i < cfg->stories; i++)
		m->projects[m->stories[i].project].stories[m->stories[i].number - 1] = i;

	m->rework = calibrate(m);
	m->hist = xcalloc(hcap, sizeof *m->hist);
	m->edges = xcalloc(cfg->edges + 1, sizeof *m->edges);
	seen = xcalloc(cfg->projects, sizeof *seen);
	for (uint32_t i = 0; i < cfg->stories; i++) {
		gen_story *s = &m->stories[i];
		walk w;
		s->created = created_at(m, i, &r);
		run_walk(m, &r, i, s->created, m->rework, &w, &hcap);
		finish_story(m, s, &w, &r);
		place_in_backlog(m, s, &r);
		story_edges(m, i, seen, cdf, &r);
		seen[s->project]++;
	}
	/* History is written in time order, as a live system appends it. */
	qsort(m->hist, m->nhist, sizeof *m->hist, cmp_hist);
	free(seen);
	free(cdf);
}

void gen_model_free(gen_model *m)
{
	if (m->projects)
		for (uint32_t p = 0; p < m->cfg.projects; p++) {
			free(m->projects[p].stories);
			free(m->projects[p].members);
		}
	free(m->projects);
	free(m->backlogs);
	free(m->stories);
	free(m->edges);
	free(m->hist);
	free(m->user_disabled);
	memset(m, 0, sizeof *m);
}
