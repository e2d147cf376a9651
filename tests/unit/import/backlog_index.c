/* tests/unit/import/backlog_index.c: tests src/import/backlog_index.c (pure: no files but one). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "unit.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "import/backlog_index.h"

#define NAME "backlog/PRIORITIZATION.json"

static const char good[] =
	"{\n"
	"  \"metadata\": {\"format_version\": \"2.0\", \"last_updated\": \"2025-09-03\",\n"
	"               \"generator\": \"plan_pipe\"},\n"
	"  \"backlog\": [\n"
	"    {\"id\": \"LLM-019\", \"title\": \"Model routing\", \"file_path\": "
	"\"backlog/core/x.md\",\n"
	"     \"status\": \"blocked\", \"priority\": 11, \"estimate\": \"3sp\", \"epic\": "
	"\"core\",\n"
	"     \"dependencies\": [\"LLM-007\", \"OTHER:API-3\"], \"labels\": [\"llm\", "
	"\"routing\"],\n"
	"     \"owner\": \"\", \"created\": \"2025-08-28\", \"last_updated\": \"2025-08-29\",\n"
	"     \"score\": {\"value\": 7}},\n"
	"    {\"id\": \"LLM-020\", \"priority\": \"High\", \"estimate\": 5},\n"
	"    {\"id\": \"LLM-021\", \"priority\": \"12\", \"owner\": null, \"labels\": null}\n"
	"  ]\n"
	"}\n";

static void parse_ok(const char *text, pp_backlog_index *idx)
{
	pp_err err;

	pp_err_clear(&err);
	if (pp_backlog_index_parse(NAME, text, strlen(text), idx, &err) != PP_OK)
		fail_msg("unexpected error: %s", err.msg);
}

static void good_file(void **state)
{
	const pp_backlog_entry *e;
	pp_backlog_index idx;

	(void)state;
	parse_ok(good, &idx);
	assert_int_equal(idx.n_problems, 0);
	assert_string_equal(idx.format_version, "2.0");
	assert_string_equal(idx.last_updated, "2025-09-03");
	assert_int_equal(idx.n_entries, 3);
	e = &idx.entries[0];
	assert_int_equal(e->index, 0);
	assert_string_equal(e->id, "LLM-019");
	assert_string_equal(e->title, "Model routing");
	assert_string_equal(e->file_path, "backlog/core/x.md");
	assert_string_equal(e->status, "blocked");
	assert_true(e->has_rank);
	assert_int_equal(e->rank, 11);
	assert_null(e->priority);
	assert_string_equal(e->estimate, "3sp");
	assert_string_equal(e->epic, "core");
	assert_int_equal(e->n_dependencies, 2);
	assert_string_equal(e->dependencies[1], "OTHER:API-3");
	assert_int_equal(e->n_labels, 2);
	assert_string_equal(e->labels[0], "llm");
	assert_null(e->owner); /* "" is absent */
	assert_string_equal(e->created, "2025-08-28");
	assert_string_equal(e->last_updated, "2025-08-29");
	e = pp_backlog_index_find(&idx, "LLM-020");
	assert_ptr_equal(e, &idx.entries[1]);
	assert_false(e->has_rank);
	assert_string_equal(e->priority, "high");
	assert_string_equal(e->estimate, "5");
	assert_null(e->title);
	assert_null(e->status);
	assert_int_equal(e->n_labels, 0);
	e = pp_backlog_index_find(&idx, "LLM-021");
	assert_true(e->has_rank);
	assert_int_equal(e->rank, 12);
	assert_null(pp_backlog_index_find(&idx, "LLM-999"));
	assert_null(pp_backlog_index_find(&idx, "llm-019"));
	pp_backlog_index_free(&idx);
}

/* Malformed JSON: file:line:column from jansson, nothing else read. */
static void malformed(void **state)
{
	static const struct {
		const char *text;
		const char *prefix;
		const char *needle;
	} cases[] = {
		{"{\n  \"backlog\": [\n    {\"id\": \"A-1\",}\n  ]\n}\n",
		 NAME ":3:18: invalid JSON", "string or '}' expected"},
		{"{\"backlog\": []", NAME ":1:14: invalid JSON", "'}' expected"},
		{"{\"backlog\": [], \"backlog\": []}", NAME ":1:", "duplicate object key"},
		{"", NAME ":", "invalid JSON"},
		{"{\"backlog\": [\"\xff\"]}", NAME ":1:", "invalid JSON"},
	};
	pp_backlog_index idx;
	pp_err err;

	(void)state;
	for (size_t i = 0; i < UNIT_NELEM(cases); i++) {
		pp_err_clear(&err);
		unit_int_equal(cases[i].text,
			       pp_backlog_index_parse(NAME, cases[i].text, strlen(cases[i].text),
						      &idx, &err),
			       PP_EINVAL);
		if (strncmp(err.msg, cases[i].prefix, strlen(cases[i].prefix)) != 0 ||
		    strstr(err.msg, cases[i].needle) == NULL)
			fail_msg("case %zu (%s): got \"%s\"", i, cases[i].text, err.msg);
		unit_int_equal(cases[i].text, idx.n_entries, 0);
		pp_backlog_index_free(&idx);
	}
	pp_err_clear(&err);
	assert_int_equal(pp_backlog_index_parse(NAME, "{\"backlog\": [\n]}", 15, &idx, &err),
			 PP_EINVAL);
	assert_string_equal(err.file, NAME);
	assert_int_equal(err.line, 2);
	pp_backlog_index_free(&idx);
}

