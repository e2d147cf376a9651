/*
 * tests/unit/import/git_history.c: tests src/import/git_history.c on real git
 * repositories built in a temporary directory, with pinned author and
 * committer names and dates, so nothing depends on today's date.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "unit.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"
#include "import/git_history.h"

#include "gitrepo.h"

/* Commits everything at the pinned moment (ISO 8601, UTC) as name <name@example.com>. */
static void commit(const char *repo, const char *when, const char *name)
{
	pp_t_sh(repo,
		"git add -A && GIT_AUTHOR_NAME='%s' GIT_AUTHOR_EMAIL='%s@example.com' "
		"GIT_COMMITTER_NAME=committer GIT_COMMITTER_EMAIL=c@example.com "
		"GIT_AUTHOR_DATE='%s' GIT_COMMITTER_DATE='%s' git commit -q --allow-empty -m '%s'",
		name, name, when, when, when);
}

/* pp_t_story_file(), then commit() of it alone. */
static void commit_story(const char *repo, const char *path, const char *key, const char *status,
			 const char *body, const char *when, const char *name)
{
	pp_t_story_file(repo, path, key, status, body);
	commit(repo, when, name);
}

static void walk_ok(const char *dir, const char *since, pp_git_history *h)
{
	pp_git_history_opts o = {dir, since};
	pp_err err;

	pp_err_clear(&err);
	if (pp_git_history_walk(&o, h, &err) != PP_OK)
		fail_msg("walk %s: %s", dir, err.msg);
}

static void expect_change(const pp_git_file *f, size_t i, const char *from, const char *to,
			  const char *iso, const char *author)
{
	const pp_git_status_change *c = pp_t_git_change(f, i, from, to);

	unit_str_equal(f->path, c->commit->time_iso, iso);
	unit_str_equal(f->path, c->commit->author_name, author);
}

/* Three commits, three statuses: three entries at the commits' times and authors. */
static void three_commits(void **state)
{
	char repo[512], id[PP_GIT_ID_MAX + 1];
	const pp_git_file *f;
	pp_git_history h;

	(void)state;
	pp_t_new_repo(repo, sizeof(repo));
	commit_story(repo, "A-1.md", "A-1", "draft", "first", "2025-08-28T10:00:00Z", "alice");
	commit_story(repo, "A-1.md", "A-1", "in_progress", "first", "2025-08-29T11:30:00Z", "bob");
	commit_story(repo, "A-1.md", "A-1", "done", "first", "2025-09-01T09:15:00Z", "carol");
	walk_ok(repo, NULL, &h);
	assert_int_equal(h.n_files, 1);
	assert_string_equal(h.prefix, "");
	assert_false(h.shallow);
	assert_int_equal(h.commits_walked, 3);
	f = pp_t_git_file(&h, "A-1.md");
	assert_string_equal(f->key, "A-1");
	assert_int_equal(f->n_changes, 3);
	expect_change(f, 0, NULL, "draft", "2025-08-28T10:00:00Z", "alice");
	expect_change(f, 1, "draft", "in_progress", "2025-08-29T11:30:00Z", "bob");
	expect_change(f, 2, "in_progress", "done", "2025-09-01T09:15:00Z", "carol");
	assert_string_equal(f->changes[1].commit->author_email, "bob@example.com");
	assert_int_equal(f->changes[0].commit->time, 1756375200LL); /* 2025-08-28T10:00Z */
	pp_t_sh_line(repo, id, sizeof(id), "git rev-parse HEAD~2");
	assert_ptr_equal(f->created, f->changes[0].commit);
	assert_string_equal(f->created->id, id);
	pp_t_sh_line(repo, id, sizeof(id), "git rev-parse HEAD");
	assert_string_equal(h.head, id);
	assert_string_equal(f->changes[2].commit->id, id);
	pp_git_history_free(&h);
}

