/*
 * tests/unit/import/import.c: src/import/import.c without a database: the
 * patterns of --exclude and .planpipeignore (parsed, read, matched, the
 * last match deciding), whether a resolved path is inside the tree, a
 * project key derived from a submodule's name, .gitmodules read through
 * git, and the walk over temporary trees (hidden entries, excluded files,
 * symbolic links in and out of the tree, the depth limit). pp_import_run
 * itself is tests/integration/test_import.c's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gitrepo.h"
#include "unit.h"

#include "import/import_int.h"

static int serial;

/* A fresh empty directory below pp_t_tmp; its path in out. */
static void new_dir(char *out, size_t size)
{
	snprintf(out, size, "%s/t%d", pp_t_tmp, ++serial);
	assert_int_equal(mkdir(out, 0700), 0);
}

/* Writes each of the paths (up to NULL) below dir, holding "x". */
static void put_x(const char *dir, const char *const *paths)
{
	for (; *paths != NULL; paths++)
		pp_t_put(dir, *paths, "x");
}

/* A symbolic link dir/name to target. */
static void link_at(const char *target, const char *dir, const char *name)
{
	char path[1024];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_int_equal(symlink(target, path), 0);
}

static void add_ok(pp_import_patterns *pl, const char *line)
{
	unit_int_equal(line, pp_import_pattern_add(pl, line, strlen(line)), PP_OK);
}

/* What each line becomes: nothing, or one pattern with its flags. */
static void pattern_lines(void **state)
{
	static const struct {
		const char *line;
		const char *glob; /* NULL: no pattern */
		int negate, dir, rooted;
	} cases[] = {
		{"", NULL, 0, 0, 0},
		{"   \t\r", NULL, 0, 0, 0},
		{"# drafts", NULL, 0, 0, 0},
		{"*.md", "*.md", 0, 0, 0},
		{"draft.md  \t\r", "draft.md", 0, 0, 0},
		{"  lead.md", "  lead.md", 0, 0, 0}, /* leading blanks are the name's */
		{"!keep.md", "keep.md", 1, 0, 0},
		{"docs/", "docs", 0, 1, 0},
		{"/top.md", "top.md", 0, 0, 1},
		{"a/b.md", "a/b.md", 0, 0, 1},
		{"a/b/", "a/b", 0, 1, 1},
		{"!/x/", "x", 1, 1, 1},
		{"**/tmp", "**/tmp", 0, 0, 1},
		{"!", NULL, 0, 0, 0},
		{"/", NULL, 0, 0, 0},
		{"!#x", "#x", 1, 0, 0},
	};

	(void)state;
	for (size_t i = 0; i < UNIT_NELEM(cases); i++) {
		pp_import_patterns pl = {NULL, 0};

		add_ok(&pl, cases[i].line);
		if (cases[i].glob == NULL) {
			if (pl.n != 0)
				fail_msg("\"%s\" added a pattern", cases[i].line);
		} else {
			if (pl.n != 1)
				fail_msg("\"%s\" added %zu patterns", cases[i].line, pl.n);
			unit_str_equal(cases[i].line, pl.v[0].glob, cases[i].glob);
			if (pl.v[0].negate != cases[i].negate || pl.v[0].dir != cases[i].dir ||
			    pl.v[0].rooted != cases[i].rooted)
				fail_msg("\"%s\": negate %d dir %d rooted %d", cases[i].line,
					 pl.v[0].negate, pl.v[0].dir, pl.v[0].rooted);
		}
		pp_import_patterns_free(&pl);
	}
}

/* Only len bytes of the line count: it need not end in a NUL. */
static void pattern_line_length(void **state)
{
	pp_import_patterns pl = {NULL, 0};

	(void)state;
	assert_int_equal(pp_import_pattern_add(&pl, "one.md\ntwo.md", 6), PP_OK);
	assert_int_equal(pp_import_pattern_add(&pl, "dir/rest", 4), PP_OK);
	assert_int_equal(pl.n, 2);
	assert_string_equal(pl.v[0].glob, "one.md");
	assert_string_equal(pl.v[1].glob, "dir");
	assert_true(pl.v[1].dir);
	assert_false(pl.v[1].rooted);
	pp_import_patterns_free(&pl);
}

