/*
 * import.c: finding the story files (the walk, --exclude, .planpipeignore),
 * the backlog index, and pp_import_run (see import.h). Reading one file is
 * import_read.c; the database half import_db.c.
 */
#include "import/import.h"

#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/file.h"
#include "core/proc.h"
#include "import/backlog_index.h"
#include "import/import_int.h"
#include "import/story_int.h"

static pp_rc list_add(pp_import_paths *l, const char *rel)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		char **p = realloc(l->paths, cap * sizeof(*p));
		if (p == NULL)
			return PP_ENOMEM;
		l->paths = p;
		l->cap = cap;
	}
	l->paths[l->n] = l->arena ? pp_arena_strdup(l->arena, rel) : strdup(rel);
	return l->paths[l->n++] ? PP_OK : PP_ENOMEM;
}

void pp_import_paths_free(pp_import_paths *l)
{
	size_t i;

	for (i = 0; !l->arena && i < l->n; i++)
		free(l->paths[i]);
	free(l->paths);
}

void pp_import_patterns_free(pp_import_patterns *pl)
{
	size_t i;

	for (i = 0; i < pl->n; i++)
		free(pl->v[i].glob);
	free(pl->v);
}

pp_rc pp_import_pattern_add(pp_import_patterns *pl, const char *line, size_t len)
{
	pp_import_pattern *p, *v;

	while (len > 0 && (line[len - 1] == ' ' || line[len - 1] == '\t' || line[len - 1] == '\r'))
		len--;
	if (len == 0 || line[0] == '#')
		return PP_OK;
	v = realloc(pl->v, (pl->n + 1) * sizeof(*v));
	if (v == NULL)
		return PP_ENOMEM;
	pl->v = v;
	p = &v[pl->n];
	memset(p, 0, sizeof(*p));
	if (line[0] == '!') {
		p->negate = 1;
		line++;
		len--;
	}
	if (len > 0 && line[len - 1] == '/') {
		p->dir = 1;
		len--;
	}
	if (len > 0 && line[0] == '/') {
		p->rooted = 1;
		line++;
		len--;
	}
	if (memchr(line, '/', len) != NULL)
		p->rooted = 1;
	if (len == 0)
		return PP_OK;
	if ((p->glob = strndup(line, len)) == NULL)
		return PP_ENOMEM;
	pl->n++;
	return PP_OK;
}

pp_rc pp_import_patterns_read(const char *root, pp_import_patterns *pl, pp_err *err)
{
	struct stat st;
	int line;
	char path[PATH_MAX];
	char *data = NULL;
	size_t len, i = 0;
	pp_rc rc;

	snprintf(path, sizeof(path), "%s/.planpipeignore", root);
	if (stat(path, &st) != 0)
		return PP_OK;
	if (!S_ISREG(st.st_mode)) /* never opened: a FIFO would block the import */
		return pp_err_set(err, PP_EINVAL, "%s is not a regular file", path);
	rc = pp_file_read(path, 1024 * 1024, &data, &len, err);
	for (line = 1; rc == PP_OK && i < len; line++) {
		const char *nl = memchr(data + i, '\n', len - i);
		size_t n = nl ? (size_t)(nl - (data + i)) : len - i, had = pl->n;
		rc = pp_import_pattern_add(pl, data + i, n);
		if (pl->n > had)
			pl->v[had].line = line;
		i += n + 1;
	}
	free(data);
	if (rc == PP_ENOMEM)
		pp_err_set(err, rc, "out of memory");
	return rc;
}

/* Where a '[' of glob has no ']' to close it (as fnmatch reads a bracket), or NULL. */
static const char *unclosed_bracket(const char *glob)
{
	const char *p, *q;

	for (p = glob; *p; p++) {
		if (*p == '\\' && p[1] != '\0') {
			p++;
			continue;
		}
		if (*p != '[')
			continue;
		q = p + 1;
		if (*q == '!' || *q == '^')
			q++;
		if (*q == ']') /* "[]...]": the first ']' is one of the set */
			q++;
		q = strchr(q, ']');
		if (q == NULL)
			return p;
		p = q;
	}
	return NULL;
}