/* A commit that changes only the body (or only the mode) adds no entry. */
static void body_only(void **state)
{
	char repo[512];
	const pp_git_file *f;
	pp_git_history h;

	(void)state;
	pp_t_new_repo(repo, sizeof(repo));
	commit_story(repo, "B-1.md", "B-1", "draft", "one", "2025-08-28T10:00:00Z", "alice");
	commit_story(repo, "B-1.md", "B-1", "draft", "two - [x] done", "2025-08-29T10:00:00Z",
		     "bob");
	pp_t_sh(repo, "chmod +x B-1.md");
	commit(repo, "2025-08-30T10:00:00Z", "bob");
	walk_ok(repo, NULL, &h);
	f = pp_t_git_file(&h, "B-1.md");
	assert_int_equal(f->n_changes, 1);
	expect_change(f, 0, NULL, "draft", "2025-08-28T10:00:00Z", "alice");
	assert_int_equal(h.commits_walked, 3);
	pp_git_history_free(&h);
}

/* A renamed file keeps its history and its creation. */
static void rename_keeps_history(void **state)
{
	char repo[512];
	const pp_git_file *f;
	pp_git_history h;

	(void)state;
	pp_t_new_repo(repo, sizeof(repo));
	commit_story(repo, "old/C-1.md", "C-1", "draft", "a body long enough to be recognised",
		     "2025-08-28T10:00:00Z", "alice");
	pp_t_sh(repo, "mkdir new && git mv old/C-1.md 'new/C-1 renamed.md'");
	commit(repo, "2025-08-29T10:00:00Z", "bob");
	commit_story(repo, "new/C-1 renamed.md", "C-1", "ready",
		     "a body long enough to be recognised", "2025-08-30T10:00:00Z", "carol");
	walk_ok(repo, NULL, &h);
	assert_int_equal(h.n_files, 1);
	assert_null(pp_git_history_find(&h, "old/C-1.md"));
	f = pp_t_git_file(&h, "new/C-1 renamed.md");
	assert_int_equal(f->n_changes, 2);
	expect_change(f, 0, NULL, "draft", "2025-08-28T10:00:00Z", "alice");
	expect_change(f, 1, "draft", "ready", "2025-08-30T10:00:00Z", "carol");
	assert_string_equal(f->created->time_iso, "2025-08-28T10:00:00Z");
	pp_git_history_free(&h);
}

/* SINCE..HEAD: only the new commits; the first from_status is the status at SINCE. */
static void since_walks_new_commits(void **state)
{
	char repo[512], since[PP_GIT_ID_MAX + 1], head[PP_GIT_ID_MAX + 1];
	const pp_git_file *f;
	pp_git_history h;

	(void)state;
	pp_t_new_repo(repo, sizeof(repo));
	pp_t_story_file(repo, "D-1.md", "D-1", "draft", "x");
	commit_story(repo, "D-2.md", "D-2", "draft", "x", "2025-08-28T10:00:00Z", "alice");
	commit_story(repo, "D-1.md", "D-1", "ready", "x", "2025-08-29T10:00:00Z", "bob");
	pp_t_sh_line(repo, since, sizeof(since), "git rev-parse HEAD");
	pp_t_story_file(repo, "D-1.md", "D-1", "done", "x");
	commit_story(repo, "D-3.md", "D-3", "draft", "x", "2025-08-30T10:00:00Z", "carol");
	walk_ok(repo, since, &h);
	assert_string_equal(h.since, since);
	assert_false(h.since_discarded);
	assert_int_equal(h.commits_walked, 1);
	assert_int_equal(h.n_files, 2); /* D-2 was not touched */
	assert_null(pp_git_history_find(&h, "D-2.md"));
	f = pp_t_git_file(&h, "D-1.md");
	assert_null(f->created); /* before SINCE */
	assert_int_equal(f->n_changes, 1);
	expect_change(f, 0, "ready", "done", "2025-08-30T10:00:00Z", "carol");
	f = pp_t_git_file(&h, "D-3.md");
	assert_non_null(f->created);
	expect_change(f, 0, NULL, "draft", "2025-08-30T10:00:00Z", "carol");
	pp_git_history_free(&h);

	/* SINCE = HEAD: nothing new. An abbreviated id works. */
	pp_t_sh_line(repo, head, sizeof(head), "git rev-parse HEAD");
	head[7] = '\0';
	walk_ok(repo, head, &h);
	assert_int_equal(h.n_files, 0);
	assert_int_equal(h.commits_walked, 0);
	pp_git_history_free(&h);

	/* History rewritten (a force-push): SINCE is no ancestor, all is walked. */
	pp_t_sh(repo, "git reset -q --hard HEAD~2");
	commit_story(repo, "D-1.md", "D-1", "blocked", "x", "2025-08-31T10:00:00Z", "dave");
	walk_ok(repo, since, &h);
	assert_true(h.since_discarded);
	assert_string_equal(h.since, "");
	assert_int_equal(h.commits_walked, 2);
	f = pp_t_git_file(&h, "D-1.md");
	assert_int_equal(f->n_changes, 2);
	expect_change(f, 1, "draft", "blocked", "2025-08-31T10:00:00Z", "dave");
	pp_git_history_free(&h);

	/* An id the repository does not know: walk all, too. */
	walk_ok(repo, "0123456789abcdef0123456789abcdef01234567", &h);
	assert_true(h.since_discarded);
	assert_int_equal(h.commits_walked, 2);
	pp_git_history_free(&h);
}

