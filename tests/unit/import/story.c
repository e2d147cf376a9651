/* tests/unit/import/story.c: tests src/import/story.c on the real spec file and on hard cases. */
#include "story_test.h"
#include "unit.h"

#include <jansson.h>
#include <time.h>

#define SPEC "INF-013-docker-postgresql-story-schema.md"

/* ---- the real story file ------------------------------------------------- */

static void check_spec(const pp_story *s)
{
	assert_string_equal(s->key, "INF-013");
	assert_string_equal(s->title, "Docker PostgreSQL database setup with story schema");
	assert_string_equal(s->branch_name,
			    "inf-013-docker-postgresql-database-setup-story-schema");
	assert_string_equal(s->epic, "infrastructure");
	assert_string_equal(s->status, "draft");
	assert_string_equal(s->priority, "high");
	assert_string_equal(s->estimate_raw, "3sp");
	assert_int_equal(s->has_points, 1);
	assert_true(s->estimate_points == 3.0);
	assert_int_equal(s->n_deps, 0);
	assert_int_equal(s->n_labels, 4);
	assert_string_equal(s->labels[0], "database");
	assert_string_equal(s->labels[1], "postgresql");
	assert_string_equal(s->labels[2], "docker");
	assert_string_equal(s->labels[3], "schema");
	assert_string_equal(s->created, "2025-08-28");
	assert_string_equal(s->last_updated, "2025-08-28");
	assert_string_equal(s->author, "planning-agent");
	assert_string_equal(s->owner, "implementation-team");
	assert_string_equal(s->metadata_json,
			    "{\"market\":null,\"layer\":null,\"emit_metadata\":{\"source_id\":null,"
			    "\"layer\":null,\"input_path\":null,\"notes\":null}}");
	/* 14 acceptance criteria + 6 definition of done, none ticked */
	assert_int_equal(s->checklist_total, 20);
	assert_int_equal(s->checklist_done, 0);
	assert_int_equal(s->key_pos.line, 2);
	assert_int_equal(s->key_pos.column, 5);
	assert_int_equal(s->title_pos.line, 3);
	assert_int_equal(s->title_pos.column, 8);
	assert_int_equal(s->status_pos.line, 6);
	assert_int_equal(s->status_pos.column, 9);
	assert_int_equal(s->priority_pos.line, 7);
	assert_int_equal(s->priority_pos.column, 11);
	assert_int_equal(s->estimate_pos.line, 8);
	assert_int_equal(s->estimate_pos.column, 11);
	assert_string_equal(s->created_utc, "2025-08-28T00:00:00Z");
	assert_string_equal(s->last_updated_utc, "2025-08-28T00:00:00Z");
	assert_int_equal(s->priority_rank, 0);
	assert_int_equal(s->key_from_path, 0);
	assert_int_equal(s->title_from_body, 0);
	assert_int_equal(s->n_warnings, 0); /* the real file is clean */
	assert_null(s->warnings);
}

static void spec_file(void **state)
{
	size_t len;
	char *data = fixture(SPEC, &len);
	const char *close = strstr(data, "\n---\n");
	pp_story s;
	pp_err err;

	(void)state;
	assert_non_null(close);
	assert_int_equal(pp_story_parse(SPEC, data, len, &s, &err), PP_OK);
	check_spec(&s);
	/* the body is every byte after the closing line, the later '---' included */
	assert_string_equal(s.body, close + 5);
	assert_int_equal(strncmp(s.body, "\n# INF-013: Docker", 18), 0);
	assert_non_null(strstr(s.body, "\n---\n**Story Lifecycle:**"));
	pp_story_free(&s);
	assert_null(s.key);
	pp_story_free(&s); /* twice is harmless */
	pp_story_free(NULL);
	free(data);
}