pp_rc pp_import_patterns_check(const pp_import_patterns *pl, pp_import_result *res)
{
	pp_rc rc = PP_OK;
	size_t i;

	for (i = 0; rc == PP_OK && i < pl->n; i++) {
		const pp_import_pattern *p = &pl->v[i];
		if (unclosed_bracket(p->glob) == NULL)
			continue;
		rc = pp_import_problem_add(res, p->line ? ".planpipeignore" : "--exclude", p->line,
					   0, 0,
					   "pattern \"%.40s\" has a '[' without its ']': that '[' "
					   "matches only a '[' in a name",
					   p->glob);
	}
	return rc;
}

int pp_import_glob_match(const char *glob, const char *rel)
{
	const char *p;

	if (strncmp(glob, "**/", 3) == 0) {
		for (p = rel; p; p = strchr(p, '/'), p = p ? p + 1 : NULL)
			if (fnmatch(glob + 3, p, FNM_PATHNAME) == 0)
				return 1;
		return 0;
	}
	return fnmatch(glob, rel, FNM_PATHNAME) == 0;
}

int pp_import_excluded(const pp_import_patterns *pl, const char *rel, int is_dir)
{
	const char *base = strrchr(rel, '/');
	int out = 0;
	size_t i;

	base = base ? base + 1 : rel;
	for (i = 0; i < pl->n; i++) {
		const pp_import_pattern *p = &pl->v[i];
		if (p->dir && !is_dir)
			continue;
		if (pp_import_glob_match(p->glob, p->rooted ? rel : base))
			out = !p->negate;
	}
	return out;
}

int pp_import_inside(const char *root_real, const char *real)
{
	size_t n = strlen(root_real);

	return strncmp(real, root_real, n) == 0 &&
	       (real[n] == '\0' || real[n] == '/' || (n == 1 && root_real[0] == '/'));
}

/*
 * A symbolic link in the tree is never followed: a story is read where it
 * is. One that leaves the tree is refused as an error, by name; one inside
 * it is a warning (its target is imported at its own path, if a story).
 */
static pp_rc symlink_found(const char *root_real, const char *child, const char *rel,
			   pp_import_result *res)
{
	char real[PATH_MAX];

	if (realpath(child, real) == NULL || !pp_import_inside(root_real, real)) {
		res->files++;
		res->failed++;
		res->rejected++;
		return pp_import_problem_add(
			res, rel, 0, 0, 1,
			"a symbolic link that leaves the imported tree: refused");
	}
	return pp_import_problem_add(
		res, rel, 0, 0, 0,
		"a symbolic link: not followed (its target is read where it is)");
}

/* What a file that is neither regular, a directory nor a link is, for the user. */
static const char *special_kind(mode_t mode)
{
	if (S_ISFIFO(mode))
		return "a FIFO";
	if (S_ISSOCK(mode))
		return "a socket";
	if (S_ISCHR(mode) || S_ISBLK(mode))
		return "a device";
	return "a special file";
}

/* Iterative: a tree thousands of directories deep is an error, not a stack overflow. */
pp_rc pp_import_walk(const char *root, const pp_import_patterns *pl, pp_import_paths *out,
		     pp_import_result *res, pp_err *err)
{
	char root_real[PATH_MAX], dirpath[PATH_MAX], child[PATH_MAX], childrel[PATH_MAX];
	pp_import_paths todo = {NULL, 0, 0, NULL};
	pp_rc rc;

	if (realpath(root, root_real) == NULL)
		return pp_err_set(err, PP_EIO, "%s: %s", root, strerror(errno));
	rc = list_add(&todo, "");
	while (rc == PP_OK && todo.n > 0) {
		char *rel = todo.paths[--todo.n];
		const char *c;
		struct dirent *de;
		int depth = *rel != '\0';
		DIR *d;

		for (c = rel; *c; c++)
			depth += *c == '/';
		snprintf(dirpath, sizeof(dirpath), "%s%s%s", root, *rel ? "/" : "", rel);
		if (depth > PP_IMPORT_MAX_DEPTH) {
			rc = pp_err_set(err, PP_EINVAL,
					"%s: more than %d directories deep: not a planning tree?",
					dirpath, PP_IMPORT_MAX_DEPTH);
			free(rel);
			break;
		}
		if ((d = opendir(dirpath)) == NULL) {
			rc = pp_err_set(err, PP_EIO, "cannot read directory %s: %s", dirpath,
					strerror(errno));
			free(rel);
			break;
		}
		while (rc == PP_OK && (de = readdir(d)) != NULL) {
			struct stat st;
			int is_md = pp_story_file_name(de->d_name);

			if (de->d_name[0] == '.')
				continue;
			if (snprintf(child, sizeof(child), "%s/%s", dirpath, de->d_name) >=
				    (int)sizeof(child) ||
			    snprintf(childrel, sizeof(childrel), "%s%s%s", rel, *rel ? "/" : "",
				     de->d_name) >= (int)sizeof(childrel)) {
				rc = pp_err_set(err, PP_EINVAL, "path too long: %s/%s", dirpath,
						de->d_name);
				break;
			}
			if (lstat(child, &st) != 0)
				continue;
			if (pp_import_excluded(pl, childrel, S_ISDIR(st.st_mode))) {
				res->ignored += S_ISREG(st.st_mode) && is_md;
				continue;
			}
			if (S_ISLNK(st.st_mode)) {
				struct stat target;
				if (stat(child, &target) != 0 || S_ISDIR(target.st_mode) || is_md)
					rc = symlink_found(root_real, child, childrel, res);
			} else if (S_ISDIR(st.st_mode))
				rc = list_add(&todo, childrel);
			else if (S_ISREG(st.st_mode) && is_md)
				rc = list_add(out, childrel);
			else if (is_md) /* never opened: reading a FIFO would block the import */
				rc = pp_import_problem_add(res, childrel, 0, 0, 0,
							   "not a regular file (%s): skipped",
							   special_kind(st.st_mode));
			if (rc == PP_ENOMEM)
				pp_err_set(err, rc, "out of memory");
		}
		closedir(d);
		free(rel);
	}
	pp_import_paths_free(&todo);
	return rc;
}

