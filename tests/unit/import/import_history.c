/*
 * tests/unit/import/import_history.c: the parts of
 * src/import/import_history.c that need no database: a status word's key
 * from the resolved words, the COPY rows of the status changes git knows
 * (removed statuses and words nothing knows left out, the latter said),
 * and HEAD of a checkout, in throwaway repositories. Writing the history is
 * tests/integration/test_import.c's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "gitrepo.h"
#include "unit.h"
#include "pgresult.h"

#include "import/import_history_int.h"

/* (word, key) rows as words_resolve returns them. */
static const char *const words_v[] = {"Doing", "in_progress", "todo", "todo", "ghost", NULL};

static void a_words_key(void **state)
{
	PGresult *words = pp_t_result(2, 3, words_v);

	(void)state;
	assert_string_equal(pp_import_word_key(words, "Doing"), "in_progress");
	assert_string_equal(pp_import_word_key(words, "todo"), "todo");
	/* Words match exactly: the SQL resolved them, case and all. */
	assert_null(pp_import_word_key(words, "doing"));
	assert_null(pp_import_word_key(words, "ghost"));
	assert_null(pp_import_word_key(words, "nope"));
	assert_null(pp_import_word_key(words, NULL));
	PQclear(words);
}

static void status_changes_become_copy_rows(void **state)
{
	pp_git_commit c1 = {"1111111111111111111111111111111111111111",
			    0,
			    "2026-01-01T10:00:00Z",
			    0,
			    "Ann",
			    "ann@example.com"};
	pp_git_commit c2 = {"2222222222222222222222222222222222222222",
			    0,
			    "2026-01-02T10:00:00Z",
			    0,
			    "B\\ob",
			    "bob@example.com"};
	pp_git_status_change a_changes[] = {
		{&c1, NULL, "todo"},
		{&c2, "todo", "Blocked"}, /* nothing knows it: left out, said */
		{&c2, "Blocked", NULL},   /* the field removed: left out */
		{&c2, NULL, "Doing"},
	};
	pp_git_status_change b_changes[] = {{&c1, NULL, "todo"}};
	pp_git_file files[] = {
		{"a\tb.md", &c1, "ABC-1", a_changes, 4, 0},
		{"b.md", &c1, "ABC-2", b_changes, 1, 0},
		{"c.md", &c1, "ABC-3", b_changes, 1, 0},
	};
	pp_git_history h;
	pp_import_item items[3];
	pp_import_batch b;
	pp_import_result res;
	PGresult *words = pp_t_result(2, 3, words_v);
	pp_buf out;

	(void)state;
	memset(&h, 0, sizeof(h));
	h.files = files;
	h.n_files = 3;
	memset(items, 0, sizeof(items));
	items[0].path = "a\tb.md";
	items[0].ok = 1;
	items[1].path = "b.md"; /* failed: none of its history */
	items[2].path = "new.md";
	items[2].ok = 1; /* git knows nothing of it yet */
	memset(&b, 0, sizeof(b));
	b.items = items;
	b.n = 3;
	memset(&res, 0, sizeof(res));
	pp_buf_init(&out, 1 << 20);
	assert_int_equal(import_history_git_rows(&b, &h, words, &out, &res), PP_OK);
	assert_string_equal(pp_buf_str(&out),
			    "a\\tb.md\t0\t1111111111111111111111111111111111111111\t"
			    "2026-01-01T10:00:00Z\tAnn <ann@example.com>\ttodo\n"
			    "a\\tb.md\t3\t2222222222222222222222222222222222222222\t"
			    "2026-01-02T10:00:00Z\tB\\\\ob <bob@example.com>\tDoing\n");
	assert_int_equal(res.n_problems, 1);
	assert_false(res.problems[0].is_error);
	assert_string_equal(res.problems[0].file, "a\tb.md");
	assert_string_equal(res.problems[0].msg,
			    "git history: status \"Blocked\" of commit 222222222222 is not a "
			    "status this project knows: that change is left out");
	pp_buf_free(&out);
	pp_import_result_free(&res);
	PQclear(words);
}

static void head_of_a_checkout(void **state)
{
	char repo[512], want[64], dir[600], head[41];

	(void)state;
	pp_t_new_repo(repo, sizeof(repo));
	/* No commit yet: no HEAD. */
	pp_import_git_head(repo, head);
	assert_string_equal(head, "");
	pp_t_story_file(repo, "s/a.md", "ABC-1", "todo", "");
	pp_t_sh(repo, "git add -A && GIT_AUTHOR_NAME=a GIT_AUTHOR_EMAIL=a@example.com "
		      "GIT_COMMITTER_NAME=c GIT_COMMITTER_EMAIL=c@example.com "
		      "GIT_COMMITTER_DATE=2026-01-01T00:00:00Z "
		      "GIT_AUTHOR_DATE=2026-01-01T00:00:00Z git commit -qm one");
	pp_t_sh_line(repo, want, sizeof(want), "git rev-parse HEAD");
	pp_import_git_head(repo, head);
	assert_string_equal(head, want);
	/* From a directory inside it, too. */
	snprintf(dir, sizeof(dir), "%s/s", repo);
	pp_import_git_head(dir, head);
	assert_string_equal(head, want);
	/* Not a checkout, or not there. */
	snprintf(dir, sizeof(dir), "%s/plain", pp_t_tmp);
	assert_int_equal(mkdir(dir, 0700), 0);
	pp_import_git_head(dir, head);
	assert_string_equal(head, "");
	snprintf(dir, sizeof(dir), "%s/nosuch", pp_t_tmp);
	pp_import_git_head(dir, head);
	assert_string_equal(head, "");
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(a_words_key),
	cmocka_unit_test(status_changes_become_copy_rows),
	cmocka_unit_test(head_of_a_checkout),
};

UNIT_MAIN_WITH("import_history", tests, pp_t_tmp_group_setup, pp_t_tmp_group_teardown)