/* SINCE must be a hex id: nothing else reaches git's command line. */
static void since_not_hex(void **state)
{
	pp_git_history_opts o = {NULL, "--output=/tmp/x"};
	char repo[512];
	pp_git_history h;
	pp_err err;

	(void)state;
	pp_t_new_repo(repo, sizeof(repo));
	commit_story(repo, "E-1.md", "E-1", "draft", "x", "2025-08-28T10:00:00Z", "alice");
	o.dir = repo;
	assert_int_equal(pp_git_history_walk(&o, &h, &err), PP_EINVAL);
	assert_non_null(strstr(err.msg, "expected a commit id"));
	pp_git_history_free(&h);
}

/* A subdirectory: only its files, paths relative to it. */
static void subdirectory(void **state)
{
	char repo[512], dir[600];
	pp_git_history h;

	(void)state;
	pp_t_new_repo(repo, sizeof(repo));
	pp_t_story_file(repo, "plans/api/F-1.md", "F-1", "draft", "x");
	pp_t_story_file(repo, "plans/web/F-2.md", "F-2", "draft", "x");
	commit_story(repo, "other/F-3.md", "F-3", "draft", "x", "2025-08-28T10:00:00Z", "alice");
	commit_story(repo, "other/F-3.md", "F-3", "done", "x", "2025-08-29T10:00:00Z", "bob");
	commit_story(repo, "plans/web/F-2.md", "F-2", "done", "x", "2025-08-30T10:00:00Z", "carol");
	snprintf(dir, sizeof(dir), "%s/plans", repo);
	walk_ok(dir, NULL, &h);
	assert_string_equal(h.prefix, "plans/");
	assert_int_equal(h.commits_walked, 2); /* the commit of other/ is not listed */
	assert_int_equal(h.n_files, 2);
	assert_string_equal(h.files[0].path, "api/F-1.md");
	assert_string_equal(h.files[1].path, "web/F-2.md");
	assert_int_equal(h.files[1].n_changes, 2);
	pp_git_history_free(&h);
}

/* Names with spaces, UTF-8 and glob characters come through unquoted. */
static void odd_names(void **state)
{
	const char *name = "backlog/Épopée [x]/my story \xc3\xa9*.md";
	char repo[512], dir[600];
	const pp_git_file *f;
	pp_git_history h;

	(void)state;
	pp_t_new_repo(repo, sizeof(repo));
	pp_t_story_file(repo, name, "G-1", "draft", "x");
	commit_story(repo, "backlog/Épopée x/G-2.md", "G-2", "draft", "x", "2025-08-28T10:00:00Z",
		     "Zoë Ünal");
	commit_story(repo, "backlog/Épopée x/G-2.md", "G-2", "done", "x", "2025-08-29T10:00:00Z",
		     "bob");
	walk_ok(repo, NULL, &h);
	f = pp_t_git_file(&h, name);
	expect_change(f, 0, NULL, "draft", "2025-08-28T10:00:00Z", "Zoë Ünal");
	pp_git_history_free(&h);
	/* A directory whose name is a pathspec glob matches only itself. */
	snprintf(dir, sizeof(dir), "%s/backlog/Épopée [x]", repo);
	walk_ok(dir, NULL, &h);
	assert_string_equal(h.prefix, "backlog/Épopée [x]/");
	assert_int_equal(h.commits_walked, 1); /* not the commit of "Épopée x" */
	assert_int_equal(h.n_files, 1);
	assert_string_equal(h.files[0].path, "my story \xc3\xa9*.md");
	pp_git_history_free(&h);
}