/* The spec with CRLF line ends, and with a UTF-8 BOM: the same story. */
static void spec_crlf_and_bom(void **state)
{
	size_t len, i, n = 0;
	char *data = fixture(SPEC, &len), *crlf = malloc(2 * len + 3);
	pp_story s;
	pp_err err;

	(void)state;
	memcpy(crlf, "\xEF\xBB\xBF", 3);
	for (i = 0; i < len; i++) {
		if (data[i] == '\n')
			crlf[3 + n++] = '\r';
		crlf[3 + n++] = data[i];
	}
	assert_int_equal(pp_story_parse(SPEC, crlf + 3, n, &s, &err), PP_OK);
	check_spec(&s);
	assert_int_equal(strncmp(s.body, "\r\n# INF-013", 11), 0); /* bytes kept as they are */
	pp_story_free(&s);
	assert_int_equal(pp_story_parse(SPEC, crlf, n + 3, &s, &err), PP_OK);
	check_spec(&s);
	pp_story_free(&s);
	memcpy(crlf, "\xEF\xBB\xBF", 3);
	memcpy(crlf + 3, data, len);
	assert_int_equal(pp_story_parse(SPEC, crlf, len + 3, &s, &err), PP_OK);
	check_spec(&s);
	pp_story_free(&s);
	free(crlf);
	free(data);
}

static void every_field_fixture(void **state)
{
	size_t len;
	char *data = fixture("PLAN-042-every-field.md", &len);
	pp_story s;
	pp_err err;

	(void)state;
	if (pp_story_parse("PLAN-042.md", data, len, &s, &err) != PP_OK)
		fail_msg("%s", err.msg);
	assert_string_equal(s.key, "PLAN-042");
	assert_string_equal(s.title, "Données en file d'attente 🚀 — 日本語のタイトル");
	assert_int_equal(s.title_pos.column, 8);
	assert_string_equal(s.status, "in_progress"); /* from the merge key */
	assert_string_equal(s.priority, "critical");  /* own key wins, lower-cased */
	assert_string_equal(s.estimate_raw, "0.5 sp");
	assert_true(s.has_points && s.estimate_points == 0.5);
	assert_null(s.owner);
	assert_string_equal(s.last_updated, "2025-09-01T14:30:00+02:00");
	assert_int_equal(s.n_deps, 2); /* the repeat is dropped */
	expect_dep(&s, 0, NULL, "PLAN-041", 14, 5);
	expect_dep(&s, 1, "OTHER", "API-003", 0, 0);
	assert_int_equal(s.n_labels, 2);
	assert_string_equal(s.labels[0], "queue");
	assert_string_equal(s.labels[1], "backend");
	assert_string_equal(
		s.metadata_json,
		"{\"defaults\":{\"status\":\"in_progress\",\"priority\":\"low\"},\"market\":null,"
		"\"layer\":\"api\",\"reviewers\":[\"alice\",\"bob\"],\"points_history\":[1,2.5,-3,16],"
		"\"flags\":{\"urgent\":true,\"blocked\":false,\"since\":\"2025-08-30\"},"
		"\"emit_metadata\":{\"source_id\":\"src-17\",\"layer\":null,\"nested\":{\"list\":["
		"\"src-17\",\"007\",1000.0]}}}");
	assert_int_equal(s.checklist_total, 5);
	assert_int_equal(s.checklist_done, 3);
	pp_story_free(&s);
	free(data);
}

/* ---- where the front matter is --------------------------------------------- */

static void no_front_matter(void **state)
{
	static const story_error errors[] = {
		{"# Just markdown\n", 1, 1,
		 "no front matter: a story file starts with a line '---'"},
		{"", 1, 1, "no front matter"},
		{"--- x\nid: X-1\n---\n", 1, 1, "no front matter"},
		{"---\nid: X-1\ntitle: T\n", 1, 1, "front matter is not closed"},
		{"---", 1, 1, "front matter is not closed"},
	};
	pp_story s;
	pp_err err;

	(void)state;
	expect_errors(errors);
	assert_int_equal(pp_story_parse("t.md", NULL, 0, &s, &err), PP_EINVAL);
	assert_int_equal(pp_story_parse(NULL, "x", 1, &s, NULL), PP_EINVAL); /* err may be NULL */
}