/* root/.planpipeignore: CRLF, comments, a last line without a newline. */
static void planpipeignore_read(void **state)
{
	pp_import_patterns pl = {NULL, 0};
	char dir[512], *big;
	pp_err err;

	(void)state;
	new_dir(dir, sizeof(dir));
	assert_int_equal(pp_import_patterns_read(dir, &pl, &err), PP_OK); /* none: fine */
	assert_int_equal(pl.n, 0);
	pp_t_put(dir, ".planpipeignore", "# left out\r\ndrafts/\r\n\r\n*.tmp.md\n!keep.tmp.md");
	add_ok(&pl, "from-exclude.md"); /* --exclude's come first */
	assert_int_equal(pp_import_patterns_read(dir, &pl, &err), PP_OK);
	assert_int_equal(pl.n, 4);
	assert_string_equal(pl.v[0].glob, "from-exclude.md");
	assert_string_equal(pl.v[1].glob, "drafts");
	assert_true(pl.v[1].dir);
	assert_string_equal(pl.v[2].glob, "*.tmp.md");
	assert_string_equal(pl.v[3].glob, "keep.tmp.md");
	assert_true(pl.v[3].negate);
	assert_int_equal(pl.v[0].line, 0); /* an --exclude */
	assert_int_equal(pl.v[1].line, 2);
	assert_int_equal(pl.v[3].line, 5);
	pp_import_patterns_free(&pl);

	/* Over 1 MiB: an error naming the file. */
	big = malloc(1024 * 1024 + 2);
	assert_non_null(big);
	memset(big, 'x', 1024 * 1024 + 1);
	big[1024 * 1024 + 1] = '\0';
	pp_t_put(dir, ".planpipeignore", big);
	free(big);
	memset(&pl, 0, sizeof(pl));
	assert_int_equal(pp_import_patterns_read(dir, &pl, &err), PP_EINVAL);
	assert_non_null(strstr(err.msg, ".planpipeignore"));
	pp_import_patterns_free(&pl);

	/* A FIFO: an error, never opened (opening it would block). */
	{
		char fifo[600];
		snprintf(fifo, sizeof(fifo), "%s/.planpipeignore", dir);
		assert_int_equal(unlink(fifo), 0);
		assert_int_equal(mkfifo(fifo, 0600), 0);
		memset(&pl, 0, sizeof(pl));
		assert_int_equal(pp_import_patterns_read(dir, &pl, &err), PP_EINVAL);
		assert_non_null(strstr(err.msg, ".planpipeignore is not a regular file"));
		pp_import_patterns_free(&pl);
	}
}

/* A '[' without its ']' is a warning naming where the pattern is (review 10, finding 24). */
static void patterns_checked(void **state)
{
	pp_import_patterns pl = {NULL, 0};
	pp_import_result res;
	char dir[512];
	pp_err err;

	(void)state;
	memset(&res, 0, sizeof(res));
	new_dir(dir, sizeof(dir));
	pp_t_put(dir, ".planpipeignore", "ok-[ab].md\n[\n\\[x.md\n[]x].md\n[!]x].md\n");
	add_ok(&pl, "drafts-[0-9");
	add_ok(&pl, "fine*.md");
	assert_int_equal(pp_import_patterns_read(dir, &pl, &err), PP_OK);
	assert_int_equal(pp_import_patterns_check(&pl, &res), PP_OK);
	assert_int_equal(res.n_problems, 2);
	assert_string_equal(res.problems[0].file, "--exclude");
	assert_int_equal(res.problems[0].line, 0);
	assert_string_equal(res.problems[0].msg,
			    "pattern \"drafts-[0-9\" has a '[' without its ']': that '[' matches "
			    "only a '[' in a name");
	assert_false(res.problems[0].is_error);
	assert_string_equal(res.problems[1].file, ".planpipeignore");
	assert_int_equal(res.problems[1].line, 2);
	assert_non_null(strstr(res.problems[1].msg, "pattern \"[\""));
	pp_import_result_free(&res);
	pp_import_patterns_free(&pl);
}