/* A wrong root or "backlog": nothing can be read. */
static void wrong_root(void **state)
{
	static const struct {
		const char *text, *msg;
	} cases[] = {
		{"[1, 2]",
		 NAME ": expected an object {\"metadata\": ..., \"backlog\": [...]}, got an array"},
		{"{\"metadata\": {}}",
		 NAME ": backlog: missing: the index needs a \"backlog\" list"},
		{"{\"backlog\": {\"id\": \"A-1\"}}",
		 NAME ": backlog: expected a list of entries, got an object"},
	};
	pp_backlog_index idx;
	pp_err err;

	(void)state;
	for (size_t i = 0; i < UNIT_NELEM(cases); i++) {
		unit_int_equal(cases[i].text,
			       pp_backlog_index_parse(NAME, cases[i].text, strlen(cases[i].text),
						      &idx, &err),
			       PP_EINVAL);
		unit_str_equal(cases[i].text, err.msg, cases[i].msg);
		pp_backlog_index_free(&idx);
	}
}

/* Wrong shapes inside: the entry or the field is skipped, one problem each. */
static void wrong_shapes(void **state)
{
	static const char text[] =
		"{\"metadata\": [1],\n"
		" \"backlog\": [\n"
		"  {\"id\": \"A-1\", \"status\": 3, \"labels\": [\"x\", 7], \"priority\": \"urgent\"},\n"
		"  \"A-2\",\n"
		"  {\"title\": \"no id\"},\n"
		"  {\"id\": 4},\n"
		"  {\"id\": \"  \"},\n"
		"  {\"id\": \"A-6\", \"dependencies\": \"A-1\", \"estimate\": true, \"priority\": 2.0}\n"
		"]}";
	static const char *const expected[] = {
		NAME ": metadata: expected an object, got an array",
		NAME ": backlog[0].status: expected a string, got a number",
		NAME ": backlog[0].priority: expected a rank number or one of critical, high, "
		     "medium, low, got a string \"urgent\"",
		NAME ": backlog[0].labels[1]: expected a string, got a number",
		NAME ": backlog[1]: expected an object, got a string",
		NAME ": backlog[2].id: missing: every entry needs an id",
		NAME ": backlog[3].id: expected a string, got a number",
		NAME ": backlog[4].id: is blank",
		NAME ": backlog[5].estimate: expected a string or a number, got true",
		NAME ": backlog[5].dependencies: expected a list of strings, got a string",
	};
	pp_backlog_index idx;

	(void)state;
	parse_ok(text, &idx);
	assert_int_equal(idx.n_problems, UNIT_NELEM(expected));
	for (size_t i = 0; i < idx.n_problems; i++)
		unit_str_equal(expected[i], idx.problems[i].msg, expected[i]);
	assert_int_equal(idx.problems[0].entry, -1);
	assert_int_equal(idx.problems[4].entry, 1);
	assert_int_equal(idx.n_entries, 2);
	assert_string_equal(idx.entries[0].id, "A-1");
	assert_null(idx.entries[0].status);
	assert_int_equal(idx.entries[0].n_labels, 1);
	assert_false(idx.entries[0].has_rank);
	assert_null(idx.entries[0].priority);
	assert_string_equal(idx.entries[1].id, "A-6");
	assert_int_equal(idx.entries[1].index, 5);
	assert_true(idx.entries[1].has_rank);
	assert_int_equal(idx.entries[1].rank, 2);
	assert_null(idx.format_version);
	pp_backlog_index_free(&idx);
}