static int by_string(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static pp_rc set_text(char **field, const char *v)
{
	char *c = strdup(v);

	if (c == NULL)
		return PP_ENOMEM;
	free(*field);
	*field = c;
	return PP_OK;
}

/*
 * The backlog index (o->index_file, else PATH/backlog/PRIORITIZATION.json
 * when there is one): where it and a story file disagree on status or
 * priority the index wins, with a warning naming both values; an entry
 * with no story file is reported. An index that cannot be read is an error
 * on it, and the files are imported as they are.
 */
/*
 * Whether there is a backlog index: its status and priority are compared
 * with every file's, so that every file is parsed.
 */
static int has_index(const pp_import_opts *o)
{
	char path[PATH_MAX];

	if (o->index_file)
		return 1;
	snprintf(path, sizeof(path), "%s/backlog/PRIORITIZATION.json", o->path);
	return access(path, F_OK) == 0;
}

/*
 * Notes that the index entry e gives item i another status than its file
 * (d, the disagreement): its warning waits for the word to resolve
 * (import_db_status_key), as a word the project cannot use does not win.
 */
static pp_rc index_word(pp_import_batch *b, size_t i, const pp_backlog_entry *e,
			const pp_backlog_disagreement *d, const char *name)
{
	const pp_story *s = b->items[i].story;
	pp_import_index_word *w;
	pp_buf msg;

	if (b->index_words == NULL &&
	    (b->index_words = calloc(b->n, sizeof(*b->index_words))) == NULL)
		return PP_ENOMEM;
	w = &b->index_words[i];
	w->index = name;
	w->entry = e->index;
	w->line = s->status_pos.line ? s->status_pos.line : s->key_pos.line;
	w->column = s->status_pos.line ? s->status_pos.column : s->key_pos.column;
	if (s->status && (w->file_status = strdup(s->status)) == NULL)
		return PP_ENOMEM;
	pp_buf_init(&msg, 4096);
	if (pp_buf_printf(&msg, "%s (%s)", d->msg, name) != PP_OK ||
	    (w->warning = pp_buf_take(&msg)) == NULL) {
		pp_buf_free(&msg);
		return PP_ENOMEM;
	}
	pp_buf_free(&msg);
	w->set = 1;
	return PP_OK;
}

/*
 * msg without the "path: " or "path:LINE:COL: " it starts with (it is
 * reported on the index); *col (when not NULL) COL, else 0.
 */
static const char *after_path(const char *msg, const char *path, int *col)
{
	size_t n = strlen(path);
	const char *p = msg + n, *last = NULL;

	if (col)
		*col = 0;
	if (strncmp(msg, path, n) != 0 || *p != ':')
		return msg;
	while (*p == ':' || (*p >= '0' && *p <= '9'))
		if (*p++ == ':' && *p >= '0' && *p <= '9')
			last = p;
	if (*p != ' ')
		return msg;
	if (col && last && last != msg + n + 1)
		*col = (int)strtol(last, NULL, 10);
	return p + 1;
}

static pp_rc apply_index(const pp_import_opts *o, pp_import_batch *b, pp_import_result *res)
{
	char path[PATH_MAX];
	const char *name = o->index_file;
	unsigned char *used = NULL;
	pp_backlog_index idx;
	struct stat st;
	int col;
	pp_err ierr;
	size_t i, k;
	pp_rc rc;

	if (name == NULL) {
		snprintf(path, sizeof(path), "%s/backlog/PRIORITIZATION.json", o->path);
		if (access(path, F_OK) != 0)
			return PP_OK;
		name = "backlog/PRIORITIZATION.json";
	} else
		snprintf(path, sizeof(path), "%s", o->index_file);
	memset(&idx, 0, sizeof(idx));
	pp_err_clear(&ierr);
	/* never opened unless a regular file: a FIFO would block the import */
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode))
		rc = pp_err_set(&ierr, PP_EINVAL, "not a regular file (%s)",
				special_kind(st.st_mode));
	else
		rc = pp_backlog_index_load(path, &idx, &ierr);
	if (rc == PP_ENOMEM)
		goto out;
	if (rc != PP_OK) {
		const char *why = after_path(ierr.msg, path, &col);
		res->failed++;
		rc = pp_import_problem_add(res, name, ierr.line, ierr.line ? col : 0, 1,
					   "the backlog index is not used: %s", why);
		goto out;
	}
	for (i = 0; rc == PP_OK && i < idx.n_problems; i++)
		rc = pp_import_problem_add(res, name, 0, 0, 0, "%s",
					   after_path(idx.problems[i].msg, path, NULL));
	for (i = 0; rc == PP_OK && i < b->n; i++) {
		pp_import_item *it = &b->items[i];
		const pp_backlog_entry *e =
			it->ok ? pp_backlog_index_find(&idx, it->story->key) : NULL;
		pp_backlog_disagreement d[2];
		size_t n;
		if (e == NULL)
			continue;
		n = pp_backlog_compare(e, it->story->status, it->story->priority, d);
		res->warned += n > 0 && it->story->n_warnings == 0;
		for (k = 0; rc == PP_OK && k < n; k++) {
			/* at the file's priority:, else at its id (what the entry matched) */
			const pp_story_pos *pos = it->story->priority_pos.line
							  ? &it->story->priority_pos
							  : &it->story->key_pos;
			if (strcmp(d[k].field, "status") == 0)
				rc = index_word(b, i, e, &d[k], name);
			else
				rc = pp_import_problem_add(res, it->path, pos->line, pos->column, 0,
							   "%s (%s)", d[k].msg, name);
		}
		if (rc == PP_OK && e->status &&
		    (rc = set_text(&it->story->status, e->status)) == PP_OK &&
		    (rc = pp_import_note_word(b, e->status)) == PP_OK)
			it->from_index = 1;
		if (rc == PP_OK && e->priority &&
		    (rc = set_text(&it->story->priority, e->priority)) == PP_OK)
			it->from_index = 1;
		if (rc == PP_OK && e->has_rank) {
			if (e->rank >= 1 && e->rank <= 1000000) {
				it->story->priority_rank = (int)e->rank;
				it->from_index = 1;
			} else
				rc = pp_import_problem_add(
					res, name, 0, 0, 0,
					"backlog[%zu] %s: priority %lld is not a "
					"rank from 1 to 1000000: not used",
					e->index, e->id, e->rank);
		}
	}
	used = calloc(idx.n_entries ? idx.n_entries : 1, 1);
	if (used == NULL)
		rc = PP_ENOMEM;
	for (i = 0; rc == PP_OK && i < b->n; i++) {
		const pp_backlog_entry *e =
			b->items[i].story && b->items[i].story->key
				? pp_backlog_index_find(&idx, b->items[i].story->key)
				: NULL;
		if (e)
			used[e - idx.entries] = 1;
	}
	for (i = 0; rc == PP_OK && i < idx.n_entries; i++) {
		const pp_backlog_entry *e = &idx.entries[i];
		if (!used[i])
			rc = pp_import_problem_add(
				res, name, 0, 0, 0,
				"backlog[%zu] %s: no story file has this id%s%s%s", e->index, e->id,
				e->file_path ? " (file_path: " : "",
				e->file_path ? e->file_path : "", e->file_path ? ")" : "");
	}