static void glob_matching(void **state)
{
	static const struct {
		const char *glob, *rel;
		int want;
	} cases[] = {
		{"*.md", "a.md", 1},         {"*.md", "a.txt", 0},
		{"*.md", "dir/a.md", 0}, /* '*' never crosses a '/' */
		{"dir/*.md", "dir/a.md", 1}, {"dir/*.md", "dir/sub/a.md", 0},
		{"a?.md", "ab.md", 1},       {"a?.md", "a/.md", 0},
		{"[ab].md", "b.md", 1},      {"[ab].md", "c.md", 0},
		{"**/tmp", "tmp", 1},        {"**/tmp", "a/tmp", 1},
		{"**/tmp", "a/b/tmp", 1},    {"**/tmp", "a/tmpx", 0},
		{"**/tmp", "atmp", 0},       {"**/b/*.md", "a/b/c.md", 1},
		{"**/b/*.md", "b/c.md", 1},  {"**/b/*.md", "a/b/c/d.md", 0},
		{"exact.md", "exact.md", 1}, {"exact.md", "exact.mdx", 0},
	};

	(void)state;
	for (size_t i = 0; i < UNIT_NELEM(cases); i++)
		if (pp_import_glob_match(cases[i].glob, cases[i].rel) != cases[i].want)
			fail_msg("glob \"%s\" on \"%s\" is not %d", cases[i].glob, cases[i].rel,
				 cases[i].want);
}

static int excluded_by(const char *const *lines, const char *rel, int is_dir)
{
	pp_import_patterns pl = {NULL, 0};
	int out;

	for (; *lines; lines++)
		add_ok(&pl, *lines);
	out = pp_import_excluded(&pl, rel, is_dir);
	pp_import_patterns_free(&pl);
	return out;
}

static void exclusion_rules(void **state)
{
	const char *none[] = {NULL};
	const char *md[] = {"*.md", NULL};
	const char *back[] = {"*.md", "!keep.md", NULL};
	const char *again[] = {"*.md", "!keep.md", "keep.md", NULL};
	const char *dirs[] = {"drafts/", NULL};
	const char *rooted[] = {"/top.md", NULL};
	const char *path[] = {"a/b.md", NULL};
	const char *deep[] = {"**/old", NULL};

	(void)state;
	assert_false(excluded_by(none, "a.md", 0));
	/* Without a '/', against the last component wherever it is. */
	assert_true(excluded_by(md, "a.md", 0));
	assert_true(excluded_by(md, "x/y/a.md", 0));
	assert_false(excluded_by(md, "x/a.md.txt", 0));
	/* The last match decides. */
	assert_false(excluded_by(back, "x/keep.md", 0));
	assert_true(excluded_by(back, "x/other.md", 0));
	assert_true(excluded_by(again, "keep.md", 0));
	/* A trailing '/': directories only. */
	assert_true(excluded_by(dirs, "drafts", 1));
	assert_true(excluded_by(dirs, "x/drafts", 1));
	assert_false(excluded_by(dirs, "drafts", 0));
	/* A '/': the whole path, from the root. */
	assert_true(excluded_by(rooted, "top.md", 0));
	assert_false(excluded_by(rooted, "x/top.md", 0));
	assert_true(excluded_by(path, "a/b.md", 0));
	assert_false(excluded_by(path, "x/a/b.md", 0));
	assert_false(excluded_by(path, "b.md", 0));
	assert_true(excluded_by(deep, "old", 1));
	assert_true(excluded_by(deep, "x/y/old", 1));
	assert_false(excluded_by(deep, "x/older", 1));
}

static void inside_the_tree(void **state)
{
	static const struct {
		const char *root, *real;
		int want;
	} cases[] = {
		{"/a/b", "/a/b", 1},      {"/a/b", "/a/b/c.md", 1},  {"/a/b", "/a/b/c/d", 1},
		{"/a/b", "/a/bc", 0},     {"/a/b", "/a/bc/d.md", 0}, {"/a/b", "/a", 0},
		{"/a/b", "/x/a/b", 0},    {"/a/b", "/", 0},          {"/", "/", 1},
		{"/", "/anything/at", 1},
	};

	(void)state;
	for (size_t i = 0; i < UNIT_NELEM(cases); i++)
		if (pp_import_inside(cases[i].root, cases[i].real) != cases[i].want)
			fail_msg("inside(\"%s\", \"%s\") is not %d", cases[i].root, cases[i].real,
				 cases[i].want);
}