static void delimiters(void **state)
{
	pp_story s;
	pp_err err;

	(void)state;
	/* trailing blanks and CR on the delimiter lines; "..." also closes */
	assert_int_equal(parse("---  \r\nid: X-1\ntitle: T\n... \t\nbody", &s, &err), PP_OK);
	assert_string_equal(s.body, "body");
	pp_story_free(&s);
	/* closing line at the end of the file: an empty body */
	assert_int_equal(parse("---\nid: X-1\ntitle: T\n---", &s, &err), PP_OK);
	assert_string_equal(s.body, "");
	assert_string_equal(s.metadata_json, "{}");
	pp_story_free(&s);
	/* "---" inside the body is body; an indented "---" in the front matter is YAML */
	assert_int_equal(
		parse("---\nid: X-1\ntitle: T\nnote: |\n  ---\n---\na\n---\nb: 1\n---\n", &s, &err),
		PP_OK);
	assert_string_equal(s.body, "a\n---\nb: 1\n---\n");
	assert_string_equal(s.metadata_json, "{\"note\":\"---\\n\"}");
	pp_story_free(&s);
}

/* No key and no title after the fallbacks: errors (a key from a file name: story_fields.c). */
static void empty_and_missing(void **state)
{
	static const char *const no_key[] = {
		"---\n---\n# T\n", "---\n# only a comment\n\n---\n# T\n", "---\n~\n---\n# T\n",
		"---\ntitle: T\n---\n", "---\nid:\ntitle: T\n---\n"};
	size_t i;

	(void)state;
	for (i = 0; i < UNIT_NELEM(no_key); i++)
		expect_error_at("no key.md", no_key[i], strlen(no_key[i]), 1, 1,
				"missing id: no usable 'id:' in the front matter, and the file "
				"name \"no key\" is not a key either");
	expect_error("---\nid: X-1\n---\n", 1, 1,
		     "missing title: no usable 'title:' in the front matter and no '# ' "
		     "heading in the body");
	expect_error("---\nid: X-1\ntitle: ''\n---\n", 1, 1, "missing title");
	expect_error("---\nid: X-1\ntitle:    \n---\n## not level 1\n", 1, 1, "missing title");
	expect_error("---\nid: X-1\ntitle: null\n---\n```\n# in code\n```\n", 1, 1,
		     "missing title");
	/* A title that is there but cannot be used: why, at it (review 10, finding 15). */
	expect_error("---\nid: X-1\ntitle: [a, b]\n---\n", 3, 8,
		     "missing title: title must be a single value, not a list or mapping, and "
		     "no '# ' heading in the body");
}

static void not_a_mapping(void **state)
{
	static const story_error errors[] = {
		{"---\n- id: X-1\n- title: T\n---\n", 2, 1,
		 "the front matter must be a mapping of 'key: value' lines, not a list"},
		{"---\njust text\n---\n", 2, 1, "not a single value"},
		{"---\nid: X-1\ntitle: T\n--- x\n---\n", 4, 1, "a second YAML document"},
	};

	(void)state;
	expect_errors(errors);
}

/* ---- bytes ----------------------------------------------------------------- */

static void invalid_yaml_has_position(void **state)
{
	static const story_error errors[] = {
		{"---\nid: X-1\ntitle: [a, b\n---\n", 4, 1,
		 "invalid YAML: flow sequence without a closing bracket"},
		{"---\nid: X-1\ntitle: {a: ]\n---\n", 3, 12, "invalid YAML"},
		{"---\nid: X-1\ntitle: \"open\n---\n", 3, 9, "invalid YAML"}, /* after the quote */
		{"---\r\nid: X-1\r\nx: [1,, 2]\r\n---\r\n", 3, 7, "invalid YAML"},
		/* columns count characters, not bytes */
		{"---\nid: X-1\nété: {a: ]\n---\n", 3, 10, "invalid YAML"},
	};

	(void)state;
	expect_errors(errors);
}

static void tabs(void **state)
{
	pp_story s;

	(void)state;
	expect_error("---\nid: X-1\ntitle: T\nlist:\n\t- a\n---\n", 5, 1,
		     "tab character may not be used as indentation");
	/* libfyaml blames the line before (review 10, finding 15): the tab is named. */
	expect_error("---\nid: X-1\ntitle: T\n\tstatus: draft\n---\n", 4, 1,
		     "invalid YAML: tab character may not be used as indentation");
	expect_error("---\nid: X-1\ntitle: T\n  \tstatus: draft\n---\n", 4, 3,
		     "invalid YAML: tab character may not be used as indentation");
	parse_ok("a:\tseparated by a tab\nb: \"in\\tquotes\"\nc: 'raw\ttab'\n", "", &s);
	assert_string_equal(s.metadata_json, "{\"a\":\"separated by a tab\",\"b\":\"in\\tquotes\","
					     "\"c\":\"raw\\ttab\"}");
	pp_story_free(&s);
}

