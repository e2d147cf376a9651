/*
 * git_history.c: see git_history.h. The walk keeps one state per file that
 * exists at the commit being read (a hash map by path), fed by the --raw
 * lines of `git log`; a state ends when its file is deleted and moves when
 * it is renamed. Blobs are read on demand through one `git cat-file --batch`.
 */
#include "import/git_history.h"

#include <assert.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "core/buf.h"
#include "import/git_proc_int.h"
#include "import/story.h"

#define BLOB_MAX   (8 * 1024 * 1024) /* larger blobs are no story (story.c's limits) */
#define FIELD_MAX  (64 * 1024)       /* a name, an e-mail address, a path */
#define ERRLINE_SZ 512

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

#define TOMB ((fstate *)&tomb_mark)
static const char tomb_mark = 0;

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

typedef struct walk {
	pp_git_history *h;
	size_t cap_commits;
	fmap map;
	cur_commit cur;
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

/*
 * Reads blob id through cat-file and parses it as a story. *parsed says
 * whether it is one; then *status and *key are its fields (caller frees).
 */
static pp_rc read_version(walk *w, const char *path, const char *id, int *parsed, char **status,
			  char **key)
{
	char line[PP_GIT_ID_MAX + 64];
	unsigned long long size;
	pp_story story;
	pp_err perr;
	pp_buf hdr;
	int got, n = 0;
	pp_rc rc;

	*parsed = 0;
	*status = *key = NULL;
	snprintf(line, sizeof(line), "%s\n", id);
	rc = git_proc_write(w->cat.in, line, strlen(line), w->err);
	if (rc != PP_OK)
		return rc;
	pp_buf_init(&hdr, sizeof(line));
	got = git_reader_until(w->cat_rd, '\n', &hdr);
	if (got == 1 && sscanf(pp_buf_str(&hdr), "%*s blob %llu%n", &size, &n) == 1 &&
	    (size_t)n == hdr.len) {
		pp_buf_reset(&w->blob);
		got = git_reader_take(w->cat_rd, size, size <= BLOB_MAX ? &w->blob : NULL);
		if (got == 1)
			got = git_reader_take(w->cat_rd, 1, NULL);
	} else if (got == 1) {
		size = SIZE_MAX; /* "missing" or not a blob: not a story */
	}
	pp_buf_free(&hdr);
	if (got != 1)
		return pp_err_set(w->err, PP_EIO, "git cat-file --batch: unexpected answer for %s",
				  id);
	w->h->blobs_read++;
	if (size > BLOB_MAX)
		return PP_OK;
	if (pp_story_parse(path, w->blob.len ? w->blob.data : "", w->blob.len, &story, &perr) !=
	    PP_OK)
		return perr.rc == PP_ENOMEM ? oom(w) : PP_OK;
	*status = dup_or_null(story.status);
	*key = dup_or_null(story.key);
	*parsed = 1;
	if ((story.status != NULL && *status == NULL) || *key == NULL)
		rc = oom(w);
	pp_story_free(&story);
	return rc;
}

/* Reads version id of s and records a change when its status differs. */
static pp_rc apply(walk *w, fstate *s, const char *id)
{
	char *status, *key;
	int parsed;
	pp_rc rc;
	chg *c;

	if (strcmp(s->blob, id) == 0)
		return PP_OK; /* only the mode changed */
	snprintf(s->blob, sizeof(s->blob), "%s", id);
	rc = read_version(w, s->path, id, &parsed, &status, &key);
	if (rc != PP_OK || !parsed) {
		s->n_unparsed += parsed ? 0 : 1;
		return rc;
	}
	free(s->key);
	s->key = key;
	if (same(s->status, status)) {
		free(status);
		return PP_OK;
	}
	if (s->n_chg == s->cap_chg) {
		size_t cap = s->cap_chg ? s->cap_chg * 2 : 4;

		c = realloc(s->chg, cap * sizeof(*c));
		if (c == NULL)
			goto nomem;
		s->chg = c;
		s->cap_chg = cap;
	}
	c = &s->chg[s->n_chg];
	c->from = s->status;
	c->to = NULL;
	if (cur_index(w, &c->commit) != PP_OK)
		goto nomem;
	c->to = dup_or_null(status);
	s->n_chg++; /* from now on c->from belongs to the change */
	s->status = status;
	if (status != NULL && c->to == NULL)
		return oom(w);
	return PP_OK;
nomem:
	free(status);
	return oom(w);
}

/* A new state for path; at is the adding commit (1) or unknown (0). */
static pp_rc add_state(walk *w, const char *path, int at, fstate **out)
{
	fstate *s;

	map_del(&w->map, path);
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return oom(w);
	s->created = SIZE_MAX;
	s->path = strdup(path);
	if (s->path == NULL || (at && cur_index(w, &s->created) != PP_OK) ||
	    map_put(&w->map, s) != PP_OK) {
		fstate_free(s);
		return oom(w);
	}
	*out = s;
	return PP_OK;
}

static void del_state(walk *w, const char *path)
{
	fstate *s = map_get(&w->map, path);

	map_del(&w->map, path);
	fstate_free(s);
}

/*
 * The state of path before this commit: known, or (first touch in an
 * incremental or shallow walk) read from the old blob without a change.
 */
static pp_rc old_state(walk *w, const char *path, const char *old_id, fstate **out)
{
	char *status, *key;
	int parsed;
	pp_rc rc;

	*out = map_get(&w->map, path);
	if (*out != NULL)
		return PP_OK;
	rc = add_state(w, path, 0, out);
	if (rc == PP_OK)
		rc = read_version(w, path, old_id, &parsed, &status, &key);
	if (rc != PP_OK)
		return rc;
	snprintf((*out)->blob, sizeof((*out)->blob), "%s", old_id);
	(*out)->status = status;
	(*out)->key = key;
	return PP_OK;
}

/* Whether the importer would read path (from the repository's root) at mode. */
static int tracked(const pp_git_history *h, const char *path, unsigned mode)
{
	size_t plen = strlen(h->prefix), len = strlen(path);
	const char *p;

	if ((mode != 0100644 && mode != 0100755) || strncmp(path, h->prefix, plen) != 0)
		return 0;
	if (len - plen <= 3 || strcmp(path + len - 3, ".md") != 0)
		return 0;
	for (p = path + plen; p != NULL; p = strchr(p, '/'))
		if (*(p += (*p == '/')) == '.')
			return 0;
	return 1;
}

/* One --raw line: ":old_mode new_mode old_id new_id X[score]" and its paths. */
static pp_rc raw_entry(walk *w, const char *meta, const char *p1, const char *p2)
{
	char old_id[PP_GIT_ID_MAX + 1], new_id[PP_GIT_ID_MAX + 1], what;
	unsigned om, nm;
	int o_ok, n_ok;
	const char *np;
	fstate *s;
	pp_rc rc;

	if (sscanf(meta, ":%o %o %64s %64s %c", &om, &nm, old_id, new_id, &what) != 5)
		return pp_err_set(w->err, PP_EIO, "git log: unexpected line \"%.80s\"", meta);
	np = p2 != NULL ? p2 : p1;
	o_ok = what != 'A' && tracked(w->h, p1, om);
	n_ok = what != 'D' && tracked(w->h, np, nm);
	if (o_ok && !n_ok) {
		del_state(w, p1);
		return PP_OK;
	}
	if (!n_ok)
		return PP_OK;
	if (!o_ok) {
		rc = add_state(w, np, 1, &s);
		return rc == PP_OK ? apply(w, s, new_id) : rc;
	}
	rc = old_state(w, p1, old_id, &s);
	if (rc == PP_OK && np != p1) { /* a rename keeps the state */
		char *moved = strdup(np);

		if (moved == NULL)
			return oom(w);
		map_del(&w->map, p1);
		del_state(w, np);
		free(s->path);
		s->path = moved;
		rc = map_put(&w->map, s) == PP_OK ? PP_OK : oom(w);
		if (rc != PP_OK)
			fstate_free(s);
	}
	return rc == PP_OK ? apply(w, s, new_id) : rc;
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
			ok = git_reader_take(r, 1, NULL) == 1 && field(r, &meta) == 1 &&
			     meta.len <= PP_GIT_ID_MAX && field(r, &num) == 1;
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
				rc = raw_entry(w, meta.data, p1.data, two ? p2.data : NULL);
		} else {
			ok = 0;
		}
		if (rc == PP_OK && !ok)
			rc = pp_err_set(w->err, PP_EIO,
					"git log: cannot read its output (unexpected byte 0x%02x "
					"after commit %s)",
					(unsigned)c, w->cur.id[0] ? w->cur.id : "(none)");
	}
	pp_buf_free(&meta);
	pp_buf_free(&p1);
	pp_buf_free(&p2);
	pp_buf_free(&num);
	return rc;
}