/* Duplicate ids: the first wins, each later one is a problem naming the first. */
static void duplicates(void **state)
{
	static const char text[] = "{\"backlog\": [{\"id\": \"B-1\", \"status\": \"draft\"},"
				   " {\"id\": \"B-2\"}, {\"id\": \"B-1\", \"status\": \"done\"},"
				   " {\"id\": \"B-3\", \"status\": 1}, {\"id\": \"B-1\"}]}";
	const pp_backlog_entry *e;
	pp_backlog_index idx;

	(void)state;
	parse_ok(text, &idx);
	assert_int_equal(idx.n_entries, 3);
	assert_string_equal(idx.entries[0].id, "B-1");
	assert_string_equal(idx.entries[1].id, "B-2");
	assert_string_equal(idx.entries[2].id, "B-3");
	assert_int_equal(idx.n_problems, 3);
	assert_string_equal(idx.problems[0].msg, NAME
			    ": backlog[2].id: duplicate id \"B-1\" (first at backlog[0]); skipped");
	assert_string_equal(idx.problems[1].msg,
			    NAME ": backlog[3].status: expected a string, got a number");
	assert_string_equal(idx.problems[2].msg, NAME
			    ": backlog[4].id: duplicate id \"B-1\" (first at backlog[0]); skipped");
	e = pp_backlog_index_find(&idx, "B-1");
	assert_string_equal(e->status, "draft");
	assert_ptr_equal(pp_backlog_index_find(&idx, "B-3"), &idx.entries[2]);
	assert_ptr_equal(pp_backlog_index_find(&idx, "B-2"), &idx.entries[1]);
	pp_backlog_index_free(&idx);
}

static void disagreements(void **state)
{
	static const char text[] =
		"{\"backlog\": [{\"id\": \"C-1\", \"status\": \"blocked\", \"priority\": \"HIGH\"},"
		" {\"id\": \"C-2\", \"priority\": 3}]}";
	pp_backlog_disagreement d[2];
	pp_backlog_index idx;

	(void)state;
	parse_ok(text, &idx);
	assert_int_equal(pp_backlog_compare(&idx.entries[0], "blocked", "high", d), 0);
	assert_int_equal(pp_backlog_compare(&idx.entries[0], "blocked", "High", d), 0);
	assert_int_equal(pp_backlog_compare(&idx.entries[0], "ready", "low", d), 2);
	assert_string_equal(d[0].field, "status");
	assert_string_equal(d[0].index_value, "blocked");
	assert_string_equal(d[0].story_value, "ready");
	assert_string_equal(
		d[0].msg,
		"status: the index says \"blocked\", the file says \"ready\"; the index wins");
	assert_string_equal(d[1].field, "priority");
	assert_string_equal(
		d[1].msg,
		"priority: the index says \"high\", the file says \"low\"; the index wins");
	assert_int_equal(pp_backlog_compare(&idx.entries[0], NULL, "high", d), 1);
	assert_null(d[0].story_value);
	assert_string_equal(
		d[0].msg, "status: the index says \"blocked\", the file has none; the index wins");
	/* A file with no level may have a rank: it gives no level (review 10, finding 24). */
	assert_int_equal(pp_backlog_compare(&idx.entries[0], "blocked", NULL, d), 1);
	assert_string_equal(
		d[0].msg,
		"priority: the index says \"high\", the file gives no level; the index wins");
	/* Case matters for a status (the statuses table's keys). */
	assert_int_equal(pp_backlog_compare(&idx.entries[0], "Blocked", "high", d), 1);
	/* No status and only a rank in the index: nothing to disagree on. */
	assert_int_equal(pp_backlog_compare(&idx.entries[1], "done", "low", d), 0);
	assert_int_equal(pp_backlog_compare(&idx.entries[1], NULL, NULL, d), 0);
	pp_backlog_index_free(&idx);
}

static void load_file(void **state)
{
	char path[] = "/tmp/pp-backlog-index-XXXXXX";
	pp_backlog_index idx;
	pp_err err;
	int fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "{\"backlog\": [\n{\"id\": 1,}]}", 26), 26);
	close(fd);
	assert_int_equal(pp_backlog_index_load(path, &idx, &err), PP_EINVAL);
	assert_true(strncmp(err.msg, path, strlen(path)) == 0);
	assert_non_null(strstr(err.msg, ":2:"));
	pp_backlog_index_free(&idx);
	unlink(path);
	assert_int_equal(pp_backlog_index_load(path, &idx, &err), PP_EIO);
	assert_non_null(strstr(err.msg, path));
	pp_backlog_index_free(&idx);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(good_file),  cmocka_unit_test(malformed),
	cmocka_unit_test(wrong_root), cmocka_unit_test(wrong_shapes),
	cmocka_unit_test(duplicates), cmocka_unit_test(disagreements),
	cmocka_unit_test(load_file),
};

UNIT_MAIN("backlog_index", tests)