/* Found by fuzzing: libfyaml 0.7.12 leaked reading single-quoted scalars like these. */
static void quoted_scalars(void **state)
{
	pp_story s;

	(void)state;
	parse_ok("sq: '''''''''''''''''''''''a'' b\n  c\n\n  d'\n"
		 "dq: \"\\t\\t\\t\\t\\t\\t\\t\\t\\t\\t\\u00e9\\x41\"\n"
		 "folded: >\n  a\n  b\n\n  c\n",
		 "", &s);
	assert_string_equal(s.metadata_json, "{\"sq\":\"'''''''''''a' b c\\nd\","
					     "\"dq\":\"\\t\\t\\t\\t\\t\\t\\t\\t\\t\\téA\","
					     "\"folded\":\"a b\\nc\\n\"}");
	pp_story_free(&s);
	/* libfyaml 0.7.12 dropped escaped white space next to a line break */
	parse_ok("a: \"x\\ \n  y\"\nb: \"p \\\n  q\"\nc: \"m\\\n\n  n\"\n"
		 "d: \"\\t\n  \\x41\\u00e9\\U0001F600\\N\\_\\L\\P\\/\"\n",
		 "", &s);
	assert_string_equal(s.metadata_json,
			    "{\"a\":\"x  y\",\"b\":\"p q\",\"c\":\"m\\nn\","
			    "\"d\":\"\\t Aé😀\xC2\x85\xC2\xA0\xE2\x80\xA8\xE2\x80\xA9/\"}");
	pp_story_free(&s);
	expect_error("---\nid: X-1\ntitle: \"\\uD800\"\n---\n", 3, 9, "invalid UTF8 escape");
	expect_error("---\nid: X-1\ntitle: T\nx: [[['''''''''''''''2'''''' [[]]\n---\n", 4, 8,
		     "invalid YAML: single-quoted scalar without closing quote");
	expect_error("---\nid: X-1\ntitle: T\nx: [[[''''''''''2'''''''' [[]]\n---\n", 4, 17,
		     "invalid YAML: missing comma in flow sequence");
}

static void not_utf8(void **state)
{
	static const char nul[] = "---\nid: X-1\ntitle: T\n---\nab\0c\n";

	(void)state;
	expect_error("---\nid: X-1\ntitle: caf\xE9\n---\n", 3, 11, "invalid UTF-8 (byte 0xE9)");
	expect_error("---\nid: X-1\ntitle: T\n---\nline\nd\xC3\xA9j\xC3 x\n", 6, 4,
		     "invalid UTF-8 (byte 0xC3)");
	expect_error("---\nid: X-1\ntitle: T\n---\n\xED\xA0\x80\n", 5, 1,
		     "invalid UTF-8"); /* surrogate */
	expect_error("---\nid: X-1\ntitle: T\n---\n\xC0\xAF\n", 5, 1,
		     "invalid UTF-8"); /* overlong */
	expect_error("---\nid: X-1\ntitle: T\n---\n\xF4\x90\x80\x80\n", 5, 1, "invalid UTF-8");
	expect_error("---\nid: X-1\ntitle: T\n---\nend\xF0\x9F\x9A", 5, 4, "invalid UTF-8");
	expect_error_n(nul, sizeof(nul) - 1, 5, 3, "NUL byte");
	/* escapes may not make what the file cannot hold */
	expect_error("---\nid: X-1\ntitle: \"a\\0b\"\n---\n", 3, 8, "NUL character");
	expect_error("---\nid: X-1\ntitle: T\nx: {\"k\\0\": 1}\n---\n", 4, 5, "NUL character");
}