/* A line of out (lines separated by '\n'), i from 0; "" past the end. */
static void nth_line(const char *out, int i, char *dst, size_t size)
{
	size_t n;

	while (i-- > 0 && out != NULL)
		out = (out = strchr(out, '\n')) != NULL ? out + 1 : NULL;
	n = out != NULL ? strcspn(out, "\n") : 0;
	snprintf(dst, size, "%.*s", (int)n, out != NULL ? out : "");
}

/* Finds the work tree's root, the prefix and whether it is shallow. */
static pp_rc locate(const char *dir, pp_git_history *h, pp_err *err)
{
	const char *argv[] = {"git",
			      "-C",
			      dir,
			      "rev-parse",
			      "--is-inside-work-tree",
			      "--is-shallow-repository",
			      "--show-toplevel",
			      "--show-prefix",
			      NULL};
	char errline[ERRLINE_SZ], word[16], path[4096];
	struct stat st;
	pp_buf out;
	int status;
	pp_rc rc;

	if (stat(dir, &st) != 0)
		return pp_err_set(err, PP_EIO, "cannot read directory %s: %s", dir,
				  strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return pp_err_set(err, PP_EINVAL, "%s: not a directory", dir);
	rc = git_proc_capture(argv, 3 * sizeof(path), &out, &status, errline, sizeof(errline), err);
	if (rc == PP_OK && status != 0)
		rc = pp_err_set(err, PP_EINVAL, "%s: not a git work tree (git: %s)", dir,
				errline[0] ? errline : "no reason given");
	nth_line(pp_buf_str(&out), 0, word, sizeof(word));
	if (rc == PP_OK && strcmp(word, "true") != 0)
		rc = pp_err_set(err, PP_EINVAL, "%s: not a git work tree", dir);
	nth_line(pp_buf_str(&out), 1, word, sizeof(word));
	h->shallow = strcmp(word, "true") == 0;
	nth_line(pp_buf_str(&out), 2, path, sizeof(path));
	h->root = strdup(path);
	nth_line(pp_buf_str(&out), 3, path, sizeof(path));
	h->prefix = strdup(path);
	pp_buf_free(&out);
	if (rc == PP_OK && (h->root == NULL || h->prefix == NULL))
		rc = pp_err_set(err, PP_ENOMEM, "out of memory");
	return rc;
}

/* The full id of rev's commit in h->root into id, or "" when there is none. */
static pp_rc resolve(const pp_git_history *h, const char *rev, char *id, pp_err *err)
{
	char spec[PP_GIT_ID_MAX + 16], errline[ERRLINE_SZ];
	const char *argv[] = {"git", "-C", h->root, "rev-parse", "--verify", "-q", spec, NULL};
	pp_buf out;
	int status;
	pp_rc rc;

	snprintf(spec, sizeof(spec), "%s^{commit}", rev);
	rc = git_proc_capture(argv, 4096, &out, &status, errline, sizeof(errline), err);
	nth_line(pp_buf_str(&out), 0, spec, sizeof(spec));
	id[0] = '\0';
	if (rc == PP_OK && status == 0 && strlen(spec) <= PP_GIT_ID_MAX)
		memcpy(id, spec, strlen(spec) + 1);
	pp_buf_free(&out);
	return rc;
}

/* Sets h->since when since is an ancestor of HEAD, else h->since_discarded. */
static pp_rc check_since(pp_git_history *h, const char *since, pp_err *err)
{
	char id[PP_GIT_ID_MAX + 1], errline[ERRLINE_SZ];
	const char *argv[] = {"git",           "-C", h->root, "merge-base",
			      "--is-ancestor", id,   h->head, NULL};
	size_t len = strlen(since);
	pp_buf out;
	int status;
	pp_rc rc;

	if (len < 4 || len > PP_GIT_ID_MAX || strspn(since, "0123456789abcdefABCDEF") != len)
		return pp_err_set(err, PP_EINVAL,
				  "since \"%.80s\": expected a commit id (4 to %d hex digits)",
				  since, PP_GIT_ID_MAX);
	rc = resolve(h, since, id, err);
	if (rc != PP_OK || id[0] == '\0') {
		h->since_discarded = rc == PP_OK;
		return rc;
	}
	rc = git_proc_capture(argv, 4096, &out, &status, errline, sizeof(errline), err);
	pp_buf_free(&out);
	if (rc == PP_OK && status == 0)
		memcpy(h->since, id, sizeof(id));
	else
		h->since_discarded = rc == PP_OK;
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
	qsort(h->files, h->n_files, sizeof(*h->files), by_path);
	return PP_OK;
}

/* Runs git log over the range with cat-file beside it. */
static pp_rc run_walk(walk *w)
{
	pp_git_history *h = w->h;
	char range[2 * PP_GIT_ID_MAX + 8], errline[ERRLINE_SZ];
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
	rc = git_proc_start(log_argv, 0, &log, w->err);
	if (rc == PP_OK) {
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

pp_rc pp_git_history_walk(const pp_git_history_opts *o, pp_git_history *h, pp_err *err)
{
	walk w;
	pp_rc rc;

	memset(h, 0, sizeof(*h));
	memset(&w, 0, sizeof(w));
	w.h = h;
	w.err = err;
	w.cat.in = w.cat.out = -1;
	pp_buf_init(&w.cur.name, FIELD_MAX);
	pp_buf_init(&w.cur.email, FIELD_MAX);
	pp_buf_init(&w.blob, BLOB_MAX);
	rc = locate(o->dir, h, err);
	if (rc == PP_OK)
		rc = resolve(h, "HEAD", h->head, err);
	if (rc == PP_OK && h->head[0] != '\0' && o->since != NULL)
		rc = check_since(h, o->since, err);
	if (rc == PP_OK && h->head[0] != '\0')
		rc = run_walk(&w);
	if (rc == PP_OK)
		rc = finish(&w);
	for (size_t i = 0; i < w.map.cap; i++)
		if (w.map.slot[i] != TOMB)
			fstate_free(w.map.slot[i]);
	free(w.map.slot);
	free(w.cat_rd);
	pp_buf_free(&w.cur.name);
	pp_buf_free(&w.cur.email);
	pp_buf_free(&w.blob);
	return rc;
}

static int path_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const pp_git_file *)elem)->path);
}

const pp_git_file *pp_git_history_find(const pp_git_history *h, const char *path)
{
	if (h == NULL || h->n_files == 0)
		return NULL;
	return bsearch(path, h->files, h->n_files, sizeof(*h->files), path_cmp);
}

void pp_git_history_free(pp_git_history *h)
{
	if (h == NULL)
		return;
	for (size_t i = 0; i < h->n_files; i++) {
		pp_git_file *f = &h->files[i];

		for (size_t k = 0; k < f->n_changes; k++) {
			free(f->changes[k].from_status);
			free(f->changes[k].to_status);
		}
		free(f->changes);
		free(f->path);
		free(f->key);
	}
	free(h->files);
	for (size_t i = 0; i < h->n_commits; i++) {
		free(h->commits[i].author_name);
		free(h->commits[i].author_email);
	}
	free(h->commits);
	free(h->root);
	free(h->prefix);
	memset(h, 0, sizeof(*h));
}
