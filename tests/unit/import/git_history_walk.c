/*
 * tests/unit/import/git_history_walk.c: src/import/git_history_walk.c fed
 * canned `git log --raw -z` output (git_history_read_log), so that every
 * line of a commit is the test's own: the header fields, renames (a swap
 * of two files in one commit included), deletions, the per-file change
 * list, and output that is not git log's. The blobs are real, stored with
 * `git hash-object -w` in a throwaway repository that `git cat-file
 * --batch` reads; the end-to-end walk over real commits is
 * tests/unit/import/git_history.c.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gitrepo.h"
#include "unit.h"

#include "core/buf.h"
#include "import/git_history_int.h"

#define NULL_ID "0000000000000000000000000000000000000000"
#define C1      "c100000000000000000000000000000000000001"
#define C2      "c200000000000000000000000000000000000002"
#define C3      "c300000000000000000000000000000000000003"
#define C4      "c400000000000000000000000000000000000004"
#define C5      "c500000000000000000000000000000000000005"

/* 2025-08-28T10:00:00Z and the days after it, as seconds since 1970. */
#define DAY0 1756375200LL
#define DAY  86400LL

static char repo[512]; /* the blobs' repository */
static pp_buf canned;  /* the canned log being built */

/* A story version stored as a blob; its id into out. */
static void blob(const char *key, const char *status, const char *body, char out[PP_GIT_ID_MAX + 1])
{
	pp_t_story_file(repo, "version.md", key, status, body);
	pp_t_sh_line(repo, out, PP_GIT_ID_MAX + 1, "git hash-object -w version.md");
}

/* Raw bytes as a blob (not a story); its id into out. */
static void raw_blob(const char *text, char out[PP_GIT_ID_MAX + 1])
{
	pp_t_sh_line(repo, out, PP_GIT_ID_MAX + 1, "printf '%%s' '%s' | git hash-object -w --stdin",
		     text);
}

static void add(const void *data, size_t len)
{
	assert_int_equal(pp_buf_add(&canned, data, len), PP_OK);
}

/* A commit's header, as git log prints it with the walk's --format. */
static void log_commit(const char *id, long long ctime, long long atime, const char *name,
		       const char *email)
{
	char num[32];

	add("\1", 1);
	add(id, strlen(id) + 1);
	snprintf(num, sizeof(num), "%lld", ctime);
	add(num, strlen(num) + 1);
	snprintf(num, sizeof(num), "%lld", atime);
	add(num, strlen(num) + 1);
	add(name, strlen(name) + 1);
	add(email, strlen(email) + 1);
	add("\n", 1);
}

/*
 * Commit k (1 to 5) of the usual cast: Ck by alice, bob, carol, dave or erin
 * (a@example.com ...), authored and committed on day k - 1 after DAY0.
 */
static void log_day(int k)
{
	static const char *const ids[] = {C1, C2, C3, C4, C5};
	static const char *const names[] = {"alice", "bob", "carol", "dave", "erin"};
	long long t = DAY0 + (k - 1) * DAY;
	char email[32];

	assert_true(k >= 1 && k <= (int)UNIT_NELEM(ids));
	snprintf(email, sizeof(email), "%c@example.com", names[k - 1][0]);
	log_commit(ids[k - 1], t, t, names[k - 1], email);
}

/* One --raw line of the commit: status "A", "M", "D", "R100" ...; p2 for a rename. */
static void log_raw(unsigned om, unsigned nm, const char *old_id, const char *new_id,
		    const char *status, const char *p1, const char *p2)
{
	char meta[256];

	snprintf(meta, sizeof(meta), ":%06o %06o %s %s %s", om, nm, old_id, new_id, status);
	add(meta, strlen(meta) + 1);
	add(p1, strlen(p1) + 1);
	if (p2 != NULL)
		add(p2, strlen(p2) + 1);
}

static void log_add(const char *id, const char *path)
{
	log_raw(0, 0100644, NULL_ID, id, "A", path, NULL);
}