static void unicode_title(void **state)
{
	pp_story s;
	pp_buf b;
	int i;

	(void)state;
	parse_ok("", "", &s);
	pp_story_free(&s);
	assert_int_equal(parse("---\nid: X-1\ntitle: Ünïcödé 🚀 日本語\n---\n", &s, &(pp_err){0}),
			 PP_OK);
	assert_string_equal(s.title, "Ünïcödé 🚀 日本語");
	pp_story_free(&s);
	/* 500 characters (1000 bytes) is the most a title holds */
	pp_buf_init(&b, 1 << 16);
	assert_int_equal(pp_buf_adds(&b, "---\nid: X-1\ntitle: "), PP_OK);
	for (i = 0; i < 500; i++)
		assert_int_equal(pp_buf_adds(&b, "é"), PP_OK);
	assert_int_equal(pp_buf_adds(&b, "\n---\n"), PP_OK);
	assert_int_equal(parse(pp_buf_str(&b), &s, &(pp_err){0}), PP_OK);
	assert_int_equal(strlen(s.title), 1000);
	pp_story_free(&s);
	b.len -= 5;
	assert_int_equal(pp_buf_adds(&b, "é\n---\n"), PP_OK);
	/* unusable, and no heading: the reason, at the title (review 10, finding 15) */
	expect_error(pp_buf_str(&b), 3, 8,
		     "missing title: title \"éééééééééééééééééééééééééééééééééééééééé...\" is "
		     "longer than 500 characters, and no '# ' heading in the body");
	assert_int_equal(pp_buf_adds(&b, "# The heading\n"), PP_OK);
	parse_text_ok("t.md", pp_buf_str(&b), b.len, &s);
	assert_string_equal(s.title, "The heading");
	expect_warning(&s, 3, 8,
		       "title \"éééééééééééééééééééééééééééééééééééééééé...\" is "
		       "longer than 500 characters (kept in metadata)");
	assert_int_equal(strncmp(s.metadata_json, "{\"title\":\"ééé", 15), 0);
	pp_story_free(&s);
	pp_buf_free(&b);
}

static void sizes(void **state)
{
	size_t fm = (1 << 20) + 10, body = 4 << 20;
	char *big = malloc(fm + 64), *p;
	pp_story s;
	pp_err err;
	clock_t t0;

	(void)state;
	/* a front matter over 1 MiB */
	p = big + snprintf(big, 64, "---\nid: X-1\ntitle: T\nx: \"");
	memset(p, 'a', fm);
	memcpy(p + fm, "\"\n---\n", 7);
	expect_error(big, 2, 1, "the front matter is larger than 1048576 bytes");
	free(big);

	/* a 4 MiB body full of checkboxes parses, quickly; a byte more does not */
	big = malloc(body + 64);
	p = big + snprintf(big, 64, "---\nid: X-1\ntitle: T\n---\n");
	for (size_t i = 0; i + 10 <= body; i += 10)
		memcpy(p + i, i % 20 ? "- [x] a\r\n\n" : "- [ ] b  \n", 10);
	memset(p + body / 10 * 10, 'z', body % 10);
	p[body] = '\0';
	t0 = clock();
	assert_int_equal(pp_story_parse("t.md", big, strlen(big), &s, &err), PP_OK);
	assert_true((double)(clock() - t0) / CLOCKS_PER_SEC < 2.0);
	assert_int_equal(strlen(s.body), body);
	assert_int_equal(s.checklist_total, body / 10);
	assert_int_equal(s.checklist_done, body / 20);
	pp_story_free(&s);
	p[body] = 'z';
	p[body + 1] = '\0';
	expect_error(big, 5, 1, "the body is larger than 4194304 bytes");
	free(big);
}

/* ---- YAML features ----------------------------------------------------------- */

