/*
 * tests/unit/import/story_fields.c: tests what src/import/story.c and story_fields.c make
 * of the known fields as real repositories write them: keys in any form and
 * from the file name, titles from the first heading, priorities as levels and
 * ranks, field aliases, labels, dependencies, estimates, dates (and their UTC
 * form), and metadata in file order; and that a value which cannot be used
 * is a warning at its position, kept in metadata, never the story's end.
 */
#include "story_test.h"
#include "unit.h"

/* The story "---\nid: ID\ntitle: T\n---\n", as file path, parses into s. */
static void parse_id(const char *path, const char *id, pp_story *s)
{
	char text[256];

	snprintf(text, sizeof(text), "---\nid: %s\ntitle: T\n---\n", id);
	parse_text_ok(path, text, strlen(text), s);
}

/* ---- keys ---------------------------------------------------------------- */

/* Each key form teams use is kept exactly as written. */
static void key_forms(void **state)
{
	static const char *const keys[] = {
		"INF-013",
		"LLM-007-sales-pitch-personalization",
		"adh-001",
		"SCHEDULING_AUTOMATION",
		"api.v2-3",
		"123",
		"A",
		"x1234567890123456789012345678901234567890123456789012345678901_3", /* 64 */
	};
	pp_story s;
	size_t i;

	(void)state;
	for (i = 0; i < UNIT_NELEM(keys); i++) {
		parse_id("t.md", keys[i], &s);
		unit_str_equal(keys[i], s.key, keys[i]);
		unit_int_equal(keys[i], s.key_pos.line, 2);
		unit_int_equal(keys[i], s.key_pos.column, 5);
		unit_int_equal(keys[i], s.key_from_path, 0);
		unit_int_equal(keys[i], s.n_warnings, 0);
		pp_story_free(&s);
	}
}

/* A quoted id and a YAML number keep their text; blanks around it go. */
static void key_quoted_and_number(void **state)
{
	pp_story s;

	(void)state;
	parse_text_ok("t.md", "---\nid: \" TOOL_X-1 \"\ntitle: 42\n---\n", 34, &s);
	assert_string_equal(s.key, "TOOL_X-1");
	assert_string_equal(s.title, "42"); /* scalars keep their text */
	pp_story_free(&s);
	parse_text_ok("t.md", "---\nid: 007\ntitle: T\n---\n", 24, &s);
	assert_string_equal(s.key, "007");
	pp_story_free(&s);
}

/* An unusable id is a warning, kept in metadata; the file name gives the key. */
static void key_unusable_falls_back_to_file_name(void **state)
{
	static const struct {
		const char *id, *meta;
	} bad[] = {
		{"OTHER:INF-1", "{\"id\":\"OTHER:INF-1\"}"},
		{"'a/b'", "{\"id\":\"a/b\"}"},
		{"'two words'", "{\"id\":\"two words\"}"},
		{"\"tab\\there\"", "{\"id\":\"tab\\there\"}"},
		{"-x", "{\"id\":\"-x\"}"},
		{"'été-1'", "{\"id\":\"été-1\"}"},
		{"A-123456789012345678901234567890123456789012345678901234567890123",
		 "{\"id\":\"A-123456789012345678901234567890123456789012345678901234567890123\"}"},
		{"[X-1]", "{\"id\":[\"X-1\"]}"},
	};
	pp_story s;
	size_t i;

	(void)state;
	for (i = 0; i < UNIT_NELEM(bad); i++) {
		parse_id("stories/INF-013.md", bad[i].id, &s);
		unit_str_equal(bad[i].id, s.key, "INF-013");
		unit_int_equal(bad[i].id, s.key_from_path, 1);
		unit_int_equal(bad[i].id, s.key_pos.line, 1);
		unit_int_equal(bad[i].id, s.n_warnings, 2);
		expect_warning(&s, 2, 5, "(kept in metadata)");
		expect_warning(&s, 1, 1,
			       "no usable id: the key \"INF-013\" comes from the file name");
		unit_str_equal(bad[i].id, s.metadata_json, bad[i].meta);
		pp_story_free(&s);
	}
	parse_text_ok("t.md", "---\nid: OTHER:INF-1\ntitle: T\n---\n", 32, &s);
	expect_warning(&s, 2, 5,
		       "id \"OTHER:INF-1\" is not a usable key: letters, digits, '-', '_' and "
		       "'.', starting with a letter or digit, at most 64 characters (no ':', '/' "
		       "or spaces) (kept in metadata)");
	pp_story_free(&s);
	parse_text_ok("t.md", "---\nid: ADH-###\ntitle: T\n---\n", 28, &s);
	expect_warning(&s, 2, 5, "is not a usable key (a template placeholder?)");
	pp_story_free(&s);
}

