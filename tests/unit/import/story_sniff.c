/*
 * tests/unit/import/story_sniff.c: tests src/import/story_sniff.c (what a file is, and
 * whether it is a template) and the front matter forms pp_story_parse reads
 * or refuses with a reason: YAML, JSON, TOML, CR-only line ends, UTF-16,
 * mistyped delimiters.
 */
#include "story_test.h"
#include "unit.h"

static pp_story_kind sniff(const char *text, const char **why)
{
	return pp_story_sniff(text, strlen(text), why);
}

/* ---- pp_story_sniff ----------------------------------------------------------- */

#define WHY_DELIMITER "the first line looks like a front matter delimiter but is not exactly '---'"
#define WHY_BLANK     "blank lines before the opening '---': the front matter must start on line 1"

typedef struct sniff_case {
	const char *text;
	pp_story_kind kind;
	const char *why; /* the reason given; NULL: none */
} sniff_case;

/* Each of the n texts sniffs as its kind, with its reason. */
static void expect_sniffs(const sniff_case *cases, size_t n)
{
	const char *why;
	size_t i;

	for (i = 0; i < n; i++) {
		why = "x"; /* the sniffer must set it, to NULL too */
		unit_int_equal(cases[i].text, sniff(cases[i].text, &why), cases[i].kind);
		unit_str_equal(cases[i].text, why, cases[i].why);
	}
}

static void sniff_yaml(void **state)
{
	static const sniff_case cases[] = {
		{"---\nid: X-1\n---\n", PP_STORY_YAML, NULL},
		{"\xEF\xBB\xBF---  \r\nid: X-1\n", PP_STORY_YAML, NULL},
		{"---\rid: X-1\r---\r", PP_STORY_YAML, NULL},
		{"---", PP_STORY_YAML, NULL},
	};

	(void)state;
	expect_sniffs(cases, UNIT_NELEM(cases));
	assert_int_equal(pp_story_sniff(NULL, 5, NULL), PP_STORY_NOT_STORY); /* reason optional */
}

static void sniff_json(void **state)
{
	static const sniff_case cases[] = {
		{"{\n  \"id\": \"X-1\"\n}\nbody\n", PP_STORY_JSON, NULL},
		{"\xEF\xBB\xBF{\"id\": 1}", PP_STORY_JSON, NULL},
		{"{}", PP_STORY_JSON, NULL},
		/* a brace that does not open a JSON object: not a story */
		{"{% raw %}\n# Liquid\n", PP_STORY_NOT_STORY, NULL},
		{"{{< shortcode >}}\n", PP_STORY_NOT_STORY, NULL},
	};

	(void)state;
	expect_sniffs(cases, UNIT_NELEM(cases));
}

static void sniff_toml(void **state)
{
	static const sniff_case cases[] = {
		{"+++\nid = \"X-1\"\n+++\n", PP_STORY_TOML,
		 "TOML front matter ('+++') is not supported: convert it to YAML between '---' lines"},
	};

	(void)state;
	expect_sniffs(cases, UNIT_NELEM(cases));
}

static void sniff_not_a_story(void **state)
{
	static const sniff_case cases[] = {
		{"# README\n\nSome text.\n", PP_STORY_NOT_STORY, NULL},
		{"", PP_STORY_NOT_STORY, NULL},
		{"--- x\nid: X-1\n", PP_STORY_NOT_STORY, NULL},
		/* a thematic break, or a '---' with no field after it, is markdown */
		{"----\n\nSome text.\n", PP_STORY_NOT_STORY, NULL},
		{"\n---\nSome text: it goes on\n", PP_STORY_UNREADABLE, WHY_BLANK},
		{"\n---\n\n# Title\n", PP_STORY_NOT_STORY, NULL},
		{"  ---\n", PP_STORY_NOT_STORY, NULL},
	};

	(void)state;
	expect_sniffs(cases, UNIT_NELEM(cases));
}