static void anchors_and_aliases(void **state)
{
	static const story_error errors[] = {
		{"---\nid: X-1\ntitle: *nope\n---\n", 3, 8, "alias \"nope\": no anchor"},
		{"---\nid: X-1\ntitle: T\nx: &a [1, *a]\n---\n", 4, 11, "alias \"a\": no anchor"},
		{"---\nid: X-1\ntitle: T\n<<: [1]\n---\n", 4, 6, "'<<' (merge) takes a mapping"},
		{"---\nid: X-1\ntitle: T\n<<: {a: 1}\n<<: {b: 1}\n---\n", 5, 1,
		 "duplicate key \"<<\""},
	};
	pp_story s;

	(void)state;
	parse_ok("who: &w alice\nreviewer: *w\nbase: &b {layer: api, tags: [a, b]}\ncopy: *b\n"
		 "over:\n  <<: *b\n  layer: db\nboth:\n  <<: [{x: 1}, {x: 2, y: 2}]\n",
		 "", &s);
	assert_string_equal(
		s.metadata_json,
		"{\"who\":\"alice\",\"reviewer\":\"alice\",\"base\":{\"layer\":\"api\","
		"\"tags\":[\"a\",\"b\"]},\"copy\":{\"layer\":\"api\",\"tags\":[\"a\",\"b\"]},"
		"\"over\":{\"layer\":\"db\",\"tags\":[\"a\",\"b\"]},\"both\":{\"x\":1,\"y\":2}}");
	pp_story_free(&s);
	/* known fields may come through aliases and merge keys */
	assert_int_equal(parse("---\nt: &t The title\nd: &d [INF-1]\nm: &m {status: done}\n<<: *m\n"
			       "id: X-1\ntitle: *t\ndependencies: *d\n---\n",
			       &s, &(pp_err){0}),
			 PP_OK);
	assert_string_equal(s.title, "The title");
	assert_string_equal(s.status, "done");
	assert_int_equal(s.n_deps, 1);
	assert_string_equal(s.metadata_json,
			    "{\"t\":\"The title\",\"d\":[\"INF-1\"],\"m\":{\"status\":\"done\"}}");
	pp_story_free(&s);
	/* a quoted "<<" is an ordinary key */
	parse_ok("'<<': {a: 1}\n", "", &s);
	assert_string_equal(s.metadata_json, "{\"<<\":{\"a\":1}}");
	pp_story_free(&s);

	expect_errors(errors);
}

static void alias_bombs(void **state)
{
	static const char laughs[] = "---\nid: X-1\ntitle: T\n"
				     "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
				     "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
				     "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
				     "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
				     "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
				     "f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
				     "g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]\n"
				     "h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]\n"
				     "i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]\n---\n";
	static const char merges[] = "---\nid: X-1\ntitle: T\n"
				     "a: &a {k: v}\n"
				     "b: &b {<<: [*a, *a, *a, *a, *a, *a, *a, *a]}\n"
				     "c: &c {<<: [*b, *b, *b, *b, *b, *b, *b, *b]}\n"
				     "d: &d {<<: [*c, *c, *c, *c, *c, *c, *c, *c]}\n"
				     "e: &e {<<: [*d, *d, *d, *d, *d, *d, *d, *d]}\n"
				     "f: &f {<<: [*e, *e, *e, *e, *e, *e, *e, *e]}\n"
				     "g: &g {<<: [*f, *f, *f, *f, *f, *f, *f, *f]}\n"
				     "x: *g\n---\n";
	pp_buf b;
	int i;

	(void)state;
	expect_error(laughs, 9, 8, "aliases expand the front matter to more than 100000 values");
	expect_error(merges, 10, 13, "aliases expand the front matter");
	/* depth through aliases is counted too */
	pp_buf_init(&b, 1 << 20);
	assert_int_equal(pp_buf_adds(&b, "---\nid: X-1\ntitle: T\na0: &a0 [x]\n"), PP_OK);
	for (i = 1; i < 40; i++)
		assert_int_equal(pp_buf_printf(&b, "a%d: &a%d [[[*a%d]]]\n", i, i, i - 1), PP_OK);
	assert_int_equal(pp_buf_adds(&b, "---\n"), PP_OK);
	expect_error(pp_buf_str(&b), 25, 14, "nested deeper than 64 levels (counting aliases)");
	pp_buf_free(&b);
}

static void duplicate_keys(void **state)
{
	static const story_error errors[] = {
		{"---\nid: X-1\ntitle: T\nid: X-2\n---\n", 4, 1,
		 "duplicate key \"id\" (first at line 2)"},
		{"---\nid: X-1\ntitle: T\nx:\n  a: 1\n  b: 2\n  a: 3\n---\n", 7, 3,
		 "duplicate key \"a\" (first at line 5)"},
		{"---\nid: X-1\ntitle: T\nx: {1: a, \"1\": b}\n---\n", 4, 11,
		 "duplicate key \"1\""},
		{"---\nid: X-1\ntitle: T\n? [a, b]\n: c\n---\n", 4, 3,
		 "a key must be a single value"},
	};

	(void)state;
	expect_errors(errors);
}

/* ---- fields ------------------------------------------------------------------ */

