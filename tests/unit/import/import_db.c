/*
 * tests/unit/import/import_db.c: the parts of src/import/import_db.c that
 * need no database: a story as the upsert's JSON document, its
 * dependencies as COPY rows, its status word made the project's key (or an
 * error naming the project's statuses), and the dependencies' spool, an
 * unnamed file in TMPDIR. The transaction itself is
 * tests/integration/test_import.c's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gitrepo.h"
#include "unit.h"
#include "pgresult.h"

#include "import/import_db_int.h"

static void parse_story(const char *text, pp_story *s)
{
	pp_err err;

	memset(s, 0, sizeof(*s));
	pp_err_clear(&err);
	if (pp_story_parse("dir/a.md", text, strlen(text), s, &err) != PP_OK)
		fail_msg("%s", err.msg);
}

static json_t *doc_of(const pp_story *s, const char *git_created, int from_index)
{
	char *text = import_db_story_doc(s, git_created, from_index);
	json_t *d;

	assert_non_null(text);
	d = json_loads(text, 0, NULL);
	assert_non_null(d);
	free(text);
	return d;
}

/* The upsert reads every one of these with jsonb_to_record: each is always there. */
static const char *const doc_fields[] = {
	"key",
	"title",
	"status",
	"priority",
	"priority_rank",
	"estimate_points",
	"estimate_raw",
	"epic",
	"owner",
	"author",
	"branch_name",
	"created",
	"last_updated",
	"git_created",
	"from_index",
	"labels",
	"metadata",
	"body",
	"checklist_total",
	"checklist_done",
};

static void a_story_becomes_the_upserts_document(void **state)
{
	pp_story s;
	json_t *d;

	(void)state;
	parse_story("---\nid: ABC-1\ntitle: Pay\nstatus: Doing\npriority: high\nestimate: 3sp\n"
		    "epic: Money\nlabels: [Billing, api]\ncreated: 2025-08-28\nsize: big\n---\n"
		    "- [x] one\n- [ ] two\n",
		    &s);
	d = doc_of(&s, "2025-08-01T10:00:00Z", 1);
	assert_int_equal(json_object_size(d), UNIT_NELEM(doc_fields));
	for (size_t i = 0; i < UNIT_NELEM(doc_fields); i++)
		unit_true(doc_fields[i], json_object_get(d, doc_fields[i]) != NULL);
	assert_string_equal(json_string_value(json_object_get(d, "key")), "ABC-1");
	assert_string_equal(json_string_value(json_object_get(d, "status")), "Doing");
	assert_string_equal(json_string_value(json_object_get(d, "priority")), "high");
	assert_true(json_is_null(json_object_get(d, "priority_rank")));
	assert_true(json_real_value(json_object_get(d, "estimate_points")) == 3.0);
	assert_string_equal(json_string_value(json_object_get(d, "estimate_raw")), "3sp");
	assert_string_equal(json_string_value(json_object_get(d, "epic")), "Money");
	assert_true(json_is_null(json_object_get(d, "owner")));
	assert_string_equal(json_string_value(json_object_get(d, "created")),
			    "2025-08-28T00:00:00Z");
	assert_string_equal(json_string_value(json_object_get(d, "git_created")),
			    "2025-08-01T10:00:00Z");
	assert_true(json_is_true(json_object_get(d, "from_index")));
	assert_int_equal(json_array_size(json_object_get(d, "labels")), 2);
	assert_string_equal(json_string_value(json_array_get(json_object_get(d, "labels"), 0)),
			    "billing");
	assert_string_equal(
		json_string_value(json_object_get(json_object_get(d, "metadata"), "size")), "big");
	assert_string_equal(json_string_value(json_object_get(d, "body")),
			    "- [x] one\n- [ ] two\n");
	assert_int_equal(json_integer_value(json_object_get(d, "checklist_total")), 2);
	assert_int_equal(json_integer_value(json_object_get(d, "checklist_done")), 1);
	json_decref(d);
	pp_story_free(&s);

	/* Nothing but an id and a title: nulls, an empty body, no metadata. */
	parse_story("---\nid: ABC-2\ntitle: Bare\npriority: 2\n---\n", &s);
	d = doc_of(&s, NULL, 0);
	assert_int_equal(json_object_size(d), UNIT_NELEM(doc_fields));
	assert_true(json_is_null(json_object_get(d, "status")));
	assert_int_equal(json_integer_value(json_object_get(d, "priority_rank")), 2);
	assert_true(json_is_null(json_object_get(d, "estimate_points")));
	assert_true(json_is_null(json_object_get(d, "git_created")));
	assert_true(json_is_false(json_object_get(d, "from_index")));
	assert_int_equal(json_object_size(json_object_get(d, "metadata")), 0);
	assert_string_equal(json_string_value(json_object_get(d, "body")), "");
	json_decref(d);
	pp_story_free(&s);
}