static void sniff_utf16(void **state)
{
	static const char le[] = "\xFF\xFE-\0-\0-\0\n\0";
	static const char be[] = "\xFE\xFF\0-\0-\0-\0\n";
	static const char bare[] = "-\0-\0-\0\n\0i\0d\0";
	const char *why = NULL;

	(void)state;
	assert_int_equal(pp_story_sniff(le, sizeof(le) - 1, &why), PP_STORY_UNREADABLE);
	assert_string_equal(why, "UTF-16 text (a UTF-16 byte order mark): save it as UTF-8");
	assert_int_equal(pp_story_sniff(be, sizeof(be) - 1, &why), PP_STORY_UNREADABLE);
	assert_int_equal(pp_story_sniff(bare, sizeof(bare) - 1, &why), PP_STORY_UNREADABLE);
	assert_string_equal(why, "UTF-16 text (no byte order mark): save it as UTF-8");
}

static void sniff_mistyped_delimiters(void **state)
{
	static const sniff_case cases[] = {
		{"----\nid: X-1\n----\n", PP_STORY_UNREADABLE, WHY_DELIMITER},
		{"-- -\nid: X-1\n", PP_STORY_UNREADABLE, WHY_DELIMITER},
		{"- - -\n\ntitle: T\n", PP_STORY_UNREADABLE, WHY_DELIMITER},
		{"--\nid: X-1\n", PP_STORY_UNREADABLE, WHY_DELIMITER},
		{"  ---\nid: X-1\n---\n", PP_STORY_UNREADABLE,
		 "the opening '---' is indented: it must start at column 1"},
		{"\n\n---\nid: X-1\n---\n", PP_STORY_UNREADABLE, WHY_BLANK},
		{" \r\n---\r\n\"id\": X-1\r\n", PP_STORY_UNREADABLE, WHY_BLANK},
	};

	(void)state;
	expect_sniffs(cases, UNIT_NELEM(cases));
}

/* ---- the forms through pp_story_parse ------------------------------------------ */

/* Each form the parser refuses: an error at 1:1 with the sniffer's reason. */
static void parse_refuses_with_reason(void **state)
{
	static const char le[] = "\xFF\xFE-\0-\0-\0\n\0";

	(void)state;
	expect_error("+++\nid = \"X-1\"\n+++\n", 1, 1,
		     "TOML front matter ('+++') is not supported");
	expect_error_n(le, sizeof(le) - 1, 1, 1, "UTF-16 text");
	expect_error("----\nid: X-1\ntitle: T\n----\n", 1, 1, "is not exactly '---'");
	expect_error("\n---\nid: X-1\ntitle: T\n---\n", 1, 1, "blank lines before the opening");
	expect_error("\t---\nid: X-1\ntitle: T\n---\n", 1, 1, "is indented");
	expect_error("# README\n", 1, 1, "no front matter: a story file starts with a line '---'");
}

/* CR-only line ends (old Mac files): YAML reads CR as a line break, and so do we. */
static void cr_only_line_ends(void **state)
{
	static const char text[] = "---\rid: X-1\rtitle: T\rlabels:\r  - a\r  - b\rpriority: "
				   "whenever\r---\r# Body\r- [x] done\r- [ ] open\r";
	pp_story s;

	(void)state;
	parse_text_ok("t.md", text, sizeof(text) - 1, &s);
	assert_string_equal(s.key, "X-1");
	assert_string_equal(s.title, "T");
	assert_int_equal(s.n_labels, 2);
	assert_int_equal(s.title_pos.line, 3);
	assert_int_equal(s.title_pos.column, 8);
	expect_warning(&s, 7, 11, "priority \"whenever\"");
	assert_string_equal(s.body, "# Body\r- [x] done\r- [ ] open\r");
	assert_int_equal(s.checklist_total, 2);
	assert_int_equal(s.checklist_done, 1);
	pp_story_free(&s);
	/* the title from a heading, positions in the body count CR lines too */
	parse_text_ok("t.md", "---\rid: X-1\r---\r\r# X-1: From CR\r", 31, &s);
	assert_string_equal(s.title, "From CR");
	assert_int_equal(s.title_pos.line, 5);
	assert_int_equal(s.title_pos.column, 8);
	pp_story_free(&s);
	expect_error("---\rid: X-1\rtitle: [a\r---\r", 4, 1, "invalid YAML");
	expect_error("---\rid: X-1\rtitle: caf\xE9\r---\r", 3, 11, "invalid UTF-8");
}