static void metadata_types(void **state)
{
	pp_story s;
	json_t *j;

	(void)state;
	parse_ok("n1: null\nn2: ~\nn3:\nb1: true\nb2: False\nyes_is_text: yes\ni: 42\nneg: -7\n"
		 "plus: +3\nhex: 0x1F\noct: 0o17\nf: 0.1\ne: 1e3\ndot: .5\ninf: .inf\n"
		 "big: 123456789012345678901234567890\nzip: 01234\nq: \"42\"\nsq: 'true'\n"
		 "tagged: !!str 12\ndate: 2025-08-28\nts: 2025-08-28T10:00:00Z\n"
		 "nested: {a: [1, {b: null}], c: {}}\nempty_list: []\nTitle: not the title\n"
		 "block: |\n  two\n  lines\n",
		 "", &s);
	assert_string_equal(
		s.metadata_json,
		"{\"n1\":null,\"n2\":null,\"n3\":null,\"b1\":true,\"b2\":false,\"yes_is_text\":\"yes\","
		"\"i\":42,\"neg\":-7,\"plus\":3,\"hex\":31,\"oct\":15,\"f\":0.1,\"e\":1000.0,"
		"\"dot\":0.5,\"inf\":\".inf\",\"big\":\"123456789012345678901234567890\","
		"\"zip\":\"01234\",\"q\":\"42\",\"sq\":\"true\",\"tagged\":\"12\","
		"\"date\":\"2025-08-28\",\"ts\":\"2025-08-28T10:00:00Z\","
		"\"nested\":{\"a\":[1,{\"b\":null}],\"c\":{}},\"empty_list\":[],"
		"\"Title\":\"not the title\",\"block\":\"two\\nlines\\n\"}");
	j = json_loads(s.metadata_json, 0, NULL);
	assert_non_null(j);
	assert_true(json_is_object(j));
	json_decref(j);
	pp_story_free(&s);
	/* known fields set to null are absent, and not metadata */
	parse_ok("epic: null\nowner: ~\nauthor:\nstatus: ''\nlabels:\ndependencies: []\n", "", &s);
	assert_null(s.epic);
	assert_null(s.owner);
	assert_null(s.author);
	assert_null(s.status);
	assert_int_equal(s.n_labels, 0);
	assert_int_equal(s.n_deps, 0);
	assert_int_equal(s.status_pos.line, 7);
	assert_string_equal(s.metadata_json, "{}");
	pp_story_free(&s);
}

static void checklists(void **state)
{
	pp_story s;

	(void)state;
	parse_ok("",
		 "- [ ] open\n- [x] done\n- [X] Done\n* [ ] star\n+ [x] plus\n    - [ ] indented\n"
		 "\t- [x] tab\n12. [ ] ordered\n3) [x] paren\n- [ ]\n- [x]\r\n"
		 "-[ ] no space\n- [] empty\n- [y] other\n- [ ]x glued\n> - [ ] quoted\n"
		 "text - [ ] inline\n"
		 "```\n- [ ] in code\n```\n"
		 "  ~~~~ info\n- [x] in tilde code\n~~~\n- [x] still code\n~~~~~\n"
		 "````\n```\n- [ ] inner fence is code\n````\n- [x] after\n",
		 &s);
	assert_int_equal(s.checklist_total, 12);
	assert_int_equal(s.checklist_done, 7);
	pp_story_free(&s);
	parse_ok("", "```\n- [ ] an unclosed fence hides the rest\n", &s);
	assert_int_equal(s.checklist_total, 0);
	pp_story_free(&s);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(spec_file),
	cmocka_unit_test(spec_crlf_and_bom),
	cmocka_unit_test(every_field_fixture),
	cmocka_unit_test(no_front_matter),
	cmocka_unit_test(delimiters),
	cmocka_unit_test(empty_and_missing),
	cmocka_unit_test(not_a_mapping),
	cmocka_unit_test(invalid_yaml_has_position),
	cmocka_unit_test(tabs),
	cmocka_unit_test(quoted_scalars),
	cmocka_unit_test(not_utf8),
	cmocka_unit_test(unicode_title),
	cmocka_unit_test(sizes),
	cmocka_unit_test(anchors_and_aliases),
	cmocka_unit_test(alias_bombs),
	cmocka_unit_test(duplicate_keys),
	cmocka_unit_test(metadata_types),
	cmocka_unit_test(checklists),
};

UNIT_MAIN("story", tests)
