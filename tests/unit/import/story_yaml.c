/*
 * tests/unit/import/story_yaml.c: src/import/story_yaml.c, the front matter
 * as YAML means it, below the story's fields: scalars typed as YAML 1.1/1.2
 * core reads them (quoted ones always text), escapes decoded, anchors and
 * aliases, merge keys that never override a mapping's own keys, duplicate
 * keys refused with both lines, and the alias budget that turns an alias
 * bomb into an error instead of memory. Whole stories: story.c here.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "unit.h"

#include "import/story_int.h"

/*
 * The front matter of "---\n" yaml "---\n" as JSON (the values of its
 * mapping, merge keys applied), as story.c reads it: 0 with *out set (caller
 * frees), or the parse's rc with its message in err.
 */
static pp_rc front_matter(const char *yaml, json_t **out, pp_err *err)
{
	pp_buf text;
	node *root = NULL;
	entries es = {0};
	ctx c;
	pp_rc rc;

	pp_buf_init(&text, 1 << 20);
	assert_int_equal(pp_buf_printf(&text, "---\n%s---\n", yaml), PP_OK);
	memset(&c, 0, sizeof(c));
	c.path = "t.md";
	c.data = pp_buf_str(&text);
	c.len = text.len;
	c.body_off = c.len;
	c.err = err;
	pp_err_clear(err);
	pp_buf_init(&c.text, 2 * FM_MAX);
	*out = json_object();
	rc = story_load(&c);
	if (rc == PP_OK)
		rc = story_build_tree(&c, &root);
	c.values = 0;
	if (rc == PP_OK && root != NULL && root->kind == N_MAP)
		rc = story_map_entries(&c, root, 0, &es);
	for (size_t i = 0; rc == PP_OK && i < es.n; i++) {
		node *k = story_deref(es.v[i].key);
		json_t *v = NULL;

		rc = story_to_json(&c, es.v[i].val, 1, &v);
		if (rc == PP_OK)
			json_object_set_new(*out, k->text, v);
	}
	free(es.v);
	story_smap_free(&c.anchors);
	story_smap_free(&c.deps_seen);
	pp_buf_free(&c.text);
	story_arena_free(&c);
	free(c.lines);
	pp_buf_free(&text);
	if (rc != PP_OK) {
		json_decref(*out);
		*out = NULL;
	}
	return rc;
}

/* yaml's front matter is the JSON want (objects compared without order). */
static void expect_json(const char *yaml, const char *want)
{
	json_error_t e;
	json_t *got, *w = json_loads(want, JSON_DECODE_ANY, &e);
	pp_err err;
	char *text;

	if (w == NULL)
		fail_msg("bad expectation %s: %s", want, e.text);
	if (front_matter(yaml, &got, &err) != PP_OK)
		fail_msg("unexpected error for:\n%s\n%s", yaml, err.msg);
	if (!json_equal(got, w)) {
		text = json_dumps(got, JSON_COMPACT | JSON_SORT_KEYS);
		fail_msg("for:\n%s\nexpected %s\ngot      %s", yaml, want, text);
	}
	json_decref(got);
	json_decref(w);
}

/* yaml fails with a message containing needle. */
static void expect_error(const char *yaml, const char *needle)
{
	json_t *got;
	pp_err err;

	if (front_matter(yaml, &got, &err) == PP_OK)
		fail_msg("expected an error containing \"%s\" for:\n%s", needle, yaml);
	if (strstr(err.msg, needle) == NULL)
		fail_msg("expected \"%s\" in \"%s\"", needle, err.msg);
}

static void scalars_typed(void **state)
{
	(void)state;
	expect_json("a: 1\nb: -2.5\nc: 0x1F\nd: 1e3\ne: 0o17\n",
		    "{\"a\": 1, \"b\": -2.5, \"c\": 31, \"d\": 1000.0, \"e\": 15}");
	/* YAML 1.2 booleans only: yes, no and on stay words. */
	expect_json("a: true\nb: False\nc: yes\nd: no\ne: on\n",
		    "{\"a\": true, \"b\": false, \"c\": \"yes\", \"d\": \"no\", \"e\": \"on\"}");
	expect_json("a: null\nb: ~\nc:\nd: Null\n",
		    "{\"a\": null, \"b\": null, \"c\": null, \"d\": null}");
	/* Leading zeros keep their text, as ids and times are written. */
	expect_json("a: 007\nb: 12:30\n", "{\"a\": \"007\", \"b\": \"12:30\"}");
}

