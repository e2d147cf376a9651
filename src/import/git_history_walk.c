/*
 * git_history_walk.c: the walk behind pp_git_history_walk (git_history.h).
 * One state per file that exists at the commit being read (a hash map by
 * path), fed by the --raw lines of `git log`, one commit at a time: the
 * commit's old paths are detached first (the two sides of its diff are two
 * trees, whatever the order of its lines), the versions whose status is
 * needed are read through `git cat-file --batch` with requests in flight,
 * then each state moves to its new path
 * (a rename), ends (a deletion) or begins (an addition), and a version whose
 * status differs from its file's last one is a change.
 */
#include "import/git_history_int.h"

#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/buf.h"
#include "import/git_proc_int.h"
#include "import/story.h"

#define BLOB_MAX  (8 * 1024 * 1024) /* larger blobs are no story (story.c's limits) */
#define FIELD_MAX (64 * 1024)       /* a name, an e-mail address, a path */

/* A status change while walking: the commit is an index into h->commits. */
typedef struct chg {
	size_t commit;
	char *from, *to;
} chg;

/* What is known about one file at the commit being read. */
typedef struct fstate {
	char *path;                   /* from the repository's root */
	char blob[PP_GIT_ID_MAX + 1]; /* the version whose status is known */
	size_t created;               /* index into h->commits, or SIZE_MAX: before SINCE */
	char *status;                 /* NULL: none */
	char *key;
	chg *chg;
	size_t n_chg, cap_chg;
	size_t n_unparsed;
} fstate;

static fstate tomb; /* marks a deleted slot; never used as a state */
#define TOMB (&tomb)

/* Open addressing by path; deleted slots hold TOMB. */
typedef struct fmap {
	fstate **slot;
	size_t cap, used, live; /* used counts tombstones too */
} fmap;

/* The commit whose --raw lines are being read. */
typedef struct cur_commit {
	char id[PP_GIT_ID_MAX + 1];
	long long time, author_time;
	pp_buf name, email;
	size_t index; /* in h->commits once something refers to it, else SIZE_MAX */
} cur_commit;

/* One version as read: whether it is a story, then its status and key. */
typedef struct version {
	int parsed;
	char *status, *key;
} version;

/* One --raw line of the commit being read, about a file the importer reads. */
typedef struct entry {
	char old_id[PP_GIT_ID_MAX + 1], new_id[PP_GIT_ID_MAX + 1];
	char *p1, *p2;  /* the path; p2 the new one of a rename, else NULL */
	int o_ok, n_ok; /* the old and the new path are story files */
	int need_new;   /* the new version's status must be read */
	fstate *st;     /* the state detached from p1 */
	version old, neu;
} entry;

/* A blob to read for the commit being read. */
typedef struct request {
	const char *path;
	version *dst;
} request;

typedef struct walk {
	pp_git_history *h;
	size_t cap_commits;
	fmap map;
	cur_commit cur;
	entry *ents; /* the commit's lines */
	size_t n_ents, cap_ents;
	request *reqs; /* and the blobs to read, ids in req_ids */
	const char **req_ids;
	size_t n_reqs, cap_reqs;
	git_proc cat;
	git_reader *cat_rd;
	pp_buf blob; /* the blob being read */
	pp_err *err;
} walk;

static uint64_t hash(const char *s)
{
	uint64_t x = 1469598103934665603ULL;

	while (*s)
		x = (x ^ (unsigned char)*s++) * 1099511628211ULL;
	return x;
}

/* The slot of path, or the empty slot where it would go. */
static fstate **map_slot(fmap *m, const char *path)
{
	size_t i = (size_t)hash(path) & (m->cap - 1);
	fstate **grave = NULL;

	for (;; i = (i + 1) & (m->cap - 1)) {
		fstate *s = m->slot[i];

		if (s == NULL)
			return grave != NULL ? grave : &m->slot[i];
		if (s == TOMB) {
			if (grave == NULL)
				grave = &m->slot[i];
		} else if (strcmp(s->path, path) == 0) {
			return &m->slot[i];
		}
	}
}

