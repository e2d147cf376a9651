/*
 * tests/unit/import/import_read.c: src/import/import_read.c without a
 * database: a parser's message split into its position and text, a file
 * name made printable, one file read into an item (a story, a README, a
 * template, TOML front matter, a name that is not UTF-8), read again when
 * it changed in between, and duplicate ids among the parsed files.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "gitrepo.h"
#include "unit.h"

#include "import/import_int.h"
#include "import/import_read_int.h"

/* A batch of room for n items, lazy or not. */
static void batch_init(pp_import_batch *b, size_t n, int lazy)
{
	memset(b, 0, sizeof(*b));
	b->items = calloc(n, sizeof(*b->items));
	assert_non_null(b->items);
	b->lazy = lazy;
}

/* Reads dir/rel into the batch's next item; returns it. */
static pp_import_item *read_one(const char *dir, const char *rel, pp_import_batch *b,
				pp_import_result *res)
{
	pp_import_item *it = &b->items[b->n];
	const char *kept = pp_arena_strdup(&b->strs, rel);
	pp_err err;

	assert_non_null(kept);
	pp_err_clear(&err);
	if (pp_import_read_file(dir, kept, b, it, res, &err) != PP_OK)
		fail_msg("%s: %s", rel, err.msg);
	if (it->path != NULL)
		b->n++;
	return it;
}

/*
 * The one problem of res: its file, error or warning, and a part of its text;
 * a failure names the file.
 */
static void one_problem(const pp_import_result *res, const char *file, int is_error,
			const char *part)
{
	unit_int_equal(file, res->n_problems, 1);
	unit_str_equal(file, res->problems[0].file, file);
	unit_int_equal(file, res->problems[0].is_error, is_error);
	unit_str_has(file, res->problems[0].msg, part);
}

static void splits_a_parsers_message(void **state)
{
	int line = -1, col = -1;
	const char *msg;

	(void)state;
	msg = "a/b.md:3:7:  unknown field \"x\"";
	assert_string_equal(import_read_split_position(msg, "a/b.md", &line, &col),
			    "unknown field \"x\"");
	assert_int_equal(line, 3);
	assert_int_equal(col, 7);
	/* Anything else is the text, whole, at no position. */
	static const char *const whole[] = {
		"other.md:3:7: text", /* another file */
		"a/b.md:3: text",     /* no column */
		"a/b.md:x:7: text",   /* no line */
		"a/b.md: text",       /* no position */
		"a/b.mdx:3:7: text",  /* a longer name */
	};
	for (size_t i = 0; i < UNIT_NELEM(whole); i++) {
		line = col = -1;
		if (import_read_split_position(whole[i], "a/b.md", &line, &col) != whole[i])
			fail_msg("%s: not kept whole", whole[i]);
		unit_int_equal(whole[i], line, 0);
		unit_int_equal(whole[i], col, 0);
	}
}

static void names_become_printable(void **state)
{
	char *out = NULL;

	(void)state;
	assert_true(import_read_printable_name("dir/caf\xc3\xa9.md", &out));
	assert_string_equal(out, "dir/caf\xc3\xa9.md");
	free(out);
	assert_false(import_read_printable_name("bad\xff\xfe/x\xc3.md", &out));
	assert_string_equal(out, "bad\\xff\\xfe/x\\xc3.md");
	free(out);
	/* A truncated character at the end. */
	assert_false(import_read_printable_name("x\xe2\x82", &out));
	assert_string_equal(out, "x\\xe2\\x82");
	free(out);
}