static void dependencies_become_copy_rows(void **state)
{
	pp_story s;
	pp_buf b;

	(void)state;
	parse_story("---\nid: ABC-1\ntitle: T\ndependencies:\n  - ABC-2\n  - WEB:UI-7\n---\n", &s);
	pp_buf_init(&b, 4096);
	assert_int_equal(import_db_dep_rows("dir/a\tb.md", &s, &b), PP_OK);
	assert_string_equal(pp_buf_str(&b), "dir/a\\tb.md\t\\N\tABC-2\t5\t5\n"
					    "dir/a\\tb.md\tWEB\tUI-7\t6\t5\n");
	pp_buf_free(&b);
	pp_story_free(&s);

	/* None: no rows. */
	parse_story("---\nid: ABC-1\ntitle: T\n---\n", &s);
	pp_buf_init(&b, 4096);
	assert_int_equal(import_db_dep_rows("a.md", &s, &b), PP_OK);
	assert_int_equal(b.len, 0);
	pp_buf_free(&b);
	pp_story_free(&s);
}

static void a_status_word_becomes_the_projects_key(void **state)
{
	static const char *const words_v[] = {"Doing", "in_progress", "todo",
					      "todo",  "ghost",       NULL};
	static const char *const workflow_v[] = {"todo, in_progress, done"};
	/* Words nothing knows, or that resolve to no key. */
	static const char *const unknown[] = {"Blocked", "ghost"};
	PGresult *words = pp_t_result(2, 3, words_v), *workflow = pp_t_result(1, 1, workflow_v);
	pp_import_item it;
	pp_import_result res;
	pp_story s;
	char text[128], hint[128];
	const char *msg;

	(void)state;
	memset(&res, 0, sizeof(res));
	memset(&it, 0, sizeof(it));
	it.path = "a.md";
	it.ok = 1;
	parse_story("---\nid: ABC-1\ntitle: T\nstatus: Doing\n---\n", &s);
	assert_int_equal(import_db_status_key(&it, &s, NULL, "ABC", words, workflow, &res), PP_OK);
	assert_string_equal(s.status, "in_progress");
	assert_true(it.ok);
	pp_story_free(&s);

	/* Already the key: unchanged. No status: nothing to do. */
	parse_story("---\nid: ABC-1\ntitle: T\nstatus: todo\n---\n", &s);
	assert_int_equal(import_db_status_key(&it, &s, NULL, "ABC", words, workflow, &res), PP_OK);
	assert_string_equal(s.status, "todo");
	pp_story_free(&s);
	parse_story("---\nid: ABC-1\ntitle: T\n---\n", &s);
	assert_int_equal(import_db_status_key(&it, &s, NULL, "ABC", words, workflow, &res), PP_OK);
	assert_null(s.status);
	assert_true(it.ok);
	assert_int_equal(res.n_problems, 0);
	pp_story_free(&s);

	/* A word nothing knows (or that resolves to no key): an error at the status. */
	for (size_t i = 0; i < UNIT_NELEM(unknown); i++) {
		snprintf(text, sizeof(text), "---\nid: ABC-1\ntitle: T\nstatus: %s\n---\n",
			 unknown[i]);
		snprintf(hint, sizeof(hint), "planpipe workflow add ABC \"%s\"", unknown[i]);
		parse_story(text, &s);
		it.ok = 1;
		unit_int_equal(unknown[i],
			       import_db_status_key(&it, &s, NULL, "ABC", words, workflow, &res),
			       PP_OK);
		unit_int_equal(unknown[i], it.ok, 0);
		unit_int_equal(unknown[i], res.n_problems, i + 1);
		unit_int_equal(unknown[i], res.problems[i].line, 4);
		unit_int_equal(unknown[i], res.problems[i].col, 9);
		unit_true(unknown[i], res.problems[i].is_error);
		msg = res.problems[i].msg;
		unit_str_has(unknown[i], msg, "project ABC has todo, in_progress, done");
		unit_str_has(unknown[i], msg, hint);
		pp_story_free(&s);
	}
	assert_int_equal(res.failed, 2);
	assert_int_equal(res.rejected, 2);
	pp_import_result_free(&res);
	PQclear(words);
	PQclear(workflow);
}

