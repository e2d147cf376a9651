/*
 * story_test.h: what the story parser's unit tests share (story.c,
 * story_fields.c, story_sniff.c here): reading a fixture, parsing a
 * text, and checking an error or a warning with its position. Static
 * functions in a header: each test program includes it once.
 */
#ifndef PP_TESTS_STORY_TEST_H
#define PP_TESTS_STORY_TEST_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"

#include "core/buf.h"
#include "core/file.h"
#include "import/story.h"

/* A fixture of tests/fixtures/stories, NUL-terminated; the caller frees it. */
static inline char *fixture(const char *name, size_t *len)
{
	const char *root = getenv("PP_SOURCE_ROOT");
	char path[4096];
	char *data = NULL;
	pp_err err;

	assert_non_null(root);
	snprintf(path, sizeof(path), "%s/tests/fixtures/stories/%s", root, name);
	if (pp_file_read(path, 16 << 20, &data, len, &err) != PP_OK)
		fail_msg("%s", err.msg);
	return data;
}

static inline pp_rc parse(const char *text, pp_story *s, pp_err *err)
{
	pp_err_clear(err);
	return pp_story_parse("t.md", text, strlen(text), s, err);
}

/* text, as file path, parses; fails the test with the error otherwise. */
static inline void parse_text_ok(const char *path, const char *text, size_t len, pp_story *s)
{
	pp_err err;

	pp_err_clear(&err);
	if (pp_story_parse(path, text, len, s, &err) != PP_OK)
		fail_msg("unexpected error: %s\n--- input:\n%.*s", err.msg, (int)len, text);
}

/* A story that parses, with the front matter given after "id: X-1\ntitle: T\n". */
static inline void parse_ok(const char *extra, const char *body, pp_story *s)
{
	pp_buf b;

	pp_buf_init(&b, 1 << 20);
	assert_int_equal(pp_buf_printf(&b, "---\nid: X-1\ntitle: T\n%s---\n%s", extra, body),
			 PP_OK);
	parse_text_ok("t.md", pp_buf_str(&b), b.len, s);
	pp_buf_free(&b);
}

/* parse_ok of the front matter lines printed from fmt (a table's row), with no body. */
static inline __attribute__((format(printf, 2, 3))) void parse_okf(pp_story *s, const char *fmt,
								   ...)
{
	char extra[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(extra, sizeof(extra), fmt, ap);
	va_end(ap);
	assert_true(n >= 0 && (size_t)n < sizeof(extra));
	parse_ok(extra, "", s);
}

/* text (len bytes), as file path, fails at line:col with a message containing needle. */
static inline void expect_error_at(const char *path, const char *text, size_t len, int line,
				   int col, const char *needle)
{
	char prefix[600];
	pp_story s;
	pp_err err;

	pp_err_clear(&err);
	memset(&s, 0x5A, sizeof(s)); /* the parser must zero it */
	if (pp_story_parse(path, text, len, &s, &err) != PP_EINVAL)
		fail_msg("expected an error containing \"%s\" for:\n%.*s", needle, (int)len, text);
	snprintf(prefix, sizeof(prefix), "%s:%d:%d: ", path, line, col);
	if (strncmp(err.msg, prefix, strlen(prefix)) != 0 || strstr(err.msg, needle) == NULL)
		fail_msg("expected \"%s...%s\", got \"%s\"", prefix, needle, err.msg);
	unit_str_equal(err.msg, err.file, path);
	unit_int_equal(err.msg, err.line, line);
	unit_int_equal(err.msg, err.rc, PP_EINVAL);
	/* Pointers only: on a failure they may be the 0x5A filler. */
	if (s.key != NULL || s.body != NULL || s.metadata_json != NULL || s.warnings != NULL ||
	    s.n_deps != 0)
		fail_msg("%s: the story is not left empty (key %p, body %p, metadata %p, "
			 "warnings %p, %zu dependencies)",
			 err.msg, (void *)s.key, (void *)s.body, (void *)s.metadata_json,
			 (void *)s.warnings, s.n_deps);
}

static inline void expect_error_n(const char *text, size_t len, int line, int col,
				  const char *needle)
{
	expect_error_at("t.md", text, len, line, col, needle);
}

static inline void expect_error(const char *text, int line, int col, const char *needle)
{
	expect_error_at("t.md", text, strlen(text), line, col, needle);
}

/* A text that must fail at line:col with a message containing needle: a table's row. */
typedef struct story_error {
	const char *text;
	int line, col;
	const char *needle;
} story_error;

/* expect_error of every row of the static array cases. */
#define expect_errors(cases) expect_errors_n(cases, UNIT_NELEM(cases))

static inline void expect_errors_n(const story_error *cases, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		expect_error(cases[i].text, cases[i].line, cases[i].col, cases[i].needle);
}

/* s has a warning at line:col whose message contains needle. */
static inline void expect_warning(const pp_story *s, int line, int col, const char *needle)
{
	size_t i;

	for (i = 0; i < s->n_warnings; i++)
		if (s->warnings[i].line == line && s->warnings[i].column == col &&
		    strstr(s->warnings[i].msg, needle) != NULL)
			return;
	for (i = 0; i < s->n_warnings; i++)
		print_message("  warning %d:%d: %s\n", s->warnings[i].line, s->warnings[i].column,
			      s->warnings[i].msg);
	fail_msg("expected a warning at %d:%d containing \"%s\" (%zu warnings above)", line, col,
		 needle, s->n_warnings);
}

/*
 * s's dependency i is on project:key (project NULL: the story's own project),
 * written at line:col (line 0: position not checked).
 */
static inline void expect_dep(const pp_story *s, size_t i, const char *project, const char *key,
			      int line, int col)
{
	const pp_story_dep *d = i < s->n_deps ? &s->deps[i] : NULL;

	if (d == NULL)
		fail_msg("dependency %zu: there are only %zu", i, s->n_deps);
	if ((project == NULL) != (d->project == NULL) ||
	    (project && strcmp(project, d->project) != 0) || strcmp(key, d->key) != 0)
		fail_msg("dependency %zu: %s:%s, expected %s:%s", i,
			 d->project ? d->project : "(own)", d->key, project ? project : "(own)",
			 key);
	if (line && (d->pos.line != line || d->pos.column != col))
		fail_msg("dependency %zu at %d:%d, expected %d:%d", i, d->pos.line, d->pos.column,
			 line, col);
}

/*
 * The story with front matter "id: X-1\ntitle: T\n" + extra parses with
 * exactly one warning, at line:col, containing needle; metadata is meta.
 * The caller frees s.
 */
static inline void parse_warn(const char *extra, int line, int col, const char *needle,
			      const char *meta, pp_story *s)
{
	parse_ok(extra, "", s);
	expect_warning(s, line, col, needle);
	if (s->n_warnings != 1)
		fail_msg("%s: expected one warning, got %zu", extra, s->n_warnings);
	if (meta != NULL)
		unit_str_equal(extra, s->metadata_json, meta);
}

/* parse_warn, with nothing more to check of the story: it is freed. */
static inline void expect_only_warning(const char *extra, int line, int col, const char *needle,
				       const char *meta)
{
	pp_story s;

	parse_warn(extra, line, col, needle, meta, &s);
	pp_story_free(&s);
}

#endif