static fstate *map_get(fmap *m, const char *path)
{
	fstate *s;

	if (m->cap == 0)
		return NULL;
	s = *map_slot(m, path);
	return s == TOMB ? NULL : s;
}

static pp_rc map_put(fmap *m, fstate *st)
{
	fstate **slot;

	if ((m->used + 1) * 2 > m->cap) {
		fmap bigger = {NULL, m->cap ? m->cap * 2 : 1024, 0, 0};

		while (bigger.cap < (m->live + 1) * 4)
			bigger.cap *= 2;
		bigger.slot = calloc(bigger.cap, sizeof(*bigger.slot));
		if (bigger.slot == NULL)
			return PP_ENOMEM;
		for (size_t i = 0; i < m->cap; i++)
			if (m->slot[i] != NULL && m->slot[i] != TOMB) {
				*map_slot(&bigger, m->slot[i]->path) = m->slot[i];
				bigger.used++;
				bigger.live++;
			}
		free(m->slot);
		*m = bigger;
	}
	slot = map_slot(m, st->path);
	assert(*slot == NULL || *slot == TOMB);
	if (*slot == NULL)
		m->used++;
	*slot = st;
	m->live++;
	return PP_OK;
}

static void map_del(fmap *m, const char *path)
{
	fstate **slot;

	if (m->cap == 0)
		return;
	slot = map_slot(m, path);
	if (*slot != NULL && *slot != TOMB) {
		*slot = TOMB;
		m->live--;
	}
}

static void fstate_free(fstate *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < s->n_chg; i++) {
		free(s->chg[i].from);
		free(s->chg[i].to);
	}
	free(s->chg);
	free(s->path);
	free(s->status);
	free(s->key);
	free(s);
}

static pp_rc oom(walk *w)
{
	return pp_err_set(w->err, PP_ENOMEM, "out of memory");
}

static char *dup_or_null(const char *s)
{
	return s != NULL ? strdup(s) : NULL;
}

static int same(const char *a, const char *b)
{
	return a == NULL ? b == NULL : b != NULL && strcmp(a, b) == 0;
}

/* The current commit's index in h->commits, appending it on first use. */
static pp_rc cur_index(walk *w, size_t *out)
{
	pp_git_history *h = w->h;
	pp_git_commit *c;
	struct tm tm;
	time_t t;

	if (w->cur.index == SIZE_MAX) {
		if (h->n_commits == w->cap_commits) {
			size_t cap = w->cap_commits ? w->cap_commits * 2 : 64;

			c = realloc(h->commits, cap * sizeof(*c));
			if (c == NULL)
				return oom(w);
			h->commits = c;
			w->cap_commits = cap;
		}
		c = &h->commits[h->n_commits];
		memset(c, 0, sizeof(*c));
		memcpy(c->id, w->cur.id, sizeof(c->id));
		c->time = w->cur.time;
		c->author_time = w->cur.author_time;
		t = (time_t)c->time;
		if (gmtime_r(&t, &tm) != NULL)
			strftime(c->time_iso, sizeof(c->time_iso), "%Y-%m-%dT%H:%M:%SZ", &tm);
		c->author_name = strdup(pp_buf_str(&w->cur.name));
		c->author_email = strdup(pp_buf_str(&w->cur.email));
		h->n_commits++;
		if (c->author_name == NULL || c->author_email == NULL)
			return oom(w);
		w->cur.index = h->n_commits - 1;
	}
	*out = w->cur.index;
	return PP_OK;
}

int git_history_tracked(const char *prefix, const char *path, unsigned mode)
{
	size_t plen = strlen(prefix), len = strlen(path);
	const char *p;

	if ((mode != 0100644 && mode != 0100755) || strncmp(path, prefix, plen) != 0)
		return 0;
	if (len <= plen || !pp_story_file_name(path + plen))
		return 0;
	for (p = path + plen; p != NULL; p = strchr(p, '/'))
		if (*(p += (*p == '/')) == '.')
			return 0;
	return 1;
}

static void version_free(version *v)
{
	free(v->status);
	free(v->key);
	memset(v, 0, sizeof(*v));
}