static void reads_a_story_and_parses_it_unless_lazy(void **state)
{
	char dir[512];
	pp_import_result res;
	pp_import_batch b;
	pp_import_item *it;
	unsigned char blob[sizeof(it->blob)];

	(void)state;
	pp_t_new_dir(dir, sizeof(dir));
	pp_t_story_file(dir, "a.md", "ABC-1", "todo", "Body.");
	memset(&res, 0, sizeof(res));
	batch_init(&b, 2, 0);
	it = read_one(dir, "a.md", &b, &res);
	assert_string_equal(it->path, "a.md");
	assert_true(it->ok && it->parsed);
	assert_string_equal(it->key, "ABC-1");
	assert_int_equal(it->key_line, 2);
	assert_non_null(it->story);
	assert_null(it->story->body); /* read again when its row is sent */
	assert_non_null(json_object_get(b.words, "todo"));
	assert_int_equal(res.files, 1);
	assert_int_equal(res.n_problems, 0);
	memcpy(blob, it->blob, sizeof(blob));
	pp_import_batch_free(&b);

	/* Lazy: hashed, not parsed. Its blob id is the same either way. */
	batch_init(&b, 2, 1);
	it = read_one(dir, "a.md", &b, &res);
	assert_true(it->ok);
	assert_false(it->parsed);
	assert_null(it->key);
	assert_null(it->story);
	assert_null(b.words);
	assert_memory_equal(it->blob, blob, sizeof(blob));
	assert_int_equal(res.files, 2);
	pp_import_batch_free(&b);
	pp_import_result_free(&res);
}

static void what_is_no_story_is_counted_or_named(void **state)
{
	static const struct {
		const char *rel, *shown; /* the file, and its name in the problem */
		size_t files, ignored, skipped, rejected;
		int is_error; /* -1: no problem */
		const char *part;
	} cases[] = {
		{"README.md", NULL, 0, 1, 0, 0, -1, NULL},
		{"toml.md", "toml.md", 1, 0, 0, 1, 1, "TOML"},
		{"story-template.md", "story-template.md", 0, 0, 1, 0, 0, "skipped, a template"},
		{"bad\xff.md", "bad\\xff.md", 1, 0, 0, 1, 1, "not valid UTF-8"},
		{"missing.md", "missing.md", 1, 0, 0, 1, 1, "missing.md"},
	};
	char dir[512];
	pp_import_result res;
	pp_import_batch b;

	(void)state;
	pp_t_new_dir(dir, sizeof(dir));
	pp_t_put(dir, "README.md", "# Read me\n");
	pp_t_put(dir, "toml.md", "+++\nid = \"ABC-1\"\n+++\n");
	pp_t_story_file(dir, "story-template.md", "ABC-###", NULL, "");
	pp_t_story_file(dir, "bad\xff.md", "ABC-2", NULL, "");
	batch_init(&b, 1, 1);
	for (size_t i = 0; i < UNIT_NELEM(cases); i++) {
		memset(&res, 0, sizeof(res));
		unit_str_equal(cases[i].rel, read_one(dir, cases[i].rel, &b, &res)->path, NULL);
		unit_int_equal(cases[i].rel, res.files, cases[i].files);
		unit_int_equal(cases[i].rel, res.ignored, cases[i].ignored);
		unit_int_equal(cases[i].rel, res.skipped, cases[i].skipped);
		unit_int_equal(cases[i].rel, res.rejected, cases[i].rejected);
		if (cases[i].is_error < 0)
			unit_int_equal(cases[i].rel, res.n_problems, 0);
		else
			one_problem(&res, cases[i].shown, cases[i].is_error, cases[i].part);
		pp_import_result_free(&res);
	}
	assert_int_equal(b.n, 0);
	pp_import_batch_free(&b);
}

static void a_file_changed_since_it_was_read_is_an_error(void **state)
{
	char dir[512];
	pp_import_result res;
	pp_import_batch b;
	pp_import_item *a, *c;
	pp_story *s = NULL;
	pp_err err;

	(void)state;
	pp_t_new_dir(dir, sizeof(dir));
	pp_t_story_file(dir, "a.md", "ABC-1", "todo", "First body.");
	pp_t_story_file(dir, "c.md", "ABC-3", NULL, "Third body.");
	memset(&res, 0, sizeof(res));
	batch_init(&b, 2, 1);
	a = read_one(dir, "a.md", &b, &res);
	c = read_one(dir, "c.md", &b, &res);

	/* Unchanged: parsed, and whole with its body when its row is sent. */
	pp_err_clear(&err);
	assert_int_equal(pp_import_parse_item(dir, &b, a, &res, &err), PP_OK);
	assert_true(a->ok && a->parsed);
	assert_string_equal(a->key, "ABC-1");
	assert_null(a->story); /* lazy: not kept */
	assert_int_equal(pp_import_story_whole(dir, a, &s, &res, &err), PP_OK);
	assert_non_null(s);
	assert_string_equal(s->key, "ABC-1");
	assert_non_null(strstr(s->body, "First body."));
	pp_story_free(s);
	free(s);

	/* Changed after it was read: refused both ways, naming why. */
	pp_t_story_file(dir, "c.md", "ABC-3", NULL, "Edited meanwhile.");
	assert_int_equal(pp_import_parse_item(dir, &b, c, &res, &err), PP_OK);
	assert_false(c->ok);
	one_problem(&res, "c.md", 1, "the file changed while it was imported");
	c->ok = 1;
	assert_int_equal(pp_import_story_whole(dir, c, &s, &res, &err), PP_OK);
	assert_null(s);
	assert_false(c->ok);
	assert_int_equal(res.n_problems, 2);
	assert_int_equal(res.rejected, 2);
	pp_import_batch_free(&b);
	pp_import_result_free(&res);
}