/* What the importer would not read is not walked either; odd versions. */
static void what_counts(void **state)
{
	char repo[512], path[600];
	const pp_git_file *f;
	pp_git_history h;
	FILE *fp;

	(void)state;
	pp_t_new_repo(repo, sizeof(repo));
	pp_t_story_file(repo, "H-1.md", "H-1", "draft", "x");
	pp_t_story_file(repo, ".hidden/H-2.md", "H-2", "draft", "x");
	pp_t_story_file(repo, "notes.txt", "H-3", "draft", "x");
	pp_t_sh(repo, "printf '# Read me\\n' >README.md && ln -s H-1.md link.md");
	commit(repo, "2025-08-28T10:00:00Z", "alice");
	snprintf(path, sizeof(path), "%s/H-1.md", repo);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs("---\nid: H-1\ntitle: [unclosed\nstatus: done\n---\n", fp); /* not a story */
	fclose(fp);
	commit(repo, "2025-08-29T10:00:00Z", "bob");
	pp_t_story_file(repo, "H-1.md", "H-1", NULL, "x"); /* the status removed */
	commit(repo, "2025-08-30T10:00:00Z", "carol");
	commit_story(repo, "H-1.md", "H-1", "ready", "x", "2025-08-31T10:00:00Z", "dave");
	walk_ok(repo, NULL, &h);
	assert_int_equal(h.n_files, 2);
	f = pp_t_git_file(&h, "README.md");
	assert_int_equal(f->n_changes, 0);
	assert_int_equal(f->n_unparsed, 1);
	assert_null(f->key);
	f = pp_t_git_file(&h, "H-1.md");
	assert_int_equal(f->n_unparsed, 1);
	assert_int_equal(f->n_changes, 3);
	expect_change(f, 0, NULL, "draft", "2025-08-28T10:00:00Z", "alice");
	expect_change(f, 1, "draft", NULL, "2025-08-30T10:00:00Z", "carol");
	expect_change(f, 2, NULL, "ready", "2025-08-31T10:00:00Z", "dave");
	pp_git_history_free(&h);
}

/* A deleted file's history ends; added again, it starts anew. */
static void delete_and_add_again(void **state)
{
	char repo[512];
	const pp_git_file *f;
	pp_git_history h;

	(void)state;
	pp_t_new_repo(repo, sizeof(repo));
	pp_t_story_file(repo, "I-1.md", "I-1", "draft", "x");
	commit_story(repo, "I-2.md", "I-2", "draft", "x", "2025-08-28T10:00:00Z", "alice");
	pp_t_sh(repo, "git rm -q I-1.md I-2.md");
	commit(repo, "2025-08-29T10:00:00Z", "bob");
	commit_story(repo, "I-1.md", "I-1", "ready", "another body entirely, nothing alike",
		     "2025-08-30T10:00:00Z", "carol");
	walk_ok(repo, NULL, &h);
	assert_int_equal(h.n_files, 1);
	f = pp_t_git_file(&h, "I-1.md");
	assert_string_equal(f->created->time_iso, "2025-08-30T10:00:00Z");
	assert_int_equal(f->n_changes, 1);
	expect_change(f, 0, NULL, "ready", "2025-08-30T10:00:00Z", "carol");
	pp_git_history_free(&h);
}

