/*
 * import_read.c: one story file into an import item (see import_int.h):
 * read, sniffed, hashed, and parsed when asked; duplicate ids among the
 * parsed files.
 */
#include <assert.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/buf.h"
#include "core/file.h"
#include "import/import_int.h"
#include "import/import_read_int.h"
#include "import/story_int.h"

/* The database refuses bodies over 4 MiB; the front matter is small. */
#define MAX_STORY_FILE (5u * 1024 * 1024)

/* Splits pp_story_parse's message so that the importer can sort and print problems uniformly. */
const char *import_read_split_position(const char *msg, const char *path, int *line, int *col)
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

int import_read_printable_name(const char *rel, char **out)
{
	size_t len = strlen(rel), i = 0;
	int valid = story_utf8_check(rel, len) == len;
	pp_buf b;

	pp_buf_init(&b, 4 * PATH_MAX);
	while (i < len) {
		size_t ok = story_utf8_check(rel + i, len - i);
		if (pp_buf_add(&b, rel + i, ok) != PP_OK)
			break;
		i += ok;
		if (i < len && pp_buf_printf(&b, "\\x%02x", (unsigned char)rel[i++]) != PP_OK)
			break;
	}
	*out = pp_buf_take(&b);
	return valid;
}

/* A file that is not imported: counted, and named with why. */
static pp_rc not_imported(pp_import_result *res, const char *rel, int is_error, const char *fmt,
			  const char *why)
{
	if (is_error) {
		res->files++;
		res->failed++;
		res->rejected++;
	} else
		res->skipped++;
	return pp_import_problem_add(res, rel, 1, 1, is_error, fmt, why);
}

/*
 * Parses a story file's bytes into it (data is rel's content, blob already
 * set): its warnings are recorded, its body dropped (most of its memory: read
 * again for the files that are written). A file that does not parse is an
 * error for it (it->ok = 0). Returns PP_ENOMEM only.
 */
static pp_rc parse_data(const char *rel, const char *data, size_t len, pp_import_batch *b,
			pp_import_item *it, pp_import_result *res)
{
	pp_story *s = it->story;
	pp_err perr;
	size_t i;
	pp_rc rc = PP_OK;

	it->parsed = 1;
	it->ok = 0;
	if (s == NULL && (s = calloc(1, sizeof(*s))) == NULL)
		return PP_ENOMEM;
	pp_err_clear(&perr);
	if (pp_story_parse(rel, data, len, s, &perr) != PP_OK) {
		int line, col;
		const char *text = import_read_split_position(perr.msg, rel, &line, &col);
		pp_story_free(s);
		free(s);
		it->story = NULL;
		res->failed++;
		res->rejected++;
		return pp_import_problem_add(res, rel, line, col, 1, "%s", text);
	}
	res->warned += s->n_warnings > 0;
	for (i = 0; rc == PP_OK && i < s->n_warnings; i++) {
		const pp_story_warning *w = &s->warnings[i];
		rc = pp_import_problem_add(res, rel, w->line, w->column, 0, "%s", w->msg);
	}
	/* A parsed story always has an id: its own, or its file name's stem. */
	assert(s->key != NULL);
	if (rc == PP_OK && (it->key = pp_arena_strdup(&b->strs, s->key)) == NULL)
		rc = PP_ENOMEM;
	if (rc == PP_OK)
		rc = pp_import_note_word(b, s->status);
	it->key_line = s->key_pos.line;
	it->key_col = s->key_pos.column;
	it->ok = rc == PP_OK;
	if (b->lazy) {
		/* Parsed again, whole, if its row is sent (pp_import_story_whole). */
		pp_story_free(s);
		free(s);
		it->story = NULL;
	} else {
		free(s->body);
		s->body = NULL;
		it->story = s;
	}
	return rc;
}

pp_rc pp_import_read_file(const char *root, const char *rel, pp_import_batch *b, pp_import_item *it,
			  pp_import_result *res, pp_err *err)
{
	char full[PATH_MAX];
	char *data = NULL, *name = NULL;
	const char *why;
	size_t len;
	pp_err perr;
	pp_rc rc;

	it->path = NULL;
	if (!import_read_printable_name(rel, &name)) {
		/* The database holds paths as text: such a file cannot be named there. */
		rc = name ? not_imported(res, name, 1, "%s",
					 "the file name is not valid UTF-8: rename the file")
			  : pp_err_set(err, PP_ENOMEM, "out of memory");
		goto out;
	}
	snprintf(full, sizeof(full), "%s/%s", root, rel);
	rc = pp_file_read(full, MAX_STORY_FILE, &data, &len, &perr);
	if (rc == PP_EINVAL || rc == PP_EIO) {
		rc = not_imported(res, rel, 1, "%s", perr.msg);
		goto out;
	}
	if (rc != PP_OK) {
		*err = perr;
		goto out;
	}
	switch (pp_story_sniff(data, len, &why)) {
	case PP_STORY_NOT_STORY:
		res->ignored++;
		goto out;
	case PP_STORY_TOML:
	case PP_STORY_UNREADABLE:
		rc = not_imported(res, rel, 1, "%s", why);
		goto out;
	case PP_STORY_YAML:
	case PP_STORY_JSON:
		break;
	}
	if ((why = pp_story_template_reason(rel, data, len)) != NULL) {
		rc = not_imported(res, rel, 0, "skipped, %s", why);
		goto out;
	}
	res->files++;
	it->path = rel;
	pp_git_blob_oid(data, len, it->blob);
	if (!b->lazy)
		rc = parse_data(rel, data, len, b, it, res);
	else
		it->ok = 1;
	if (rc != PP_OK)
		pp_err_set(err, rc, "out of memory");
out:
	free(name);
	free(data);
	return rc;
}