static void a_story_that_does_not_parse_is_an_error_at_its_position(void **state)
{
	char dir[512];
	pp_import_result res;
	pp_import_batch b;
	pp_import_item *it;

	(void)state;
	pp_t_new_dir(dir, sizeof(dir));
	pp_t_put(dir, "bad.md", "---\nid: ABC-1\ntitle: [unclosed\n---\n");
	memset(&res, 0, sizeof(res));
	batch_init(&b, 1, 0);
	it = read_one(dir, "bad.md", &b, &res);
	assert_false(it->ok);
	assert_true(it->parsed);
	assert_null(it->story);
	assert_int_equal(res.n_problems, 1);
	assert_true(res.problems[0].line > 0);
	/* The position is the problem's, not repeated in its text. */
	assert_null(strstr(res.problems[0].msg, "bad.md:"));
	pp_import_batch_free(&b);
	pp_import_result_free(&res);
}

static void the_first_path_keeps_an_id(void **state)
{
	char dir[512];
	pp_import_result res;
	pp_import_batch b;

	(void)state;
	pp_t_new_dir(dir, sizeof(dir));
	pp_t_story_file(dir, "b.md", "abc-1", NULL, "");
	pp_t_story_file(dir, "a.md", "ABC-1", NULL, "");
	pp_t_story_file(dir, "c.md", "Abc-1", NULL, "");
	pp_t_story_file(dir, "d.md", "ABC-2", NULL, "");
	memset(&res, 0, sizeof(res));
	batch_init(&b, 4, 0);
	/* Sorted by path, as pp_import_run has them. */
	read_one(dir, "a.md", &b, &res);
	read_one(dir, "b.md", &b, &res);
	read_one(dir, "c.md", &b, &res);
	read_one(dir, "d.md", &b, &res);
	assert_int_equal(pp_import_reject_duplicates(&b, &res), PP_OK);
	assert_true(b.items[0].ok);
	assert_false(b.items[1].ok);
	assert_false(b.items[2].ok);
	assert_true(b.items[3].ok);
	assert_int_equal(res.rejected, 2);
	assert_int_equal(res.n_problems, 2);
	/* Both name the file that keeps it, not each other. */
	for (size_t i = 0; i < 2; i++) {
		unit_int_equal(res.problems[i].file, res.problems[i].line, 2);
		unit_str_has(res.problems[i].file, res.problems[i].msg,
			     "is also used by a.md (\"ABC-1\")");
	}
	pp_import_batch_free(&b);
	pp_import_result_free(&res);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(splits_a_parsers_message),
	cmocka_unit_test(names_become_printable),
	cmocka_unit_test(reads_a_story_and_parses_it_unless_lazy),
	cmocka_unit_test(what_is_no_story_is_counted_or_named),
	cmocka_unit_test(a_file_changed_since_it_was_read_is_an_error),
	cmocka_unit_test(a_story_that_does_not_parse_is_an_error_at_its_position),
	cmocka_unit_test(the_first_path_keeps_an_id),
};

UNIT_MAIN_WITH("import_read", tests, pp_t_tmp_group_setup, pp_t_tmp_group_teardown)