/* Hugo/Jekyll-style JSON front matter: the same field mapping. */
static void json_front_matter(void **state)
{
	static const char text[] =
		"{\n"
		"  \"id\": \"INF-013\",\n"
		"  \"title\": \"From JSON\",\n"
		"  \"tags\": [\"a\", \"B\"],\n"
		"\t\"priority\": 3,\n"
		"  \"estimate\": \"2sp\",\n"
		"  \"created\": \"2025-08-28T10:00:00+02:00\",\n"
		"  \"market\": null, \"nested\": {\"x\": [1, 2.5, true]}, \"big\": 12345678901234567890123\n"
		"}\n"
		"\n# Body\n- [ ] open\n";
	pp_story s;

	(void)state;
	parse_text_ok("t.md", text, sizeof(text) - 1, &s);
	assert_string_equal(s.key, "INF-013");
	assert_int_equal(s.key_pos.line, 2);
	assert_int_equal(s.key_pos.column, 9);
	assert_string_equal(s.title, "From JSON");
	assert_int_equal(s.n_labels, 2);
	assert_string_equal(s.labels[1], "b");
	assert_int_equal(s.priority_rank, 3);
	assert_int_equal(s.priority_pos.line, 5);
	assert_int_equal(s.priority_pos.column, 14);
	assert_string_equal(s.estimate_raw, "2sp");
	assert_string_equal(s.created_utc, "2025-08-28T08:00:00Z");
	assert_string_equal(s.metadata_json, "{\"market\":null,\"nested\":{\"x\":[1,2.5,true]},"
					     "\"big\":\"12345678901234567890123\"}");
	assert_string_equal(s.body, "\n# Body\n- [ ] open\n");
	assert_int_equal(s.checklist_total, 1);
	assert_int_equal(s.n_warnings, 0);
	pp_story_free(&s);
	/* the body right after the '}' when text follows it on its line; a warning's position */
	parse_text_ok("t.md", "{\"id\": \"X-1\", \"title\": \"T\", \"priority\": \"soon\"} tail",
		      52, &s);
	assert_string_equal(s.body, " tail");
	expect_warning(&s, 1, 41, "priority \"soon\"");
	pp_story_free(&s);
	parse_text_ok("X-2.md", "{}\n# Heading\n", 13,
		      &s); /* key from the name, title from the body */
	assert_string_equal(s.key, "X-2");
	assert_string_equal(s.title, "Heading");
	pp_story_free(&s);
}

static void json_front_matter_errors(void **state)
{
	static const story_error errors[] = {
		{"{\"id\": \"X-1\",\n \"title\": \"T\",\n}\n", 3, 2, "invalid JSON front matter:"},
		{"{\"id\": \"X-1\", \"id\": \"X-2\"}\n", 1, 19,
		 "invalid JSON front matter: duplicate object key"},
		{"{\"id\": \"X-1\"\n", 2, 1, "invalid JSON front matter: '}' expected"},
		{"{\"id\": \"caf\xE9\"}\n", 1, 12, "invalid UTF-8"},
		{"[\"id\"]\n", 1, 1, "no front matter"},
	};

	(void)state;
	expect_errors(errors);
}

/* ---- templates -------------------------------------------------------------------- */

/* Whether path, read or not, is a template by its name. */
static int template_path(const char *path)
{
	return pp_story_template_reason(path, NULL, 0) != NULL;
}

/* Whether path, holding a story that is no template by its id, is one by its name. */
static int template_story_path(const char *path)
{
	return pp_story_template_reason(path, "---\nid: X-1\n---\n", 16) != NULL;
}