/* The file changed between two reads of one import: an error for it. */
static pp_rc changed_meanwhile(pp_import_item *it, pp_import_result *res)
{
	it->ok = 0;
	res->failed++;
	res->rejected++;
	return pp_import_problem_add(res, it->path, 0, 0, 1, "%s",
				     "the file changed while it was imported: import again");
}

pp_rc pp_import_parse_item(const char *root, pp_import_batch *b, pp_import_item *it,
			   pp_import_result *res, pp_err *err)
{
	char full[PATH_MAX];
	unsigned char blob[PP_GIT_OID_LEN];
	char *data = NULL;
	size_t len;
	pp_err perr;
	pp_rc rc;

	snprintf(full, sizeof(full), "%s/%s", root, it->path);
	rc = pp_file_read(full, MAX_STORY_FILE, &data, &len, &perr);
	if (rc == PP_ENOMEM) {
		*err = perr;
		return rc;
	}
	if (rc == PP_OK)
		pp_git_blob_oid(data, len, blob);
	if (rc != PP_OK || memcmp(blob, it->blob, sizeof(blob)) != 0)
		rc = changed_meanwhile(it, res);
	else
		rc = parse_data(it->path, data, len, b, it, res);
	free(data);
	if (rc != PP_OK)
		pp_err_set(err, rc, "out of memory");
	return rc;
}

pp_rc pp_import_story_whole(const char *root, pp_import_item *it, pp_story **out,
			    pp_import_result *res, pp_err *err)
{
	char full[PATH_MAX];
	unsigned char blob[PP_GIT_OID_LEN];
	char *data = NULL;
	size_t len;
	pp_story *s = calloc(1, sizeof(*s));
	pp_err perr;
	pp_rc rc;

	*out = NULL;
	if (s == NULL)
		return pp_err_set(err, PP_ENOMEM, "out of memory");
	snprintf(full, sizeof(full), "%s/%s", root, it->path);
	rc = pp_file_read(full, MAX_STORY_FILE, &data, &len, &perr);
	if (rc == PP_ENOMEM) {
		*err = perr;
		free(s);
		return rc;
	}
	if (rc == PP_OK)
		pp_git_blob_oid(data, len, blob);
	if (rc != PP_OK || memcmp(blob, it->blob, sizeof(blob)) != 0 ||
	    pp_story_parse(it->path, data, len, s, &perr) != PP_OK) {
		free(data);
		pp_story_free(s);
		free(s);
		if (it->story != NULL) {
			pp_story_free(it->story);
			free(it->story);
			it->story = NULL;
		}
		return changed_meanwhile(it, res);
	}
	free(data);
	if (it->story != NULL) {
		/* Kept since it was read (a backlog index may have set its status): its body only.
		 */
		it->story->body = s->body;
		s->body = NULL;
		pp_story_free(s);
		free(s);
		s = it->story;
		it->story = NULL;
	}
	*out = s;
	return PP_OK;
}

static int by_key_then_path(const void *a, const void *b)
{
	const pp_import_item *x = *(pp_import_item *const *)a, *y = *(pp_import_item *const *)b;
	int c = strcasecmp(x->key, y->key);

	return c ? c : strcmp(x->path, y->path);
}

/*
 * Two files with one id (ignoring case, as the database does): the first by
 * path wins, the others are errors that name it.
 */
pp_rc pp_import_reject_duplicates(pp_import_batch *b, pp_import_result *res)
{
	pp_import_item **v = calloc(b->n ? b->n : 1, sizeof(*v));
	size_t i, n = 0;
	pp_rc rc = PP_OK;

	if (v == NULL)
		return PP_ENOMEM;
	for (i = 0; i < b->n; i++)
		if (b->items[i].ok && b->items[i].parsed)
			v[n++] = &b->items[i];
	qsort(v, n, sizeof(*v), by_key_then_path);
	for (i = 1; rc == PP_OK && i < n; i++) {
		if (strcasecmp(v[i]->key, v[i - 1]->key) != 0)
			continue;
		/* v[i-1] may itself be a rejected duplicate: find the kept one. */
		size_t k = i - 1;
		while (k > 0 && !v[k]->ok)
			k--;
		v[i]->ok = 0;
		res->failed++;
		res->rejected++;
		rc = pp_import_problem_add(
			res, v[i]->path, v[i]->key_line, v[i]->key_col, 1,
			"id \"%s\" is also used by %s (\"%s\"): each story needs its own id",
			v[i]->key, v[k]->path, v[k]->key);
	}
	free(v);
	return rc;
}

/* Replaces *field (malloc'd) with a copy of v. */