/* cat-file's answer to request i: parsed as a story into its version. */
static pp_rc got_blob(void *ctx, size_t i, const char *data, size_t len)
{
	walk *w = ctx;
	version *v = w->reqs[i].dst;
	pp_story story;
	pp_err perr;
	pp_rc rc = PP_OK;

	w->h->blobs_read++;
	if (data == NULL)
		return PP_OK; /* missing, or too big to be a story */
	if (pp_story_parse(w->reqs[i].path, data, len, &story, &perr) != PP_OK)
		return perr.rc == PP_ENOMEM ? oom(w) : PP_OK;
	v->parsed = 1;
	v->status = dup_or_null(story.status);
	v->key = dup_or_null(story.key);
	if ((story.status != NULL && v->status == NULL) || v->key == NULL)
		rc = oom(w);
	pp_story_free(&story);
	return rc;
}

static pp_rc add_request(walk *w, const char *id, const char *path, version *dst)
{
	if (w->n_reqs == w->cap_reqs) {
		size_t cap = w->cap_reqs ? w->cap_reqs * 2 : 64;
		request *r = realloc(w->reqs, cap * sizeof(*r));
		const char **ids;

		if (r == NULL)
			return oom(w);
		w->reqs = r;
		ids = realloc(w->req_ids, cap * sizeof(*ids));
		if (ids == NULL)
			return oom(w);
		w->req_ids = ids;
		w->cap_reqs = cap;
	}
	w->req_ids[w->n_reqs] = id;
	w->reqs[w->n_reqs].path = path;
	w->reqs[w->n_reqs].dst = dst;
	w->n_reqs++;
	return PP_OK;
}

/* Version v (blob id) of s: a change when its status differs from s's. */
static pp_rc take_version(walk *w, fstate *s, const char *id, version *v)
{
	chg *c;

	snprintf(s->blob, sizeof(s->blob), "%s", id);
	if (!v->parsed) {
		s->n_unparsed++;
		return PP_OK;
	}
	free(s->key);
	s->key = v->key;
	v->key = NULL;
	if (same(s->status, v->status))
		return PP_OK;
	if (s->n_chg == s->cap_chg) {
		size_t cap = s->cap_chg ? s->cap_chg * 2 : 4;

		c = realloc(s->chg, cap * sizeof(*c));
		if (c == NULL)
			return oom(w);
		s->chg = c;
		s->cap_chg = cap;
	}
	c = &s->chg[s->n_chg];
	if (cur_index(w, &c->commit) != PP_OK)
		return oom(w);
	c->to = dup_or_null(v->status);
	if (v->status != NULL && c->to == NULL)
		return oom(w);
	c->from = s->status;
	s->n_chg++;
	s->status = v->status;
	v->status = NULL;
	return PP_OK;
}

/* A state for path, not yet in the map; at: added by the current commit. */
static fstate *new_state(walk *w, const char *path, int at)
{
	fstate *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return NULL;
	s->created = SIZE_MAX;
	s->path = strdup(path);
	if (s->path == NULL || (at && cur_index(w, &s->created) != PP_OK)) {
		fstate_free(s);
		return NULL;
	}
	return s;
}

/* Entry e's state after the commit, at its new path, in the map. */
static pp_rc settle(walk *w, entry *e)
{
	const char *np = e->p2 != NULL ? e->p2 : e->p1;
	fstate *s = e->st, *old;

	if (!e->o_ok || s == NULL) {
		s = new_state(w, np, !e->o_ok);
		if (s == NULL)
			return oom(w);
		if (e->o_ok) {
			/* First touch in an incremental or shallow walk: the old
			 * version is where the file stood, no change. */
			snprintf(s->blob, sizeof(s->blob), "%s", e->old_id);
			s->status = e->old.status;
			s->key = e->old.key;
			e->old.status = e->old.key = NULL;
		}
	} else if (strcmp(s->path, np) != 0) {
		char *moved = strdup(np);

		if (moved == NULL)
			return oom(w);
		free(s->path);
		s->path = moved;
	}
	e->st = NULL;
	old = map_get(&w->map, np); /* none in a consistent diff */
	map_del(&w->map, np);
	fstate_free(old);
	if (map_put(&w->map, s) != PP_OK) {
		fstate_free(s);
		return oom(w);
	}
	return e->need_new ? take_version(w, s, e->new_id, &e->neu) : PP_OK;
}