/* No id at all: the file name's stem, with a warning; when that is no key either, an error. */
static void key_from_file_name(void **state)
{
	static const char text[] = "---\ntitle: T\n---\n";
	pp_story s;

	(void)state;
	parse_text_ok("a/b/LLM-007-sales-pitch-personalization.md", text, sizeof(text) - 1, &s);
	assert_string_equal(s.key, "LLM-007-sales-pitch-personalization");
	assert_int_equal(s.key_from_path, 1);
	assert_int_equal(s.key_pos.line, 1);
	assert_int_equal(s.key_pos.column, 1);
	assert_int_equal(s.n_warnings, 1);
	expect_warning(&s, 1, 1,
		       "no usable id: the key \"LLM-007-sales-pitch-personalization\" comes from "
		       "the file name");
	pp_story_free(&s);
	parse_text_ok("INF-1.2.md", text, sizeof(text) - 1, &s); /* only the last extension */
	assert_string_equal(s.key, "INF-1.2");
	pp_story_free(&s);
	parse_text_ok("README", text, sizeof(text) - 1, &s);
	assert_string_equal(s.key, "README");
	pp_story_free(&s);
	expect_error_at("dir/my story.md", text, sizeof(text) - 1, 1, 1,
			"missing id: no usable 'id:' in the front matter, and the file name \"my "
			"story\" is not a key either");
	expect_error_at("x/.hidden.md", text, sizeof(text) - 1, 1, 1, "file name \".hidden\"");
	expect_error_at("ok.d/", text, sizeof(text) - 1, 1, 1, "file name \"\"");
}

/* ---- titles --------------------------------------------------------------- */

/* No title: the first "# " heading, without a leading key; title_pos at its text. */
static void title_from_heading(void **state)
{
	static const struct {
		const char *body, *title;
		int line, col;
	} cases[] = {
		{"\n# LLM-003: Entity resolution\n", "Entity resolution", 6, 12},
		{"# X-1 - Dash\n", "Dash", 5, 9},
		{"# x-1 — Em dash\n", "Em dash", 5, 9},
		{"# X-1 – En dash\n", "En dash", 5, 9},
		{"# X-1 | Pipe\n", "Pipe", 5, 9},
		{"# X-1: \n", "X-1:", 5, 3}, /* nothing after the key: kept whole */
		{"# X-1-slug: From the key's start\n", "From the key's start", 5, 13},
		{"# Plain title #\n", "Plain title", 5, 3},
		{"# C# in a title\n", "C# in a title", 5, 3},
		{"# Setup: not a key\n", "Setup: not a key", 5, 3},
		{"   #   Indented  ##  \n", "Indented", 5, 8},
		{"text\n## Second level\n#NoSpace\n    # code\n```\n# in a fence\n```\n# Real\n",
		 "Real", 12, 3},
		{"# T\r\n", "T", 5, 3},
	};
	char text[512];
	pp_story s;
	size_t i;

	(void)state;
	for (i = 0; i < UNIT_NELEM(cases); i++) {
		snprintf(text, sizeof(text), "---\nid: X-1\nstatus: draft\n---\n%s", cases[i].body);
		parse_text_ok("t.md", text, strlen(text), &s);
		unit_str_equal(cases[i].body, s.title, cases[i].title);
		unit_int_equal(cases[i].body, s.title_from_body, 1);
		unit_int_equal(cases[i].body, s.title_pos.line, cases[i].line);
		unit_int_equal(cases[i].body, s.title_pos.column, cases[i].col);
		unit_int_equal(cases[i].body, s.n_warnings, 0);
		pp_story_free(&s);
	}
}