static void log_modify(const char *old_id, const char *new_id, const char *path)
{
	log_raw(0100644, 0100644, old_id, new_id, "M", path, NULL);
}

static void log_delete(const char *id, const char *path)
{
	log_raw(0100644, 0, id, NULL_ID, "D", path, NULL);
}

/* A rename that changes nothing but the path (R100). */
static void log_rename(const char *id, const char *from, const char *to)
{
	log_raw(0100644, 0100644, id, id, "R100", from, to);
}

/* Walks the canned log (then emptied) over prefix; returns the walk's rc. */
static pp_rc walk_log(const char *prefix, pp_git_history *h, pp_err *err)
{
	char path[600];
	pp_rc rc;
	FILE *f;
	int fd;

	snprintf(path, sizeof(path), "%s/log", pp_t_tmp);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(canned.data ? canned.data : "", 1, canned.len, f), canned.len);
	assert_int_equal(fclose(f), 0);
	pp_buf_reset(&canned);
	fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	memset(h, 0, sizeof(*h));
	h->root = strdup(repo);
	h->prefix = strdup(prefix);
	assert_non_null(h->root);
	assert_non_null(h->prefix);
	pp_err_clear(err);
	rc = git_history_read_log(h, fd, err);
	close(fd);
	return rc;
}

static void walk_ok(const char *prefix, pp_git_history *h)
{
	pp_err err;

	if (walk_log(prefix, h, &err) != PP_OK)
		fail_msg("walk: %s", err.msg);
}

static void expect_change(const pp_git_file *f, size_t i, const char *from, const char *to,
			  const char *commit)
{
	assert_string_equal(pp_t_git_change(f, i, from, to)->commit->id, commit);
}

/*
 * The file at path, with its key, the commit that created it (NULL: none
 * seen) and its number of changes; a failure names the path.
 */
static const pp_git_file *expect_file(const pp_git_history *h, const char *path, const char *key,
				      const char *created, size_t n_changes)
{
	const pp_git_file *f = pp_t_git_file(h, path);

	unit_str_equal(path, f->key, key);
	unit_str_equal(path, f->created ? f->created->id : NULL, created);
	unit_int_equal(path, f->n_changes, n_changes);
	return f;
}

/* The header's fields land in the commit; the committer's time is time_iso. */
static void commit_fields(void **state)
{
	char v1[PP_GIT_ID_MAX + 1], v2[PP_GIT_ID_MAX + 1];
	const pp_git_file *f;
	pp_git_history h;

	(void)state;
	blob("A-1", "draft", "x", v1);
	blob("A-1", "done", "x", v2);
	log_commit(C1, DAY0, DAY0 - 3600, "Zoë Ünal", "zoe@example.com");
	log_add(v1, "A-1.md");
	log_commit(C2, DAY0 + DAY + 5400, DAY0 + 60, "bob", "");
	log_modify(v1, v2, "A-1.md");
	walk_ok("", &h);
	assert_int_equal(h.commits_walked, 2);
	assert_int_equal(h.blobs_read, 2);
	assert_int_equal(h.n_commits, 2);
	assert_int_equal(h.n_files, 1);
	f = expect_file(&h, "A-1.md", "A-1", C1, 2);
	assert_int_equal(f->n_unparsed, 0);
	expect_change(f, 0, NULL, "draft", C1);
	expect_change(f, 1, "draft", "done", C2);
	assert_ptr_equal(f->created, f->changes[0].commit);
	assert_int_equal(h.commits[0].time, DAY0);
	assert_int_equal(h.commits[0].author_time, DAY0 - 3600);
	assert_string_equal(h.commits[0].time_iso, "2025-08-28T10:00:00Z");
	assert_string_equal(h.commits[0].author_name, "Zoë Ünal");
	assert_string_equal(h.commits[0].author_email, "zoe@example.com");
	assert_string_equal(h.commits[1].time_iso, "2025-08-29T11:30:00Z");
	assert_int_equal(h.commits[1].author_time, DAY0 + 60);
	assert_string_equal(h.commits[1].author_email, "");
	pp_git_history_free(&h);
}