/* Forgets the commit's lines, and the states of deleted files. */
static void drop_entries(walk *w)
{
	for (size_t i = 0; i < w->n_ents; i++) {
		entry *e = &w->ents[i];

		fstate_free(e->st); /* deleted, or left by an error */
		version_free(&e->old);
		version_free(&e->neu);
		free(e->p1);
		free(e->p2);
	}
	w->n_ents = 0;
}

/* Applies the lines of the commit just read (w->cur), then forgets them. */
static pp_rc flush_commit(walk *w)
{
	pp_rc rc = PP_OK;
	size_t i;

	/* The old paths name the states before the commit. */
	for (i = 0; i < w->n_ents; i++) {
		entry *e = &w->ents[i];

		if (e->o_ok) {
			e->st = map_get(&w->map, e->p1);
			map_del(&w->map, e->p1);
		}
	}
	w->n_reqs = 0;
	for (i = 0; rc == PP_OK && i < w->n_ents; i++) {
		entry *e = &w->ents[i];

		if (!e->n_ok)
			continue;
		if (e->o_ok && e->st == NULL)
			rc = add_request(w, e->old_id, e->p1, &e->old);
		/* The same blob again (a mode change or a pure rename): no change. */
		e->need_new = !(e->st != NULL && strcmp(e->st->blob, e->new_id) == 0);
		if (rc == PP_OK && e->need_new)
			rc = add_request(w, e->new_id, e->p2 != NULL ? e->p2 : e->p1, &e->neu);
	}
	if (rc == PP_OK)
		rc = git_proc_cat(&w->cat, w->cat_rd, w->req_ids, w->n_reqs, BLOB_MAX, &w->blob,
				  got_blob, w, w->err);
	for (i = 0; rc == PP_OK && i < w->n_ents; i++)
		if (w->ents[i].n_ok)
			rc = settle(w, &w->ents[i]);
	drop_entries(w);
	return rc;
}

/* Keeps one --raw line (":old_mode new_mode old_id new_id X[score]", paths) if it matters. */
static pp_rc add_entry(walk *w, const char *meta, const char *p1, const char *p2)
{
	unsigned om, nm;
	entry *e;
	char what;

	if (w->n_ents == w->cap_ents) {
		size_t cap = w->cap_ents ? w->cap_ents * 2 : 64;

		e = realloc(w->ents, cap * sizeof(*e));
		if (e == NULL)
			return oom(w);
		w->ents = e;
		w->cap_ents = cap;
	}
	e = &w->ents[w->n_ents];
	memset(e, 0, sizeof(*e));
	if (sscanf(meta, ":%o %o %64s %64s %c", &om, &nm, e->old_id, e->new_id, &what) != 5)
		return pp_err_set(w->err, PP_EIO, "git log: unexpected line \"%.80s\"", meta);
	e->o_ok = what != 'A' && git_history_tracked(w->h->prefix, p1, om);
	e->n_ok = what != 'D' && git_history_tracked(w->h->prefix, p2 != NULL ? p2 : p1, nm);
	if (!e->o_ok && !e->n_ok)
		return PP_OK;
	e->p1 = strdup(p1);
	e->p2 = p2 != NULL ? strdup(p2) : NULL;
	w->n_ents++; /* freed by flush_commit from now on */
	if (e->p1 == NULL || (p2 != NULL && e->p2 == NULL))
		return oom(w);
	return PP_OK;
}

/* Reads one NUL-terminated field of git log's output into b (emptied first). */
static int field(git_reader *r, pp_buf *b)
{
	pp_buf_reset(b);
	return git_reader_until(r, '\0', b);
}

/* Whether a --raw line's status ("R100", "C75") names a second path. */
static int two_paths(const pp_buf *meta)
{
	const char *sp = strrchr(pp_buf_str(meta), ' ');

	return sp != NULL && (sp[1] == 'R' || sp[1] == 'C');
}