/* The stem-derived key is stripped from the heading too. */
static void title_from_heading_with_key_from_path(void **state)
{
	static const char text[] = "---\nstatus: draft\n---\n# LLM-007: Sales pitch\n";
	pp_story s;

	(void)state;
	parse_text_ok("LLM-007-sales-pitch.md", text, sizeof(text) - 1, &s);
	assert_string_equal(s.key, "LLM-007-sales-pitch");
	assert_string_equal(s.title, "Sales pitch");
	pp_story_free(&s);
}

/* A title: in the front matter wins over the heading; an unusable one falls back to it. */
static void title_front_matter_wins(void **state)
{
	pp_story s;

	(void)state;
	parse_ok("", "# The heading\n", &s);
	assert_string_equal(s.title, "T");
	assert_int_equal(s.title_from_body, 0);
	pp_story_free(&s);
	parse_text_ok("t.md", "---\nid: X-1\ntitle: [a]\n---\n# The heading\n", 40, &s);
	assert_string_equal(s.title, "The heading");
	expect_warning(&s, 3, 8, "title must be a single value");
	assert_string_equal(s.metadata_json, "{\"title\":[\"a\"]}");
	pp_story_free(&s);
}

/* ---- priority --------------------------------------------------------------- */

/* A level, a rank, or both: no warning, nothing kept in metadata. */
static void priority_levels_and_ranks(void **state)
{
	static const struct {
		const char *yaml, *level;
		int rank;
	} cases[] = {
		{"critical", "critical", 0},
		{"URGENT", "critical", 0},
		{"p0", "critical", 0},
		{"High", "high", 0},
		{"P1", "high", 0},
		{"medium", "medium", 0},
		{"Normal", "medium", 0},
		{"p2", "medium", 0},
		{"low", "low", 0},
		{"P3", "low", 0},
		{"' high '", "high", 0},
		{"7", NULL, 7},
		{"'12'", NULL, 12},
		{"1", NULL, 1},
		{"2147483647", NULL, 2147483647},
		{"high 2", "high", 2},
		{"3 (low)", "low", 3},
		{"p1/4", "high", 4},
		{"critical, 1", "critical", 1},
	};
	pp_story s;
	size_t i;

	(void)state;
	for (i = 0; i < UNIT_NELEM(cases); i++) {
		parse_okf(&s, "priority: %s\n", cases[i].yaml);
		unit_str_equal(cases[i].yaml, s.priority, cases[i].level);
		unit_int_equal(cases[i].yaml, s.priority_rank, cases[i].rank);
		unit_int_equal(cases[i].yaml, s.priority_pos.line, 4);
		unit_int_equal(cases[i].yaml, s.priority_pos.column, 11);
		unit_int_equal(cases[i].yaml, s.n_warnings, 0);
		unit_str_equal(cases[i].yaml, s.metadata_json, "{}");
		pp_story_free(&s);
	}
}

/* A priority planpipe cannot use never costs the story. */
static void priority_unusable(void **state)
{
	static const struct {
		const char *yaml, *meta;
	} bad[] = {
		{"ad-hoc", "{\"priority\":\"ad-hoc\"}"},
		{"0", "{\"priority\":0}"},
		{"-1", "{\"priority\":-1}"},
		{"1.5", "{\"priority\":1.5}"},
		{"2147483648", "{\"priority\":2147483648}"},
		{"high low", "{\"priority\":\"high low\"}"},
		{"1 2", "{\"priority\":\"1 2\"}"},
		{"[high]", "{\"priority\":[\"high\"]}"},
	};
	char extra[128];
	pp_story s;
	size_t i;

	(void)state;
	for (i = 0; i < UNIT_NELEM(bad); i++) {
		snprintf(extra, sizeof(extra), "priority: %s\n", bad[i].yaml);
		parse_warn(extra, 4, 11, "priority", bad[i].meta, &s);
		unit_str_equal(bad[i].yaml, s.priority, NULL);
		unit_int_equal(bad[i].yaml, s.priority_rank, 0);
		pp_story_free(&s);
	}
	parse_warn(
		"priority: ad-hoc\n", 4, 11,
		"priority \"ad-hoc\" is neither a level (critical, high, medium, low; also "
		"urgent, normal, p0 to p3) nor a rank (a whole number from 1) (kept in metadata)",
		NULL, &s);
	pp_story_free(&s);
}

/* ---- status ---------------------------------------------------------------- */