static int entries(const char *dir)
{
	char out[64];

	pp_t_sh_line(dir, out, sizeof(out), "ls -A | wc -l");
	return atoi(out);
}

static void the_spool_is_an_unnamed_file(void **state)
{
	import_db_spool d;
	char back[64] = {0};
	pp_err err;

	(void)state;
	setenv("TMPDIR", pp_t_tmp, 1);
	memset(&d, 0, sizeof(d));
	pp_buf_init(&d.buf, (size_t)4 << 20);
	pp_err_clear(&err);
	/* Under a MiB it waits; asked for all, it goes to a file nobody can see. */
	assert_int_equal(pp_buf_adds(&d.buf, "a.md\t\\N\tABC-2\t5\t5\n"), PP_OK);
	assert_int_equal(import_db_spool_write(&d, 0, &err), PP_OK);
	assert_null(d.f);
	assert_int_equal(import_db_spool_write(&d, 1, &err), PP_OK);
	assert_non_null(d.f);
	assert_int_equal(d.buf.len, 0);
	assert_int_equal(entries(pp_t_tmp), 0);
	/* A MiB goes without being asked. */
	while (d.buf.len < ((size_t)1 << 20))
		assert_int_equal(pp_buf_adds(&d.buf, "b.md\tWEB\tUI-7\t6\t5\n"), PP_OK);
	assert_int_equal(import_db_spool_write(&d, 0, &err), PP_OK);
	assert_int_equal(d.buf.len, 0);
	assert_int_equal(fflush(d.f), 0);
	assert_int_equal(ftell(d.f), 18 + ((1 << 20) + 17) / 18 * 18);
	rewind(d.f);
	assert_non_null(fgets(back, sizeof(back), d.f));
	assert_string_equal(back, "a.md\t\\N\tABC-2\t5\t5\n");
	fclose(d.f);
	pp_buf_free(&d.buf);
	unsetenv("TMPDIR");
}

static void a_spool_that_cannot_be_made_names_the_directory(void **state)
{
	import_db_spool d;
	char dir[512], longdir[5000];
	pp_err err;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/nosuch", pp_t_tmp);
	setenv("TMPDIR", dir, 1);
	memset(&d, 0, sizeof(d));
	pp_buf_init(&d.buf, 4096);
	assert_int_equal(pp_buf_adds(&d.buf, "x\n"), PP_OK);
	pp_err_clear(&err);
	assert_int_equal(import_db_spool_write(&d, 1, &err), PP_EIO);
	assert_non_null(strstr(err.msg, "cannot create a temporary file for the dependencies in"));
	assert_non_null(strstr(err.msg, dir));
	assert_null(d.f);
	assert_int_equal(d.buf.len, 2); /* nothing lost */
	memset(longdir, 'd', sizeof(longdir) - 1);
	longdir[0] = '/';
	longdir[sizeof(longdir) - 1] = '\0';
	setenv("TMPDIR", longdir, 1);
	assert_int_equal(import_db_spool_write(&d, 1, &err), PP_EIO);
	assert_int_equal(strncmp(err.msg, "TMPDIR is too long for a temporary file: /ddd", 45), 0);
	unsetenv("TMPDIR");
	pp_buf_free(&d.buf);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(a_story_becomes_the_upserts_document),
	cmocka_unit_test(dependencies_become_copy_rows),
	cmocka_unit_test(a_status_word_becomes_the_projects_key),
	cmocka_unit_test(the_spool_is_an_unnamed_file),
	cmocka_unit_test(a_spool_that_cannot_be_made_names_the_directory),
};

UNIT_MAIN_WITH("import_db", tests, pp_t_tmp_group_setup, pp_t_tmp_group_teardown)