/* Reads git log's stream: commits ("\1" + header fields), each with --raw lines. */
static pp_rc read_log(walk *w, git_reader *r)
{
	pp_buf meta, p1, p2, num;
	pp_rc rc = PP_OK;
	int c, ok, two;

	pp_buf_init(&meta, FIELD_MAX);
	pp_buf_init(&p1, FIELD_MAX);
	pp_buf_init(&p2, FIELD_MAX);
	pp_buf_init(&num, 64);
	while (rc == PP_OK && (c = git_reader_peek(r)) >= 0) {
		if (c == '\n' || c == '\0') {
			ok = git_reader_take(r, 1, NULL) == 1;
		} else if (c == '\1') {
			rc = flush_commit(w); /* before the header replaces w->cur */
			ok = rc == PP_OK && git_reader_take(r, 1, NULL) == 1 &&
			     field(r, &meta) == 1 && meta.len <= PP_GIT_ID_MAX &&
			     field(r, &num) == 1;
			if (ok) {
				snprintf(w->cur.id, sizeof(w->cur.id), "%s", pp_buf_str(&meta));
				w->cur.time = strtoll(pp_buf_str(&num), NULL, 10);
				w->cur.index = SIZE_MAX;
				w->h->commits_walked++;
			}
			ok = ok && field(r, &num) == 1 && field(r, &w->cur.name) == 1 &&
			     field(r, &w->cur.email) == 1;
			if (ok)
				w->cur.author_time = strtoll(pp_buf_str(&num), NULL, 10);
		} else if (c == ':' && w->cur.id[0] != '\0') {
			ok = field(r, &meta) == 1 && field(r, &p1) == 1;
			two = ok && two_paths(&meta);
			if (two)
				ok = field(r, &p2) == 1;
			if (ok)
				rc = add_entry(w, meta.data, p1.data, two ? p2.data : NULL);
		} else {
			ok = 0;
		}
		if (rc == PP_OK && !ok)
			rc = pp_err_set(w->err, PP_EIO,
					"git log: cannot read its output (unexpected byte 0x%02x "
					"after commit %s)",
					(unsigned)c, w->cur.id[0] ? w->cur.id : "(none)");
	}
	if (rc == PP_OK)
		rc = flush_commit(w);
	pp_buf_free(&meta);
	pp_buf_free(&p1);
	pp_buf_free(&p2);
	pp_buf_free(&num);
	return rc;
}

static int by_path(const void *a, const void *b)
{
	return strcmp(((const pp_git_file *)a)->path, ((const pp_git_file *)b)->path);
}

/* Moves the live states into h->files, sorted by path. */
static pp_rc finish(walk *w)
{
	pp_git_history *h = w->h;
	size_t plen = strlen(h->prefix);

	h->files = calloc(w->map.live ? w->map.live : 1, sizeof(*h->files));
	if (h->files == NULL)
		return oom(w);
	for (size_t i = 0; i < w->map.cap; i++) {
		fstate *s = w->map.slot[i];
		pp_git_file *f;

		if (s == NULL || s == TOMB)
			continue;
		f = &h->files[h->n_files++];
		f->path = strdup(s->path + plen);
		f->created = s->created == SIZE_MAX ? NULL : &h->commits[s->created];
		f->key = s->key;
		s->key = NULL;
		f->n_unparsed = s->n_unparsed;
		f->changes = calloc(s->n_chg ? s->n_chg : 1, sizeof(*f->changes));
		if (f->path == NULL || f->changes == NULL)
			return oom(w);
		for (size_t k = 0; k < s->n_chg; k++) {
			f->changes[k].commit = &h->commits[s->chg[k].commit];
			f->changes[k].from_status = s->chg[k].from;
			f->changes[k].to_status = s->chg[k].to;
			s->chg[k].from = s->chg[k].to = NULL;
		}
		f->n_changes = s->n_chg;
	}
	if (h->n_files > 1)
		qsort(h->files, h->n_files, sizeof(*h->files), by_path);
	return PP_OK;
}