static void status_as_written(void **state)
{
	pp_story s;

	(void)state;
	parse_ok("status: \"  In Review \"\n", "", &s);
	assert_string_equal(s.status, "In Review"); /* trimmed; the importer maps it */
	pp_story_free(&s);
	parse_ok("status: "
		 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n",
		 "", &s);
	assert_int_equal(strlen(s.status), 64);
	pp_story_free(&s);
	parse_warn("status: "
		   "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n",
		   4, 9, "is longer than 64 characters (kept in metadata)", NULL, &s);
	assert_null(s.status);
	pp_story_free(&s);
}

/* ---- aliases ----------------------------------------------------------------- */

static void alias_tags_are_labels(void **state)
{
	pp_story s;

	(void)state;
	parse_ok("tags: [a, B]\n", "", &s);
	assert_int_equal(s.n_labels, 2);
	assert_string_equal(s.labels[1], "b");
	assert_string_equal(s.metadata_json, "{}");
	pp_story_free(&s);
	/* both: merged, labels first whatever the file order, no repeats, no warning */
	parse_ok("tags: [t1, shared]\nlabels: [l1, Shared]\n", "", &s);
	assert_int_equal(s.n_labels, 3);
	assert_string_equal(s.labels[0], "l1");
	assert_string_equal(s.labels[1], "shared");
	assert_string_equal(s.labels[2], "t1");
	assert_int_equal(s.n_warnings, 0);
	assert_string_equal(s.metadata_json, "{}");
	pp_story_free(&s);
	expect_only_warning("tags: [bad tag]\n", 4, 8, "label \"bad tag\"",
			    "{\"tags\":[\"bad tag\"]}");
}

static void alias_estimate(void **state)
{
	static const char *const names[] = {"effort", "story_points", "points"};
	pp_story s;
	size_t i;

	(void)state;
	for (i = 0; i < UNIT_NELEM(names); i++) {
		parse_okf(&s, "%s: 5\n", names[i]);
		unit_str_equal(names[i], s.estimate_raw, "5");
		if (!s.has_points || s.estimate_points != 5)
			fail_msg("%s: not 5 points", names[i]);
		unit_int_equal(names[i], s.estimate_pos.line, 4);
		unit_int_equal(names[i], s.n_warnings, 0);
		unit_str_equal(names[i], s.metadata_json, "{}");
		pp_story_free(&s);
	}
}

static void alias_dependencies_and_owner(void **state)
{
	pp_story s;

	(void)state;
	parse_ok("depends_on: [INF-1]\n", "", &s);
	assert_int_equal(s.n_deps, 1);
	pp_story_free(&s);
	parse_ok("blocked_by: INF-2, OTHER:API-3\n", "", &s);
	assert_int_equal(s.n_deps, 2);
	assert_string_equal(s.deps[1].project, "OTHER");
	pp_story_free(&s);
	parse_ok("assignee: alice\n", "", &s);
	assert_string_equal(s.owner, "alice");
	assert_string_equal(s.metadata_json, "{}");
	pp_story_free(&s);
}

/* Canonical and alias: the canonical wins wherever it stands; the alias stays in metadata. */
static void alias_loses_to_canonical(void **state)
{
	pp_story s;

	(void)state;
	parse_warn("points: 8\nestimate: 3sp\n", 4, 9,
		   "points is not used: estimate (line 5) gives the estimate (kept in metadata)",
		   "{\"points\":8}", &s);
	assert_string_equal(s.estimate_raw, "3sp");
	assert_int_equal(s.estimate_pos.line, 5);
	pp_story_free(&s);
	parse_warn("owner: bob\nassignee: alice\n", 5, 11, "assignee is not used: owner (line 4)",
		   "{\"assignee\":\"alice\"}", &s);
	assert_string_equal(s.owner, "bob");
	pp_story_free(&s);
	parse_warn("dependencies: [A-1]\nblocked_by: [B-1]\n", 5, 13,
		   "blocked_by is not used: dependencies (line 4)", "{\"blocked_by\":[\"B-1\"]}",
		   &s);
	assert_int_equal(s.n_deps, 1);
	assert_string_equal(s.deps[0].key, "A-1");
	pp_story_free(&s);
	/* two aliases: the first in the file wins */
	parse_warn("effort: 2\npoints: 3\n", 5, 9, "points is not used: effort (line 4)",
		   "{\"points\":3}", &s);
	assert_string_equal(s.estimate_raw, "2");
	pp_story_free(&s);
	/* a canonical that says nothing (null) leaves the alias in charge */
	parse_ok("estimate: null\npoints: 3\n", "", &s);
	assert_string_equal(s.estimate_raw, "3");
	assert_int_equal(s.n_warnings, 0);
	pp_story_free(&s);
}

