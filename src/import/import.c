/* import.c: finding and parsing story files (see import.h); the SQL is in import_db.c. */
#include "import/import.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/file.h"
#include "core/proc.h"
#include "import/import_int.h"

/* The database refuses bodies over 4 MiB; the front matter is small. */
#define MAX_STORY_FILE (5u * 1024 * 1024)

typedef struct path_list {
	char **paths;
	size_t n, cap;
} path_list;

static pp_rc list_add(path_list *l, const char *rel)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		char **p = realloc(l->paths, cap * sizeof(*p));
		if (p == NULL)
			return PP_ENOMEM;
		l->paths = p;
		l->cap = cap;
	}
	l->paths[l->n] = strdup(rel);
	return l->paths[l->n++] ? PP_OK : PP_ENOMEM;
}

static void list_free(path_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->paths[i]);
	free(l->paths);
}

/* Collects *.md files below root/rel, skipping hidden entries (.git) and symlinks. */
static pp_rc walk(const char *root, const char *rel, path_list *out, pp_err *err)
{
	char dirpath[PATH_MAX], child[PATH_MAX], childrel[PATH_MAX];
	struct dirent *de;
	pp_rc rc = PP_OK;
	DIR *d;

	snprintf(dirpath, sizeof(dirpath), "%s%s%s", root, *rel ? "/" : "", rel);
	d = opendir(dirpath);
	if (d == NULL)
		return pp_err_set(err, PP_EIO, "cannot read directory %s: %s", dirpath,
				  strerror(errno));
	while (rc == PP_OK && (de = readdir(d)) != NULL) {
		struct stat st;
		size_t len = strlen(de->d_name);

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
		if (S_ISDIR(st.st_mode))
			rc = walk(root, childrel, out, err);
		else if (S_ISREG(st.st_mode) && len > 3 && strcmp(de->d_name + len - 3, ".md") == 0)
			rc = list_add(out, childrel) == PP_OK
				     ? PP_OK
				     : pp_err_set(err, PP_ENOMEM, "out of memory");
	}
	closedir(d);
	return rc;
}

static int by_string(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

pp_rc pp_import_problem_add(pp_import_result *res, const char *file, int line, int col,
			    int is_error, const char *fmt, ...)
{
	pp_import_problem *p;
	va_list ap;
	pp_buf msg;
	pp_rc rc;

	p = realloc(res->problems, (res->n_problems + 1) * sizeof(*p));
	if (p == NULL)
		return PP_ENOMEM;
	res->problems = p;
	p = &res->problems[res->n_problems];
	pp_buf_init(&msg, 64 * 1024);
	va_start(ap, fmt);
	rc = pp_buf_vprintf(&msg, fmt, ap);
	va_end(ap);
	if (rc != PP_OK) {
		pp_buf_free(&msg);
		return PP_ENOMEM;
	}
	p->file = strdup(file);
	p->msg = pp_buf_take(&msg);
	p->line = line;
	p->col = col;
	p->is_error = is_error;
	if (p->file == NULL || p->msg == NULL) {
		free(p->file);
		free(p->msg);
		return PP_ENOMEM;
	}
	res->n_problems++;
	return PP_OK;
}

/*
 * Whether the file starts with front matter, by the parser's own rule: "---"
 * followed only by spaces, tabs and CR, then a newline or the end. Other
 * markdown (README.md) is not a story and is not reported.
 */
static int has_front_matter(const char *data, size_t len)
{
	size_t i;

	if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) {
		data += 3;
		len -= 3;
	}
	if (len < 3 || memcmp(data, "---", 3) != 0)
		return 0;
	for (i = 3; i < len && data[i] != '\n'; i++)
		if (data[i] != ' ' && data[i] != '\t' && data[i] != '\r')
			return 0;
	return 1;
}

/*
 * pp_story_parse's message is "path:line:col: text": splits it so that the
 * importer can sort and print problems uniformly. Returns the text.
 */
static const char *split_position(const char *msg, const char *path, int *line, int *col)
{
	size_t n = strlen(path);
	const char *p = msg + n;
	char *end;
	long l, c;

	*line = *col = 0;
	if (strncmp(msg, path, n) != 0 || *p != ':')
		return msg;
	l = strtol(p + 1, &end, 10);
	if (*end != ':')
		return msg;
	c = strtol(end + 1, &end, 10);
	if (*end != ':')
		return msg;
	*line = (int)l;
	*col = (int)c;
	for (end++; *end == ' '; end++)
		;
	return end;
}

