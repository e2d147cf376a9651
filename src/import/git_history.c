/*
 * git_history.c: see git_history.h. This half finds the work tree, HEAD
 * and SINCE; git_history_walk.c walks the history.
 */
#include "import/git_history.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/buf.h"
#include "import/git_history_int.h"
#include "import/git_proc_int.h"

#define ERRLINE_SZ 512

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

pp_rc pp_git_history_walk(const pp_git_history_opts *o, pp_git_history *h, pp_err *err)
{
	pp_rc rc;

	memset(h, 0, sizeof(*h));
	rc = locate(o->dir, h, err);
	if (rc == PP_OK)
		rc = resolve(h, "HEAD", h->head, err);
	if (rc == PP_OK && h->head[0] != '\0' && o->since != NULL)
		rc = check_since(h, o->since, err);
	if (rc == PP_OK && h->head[0] != '\0')
		rc = git_history_run(h, err);
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