/* ---- labels, dependencies, estimates, dates and the rest ---------------------- */

static void dependencies(void **state)
{
	pp_story s;

	(void)state;
	parse_ok("dependencies:\n  - INF-012\n  - OTHER:API-003\n  - ' INF-014 '\n", "", &s);
	assert_int_equal(s.n_deps, 3);
	expect_dep(&s, 0, NULL, "INF-012", 5, 5);
	expect_dep(&s, 1, "OTHER", "API-003", 0, 0);
	assert_string_equal(s.deps[2].key, "INF-014");
	assert_int_equal(s.n_warnings, 0);
	pp_story_free(&s);
	parse_ok("dependencies: [INF-012, OTHER:API-003, INF-012]\n", "", &s);
	assert_int_equal(s.n_deps, 2);
	assert_int_equal(s.deps[1].pos.column, 25);
	pp_story_free(&s);
	parse_ok("dependencies: INF-012, OTHER:API-003\n", "", &s); /* one text: comma-separated */
	assert_int_equal(s.n_deps, 2);
	pp_story_free(&s);
	parse_ok("dependencies: [adh-001, LLM-007-sales-pitch, OTHER:x.y_z]\n", "", &s);
	assert_int_equal(s.n_deps, 3); /* keys as teams write them */
	assert_string_equal(s.deps[0].key, "adh-001");
	assert_string_equal(s.deps[2].key, "x.y_z");
	pp_story_free(&s);
}

/* A dependency entry that cannot be used costs only itself: a warning, and metadata. */
static void dependencies_unusable(void **state)
{
	pp_story s;

	(void)state;
	parse_warn("dependencies: [INF-012, bad dep]\n", 4, 25,
		   "dependency \"bad dep\" is not KEY or PROJECT:KEY (such as INF-012 or "
		   "OTHER:API-003) (kept in metadata)",
		   "{\"dependencies\":[\"bad dep\"]}", &s);
	assert_int_equal(s.n_deps, 1);
	assert_string_equal(s.deps[0].key, "INF-012");
	pp_story_free(&s);
	expect_only_warning("dependencies: [other:API-003]\n", 4, 16, "not KEY or PROJECT:KEY",
			    "{\"dependencies\":[\"other:API-003\"]}");
	expect_only_warning("dependencies: [':API-003']\n", 4, 16, "not KEY or PROJECT:KEY", NULL);
	expect_only_warning("dependencies: [A:B:C-1]\n", 4, 16, "not KEY or PROJECT:KEY", NULL);
	parse_warn("dependencies:\n  - INF-1\n  -\n", 6, 3,
		   "an empty item in dependencies is skipped", "{}", &s);
	assert_int_equal(s.n_deps, 1);
	pp_story_free(&s);
	expect_only_warning("dependencies:\n  - {a: 1}\n", 5, 5,
			    "an item of dependencies must be a single value, not a list or mapping",
			    "{\"dependencies\":[{\"a\":1}]}");
	parse_warn("dependencies: {INF-1: blocks}\n", 4, 15,
		   "dependencies must be a list, not a mapping (kept in metadata)",
		   "{\"dependencies\":{\"INF-1\":\"blocks\"}}", &s);
	assert_int_equal(s.n_deps, 0);
	pp_story_free(&s);
	parse_warn("dependencies: [X-1, X-2]\n", 4, 16, "X-1 depends on itself",
		   "{\"dependencies\":[\"X-1\"]}", &s);
	assert_int_equal(s.n_deps, 1);
	assert_string_equal(s.deps[0].key, "X-2");
	pp_story_free(&s);
}