/* Only commits that change something are kept; the others are walked. */
static void commits_kept_only_when_used(void **state)
{
	char v1[PP_GIT_ID_MAX + 1], v2[PP_GIT_ID_MAX + 1];
	const pp_git_file *f;
	pp_git_history h;

	(void)state;
	blob("B-1", "draft", "one", v1);
	blob("B-1", "draft", "two", v2);
	log_day(1);
	log_add(v1, "B-1.md");
	log_day(2);
	log_modify(v1, v2, "B-1.md"); /* the body only */
	log_day(3);
	log_raw(0100644, 0100755, v2, v2, "M", "B-1.md", NULL); /* the mode only */
	walk_ok("", &h);
	assert_int_equal(h.commits_walked, 3);
	assert_int_equal(h.n_commits, 1);
	assert_int_equal(h.blobs_read, 2); /* the same blob again is not read */
	f = expect_file(&h, "B-1.md", "B-1", C1, 1);
	expect_change(f, 0, NULL, "draft", C1);
	pp_git_history_free(&h);
}

/* A rename carries the file's history and creation to the new path. */
static void rename_carries_history(void **state)
{
	char v1[PP_GIT_ID_MAX + 1], v2[PP_GIT_ID_MAX + 1], v3[PP_GIT_ID_MAX + 1];
	const pp_git_file *f;
	pp_git_history h;

	(void)state;
	blob("C-1", "draft", "x", v1);
	blob("C-1", "ready", "x", v2);
	blob("C-1", "done", "x", v3);
	log_day(1);
	log_add(v1, "old/C-1.md");
	log_day(2);
	log_rename(v1, "old/C-1.md", "new/C-1.md");
	log_day(3);
	log_raw(0100644, 0100644, v1, v2, "R087", "new/C-1.md", "newer/C-1.md");
	log_day(4);
	log_modify(v2, v3, "newer/C-1.md");
	walk_ok("", &h);
	assert_int_equal(h.n_files, 1);
	assert_null(pp_git_history_find(&h, "old/C-1.md"));
	assert_null(pp_git_history_find(&h, "new/C-1.md"));
	f = expect_file(&h, "newer/C-1.md", "C-1", C1, 3);
	expect_change(f, 0, NULL, "draft", C1);
	expect_change(f, 1, "draft", "ready", C3); /* renamed and changed at once */
	expect_change(f, 2, "ready", "done", C4);
	assert_int_equal(h.blobs_read, 3); /* the pure rename read nothing */
	pp_git_history_free(&h);
}

/*
 * Two files swap names in one commit: every old path is let go before any
 * new one is taken, whatever the order of the lines.
 */
static void swap_in_one_commit(void **state)
{
	char a[PP_GIT_ID_MAX + 1], b[PP_GIT_ID_MAX + 1];
	const pp_git_file *f;
	pp_git_history h;

	(void)state;
	blob("S-A", "draft", "a", a);
	blob("S-B", "ready", "b", b);
	log_day(1);
	log_add(a, "a.md");
	log_add(b, "b.md");
	log_day(2);
	log_rename(a, "a.md", "b.md");
	log_rename(b, "b.md", "a.md");
	walk_ok("", &h);
	assert_int_equal(h.n_files, 2);
	f = expect_file(&h, "b.md", "S-A", C1, 1);
	expect_change(f, 0, NULL, "draft", C1);
	f = expect_file(&h, "a.md", "S-B", C1, 1);
	expect_change(f, 0, NULL, "ready", C1);
	pp_git_history_free(&h);
}