static void derived_keys(void **state)
{
	static const struct {
		const char *name, *key;
	} cases[] = {
		{"api-server", "API_SERVER"},
		{"web", "WEB"},
		{"Mixed.Case_name", "MIXED_CASE_NAME"},
		{"v2-api", "V2_API"},
		{"2fa", "FA"}, /* no digit first */
		{"--lead--and--trail--", "LEAD_AND_TRAIL"},
		{"a  b", "A_B"},
		{"caf\xc3\xa9-menu", "CAF_MENU"}, /* bytes beyond ASCII are separators */
		{"abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRST"},
		{"abcdefghijklmnopqrs-tu", "ABCDEFGHIJKLMNOPQRS"}, /* no '_' last after the cut */
		{"123", ""},
		{"", ""},
	};

	(void)state;
	for (size_t i = 0; i < UNIT_NELEM(cases); i++) {
		char *k = pp_import_derive_key(cases[i].name);

		unit_true(cases[i].name, k != NULL);
		if (strcmp(k, cases[i].key) != 0)
			fail_msg("derive_key(\"%s\") = \"%s\", not \"%s\"", cases[i].name, k,
				 cases[i].key);
		free(k);
	}
}

static const pp_submodule *sub_named(const pp_submodule *subs, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(subs[i].name, name) == 0)
			return &subs[i];
	fail_msg("no submodule %s", name);
	return NULL;
}

static void submodules_read(void **state)
{
	char dir[512];
	pp_submodule *subs;
	const pp_submodule *s;
	size_t n;
	pp_err err;

	(void)state;
	new_dir(dir, sizeof(dir));
	pp_t_put(dir, ".gitmodules",
		 "[submodule \"api-server\"]\n"
		 "\tpath = services/api\n"
		 "\turl = https://example.com/api.git\n"
		 "\tbranch = main\n"
		 "[submodule \"web.v2\"]\n"
		 "\tpath = web\n"
		 "\turl = ../web.git\n"
		 "\tplanpipe-key = WEB\n"
		 "\tignore = dirty\n");
	pp_err_clear(&err);
	if (pp_import_read_submodules(dir, &subs, &n, &err) != PP_OK)
		fail_msg("%s", err.msg);
	assert_int_equal(n, 2);
	s = sub_named(subs, n, "api-server");
	assert_string_equal(s->path, "services/api");
	assert_string_equal(s->url, "https://example.com/api.git");
	assert_string_equal(s->branch, "main");
	assert_string_equal(s->project_key, "API_SERVER");
	s = sub_named(subs, n, "web.v2"); /* a name with a dot */
	assert_string_equal(s->path, "web");
	assert_string_equal(s->url, "../web.git");
	assert_null(s->branch);
	assert_string_equal(s->project_key, "WEB");
	pp_submodules_free(subs, n);

	/* A submodule without a path is an error naming it. */
	pp_t_put(dir, ".gitmodules", "[submodule \"lost\"]\n\turl = x\n");
	assert_int_equal(pp_import_read_submodules(dir, &subs, &n, &err), PP_EINVAL);
	assert_non_null(strstr(err.msg, "submodule \"lost\" has no path"));
	pp_submodules_free(subs, n);

	/* What git config cannot read. */
	pp_t_put(dir, ".gitmodules", "[submodule \"x\"\n\tpath = x\n");
	assert_int_equal(pp_import_read_submodules(dir, &subs, &n, &err), PP_EINVAL);
	assert_non_null(strstr(err.msg, "git config cannot read it"));
	pp_submodules_free(subs, n);

	/* No .gitmodules at all. */
	new_dir(dir, sizeof(dir));
	assert_int_equal(pp_import_read_submodules(dir, &subs, &n, &err), PP_EINVAL);
	assert_non_null(strstr(err.msg, "no .gitmodules"));
	assert_int_equal(n, 0);
	pp_submodules_free(subs, n);
}