static void labels(void **state)
{
	static const struct {
		const char *yaml;
		size_t n;
		const char *last; /* labels[n - 1] */
	} cases[] = {
		{"labels: [database, PostgreSQL, database]\n", 2, "postgresql"},
		{"labels:\n  - a\n  - b-c\n  - été\n", 3, "été"},
		{"labels: \"a, b,, c \"\n", 3, "c"},
		{"labels: []\n", 0, NULL},
	};
	pp_story s;
	size_t i;

	(void)state;
	for (i = 0; i < UNIT_NELEM(cases); i++) {
		parse_ok(cases[i].yaml, "", &s);
		unit_int_equal(cases[i].yaml, s.n_labels, cases[i].n);
		if (cases[i].n > 0)
			unit_str_equal(cases[i].yaml, s.labels[cases[i].n - 1], cases[i].last);
		unit_int_equal(cases[i].yaml, s.n_warnings, 0);
		pp_story_free(&s);
	}
}

static void labels_unusable(void **state)
{
	pp_story s;
	pp_buf b;
	int i;

	(void)state;
	parse_warn("labels: [ok, needs review]\n", 4, 14,
		   "label \"needs review\": no spaces, commas or control characters (kept in "
		   "metadata)",
		   "{\"labels\":[\"needs review\"]}", &s);
	assert_int_equal(s.n_labels, 1);
	pp_story_free(&s);
	expect_only_warning("labels: [[a]]\n", 4, 10, "an item of labels must be a single value",
			    "{\"labels\":[[\"a\"]]}");
	expect_only_warning("labels: {a: 1}\n", 4, 9, "labels must be a list, not a mapping",
			    "{\"labels\":{\"a\":1}}");
	pp_buf_init(&b, 1 << 16);
	assert_int_equal(pp_buf_adds(&b, "labels: ["), PP_OK);
	for (i = 0; i < 65; i++)
		assert_int_equal(pp_buf_printf(&b, "l%d, ", i), PP_OK);
	assert_int_equal(pp_buf_adds(&b, "]\n"), PP_OK);
	parse_warn(pp_buf_str(&b), 4, 320, "label \"l64\": more than 64 labels",
		   "{\"labels\":[\"l64\"]}", &s);
	assert_int_equal(s.n_labels, 64);
	pp_story_free(&s);
	pp_buf_free(&b);
}

static void estimates(void **state)
{
	static const struct {
		const char *yaml, *raw;
		int has;
		double points;
	} cases[] = {
		{"\"3sp\"", "3sp", 1, 3},
		{"\"3\"", "3", 1, 3},
		{"3", "3", 1, 3},
		{"\"0.5 sp\"", "0.5 sp", 1, 0.5},
		{"5 points", "5 points", 1, 5},
		{"2 SP", "2 SP", 1, 2},
		{"1 story point", "1 story point", 1, 1},
		{"8pts", "8pts", 1, 8},
		{".5", ".5", 1, 0.5},
		{"XL", "XL", 0, 0},
		{"3 days", "3 days", 0, 0},
		{"-1", "-1", 0, 0},
		{"true", "true", 0, 0},
		{"999999.99", "999999.99", 1, 999999.99},
	};
	pp_story s;
	size_t i;

	(void)state;
	for (i = 0; i < UNIT_NELEM(cases); i++) {
		parse_okf(&s, "estimate: %s\n", cases[i].yaml);
		unit_str_equal(cases[i].yaml, s.estimate_raw, cases[i].raw);
		unit_int_equal(cases[i].yaml, s.has_points, cases[i].has);
		if (s.estimate_points != cases[i].points)
			fail_msg("%s: %g points, expected %g", cases[i].yaml, s.estimate_points,
				 cases[i].points);
		unit_int_equal(cases[i].yaml, s.estimate_pos.line, 4);
		unit_int_equal(cases[i].yaml, s.estimate_pos.column, 11);
		pp_story_free(&s);
	}
	parse_ok("estimate: null\n", "", &s);
	assert_null(s.estimate_raw);
	assert_int_equal(s.has_points, 0);
	pp_story_free(&s);
}

static void estimates_unusable(void **state)
{
	pp_story s;

	(void)state;
	parse_warn("estimate: 1000000\n", 4, 11,
		   "estimate \"1000000\": at most 999999.99 points (kept in metadata)",
		   "{\"estimate\":1000000}", &s);
	assert_null(s.estimate_raw);
	assert_int_equal(s.has_points, 0);
	assert_true(s.estimate_points == 0);
	pp_story_free(&s);
	expect_only_warning(
		"estimate: [3]\n", 4, 11,
		"estimate must be a single value, not a list or mapping (kept in metadata)",
		"{\"estimate\":[3]}");
	parse_warn("estimate: 123456789012345678901234567890123\n", 4, 11,
		   "estimate \"123456789012345678901234567890123\" is longer than 32 characters",
		   "{\"estimate\":\"123456789012345678901234567890123\"}", &s);
	assert_null(s.estimate_raw);
	pp_story_free(&s);
}