out:
	free(used);
	pp_backlog_index_free(&idx);
	return rc;
}

static int by_problem(const void *a, const void *b)
{
	const pp_import_problem *x = a, *y = b;
	int c = strcmp(x->file, y->file);

	return c ? c : x->line - y->line;
}

/* path must resolve to within (itself or below), or the import refuses it. */
static pp_rc check_within(const char *path, const char *within, pp_err *err)
{
	char real[PATH_MAX], root[PATH_MAX];

	if (realpath(within, root) == NULL)
		return pp_err_set(err, PP_EIO, "%s: %s", within, strerror(errno));
	if (realpath(path, real) == NULL)
		return pp_err_set(err, PP_EIO, "%s: %s", path, strerror(errno));
	if (!pp_import_inside(root, real))
		return pp_err_set(err, PP_EINVAL,
				  "%s leads out of %s (to %s, through a symbolic link): refused",
				  path, within, real);
	return PP_OK;
}

pp_rc pp_import_run(PGconn *conn, const pp_import_opts *o, pp_import_result *res, pp_err *err)
{
	pp_import_batch b;
	pp_import_paths files = {NULL, 0, 0, NULL};
	pp_import_patterns pl = {NULL, 0};
	struct stat st;
	size_t i;
	pp_rc rc = PP_OK;

	memset(res, 0, sizeof(*res));
	memset(&b, 0, sizeof(b));
	/* The paths live as long as the batch: its items point at them. */
	files.arena = &b.strs;
	if (stat(o->path, &st) != 0 || !S_ISDIR(st.st_mode))
		return pp_err_set(err, PP_EINVAL, "%s is not a directory", o->path);
	for (i = 0; rc == PP_OK && i < o->n_exclude; i++)
		if ((rc = pp_import_pattern_add(&pl, o->exclude[i], strlen(o->exclude[i]))) !=
		    PP_OK)
			pp_err_set(err, rc, "out of memory");
	if (rc == PP_OK)
		rc = pp_import_patterns_read(o->path, &pl, err);
	if (rc == PP_OK && (rc = pp_import_patterns_check(&pl, res)) != PP_OK)
		pp_err_set(err, rc, "out of memory");
	if (rc == PP_OK && o->within && (rc = check_within(o->path, o->within, err)) != PP_OK)
		goto out;
	if (rc == PP_OK)
		rc = pp_import_walk(o->path, &pl, &files, res, err);
	if (rc != PP_OK)
		goto out;
	/* qsort's array may not be NULL, which an empty tree's is. */
	if (files.n > 1)
		qsort(files.paths, files.n, sizeof(*files.paths), by_string);
	b.lazy = !has_index(o);
	b.items = calloc(files.n ? files.n : 1, sizeof(*b.items));
	if (b.items == NULL) {
		rc = pp_err_set(err, PP_ENOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < files.n; i++) {
		if (o->stop && *o->stop) {
			rc = pp_err_set(err, PP_EINVAL, "interrupted");
			goto out;
		}
		rc = pp_import_read_file(o->path, files.paths[i], &b, &b.items[b.n], res, err);
		if (rc != PP_OK)
			goto out;
		if (b.items[b.n].path)
			b.n++;
		if (o->on_progress)
			o->on_progress(o->ctx, i + 1, files.n);
	}
	/* The items hold the paths (in b.strs): the list itself is done with. */
	free(files.paths);
	memset(&files, 0, sizeof(files));
	/* Lazy: only the files that changed are parsed, in the transaction (import_changed.c). */
	if (!b.lazy)
		rc = pp_import_reject_duplicates(&b, res);
	if (rc == PP_OK && !b.lazy)
		rc = apply_index(o, &b, res);
	if (rc != PP_OK) {
		pp_err_set(err, rc, "out of memory");
		goto out;
	}
	rc = pp_import_db(conn, o, &b, res, err);
out:
	if (res->n_problems > 1)
		qsort(res->problems, res->n_problems, sizeof(*res->problems), by_problem);
	pp_import_paths_free(&files);
	pp_import_batch_free(&b);
	pp_import_patterns_free(&pl);
	return rc;
}

void pp_import_result_free(pp_import_result *res)
{
	size_t i;

	if (res == NULL)
		return;
	for (i = 0; i < res->n_problems; i++) {
		free(res->problems[i].file);
		free(res->problems[i].msg);
	}
	free(res->problems);
	res->problems = NULL;
	res->n_problems = 0;
}

void pp_submodules_free(pp_submodule *subs, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(subs[i].name);
		free(subs[i].path);
		free(subs[i].url);
		free(subs[i].branch);
		free(subs[i].project_key);
	}
	free(subs);
}