/*
 * Runs git log over the range with cat-file beside it; log_fd >= 0: reads
 * what is there instead of running git log.
 */
static pp_rc run_walk(walk *w, int log_fd)
{
	pp_git_history *h = w->h;
	char range[2 * PP_GIT_ID_MAX + 8], errline[512];
	const char *cat_argv[] = {"git", "-C", h->root, "cat-file", "--batch", NULL};
	const char *log_argv[] = {"git",
				  "--literal-pathspecs",
				  "-c",
				  "log.showRoot=true",
				  "-C",
				  h->root,
				  "log",
				  "--reverse",
				  "--first-parent",
				  "--diff-merges=first-parent",
				  "-M",
				  "--raw",
				  "-z",
				  "--no-abbrev",
				  "--no-color",
				  "--no-ext-diff",
				  "--no-show-signature",
				  "--encoding=UTF-8",
				  "--format=%x01%H%x00%ct%x00%at%x00%aN%x00%aE",
				  range,
				  "--",
				  h->prefix[0] ? h->prefix : NULL,
				  NULL};
	git_sigpipe sigpipe;
	git_proc log;
	git_reader *rd;
	int status;
	pp_rc rc;

	if (h->since[0])
		snprintf(range, sizeof(range), "%s..%s", h->since, h->head);
	else
		snprintf(range, sizeof(range), "%s", h->head);
	rd = malloc(sizeof(*rd));
	w->cat_rd = malloc(sizeof(*w->cat_rd));
	if (rd == NULL || w->cat_rd == NULL) {
		free(rd);
		return oom(w);
	}
	rc = git_proc_start(cat_argv, 1, &w->cat, w->err);
	if (rc != PP_OK) {
		free(rd);
		return rc;
	}
	git_reader_init(w->cat_rd, w->cat.out);
	git_proc_sigpipe_block(&sigpipe);
	if (log_fd >= 0) {
		git_reader_init(rd, log_fd);
		rc = read_log(w, rd);
	} else if ((rc = git_proc_start(log_argv, 0, &log, w->err)) == PP_OK) {
		git_reader_init(rd, log.out);
		rc = read_log(w, rd);
		status = git_proc_wait(&log, errline, sizeof(errline));
		if (rc == PP_OK && status != 0)
			rc = pp_err_set(w->err, PP_EIO, "git log failed in %s (exit %d): %s",
					h->root, status, errline[0] ? errline : "no reason given");
	}
	free(rd);
	status = git_proc_wait(&w->cat, errline, sizeof(errline));
	git_proc_sigpipe_restore(&sigpipe);
	if (rc == PP_OK && status != 0)
		rc = pp_err_set(w->err, PP_EIO, "git cat-file failed in %s (exit %d): %s", h->root,
				status, errline[0] ? errline : "no reason given");
	return rc;
}

static pp_rc walk_whole(pp_git_history *h, int log_fd, pp_err *err)
{
	walk w;
	pp_rc rc;

	memset(&w, 0, sizeof(w));
	w.h = h;
	w.err = err;
	w.cat.in = w.cat.out = -1;
	pp_buf_init(&w.cur.name, FIELD_MAX);
	pp_buf_init(&w.cur.email, FIELD_MAX);
	pp_buf_init(&w.blob, BLOB_MAX);
	rc = run_walk(&w, log_fd);
	if (rc == PP_OK)
		rc = finish(&w);
	drop_entries(&w);
	for (size_t i = 0; i < w.map.cap; i++)
		if (w.map.slot[i] != TOMB)
			fstate_free(w.map.slot[i]);
	free(w.map.slot);
	free(w.ents);
	free(w.reqs);
	free(w.req_ids);
	free(w.cat_rd);
	pp_buf_free(&w.cur.name);
	pp_buf_free(&w.cur.email);
	pp_buf_free(&w.blob);
	return rc;
}

pp_rc git_history_run(pp_git_history *h, pp_err *err)
{
	return walk_whole(h, -1, err);
}

pp_rc git_history_read_log(pp_git_history *h, int log_fd, pp_err *err)
{
	return walk_whole(h, log_fd, err);
}