static void dates(void **state)
{
	static const struct {
		const char *yaml, *text, *utc;
	} good[] = {
		{"2025-08-28", "2025-08-28", "2025-08-28T00:00:00Z"},
		{"\"2025-08-28\"", "2025-08-28", "2025-08-28T00:00:00Z"},
		{"'2024-02-29'", "2024-02-29", "2024-02-29T00:00:00Z"},
		{"2025-08-28T14:30:00Z", "2025-08-28T14:30:00Z", "2025-08-28T14:30:00Z"},
		{"2025-08-28t14:30:00z", "2025-08-28t14:30:00z", "2025-08-28T14:30:00Z"},
		{"2025-08-28 14:30", "2025-08-28 14:30", "2025-08-28T14:30:00Z"}, /* no zone: UTC */
		{"2025-08-28T14:30:00.123456+02:00", "2025-08-28T14:30:00.123456+02:00",
		 "2025-08-28T12:30:00.123456Z"},
		{"2001-12-14 21:59:43.10 -5", "2001-12-14 21:59:43.10 -5",
		 "2001-12-15T02:59:43.100000Z"}, /* across midnight */
		{"2025-08-28T14:30+0530", "2025-08-28T14:30+0530", "2025-08-28T09:00:00Z"},
		{"2025-03-01T01:00:00+02:00", "2025-03-01T01:00:00+02:00", "2025-02-28T23:00:00Z"},
		{"2024-12-31T23:30:00-01:00", "2024-12-31T23:30:00-01:00", "2025-01-01T00:30:00Z"},
		{"2025-08-28T14:30:00.1234567Z", "2025-08-28T14:30:00.1234567Z",
		 "2025-08-28T14:30:00.123456Z"}, /* beyond microseconds: cut */
		{"2025-08-28T14:30:00.000Z", "2025-08-28T14:30:00.000Z", "2025-08-28T14:30:00Z"},
	};
	pp_story s;
	size_t i;

	(void)state;
	for (i = 0; i < UNIT_NELEM(good); i++) {
		parse_okf(&s, "created: %s\nlast_updated: %s\n", good[i].yaml, good[i].yaml);
		unit_str_equal(good[i].yaml, s.created, good[i].text);
		unit_str_equal(good[i].yaml, s.last_updated, good[i].text);
		unit_str_equal(good[i].yaml, s.created_utc, good[i].utc);
		unit_str_equal(good[i].yaml, s.last_updated_utc, good[i].utc);
		unit_int_equal(good[i].yaml, s.n_warnings, 0);
		pp_story_free(&s);
	}
}

static void dates_unusable(void **state)
{
	static const char *const bad[] = {"28/08/2025",  "2025-8-28",     "20250828",
					  "2025-08-28T", "2025-08-28T14", "2025-08-28T14:30:00+",
					  "yesterday"};
	static const char *const impossible[] = {
		"2025-02-30",          "2023-02-29",       "2025-13-01",         "0000-01-01",
		"2025-08-28T24:00:00", "2025-08-28T10:60", "0001-01-01T00:00+01"};
	char text[256], meta[256];
	pp_story s;
	size_t i;

	(void)state;
	for (i = 0; i < UNIT_NELEM(bad); i++) {
		snprintf(text, sizeof(text), "created: '%s'\n", bad[i]);
		snprintf(meta, sizeof(meta), "{\"created\":\"%s\"}", bad[i]);
		parse_warn(text, 4, 10, "is not a date: expected YYYY-MM-DD or an ISO 8601", meta,
			   &s);
		unit_str_equal(bad[i], s.created, NULL);
		unit_str_equal(bad[i], s.created_utc, NULL);
		pp_story_free(&s);
	}
	for (i = 0; i < UNIT_NELEM(impossible); i++) {
		snprintf(text, sizeof(text), "last_updated: %s\n", impossible[i]);
		parse_warn(text, 4, 15, "no such date or time (kept in metadata)", NULL, &s);
		unit_str_equal(impossible[i], s.last_updated, NULL);
		unit_str_equal(impossible[i], s.last_updated_utc, NULL);
		unit_str_has(impossible[i], s.metadata_json, "\"last_updated\":");
		pp_story_free(&s);
	}
}