char *pp_import_derive_key(const char *name)
{
	char *k = malloc(21);
	size_t n = 0;
	const char *p;

	if (k == NULL)
		return NULL;
	for (p = name; *p && n < 20; p++) {
		char c = *p;
		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		if ((c >= 'A' && c <= 'Z') || (n > 0 && c >= '0' && c <= '9'))
			k[n++] = c;
		else if (n > 0 && k[n - 1] != '_')
			k[n++] = '_';
	}
	while (n > 0 && k[n - 1] == '_')
		n--;
	k[n] = '\0';
	return k;
}

static pp_submodule *find_sub(pp_submodule **subs, size_t *n, const char *name, size_t len)
{
	pp_submodule *p;
	size_t i;

	for (i = 0; i < *n; i++)
		if (strlen((*subs)[i].name) == len && strncmp((*subs)[i].name, name, len) == 0)
			return &(*subs)[i];
	p = realloc(*subs, (*n + 1) * sizeof(**subs));
	if (p == NULL)
		return NULL;
	*subs = p;
	p = &p[(*n)++];
	memset(p, 0, sizeof(*p));
	p->name = strndup(name, len);
	return p->name ? p : NULL;
}

pp_rc pp_import_read_submodules(const char *repo, pp_submodule **subs, size_t *n, pp_err *err)
{
	char path[PATH_MAX];
	const char *argv[] = {"git", "config", "-f", path, "--null", "--list", NULL};
	char *out = NULL, *p, *next;
	size_t i, len;
	int status;
	pp_rc rc;

	*subs = NULL;
	*n = 0;
	snprintf(path, sizeof(path), "%s/.gitmodules", repo);
	if (access(path, R_OK) != 0)
		return pp_err_set(err, PP_EINVAL,
				  "%s: no .gitmodules: not a planning repository with "
				  "submodules",
				  repo);
	rc = pp_proc_capture(argv, 1 << 20, &out, &len, &status, err);
	if (rc != PP_OK)
		return rc;
	if (status != 0) {
		free(out);
		return pp_err_set(err, PP_EINVAL, "%s: git config cannot read it (exit %d)", path,
				  status);
	}
	/* --null: entries "submodule.NAME.KEY\nVALUE\0"; NAME may hold dots. */
	for (p = out; rc == PP_OK && p < out + len; p = next) {
		char *nl = strchr(p, '\n'), *dot, **slot = NULL;
		pp_submodule *s;

		next = p + strlen(p) + 1;
		if (nl == NULL || strncmp(p, "submodule.", 10) != 0)
			continue;
		*nl = '\0';
		dot = strrchr(p, '.');
		if (dot == NULL || dot <= p + 10)
			continue;
		s = find_sub(subs, n, p + 10, (size_t)(dot - (p + 10)));
		if (s == NULL) {
			rc = pp_err_set(err, PP_ENOMEM, "out of memory");
			break;
		}
		if (strcmp(dot + 1, "path") == 0)
			slot = &s->path;
		else if (strcmp(dot + 1, "url") == 0)
			slot = &s->url;
		else if (strcmp(dot + 1, "branch") == 0)
			slot = &s->branch;
		else if (strcmp(dot + 1, "planpipe-key") == 0)
			slot = &s->project_key;
		if (slot) {
			free(*slot);
			if ((*slot = strdup(nl + 1)) == NULL)
				rc = pp_err_set(err, PP_ENOMEM, "out of memory");
		}
	}
	free(out);
	for (i = 0; rc == PP_OK && i < *n; i++) {
		pp_submodule *s = &(*subs)[i];
		if (s->path == NULL)
			rc = pp_err_set(err, PP_EINVAL, "%s: submodule \"%s\" has no path", path,
					s->name);
		else if (s->project_key == NULL &&
			 (s->project_key = pp_import_derive_key(s->name)) == NULL)
			rc = pp_err_set(err, PP_ENOMEM, "out of memory");
	}
	return rc;
}