/* A deleted file's history ends; added again, it starts anew. */
static void delete_then_add_again(void **state)
{
	char v1[PP_GIT_ID_MAX + 1], v2[PP_GIT_ID_MAX + 1];
	const pp_git_file *f;
	pp_git_history h;

	(void)state;
	blob("D-1", "draft", "x", v1);
	blob("D-1", "ready", "y", v2);
	log_day(1);
	log_add(v1, "D-1.md");
	log_add(v1, "D-2.md");
	log_day(2);
	log_delete(v1, "D-1.md");
	log_delete(v1, "D-2.md");
	log_day(3);
	log_add(v2, "D-1.md");
	walk_ok("", &h);
	assert_int_equal(h.n_files, 1);
	assert_null(pp_git_history_find(&h, "D-2.md"));
	f = expect_file(&h, "D-1.md", "D-1", C3, 1);
	expect_change(f, 0, NULL, "ready", C3);
	pp_git_history_free(&h);
}

/*
 * A version that is no story changes nothing (counted); a removed status
 * is a change to NULL; the key is the newest parsed version's.
 */
static void unparsed_and_removed_status(void **state)
{
	char v1[PP_GIT_ID_MAX + 1], bad[PP_GIT_ID_MAX + 1], v3[PP_GIT_ID_MAX + 1],
		v4[PP_GIT_ID_MAX + 1];
	const char *missing = "0123456789abcdef0123456789abcdef01234567";
	const pp_git_file *f;
	pp_git_history h;

	(void)state;
	blob("E-1", "draft", "x", v1);
	raw_blob("# no front matter\n", bad);
	blob("E-2", NULL, "x", v3);
	blob("E-2", "ready", "x", v4);
	log_day(1);
	log_add(v1, "E.md");
	log_day(2);
	log_modify(v1, bad, "E.md");
	log_day(3);
	log_modify(bad, missing, "E.md"); /* no such blob: not a story either */
	log_day(4);
	log_modify(missing, v3, "E.md");
	log_day(5);
	log_modify(v3, v4, "E.md");
	walk_ok("", &h);
	f = expect_file(&h, "E.md", "E-2", C1, 3);
	assert_int_equal(f->n_unparsed, 2);
	expect_change(f, 0, NULL, "draft", C1);
	expect_change(f, 1, "draft", NULL, C4);
	expect_change(f, 2, NULL, "ready", C5);
	assert_string_equal(f->changes[2].commit->author_name, "erin");
	pp_git_history_free(&h);
}

/*
 * A file first met modified (an incremental walk): its old version is
 * where it stood, read too; its first change starts there; no creation.
 */
static void first_touch_reads_old_version(void **state)
{
	char v1[PP_GIT_ID_MAX + 1], v2[PP_GIT_ID_MAX + 1];
	const pp_git_file *f;
	pp_git_history h;

	(void)state;
	blob("F-1", "ready", "x", v1);
	blob("F-1", "done", "x", v2);
	log_commit(C2, DAY0, DAY0, "bob", "b@example.com");
	log_modify(v1, v2, "F-1.md");
	log_rename(v1, "F-2.md", "F-3.md");
	walk_ok("", &h);
	f = expect_file(&h, "F-1.md", "F-1", NULL, 1);
	expect_change(f, 0, "ready", "done", C2);
	expect_file(&h, "F-3.md", "F-1", NULL, 0);
	pp_git_history_free(&h);
}

/* Lines about files the importer does not read leave no trace. */
static void untracked_lines_ignored(void **state)
{
	char v1[PP_GIT_ID_MAX + 1];
	pp_git_history h;

	(void)state;
	blob("G-1", "draft", "x", v1);
	log_day(1);
	log_add(v1, "plans/G-1.md");
	log_add(v1, "plans/notes.txt");
	log_add(v1, "plans/.hidden/G-2.md");
	log_add(v1, "other/G-3.md");
	log_raw(0, 0120000, NULL_ID, v1, "A", "plans/link.md", NULL);
	log_raw(0, 0160000, NULL_ID, v1, "A", "plans/sub.md", NULL);
	/* Renamed out of the directory: the history ends; into it: begins. */
	log_day(2);
	log_rename(v1, "plans/G-1.md", "other/G-1.md");
	log_rename(v1, "other/G-3.md", "plans/G-3.md");
	walk_ok("plans/", &h);
	assert_int_equal(h.n_files, 1);
	assert_string_equal(h.files[0].path, "G-3.md"); /* relative to the directory */
	expect_change(expect_file(&h, "G-3.md", "G-1", C2, 1), 0, NULL, "draft", C2);
	assert_int_equal(h.blobs_read, 2);
	pp_git_history_free(&h);
}