/* Whether a story with line in its front matter (and "id: XXX-000" in its body) is a template. */
static int template_id_line(const char *line)
{
	char text[128];

	snprintf(text, sizeof(text), "---\ntitle: T\n%s---\nid: XXX-000\n", line);
	return pp_story_template_reason("s.md", text, strlen(text)) != NULL;
}

static void template_by_path(void **state)
{
	static const char *const yes[] = {
		"templates/story.md",     "a/Templates/b/INF-1.md", "template/x.md",
		"_template.md",           "story-template.md",      "TEMPLATE.md",
		"docs/story_template.md", "templates.md",           "template-v2.md",
	};
	static const char *const no[] = {"contemplate.md", "stories/INF-1.md", "mytemplates/x.md",
					 "templated.md", "x/templatex/y.md"};

	(void)state;
	unit_each_is(template_path, yes, 1);
	unit_each_is(template_story_path, no, 0);
	assert_string_equal(pp_story_template_reason("templates/a.md", NULL, 0),
			    "a template: it is under a templates/ directory");
	assert_string_equal(pp_story_template_reason("_template.md", NULL, 0),
			    "a template: its file name says so");
	assert_null(pp_story_template_reason(NULL, NULL, 0));
}

static void template_by_id(void **state)
{
	static const char *const yes[] = {
		"id: ADH-###\n",
		"id: {{id}}\n",
		"id: \"{{ id }}\"\n",
		"id: <ID>\n",
		"id: XXX-000\n",
		"id: 'XXX-###'\n",
		"id: xx-nnn\n",
		"id: X\n",
		"id: ${KEY}\n",
		"id: STORY-TEMPLATE\n",
		"id:   XXX_XXX   # fill in\n",
	};
	static const char *const no[] = {"id: INF-013\n",   "id: XX-1\n",       "id: ABC-000\n",
					 "  id: ADH-###\n", "title: ADH-###\n", "id: X-1 # ok\n"};

	(void)state;
	unit_each_is(template_id_line, yes, 1);
	unit_each_is(template_id_line, no, 0); /* the body's "id:" is not the front matter's */
	assert_string_equal(
		pp_story_template_reason("s.md", "---\nid: ADH-###\n---\n", 20),
		"a template: its id is a placeholder (such as ADH-###, XXX-000 or {{id}})");
	assert_non_null(pp_story_template_reason("s.md", "{\"id\": \"{{id}}\"}", 16));
	assert_null(pp_story_template_reason("s.md", "{\"id\": \"X-1\"}", 13));
	assert_null(pp_story_template_reason("s.md", "# README\nid: XXX\n", 17));
}

/* ---- a messy repository: every file gets a verdict ----------------------------- */