static void other_fields(void **state)
{
	pp_story s;

	(void)state;
	parse_ok("priority: MEDIUM\nepic: e\nowner: o\nauthor: a\nbranch_name: feature/x-1\n", "",
		 &s);
	assert_string_equal(s.priority, "medium");
	assert_string_equal(s.branch_name, "feature/x-1");
	assert_string_equal(s.epic, "e");
	assert_string_equal(s.owner, "o");
	assert_string_equal(s.author, "a");
	pp_story_free(&s);
}

static void other_fields_unusable(void **state)
{
	pp_story s;

	(void)state;
	parse_warn("branch_name: a..b\n", 4, 14,
		   "branch_name \"a..b\" is not a git branch name: it holds '..', '@{' or '//' "
		   "(kept in metadata)",
		   "{\"branch_name\":\"a..b\"}", &s);
	assert_null(s.branch_name);
	pp_story_free(&s);
	expect_only_warning("branch_name: x.lock\n", 4, 14, "'.lock'", NULL);
	expect_only_warning("branch_name: 'a b'\n", 4, 14, "a space", NULL);
	parse_warn("epic: "
		   "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		   "aaaaaaaaaaaaaaaaaaaaaaaa\n",
		   4, 7, "is longer than 100 characters (kept in metadata)", NULL, &s);
	assert_null(s.epic);
	pp_story_free(&s);
	parse_warn("owner: {name: x}\n", 4, 8, "owner must be a single value",
		   "{\"owner\":{\"name\":\"x\"}}", &s);
	assert_null(s.owner);
	pp_story_free(&s);
	parse_warn("status: [a, b]\n", 4, 9, "status must be a single value", NULL, &s);
	assert_null(s.status);
	pp_story_free(&s);
}

/* ---- metadata ------------------------------------------------------------------ */

/* Unknown fields and kept values interleave in file order. */
static void metadata_in_file_order(void **state)
{
	pp_story s;

	(void)state;
	parse_ok("zeta: 1\npriority: whenever\nalpha: 2\nassignee: x\nowner: y\nmiddle: [3]\n"
		 "created: someday\n",
		 "", &s);
	assert_string_equal(s.metadata_json,
			    "{\"zeta\":1,\"priority\":\"whenever\",\"alpha\":2,\"assignee\":\"x\","
			    "\"middle\":[3],\"created\":\"someday\"}");
	assert_int_equal(s.n_warnings, 3);
	/* warnings come field by field: priority, then owner's alias, then created */
	assert_int_equal(s.warnings[0].line, 5);
	assert_int_equal(s.warnings[1].line, 7);
	assert_int_equal(s.warnings[2].line, 10);
	pp_story_free(&s);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(key_forms),
	cmocka_unit_test(key_quoted_and_number),
	cmocka_unit_test(key_unusable_falls_back_to_file_name),
	cmocka_unit_test(key_from_file_name),
	cmocka_unit_test(title_from_heading),
	cmocka_unit_test(title_from_heading_with_key_from_path),
	cmocka_unit_test(title_front_matter_wins),
	cmocka_unit_test(priority_levels_and_ranks),
	cmocka_unit_test(priority_unusable),
	cmocka_unit_test(status_as_written),
	cmocka_unit_test(alias_tags_are_labels),
	cmocka_unit_test(alias_estimate),
	cmocka_unit_test(alias_dependencies_and_owner),
	cmocka_unit_test(alias_loses_to_canonical),
	cmocka_unit_test(dependencies),
	cmocka_unit_test(dependencies_unusable),
	cmocka_unit_test(labels),
	cmocka_unit_test(labels_unusable),
	cmocka_unit_test(estimates),
	cmocka_unit_test(estimates_unusable),
	cmocka_unit_test(dates),
	cmocka_unit_test(dates_unusable),
	cmocka_unit_test(other_fields),
	cmocka_unit_test(other_fields_unusable),
	cmocka_unit_test(metadata_in_file_order),
};

UNIT_MAIN("story_fields", tests)