static int by_string(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Walks dir with the patterns lines (NULL-terminated); the paths sorted, joined by ','. */
static pp_rc walk(const char *dir, const char *const *lines, pp_import_result *res, char *out,
		  size_t size, pp_err *err)
{
	pp_import_patterns pl = {NULL, 0};
	pp_import_paths paths = {NULL, 0, 0, NULL};
	size_t len = 0;
	pp_rc rc;

	memset(res, 0, sizeof(*res));
	for (; lines && *lines; lines++)
		add_ok(&pl, *lines);
	pp_err_clear(err);
	rc = pp_import_walk(dir, &pl, &paths, res, err);
	if (paths.n)
		qsort(paths.paths, paths.n, sizeof(*paths.paths), by_string);
	out[0] = '\0';
	for (size_t i = 0; i < paths.n; i++)
		len += (size_t)snprintf(out + len, size - len, "%s%s", i ? "," : "",
					paths.paths[i]);
	assert_true(len < size);
	pp_import_paths_free(&paths);
	pp_import_patterns_free(&pl);
	return rc;
}

/* Only regular *.md and *.markdown files (any case); hidden entries are never entered or read. */
static void walk_finds_story_files(void **state)
{
	char dir[512], got[4096];
	pp_import_result res;
	pp_err err;

	(void)state;
	new_dir(dir, sizeof(dir));
	put_x(dir, (const char *const[]){"a.md", "b.txt", ".md", "x.md.bak", ".hidden.md",
					 ".git/HEAD.md", "sub/.hidden/c.md", "sub/deeper/d.md",
					 "sub/e.md", "F.MD", "g.markdown", "h.Markdown", ".MD",
					 "i.mdown", NULL});
	snprintf(got, sizeof(got), "%s/dir.md", dir);
	assert_int_equal(mkdir(got, 0700), 0); /* a directory named *.md */
	snprintf(got, sizeof(got), "%s/pipe.md", dir);
	assert_int_equal(mkfifo(got, 0600), 0); /* reading it would block the import */
	assert_int_equal(walk(dir, NULL, &res, got, sizeof(got), &err), PP_OK);
	/* .MD and .markdown in any case are read too (review 10, finding 9) */
	assert_string_equal(got, "F.MD,a.md,g.markdown,h.Markdown,sub/deeper/d.md,sub/e.md");
	assert_int_equal(res.ignored, 0);
	/* the FIFO is named, never opened */
	assert_int_equal(res.n_problems, 1);
	assert_string_equal(res.problems[0].file, "pipe.md");
	assert_false(res.problems[0].is_error);
	assert_string_equal(res.problems[0].msg, "not a regular file (a FIFO): skipped");
	pp_import_result_free(&res);
}

/* Excluded *.md files are counted; an excluded directory is not entered. */
static void walk_leaves_out_excluded(void **state)
{
	const char *lines[] = {"drafts/", "*.tmp.md", "!keep.tmp.md", "/top.md", "notes.txt", NULL};
	char dir[512], got[4096];
	pp_import_result res;
	pp_err err;

	(void)state;
	new_dir(dir, sizeof(dir));
	/* sub/drafts.md is a file: "drafts/" is for directories */
	put_x(dir,
	      (const char *const[]){"a.md", "top.md", "sub/top.md", "x.tmp.md", "sub/y.tmp.md",
				    "sub/keep.tmp.md", "notes.txt", "drafts/d1.md", "drafts/d2.md",
				    "sub/drafts/d3.md", "sub/drafts.md", NULL});
	assert_int_equal(walk(dir, lines, &res, got, sizeof(got), &err), PP_OK);
	assert_string_equal(got, "a.md,sub/drafts.md,sub/keep.tmp.md,sub/top.md");
	assert_int_equal(res.ignored, 3); /* top.md, x.tmp.md, sub/y.tmp.md */
	pp_import_result_free(&res);
}

static const pp_import_problem *problem_of(const pp_import_result *res, const char *file)
{
	for (size_t i = 0; i < res->n_problems; i++)
		if (strcmp(res->problems[i].file, file) == 0)
			return &res->problems[i];
	fail_msg("no problem for %s", file);
	return NULL;
}

/*
 * A symbolic link is never followed: out of the tree (or broken) an error,
 * inside it a warning, a link that is neither a *.md name nor a directory
 * passed over.
 */
static void walk_symlinks(void **state)
{
	char dir[512], outside[512], got[4096], target[1024];
	const pp_import_problem *p;
	pp_import_result res;
	pp_err err;

	(void)state;
	new_dir(outside, sizeof(outside));
	pp_t_put(outside, "secret.md", "---\nid: S-1\n---\n");
	new_dir(dir, sizeof(dir));
	put_x(dir, (const char *const[]){"a.md", "sub/b.md", NULL});
	snprintf(target, sizeof(target), "%s/secret.md", outside);
	link_at(target, dir, "out.md");
	link_at(outside, dir, "outdir");
	link_at("sub/b.md", dir, "in.md");
	link_at("sub", dir, "indir");
	link_at("nowhere.md", dir, "broken.md");
	link_at("a.md", dir, "plain-name");
	assert_int_equal(walk(dir, NULL, &res, got, sizeof(got), &err), PP_OK);
	assert_string_equal(got, "a.md,sub/b.md"); /* no link read */
	assert_int_equal(res.n_problems, 5);
	assert_int_equal(res.files, 3);
	assert_int_equal(res.failed, 3);
	assert_int_equal(res.rejected, 3);
	p = problem_of(&res, "out.md");
	assert_true(p->is_error);
	assert_non_null(strstr(p->msg, "leaves the imported tree: refused"));
	assert_true(problem_of(&res, "outdir")->is_error);
	assert_true(problem_of(&res, "broken.md")->is_error);
	p = problem_of(&res, "in.md");
	assert_false(p->is_error);
	assert_non_null(strstr(p->msg, "not followed"));
	assert_false(problem_of(&res, "indir")->is_error);
	pp_import_result_free(&res);
}

/* Creates dir/d/d/.../d (levels deep) with a story file at the bottom. */
static void deep_tree(const char *dir, int levels)
{
	char rel[PP_IMPORT_MAX_DEPTH * 4 + 16];
	size_t len = 0;

	for (int i = 0; i < levels; i++)
		len += (size_t)snprintf(rel + len, sizeof(rel) - len, "d/");
	snprintf(rel + len, sizeof(rel) - len, "s.md");
	pp_t_put(dir, rel, "x");
}

/* PP_IMPORT_MAX_DEPTH directories deep is fine; one more is an error. */
static void walk_depth_limit(void **state)
{
	char dir[512], got[4096];
	pp_import_result res;
	pp_err err;

	(void)state;
	new_dir(dir, sizeof(dir));
	deep_tree(dir, PP_IMPORT_MAX_DEPTH);
	assert_int_equal(walk(dir, NULL, &res, got, sizeof(got), &err), PP_OK);
	assert_int_equal(strlen(got), PP_IMPORT_MAX_DEPTH * 2 + 4);
	pp_import_result_free(&res);

	new_dir(dir, sizeof(dir));
	deep_tree(dir, PP_IMPORT_MAX_DEPTH + 1);
	assert_int_equal(walk(dir, NULL, &res, got, sizeof(got), &err), PP_EINVAL);
	assert_non_null(strstr(err.msg, "more than 64 directories deep"));
	pp_import_result_free(&res);
}

static void walk_missing_root(void **state)
{
	char dir[600], got[64];
	pp_import_result res;
	pp_err err;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/missing", pp_t_tmp);
	assert_int_equal(walk(dir, NULL, &res, got, sizeof(got), &err), PP_EIO);
	assert_non_null(strstr(err.msg, dir));
	pp_import_result_free(&res);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(pattern_lines),
	cmocka_unit_test(pattern_line_length),
	cmocka_unit_test(planpipeignore_read),
	cmocka_unit_test(patterns_checked),
	cmocka_unit_test(glob_matching),
	cmocka_unit_test(exclusion_rules),
	cmocka_unit_test(inside_the_tree),
	cmocka_unit_test(derived_keys),
	cmocka_unit_test(submodules_read),
	cmocka_unit_test(walk_finds_story_files),
	cmocka_unit_test(walk_leaves_out_excluded),
	cmocka_unit_test(walk_symlinks),
	cmocka_unit_test(walk_depth_limit),
	cmocka_unit_test(walk_missing_root),
};

UNIT_MAIN_WITH("import", tests, pp_t_tmp_group_setup, pp_t_tmp_group_teardown)