static void messy_repository(void **state)
{
	static const struct {
		const char *path;
		pp_story_kind kind;
		int is_template, parses;
		const char *key, *title;
		size_t warnings;
	} files[] = {
		{"LLM-007-sales-pitch-personalization.md", PP_STORY_YAML, 0, 1,
		 "LLM-007-sales-pitch-personalization", "Sales pitch personalization", 3},
		{"adh-001.md", PP_STORY_JSON, 0, 1, "adh-001", "Adherence reminders", 0},
		{"SCHEDULING_AUTOMATION.md", PP_STORY_YAML, 0, 1, "SCHEDULING_AUTOMATION",
		 "Scheduling automation", 1},
		{"templates/story.md", PP_STORY_YAML, 1, 0, NULL, NULL, 0},
		{"_template.md", PP_STORY_YAML, 1, 0, NULL, NULL, 0},
		{"README.md", PP_STORY_NOT_STORY, 0, 0, NULL, NULL, 0},
		{"hugo-toml.md", PP_STORY_TOML, 0, 0, NULL, NULL, 0},
		{"notes-utf16.md", PP_STORY_UNREADABLE, 0, 0, NULL, NULL, 0},
		{"OPS-9.md", PP_STORY_UNREADABLE, 0, 0, NULL, NULL, 0},
		{"broken-yaml.md", PP_STORY_YAML, 0, 0, NULL, NULL, 0},
	};
	char name[256], *data;
	size_t i, len;
	pp_story s;
	pp_err err;

	(void)state;
	for (i = 0; i < UNIT_NELEM(files); i++) {
		snprintf(name, sizeof(name), "messy/%s", files[i].path);
		data = fixture(name, &len);
		unit_int_equal(files[i].path, pp_story_sniff(data, len, NULL), files[i].kind);
		unit_int_equal(files[i].path,
			       pp_story_template_reason(files[i].path, data, len) != NULL,
			       files[i].is_template);
		pp_err_clear(&err);
		if (files[i].is_template) { /* the importer skips these before parsing */
			free(data);
			continue;
		}
		if (files[i].parses) {
			parse_text_ok(files[i].path, data, len, &s);
			unit_str_equal(files[i].path, s.key, files[i].key);
			unit_str_equal(files[i].path, s.title, files[i].title);
			unit_int_equal(files[i].path, s.n_warnings, files[i].warnings);
			pp_story_free(&s);
		} else {
			unit_int_equal(files[i].path,
				       pp_story_parse(files[i].path, data, len, &s, &err),
				       PP_EINVAL);
		}
		free(data);
	}
}

/* The story with no id, no title, aliases and unusable values, field by field. */
static void messy_story_in_detail(void **state)
{
	const char *path = "LLM-007-sales-pitch-personalization.md";
	char *data;
	size_t len;
	pp_story s;

	(void)state;
	data = fixture("messy/LLM-007-sales-pitch-personalization.md", &len);
	parse_text_ok(path, data, len, &s);
	assert_int_equal(s.key_from_path, 1);
	assert_int_equal(s.title_from_body, 1);
	assert_int_equal(s.title_pos.line, 17);
	assert_int_equal(s.title_pos.column, 12);
	assert_string_equal(s.status, "In Progress");
	assert_string_equal(s.priority, "high");
	assert_string_equal(s.estimate_raw, "5");
	assert_true(s.has_points && s.estimate_points == 5);
	assert_int_equal(s.n_labels, 3);
	assert_string_equal(s.labels[0], "ai");
	assert_string_equal(s.labels[1], "sales");
	assert_string_equal(s.labels[2], "llm");
	assert_int_equal(s.n_deps, 1);
	assert_string_equal(s.deps[0].key, "LLM-003");
	assert_string_equal(s.owner, "sales-team");
	assert_string_equal(s.created_utc, "2025-09-01T09:30:00Z");
	assert_null(s.last_updated);
	expect_warning(&s, 10, 5, "dependency \"see LLM-004\"");
	expect_warning(&s, 13, 15, "last_updated \"someday\" is not a date");
	expect_warning(&s, 1, 1, "comes from the file name");
	assert_string_equal(s.metadata_json, "{\"depends_on\":[\"see LLM-004\"],"
					     "\"last_updated\":\"someday\",\"market\":\"emea\"}");
	assert_int_equal(s.checklist_total, 2);
	assert_int_equal(s.checklist_done, 1);
	pp_story_free(&s);
	free(data);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(sniff_yaml),
	cmocka_unit_test(sniff_json),
	cmocka_unit_test(sniff_toml),
	cmocka_unit_test(sniff_not_a_story),
	cmocka_unit_test(sniff_utf16),
	cmocka_unit_test(sniff_mistyped_delimiters),
	cmocka_unit_test(parse_refuses_with_reason),
	cmocka_unit_test(cr_only_line_ends),
	cmocka_unit_test(json_front_matter),
	cmocka_unit_test(json_front_matter_errors),
	cmocka_unit_test(template_by_path),
	cmocka_unit_test(template_by_id),
	cmocka_unit_test(messy_repository),
	cmocka_unit_test(messy_story_in_detail),
};

UNIT_MAIN("story_sniff", tests)