/*
 * Thousands of files through the path map: added, half of them deleted,
 * the rest renamed (the deleted slots reused), all found, sorted by path.
 */
static void many_files(void **state)
{
	char v1[PP_GIT_ID_MAX + 1], p1[64], p2[64];
	const int n = 3000;
	pp_git_history h;

	(void)state;
	blob("H-1", "draft", "x", v1);
	log_day(1);
	for (int i = 0; i < n; i++) {
		snprintf(p1, sizeof(p1), "d/%04d.md", i);
		log_add(v1, p1);
	}
	log_day(2);
	for (int i = 0; i < n; i += 2) {
		snprintf(p1, sizeof(p1), "d/%04d.md", i);
		log_delete(v1, p1);
	}
	log_day(3);
	for (int i = 1; i < n; i += 2) {
		snprintf(p1, sizeof(p1), "d/%04d.md", i);
		snprintf(p2, sizeof(p2), "e/%04d.md", i);
		log_rename(v1, p1, p2);
	}
	walk_ok("", &h);
	assert_int_equal(h.n_files, n / 2);
	for (size_t i = 0; i < h.n_files; i++) {
		snprintf(p2, sizeof(p2), "e/%04zu.md", 2 * i + 1);
		unit_str_equal(p2, h.files[i].path, p2);
		unit_str_equal(p2, h.files[i].created->id, C1);
		unit_int_equal(p2, h.files[i].n_changes, 1);
	}
	pp_git_history_free(&h);
}

static void no_output(void **state)
{
	pp_git_history h;

	(void)state;
	walk_ok("", &h);
	assert_int_equal(h.commits_walked, 0);
	assert_int_equal(h.n_files, 0);
	pp_git_history_free(&h);
}

/* Output that is not git log's is an error naming where, never a guess. */
static void not_git_log_output(void **state)
{
	char v1[PP_GIT_ID_MAX + 1];
	pp_git_history h;
	pp_err err;

	(void)state;
	blob("I-1", "draft", "x", v1);
	add("x", 1);
	assert_int_equal(walk_log("", &h, &err), PP_EIO);
	assert_non_null(strstr(err.msg, "unexpected byte 0x78 after commit (none)"));
	pp_git_history_free(&h);

	/* A raw line before any commit. */
	log_add(v1, "I-1.md");
	assert_int_equal(walk_log("", &h, &err), PP_EIO);
	assert_non_null(strstr(err.msg, "unexpected byte 0x3a"));
	pp_git_history_free(&h);

	/* A raw line that does not scan. */
	log_day(1);
	add(":100644 zz\0I-1.md\0", 18);
	assert_int_equal(walk_log("", &h, &err), PP_EIO);
	assert_non_null(strstr(err.msg, "unexpected line \":100644 zz\""));
	pp_git_history_free(&h);

	/* Cut short inside a header, and inside a rename's line. */
	add("\1" C1 "\0"
	    "1756375200",
	    52);
	assert_int_equal(walk_log("", &h, &err), PP_EIO);
	assert_non_null(strstr(err.msg, "cannot read its output"));
	pp_git_history_free(&h);
	log_day(1);
	log_raw(0100644, 0100644, v1, v1, "R100", "I-1.md", NULL);
	assert_int_equal(walk_log("", &h, &err), PP_EIO);
	assert_non_null(strstr(err.msg, "after commit " C1));
	pp_git_history_free(&h);

	/* A commit id longer than any git's. */
	log_commit(C1 C1, DAY0, DAY0, "alice", "a@example.com");
	assert_int_equal(walk_log("", &h, &err), PP_EIO);
	pp_git_history_free(&h);
}