/* A branch merged with a merge commit: its change counts at the merge. */
static void merge_commit(void **state)
{
	char repo[512];
	const pp_git_file *f;
	pp_git_history h;

	(void)state;
	pp_t_new_repo(repo, sizeof(repo));
	pp_t_story_file(repo, "J-1.md", "J-1", "draft", "x");
	commit_story(repo, "J-2.md", "J-2", "draft", "x", "2025-08-28T10:00:00Z", "alice");
	pp_t_sh(repo, "git checkout -q -b feature");
	commit_story(repo, "J-1.md", "J-1", "in_progress", "x", "2025-08-29T10:00:00Z", "bob");
	pp_t_sh(repo, "git checkout -q main");
	commit_story(repo, "J-2.md", "J-2", "done", "x", "2025-08-30T10:00:00Z", "carol");
	pp_t_sh(repo,
		"GIT_AUTHOR_NAME=merger GIT_AUTHOR_EMAIL=m@example.com "
		"GIT_COMMITTER_NAME=merger GIT_COMMITTER_EMAIL=m@example.com "
		"GIT_AUTHOR_DATE=2025-08-31T10:00:00Z GIT_COMMITTER_DATE=2025-08-31T10:00:00Z "
		"git merge -q --no-ff -m merge feature");
	walk_ok(repo, NULL, &h);
	f = pp_t_git_file(&h, "J-1.md");
	assert_int_equal(f->n_changes, 2);
	expect_change(f, 1, "draft", "in_progress", "2025-08-31T10:00:00Z", "merger");
	f = pp_t_git_file(&h, "J-2.md");
	expect_change(f, 1, "draft", "done", "2025-08-30T10:00:00Z", "carol");
	pp_git_history_free(&h);
}

/* A shallow clone says so and uses what is there. */
static void shallow_clone(void **state)
{
	char repo[512], clone[600];
	const pp_git_file *f;
	pp_git_history h;

	(void)state;
	pp_t_new_repo(repo, sizeof(repo));
	commit_story(repo, "K-1.md", "K-1", "draft", "x", "2025-08-28T10:00:00Z", "alice");
	commit_story(repo, "K-1.md", "K-1", "ready", "x", "2025-08-29T10:00:00Z", "bob");
	commit_story(repo, "K-1.md", "K-1", "done", "x", "2025-08-30T10:00:00Z", "carol");
	snprintf(clone, sizeof(clone), "%s-shallow", repo);
	pp_t_sh(pp_t_tmp, "git clone -q --depth 2 'file://%s' '%s'", repo, clone);
	walk_ok(clone, NULL, &h);
	assert_true(h.shallow);
	assert_int_equal(h.commits_walked, 2);
	f = pp_t_git_file(&h, "K-1.md");
	/* The boundary commit "adds" the file: its status then is the first. */
	assert_string_equal(f->created->time_iso, "2025-08-29T10:00:00Z");
	assert_int_equal(f->n_changes, 2);
	expect_change(f, 0, NULL, "ready", "2025-08-29T10:00:00Z", "bob");
	expect_change(f, 1, "ready", "done", "2025-08-30T10:00:00Z", "carol");
	pp_git_history_free(&h);
}

/* A submodule's checkout is a work tree of its own. */
static void submodule(void **state)
{
	char sub[512], super[512], dir[600];
	pp_git_history h;

	(void)state;
	pp_t_new_repo(sub, sizeof(sub));
	commit_story(sub, "L-1.md", "L-1", "draft", "x", "2025-08-28T10:00:00Z", "alice");
	pp_t_new_repo(super, sizeof(super));
	pp_t_sh(super, "git -c protocol.file.allow=always submodule -q add 'file://%s' api", sub);
	commit(super, "2025-08-29T10:00:00Z", "bob");
	snprintf(dir, sizeof(dir), "%s/api", super);
	walk_ok(dir, NULL, &h);
	assert_string_equal(h.prefix, "");
	assert_non_null(strstr(h.root, "/api"));
	assert_int_equal(h.n_files, 1);
	expect_change(&h.files[0], 0, NULL, "draft", "2025-08-28T10:00:00Z", "alice");
	pp_git_history_free(&h);
	walk_ok(super, NULL, &h); /* the superproject holds a gitlink, no story */
	assert_int_equal(h.n_files, 0);
	pp_git_history_free(&h);
}