static void quoted_is_text_and_escapes_decoded(void **state)
{
	(void)state;
	expect_json("a: '1'\nb: \"true\"\nc: 'null'\nd: !!str 5\n",
		    "{\"a\": \"1\", \"b\": \"true\", \"c\": \"null\", \"d\": \"5\"}");
	expect_json(
		"a: 'it''s'\nb: \"tab\\there\\n\"\nc: \"\\u00e9\"\nd: \"\\x41\"\n",
		"{\"a\": \"it's\", \"b\": \"tab\\there\\n\", \"c\": \"\xC3\xA9\", \"d\": \"A\"}");
	expect_json("a: |\n  one\n  two\nb: >\n  one\n  two\n",
		    "{\"a\": \"one\\ntwo\\n\", \"b\": \"one two\\n\"}");
	expect_json("a: [1, x, 'y']\nb: {k: v}\n",
		    "{\"a\": [1, \"x\", \"y\"], \"b\": {\"k\": \"v\"}}");
}

static void anchors_and_merge_keys(void **state)
{
	(void)state;
	expect_json("a: &x [1, 2]\nb: *x\n", "{\"a\": [1, 2], \"b\": [1, 2]}");
	/* A mapping's own key wins over a merged one, wherever it stands. */
	expect_json("base: &b {x: 1, y: 2}\nm:\n  <<: *b\n  y: 3\n",
		    "{\"base\": {\"x\": 1, \"y\": 2}, \"m\": {\"x\": 1, \"y\": 3}}");
	expect_json("base: &b {x: 1, y: 2}\nm:\n  y: 3\n  <<: *b\n",
		    "{\"base\": {\"x\": 1, \"y\": 2}, \"m\": {\"x\": 1, \"y\": 3}}");
	/* Of a list of sources, the first to have a key gives it. */
	expect_json("b1: &b1 {x: 1}\nb2: &b2 {x: 2, z: 9}\nm:\n  <<: [*b1, *b2]\n  w: 0\n",
		    "{\"b1\": {\"x\": 1}, \"b2\": {\"x\": 2, \"z\": 9}, "
		    "\"m\": {\"w\": 0, \"x\": 1, \"z\": 9}}");
	/* A quoted '<<' is a plain key. */
	expect_json("'<<': 5\n", "{\"<<\": 5}");
}

static void mapping_errors_at_their_place(void **state)
{
	(void)state;
	expect_error("a: 1\na: 2\n", "t.md:3:1: duplicate key \"a\" (first at line 2)");
	expect_error("<<: 5\n", "t.md:2:5: '<<' (merge) takes a mapping or a list of mappings");
	expect_error("a: *nope\n", "t.md:2:4: alias \"nope\": no anchor of that name before it");
	expect_error("? [1, 2]\n: x\n",
		     "t.md:2:3: a key must be a single value, not a list or mapping");
}

/* Ten aliases of ten aliases ... nine deep: 10^9 values, refused early. */
static void alias_bomb_is_an_error(void **state)
{
	pp_buf b;
	int i;

	(void)state;
	pp_buf_init(&b, 1 << 16);
	assert_int_equal(pp_buf_adds(&b, "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"), PP_OK);
	for (i = 1; i < 9; i++)
		assert_int_equal(
			pp_buf_printf(&b,
				      "a%d: &a%d [*a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, "
				      "*a%d, *a%d, *a%d]\n",
				      i, i, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1,
				      i - 1, i - 1),
			PP_OK);
	expect_error(pp_buf_str(&b), "aliases expand the front matter to more than");
	pp_buf_free(&b);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(scalars_typed),
	cmocka_unit_test(quoted_is_text_and_escapes_decoded),
	cmocka_unit_test(anchors_and_merge_keys),
	cmocka_unit_test(mapping_errors_at_their_place),
	cmocka_unit_test(alias_bomb_is_an_error),
};

UNIT_MAIN("story_yaml", tests)