/* Which paths and modes the importer reads (docs/import.md, "History from git"). */
static void tracked_paths(void **state)
{
	static const struct {
		const char *prefix, *path;
		unsigned mode;
		int want;
	} cases[] = {
		{"", "a.md", 0100644, 1},
		{"", "a.md", 0100755, 1},
		{"", "a.md", 0120000, 0}, /* a symbolic link */
		{"", "a.md", 0160000, 0}, /* a submodule */
		{"", "a.md", 0040000, 0},
		{"", "dir/sub/a.md", 0100644, 1},
		{"", "a.MD", 0100644, 1}, /* what the import reads (review 10, finding 9) */
		{"", "a.markdown", 0100644, 1},
		{"", "a.Markdown", 0100644, 1},
		{"", "a.mdown", 0100644, 0},
		{"", ".MD", 0100644, 0},
		{"", "dir/.markdown", 0100644, 0},
		{"", "a.md.txt", 0100644, 0},
		{"", ".md", 0100644, 0},
		{"", "x.md", 0100644, 1},
		{"", ".a.md", 0100644, 0},
		{"", ".git/a.md", 0100644, 0},
		{"", "dir/.hidden/a.md", 0100644, 0},
		{"", "dir/.a.md", 0100644, 0},
		{"", "dir.x/a.md", 0100644, 1},
		{"plans/", "plans/a.md", 0100644, 1},
		{"plans/", "plans/.md", 0100644, 0},
		{"plans/", "plans/x/.y/a.md", 0100644, 0},
		{"plans/", "other/a.md", 0100644, 0},
		{"plans/", "plansx/a.md", 0100644, 0},
		{"plans/", "a.md", 0100644, 0},
		{".github/", ".github/a.md", 0100644, 1}, /* only below the directory */
	};

	(void)state;
	for (size_t i = 0; i < UNIT_NELEM(cases); i++)
		if (git_history_tracked(cases[i].prefix, cases[i].path, cases[i].mode) !=
		    cases[i].want)
			fail_msg("tracked(\"%s\", \"%s\", %o) is not %d", cases[i].prefix,
				 cases[i].path, cases[i].mode, cases[i].want);
}

static int setup(void **state)
{
	(void)state;
	if (pp_t_tmp_setup("git-history-walk") != 0)
		return -1;
	pp_buf_init(&canned, (size_t)16 << 20);
	pp_t_new_repo(repo, sizeof(repo));
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	pp_buf_free(&canned);
	return pp_t_tmp_teardown();
}

/* Every test starts from an empty log (a failed one may leave bytes). */
static int empty_log(void **state)
{
	(void)state;
	pp_buf_reset(&canned);
	return 0;
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test_setup(commit_fields, empty_log),
	cmocka_unit_test_setup(commits_kept_only_when_used, empty_log),
	cmocka_unit_test_setup(rename_carries_history, empty_log),
	cmocka_unit_test_setup(swap_in_one_commit, empty_log),
	cmocka_unit_test_setup(delete_then_add_again, empty_log),
	cmocka_unit_test_setup(unparsed_and_removed_status, empty_log),
	cmocka_unit_test_setup(first_touch_reads_old_version, empty_log),
	cmocka_unit_test_setup(untracked_lines_ignored, empty_log),
	cmocka_unit_test_setup(many_files, empty_log),
	cmocka_unit_test_setup(no_output, empty_log),
	cmocka_unit_test_setup(not_git_log_output, empty_log),
	cmocka_unit_test(tracked_paths),
};

UNIT_MAIN_WITH("git_history_walk", tests, setup, teardown)