/* More blobs in one commit than requests in flight (64): all read, in order. */
static void many_files_one_commit(void **state)
{
	char repo[512], path[64], key[32];
	pp_git_history h;

	(void)state;
	pp_t_new_repo(repo, sizeof(repo));
	for (int i = 0; i < 150; i++) {
		snprintf(path, sizeof(path), "s/M-%03d.md", i);
		snprintf(key, sizeof(key), "M-%03d", i);
		pp_t_story_file(repo, path, key, i % 2 ? "draft" : "ready", "x");
	}
	commit(repo, "2025-08-28T10:00:00Z", "alice");
	for (int i = 0; i < 150; i++) {
		snprintf(path, sizeof(path), "s/M-%03d.md", i);
		snprintf(key, sizeof(key), "M-%03d", i);
		pp_t_story_file(repo, path, key, i % 2 ? "done" : "ready",
				"y"); /* evens: body only */
	}
	commit(repo, "2025-08-29T10:00:00Z", "bob");
	walk_ok(repo, NULL, &h);
	assert_int_equal(h.n_files, 150);
	assert_int_equal(h.blobs_read, 300);
	for (size_t i = 0; i < h.n_files; i++) {
		const pp_git_file *f = &h.files[i];

		snprintf(key, sizeof(key), "M-%03zu", i);
		unit_str_equal(key, f->key, key);
		unit_int_equal(key, f->n_changes, i % 2 ? 2 : 1);
		expect_change(f, 0, NULL, i % 2 ? "draft" : "ready", "2025-08-28T10:00:00Z",
			      "alice");
		if (i % 2)
			expect_change(f, 1, "draft", "done", "2025-08-29T10:00:00Z", "bob");
	}
	pp_git_history_free(&h);
}

/* No commits yet: no history, no error. */
static void no_commits(void **state)
{
	char repo[512];
	pp_git_history h;

	(void)state;
	pp_t_new_repo(repo, sizeof(repo));
	walk_ok(repo, NULL, &h);
	assert_string_equal(h.head, "");
	assert_int_equal(h.n_files, 0);
	pp_git_history_free(&h);
}

static void not_a_repo(void **state)
{
	pp_git_history_opts o = {NULL, NULL};
	char dir[512];
	pp_git_history h;
	pp_err err;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/plain", pp_t_tmp);
	assert_int_equal(mkdir(dir, 0700), 0);
	o.dir = dir;
	assert_int_equal(pp_git_history_walk(&o, &h, &err), PP_EINVAL);
	assert_non_null(strstr(err.msg, "not a git work tree"));
	assert_non_null(strstr(err.msg, dir));
	pp_git_history_free(&h);
	snprintf(dir, sizeof(dir), "%s/missing", pp_t_tmp);
	assert_int_equal(pp_git_history_walk(&o, &h, &err), PP_EIO);
	assert_non_null(strstr(err.msg, "cannot read directory"));
	pp_git_history_free(&h);
}

static void git_missing(void **state)
{
	pp_git_history_opts o = {NULL, NULL};
	char repo[512], *path;
	pp_git_history h;
	pp_err err;

	(void)state;
	pp_t_new_repo(repo, sizeof(repo));
	o.dir = repo;
	path = strdup(getenv("PATH"));
	setenv("PATH", "/nonexistent", 1);
	assert_int_equal(pp_git_history_walk(&o, &h, &err), PP_EIO);
	setenv("PATH", path, 1);
	free(path);
	assert_non_null(strstr(err.msg, "cannot run git"));
	assert_non_null(strstr(err.msg, "is git installed"));
	pp_git_history_free(&h);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(three_commits),
	cmocka_unit_test(body_only),
	cmocka_unit_test(rename_keeps_history),
	cmocka_unit_test(since_walks_new_commits),
	cmocka_unit_test(since_not_hex),
	cmocka_unit_test(subdirectory),
	cmocka_unit_test(odd_names),
	cmocka_unit_test(what_counts),
	cmocka_unit_test(delete_and_add_again),
	cmocka_unit_test(merge_commit),
	cmocka_unit_test(shallow_clone),
	cmocka_unit_test(submodule),
	cmocka_unit_test(many_files_one_commit),
	cmocka_unit_test(no_commits),
	cmocka_unit_test(not_a_repo),
	cmocka_unit_test(git_missing),
};

UNIT_MAIN_WITH("git_history", tests, pp_t_tmp_group_setup, pp_t_tmp_group_teardown)