static pp_rc read_one(const char *root, const char *rel, pp_import_item *it, pp_import_result *res,
		      pp_err *err)
{
	char full[PATH_MAX];
	char *data = NULL;
	size_t len;
	pp_err perr;
	pp_rc rc;

	snprintf(full, sizeof(full), "%s/%s", root, rel);
	rc = pp_file_read(full, MAX_STORY_FILE, &data, &len, &perr);
	if (rc == PP_EINVAL || rc == PP_EIO) {
		res->files++;
		res->failed++;
		rc = pp_import_problem_add(res, rel, 0, 0, 1, "%s", perr.msg);
		goto out;
	}
	if (rc != PP_OK) {
		*err = perr;
		goto out;
	}
	if (!has_front_matter(data, len)) {
		res->ignored++;
		it->path = NULL;
		goto out;
	}
	res->files++;
	it->path = strdup(rel);
	if (it->path == NULL) {
		rc = pp_err_set(err, PP_ENOMEM, "out of memory");
		goto out;
	}
	pp_git_blob_id(data, len, it->blob);
	pp_err_clear(&perr);
	if (pp_story_parse(rel, data, len, &it->story, &perr) != PP_OK) {
		int line, col;
		const char *text = split_position(perr.msg, rel, &line, &col);
		res->failed++;
		rc = pp_import_problem_add(res, rel, line, col, 1, "%s", text);
		goto out;
	}
	it->ok = 1;
out:
	free(data);
	return rc;
}

static int by_key_then_path(const void *a, const void *b)
{
	const pp_import_item *x = *(pp_import_item *const *)a, *y = *(pp_import_item *const *)b;
	int c = strcmp(x->story.key, y->story.key);

	return c ? c : strcmp(x->path, y->path);
}

/* Two files with one id: the first by path wins, the others are errors. */
static pp_rc reject_duplicates(pp_import_batch *b, pp_import_result *res)
{
	pp_import_item **v = calloc(b->n ? b->n : 1, sizeof(*v));
	size_t i, n = 0;
	pp_rc rc = PP_OK;

	if (v == NULL)
		return PP_ENOMEM;
	for (i = 0; i < b->n; i++)
		if (b->items[i].ok)
			v[n++] = &b->items[i];
	qsort(v, n, sizeof(*v), by_key_then_path);
	for (i = 1; rc == PP_OK && i < n; i++) {
		if (strcmp(v[i]->story.key, v[i - 1]->story.key) != 0)
			continue;
		/* v[i-1] may itself be a rejected duplicate: find the kept one. */
		size_t k = i - 1;
		while (k > 0 && !v[k]->ok)
			k--;
		v[i]->ok = 0;
		res->failed++;
		rc = pp_import_problem_add(
			res, v[i]->path, v[i]->story.key_pos.line, v[i]->story.key_pos.column, 1,
			"id \"%s\" is also used by %s: each story needs its own id",
			v[i]->story.key, v[k]->path);
	}
	free(v);
	return rc;
}

static int by_problem(const void *a, const void *b)
{
	const pp_import_problem *x = a, *y = b;
	int c = strcmp(x->file, y->file);

	return c ? c : x->line - y->line;
}

pp_rc pp_import_run(PGconn *conn, const pp_import_opts *o, pp_import_result *res, pp_err *err)
{
	pp_import_batch b = {NULL, 0};
	path_list files = {NULL, 0, 0};
	struct stat st;
	size_t i;
	pp_rc rc;

	memset(res, 0, sizeof(*res));
	if (stat(o->path, &st) != 0 || !S_ISDIR(st.st_mode))
		return pp_err_set(err, PP_EINVAL, "%s is not a directory", o->path);
	rc = walk(o->path, "", &files, err);
	if (rc != PP_OK)
		goto out;
	qsort(files.paths, files.n, sizeof(*files.paths), by_string);
	b.items = calloc(files.n ? files.n : 1, sizeof(*b.items));
	if (b.items == NULL) {
		rc = pp_err_set(err, PP_ENOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < files.n; i++) {
		rc = read_one(o->path, files.paths[i], &b.items[b.n], res, err);
		if (rc != PP_OK)
			goto out;
		if (b.items[b.n].path)
			b.n++;
		if (o->on_progress)
			o->on_progress(o->ctx, i + 1, files.n);
	}
	rc = reject_duplicates(&b, res);
	if (rc != PP_OK) {
		pp_err_set(err, rc, "out of memory");
		goto out;
	}
	rc = pp_import_db(conn, o, &b, res, err);
out:
	if (res->n_problems > 1)
		qsort(res->problems, res->n_problems, sizeof(*res->problems), by_problem);
	for (i = 0; i < b.n; i++) {
		free(b.items[i].path);
		pp_story_free(&b.items[i].story);
	}
	free(b.items);
	list_free(&files);
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

/* A project key from a submodule name: "api-server" -> "API_SERVER" (at most 20). */
static char *derive_key(const char *name)
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
		else if (s->project_key == NULL && (s->project_key = derive_key(s->name)) == NULL)
			rc = pp_err_set(err, PP_ENOMEM, "out of memory");
	}
	return rc;
}
