/*
 * test_import.c: `planpipe import` and `import-repo` against a real
 * PostgreSQL server, on generated story trees and real git repositories.
 */
#include "harness.h"

#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define N_STORIES 500

static void write_story(const char *dir, const char *file, const char *key, const char *status,
			const char *deps, const char *extra)
{
	char text[2048];

	snprintf(
		text, sizeof(text),
		"---\nid: %s\ntitle: Story %s\nstatus: %s\npriority: medium\n"
		"estimate: \"3sp\"\ndependencies: [%s]\nlabels: [generated]\nmarket: null\n%s---\n\n"
		"# %s\n\n## Acceptance Criteria\n- [x] one\n- [ ] two\n",
		key, key, status, deps, extra, key);
	pp_t_write(dir, file, text);
}

/* ALPHA: AL-1..AL-500, each depending on the previous one and on BETA:BE-i. */
static void generate(const char *alpha, const char *beta)
{
	char key[32], file[64], deps[128];
	int i;

	for (i = 1; i <= N_STORIES; i++) {
		snprintf(key, sizeof(key), "AL-%d", i);
		snprintf(file, sizeof(file), "AL-%d.md", i);
		if (i > 1)
			snprintf(deps, sizeof(deps), "AL-%d, \"BETA:BE-%d\"", i - 1, i);
		else
			snprintf(deps, sizeof(deps), "\"BETA:BE-%d\"", i);
		write_story(alpha, file, key, "draft", deps, "");
		snprintf(key, sizeof(key), "BE-%d", i);
		snprintf(file, sizeof(file), "BE-%d.md", i);
		write_story(beta, file, key, "ready", "", "");
	}
	pp_t_write(alpha, "README.md", "# not a story: no front matter\n");
}

static char *fingerprint(PGconn *c)
{
	/* xmin changes whenever a row is written: the same value means not touched. */
	return pp_t_query(c, "SELECT md5(string_agg(id || ':' || xmin::text, ',' ORDER BY id)) "
			     "FROM stories");
}

static pp_t_result import(const char *dir, const char *project, const char *more)
{
	return pp_t_run("import", dir, "--project", project, more, NULL);
}

static void two_projects_round_trip(void **state)
{
	char *alpha = pp_t_tempdir(), *beta = pp_t_tempdir(), *before, *after;
	char path[1024];
	pp_t_result r;
	PGconn *c;

	(void)state;
	pp_t_new_migrated_db();
	generate(alpha, beta);

	/* ALPHA first: its BETA dependencies do not exist yet and are kept. */
	r = import(alpha, "ALPHA", NULL);
	if (r.status != 0)
		fail_msg("import exited %d:\n%s%s", r.status, r.out, r.err);
	pp_t_assert_contains_all(r.out, "ALPHA: 500 created, 0 updated, 0 unchanged",
				 "500 unresolved dependencies");
	pp_t_result_free(&r);
	c = pp_t_connect();
	assert_int_equal(pp_t_query_long(c, "SELECT count(*) FROM story_dependency_refs"), 500);
	assert_int_equal(pp_t_query_long(c, "SELECT count(*) FROM story_dependencies"), 499);

	/* BETA arrives: every reference becomes an edge across projects. */
	pp_t_expect(0, "BETA: 500 created", NULL, "import", beta, "--project", "BETA", NULL);
	assert_int_equal(pp_t_query_long(c, "SELECT count(*) FROM story_dependency_refs"), 0);
	assert_int_equal(pp_t_query_long(c, "SELECT count(*) FROM story_dependencies"), 999);
	assert_int_equal(pp_t_query_long(c,
					 "SELECT count(*) FROM story_dependencies d JOIN stories a "
					 "ON a.id = d.story_id JOIN stories b ON b.id = "
					 "d.depends_on_id WHERE a.project_id <> b.project_id"),
			 500);
	assert_int_equal(pp_t_query_long(c,
					 "SELECT count(*) FROM stories WHERE checklist_total = 2 "
					 "AND checklist_done = 1 AND estimate_points = 3 AND "
					 "estimate_raw = '3sp' AND labels = '{generated}' AND "
					 "metadata ? 'market'"),
			 1000);

	/* Unchanged: nothing is written, and it says so. */
	before = fingerprint(c);
	r = import(alpha, "ALPHA", NULL);
	assert_int_equal(r.status, 0);
	pp_t_assert_contains_all(r.out, "0 created, 0 updated, 500 unchanged",
				 "nothing changed since the last import");
	pp_t_result_free(&r);
	after = fingerprint(c);
	assert_string_equal(before, after);
	free(after);

	/* Three files change: exactly those three rows are written. */
	write_story(alpha, "AL-7.md", "AL-7", "in_progress", "AL-6", "");
	write_story(alpha, "AL-8.md", "AL-8", "draft", "AL-7", "owner: alice\n");
	write_story(alpha, "AL-9.md", "AL-9", "draft", "", "");
	pp_t_expect(0, "0 created, 3 updated, 497 unchanged", NULL, "import", alpha, "--project",
		    "ALPHA", NULL);
	after = fingerprint(c);
	assert_int_equal(pp_t_query_long(c,
					 "SELECT count(*) FROM stories WHERE xmin::text::bigint = "
					 "(SELECT max(xmin::text::bigint) FROM stories)"),
			 3);
	free(after);
	free(before);
	/* AL-9 no longer depends on anything; AL-7 lost its BETA edge. */
	assert_int_equal(pp_t_query_long(c,
					 "SELECT count(*) FROM story_dependencies d JOIN stories s "
					 "ON s.id = d.story_id WHERE s.key = 'AL-9'"),
			 0);

	/* The status change is in the history, from the importer. */
	assert_int_equal(pp_t_query_long(c,
					 "SELECT count(*) FROM status_history h JOIN stories s ON "
					 "s.id = h.story_id WHERE s.key = 'AL-7' AND h.source = "
					 "'import' AND h.from_status = 'draft' AND h.to_status = "
					 "'in_progress'"),
			 1);

	/* A deleted file, with --prune: its story is archived, not deleted. */
	snprintf(path, sizeof(path), "%s/AL-500.md", alpha);
	assert_int_equal(unlink(path), 0);
	pp_t_expect(0, "0 archived", NULL, "import", alpha, "--project", "ALPHA", NULL);
	pp_t_expect(0, "1 archived", NULL, "import", alpha, "--project", "ALPHA", "--prune", NULL);
	assert_int_equal(pp_t_query_long(c, "SELECT count(*) FROM stories WHERE key = 'AL-500' AND "
					    "archived_at IS NOT NULL"),
			 1);
	PQfinish(c);
	free(alpha);
	free(beta);
}

static void bad_files_are_reported_and_skipped(void **state)
{
	char *dir = pp_t_tempdir();
	pp_t_result r;
	PGconn *c;

	(void)state;
	pp_t_new_migrated_db();
	write_story(dir, "good.md", "OK-1", "draft", "", "");
	pp_t_write(dir, "bad-yaml.md", "---\nid: BAD-1\ntitle: [unclosed\n---\nbody\n");
	pp_t_write(dir, "no-id.md", "---\ntitle: Missing its id\n---\nbody\n");
	pp_t_write(dir, "no id.md", "---\ntitle: Missing its id, no key in its name\n---\nbody\n");
	write_story(dir, "status.md", "ST-1", "almost_done", "", "");
	write_story(dir, "dup-a.md", "DUP-1", "draft", "", "");
	write_story(dir, "dup-b.md", "DUP-1", "draft", "", "");

	r = import(dir, "MIXED", NULL);
	assert_int_equal(r.status, 1);
	pp_t_assert_contains(
		r.err,
		"bad-yaml.md:4:1: error: invalid YAML: flow sequence without a closing bracket");
	/* No id: the file name is the key, with a warning; a name that is no key is an error. */
	pp_t_assert_contains(r.err, "no-id.md:1:1: warning: no usable id: the key \"no-id\" "
				    "comes from the file name");
	pp_t_assert_contains(r.err, "no id.md:1:1: error: missing id");
	pp_t_assert_contains(r.err, "status.md:4:9: error: unknown status \"almost_done\": "
				    "project MIXED has draft, ready, in_progress, review, done, "
				    "accepted, cancelled; add it with `planpipe workflow add MIXED "
				    "\"almost_done\" --category todo|active|done|cancelled`");
	pp_t_assert_contains(r.err, "dup-b.md:2:5: error: id \"DUP-1\" is also used by dup-a.md");
	pp_t_assert_contains_all(r.out, "3 created", "4 errors", "1 with warnings");
	pp_t_result_free(&r);

	c = pp_t_connect();
	assert_int_equal(pp_t_query_long(c, "SELECT count(*) FROM stories"), 3);
	assert_int_equal(pp_t_query_long(c, "SELECT count(*) FROM stories WHERE key = 'DUP-1' AND "
					    "source_path = 'dup-a.md'"),
			 1);
	PQfinish(c);
	free(dir);
}

static void dry_run_writes_nothing_and_json(void **state)
{
	char *dir = pp_t_tempdir();
	json_error_t jerr;
	pp_t_result r;
	json_t *j;
	PGconn *c;

	(void)state;
	pp_t_new_migrated_db();
	write_story(dir, "a.md", "DRY-1", "draft", "DRY-2", "");
	write_story(dir, "b.md", "DRY-2", "draft", "", "");
	r = pp_t_run("import", dir, "--project", "DRY", "--dry-run", "--json", NULL);
	assert_int_equal(r.status, 0);
	j = json_loads(r.out, 0, &jerr);
	if (j == NULL)
		fail_msg("not JSON (%s):\n%s", jerr.text, r.out);
	assert_int_equal(json_integer_value(json_object_get(j, "created")), 2);
	assert_true(json_is_true(json_object_get(j, "dry_run")));
	assert_int_equal(json_array_size(json_object_get(j, "problems")), 0);
	json_decref(j);
	pp_t_result_free(&r);
	c = pp_t_connect();
	assert_int_equal(pp_t_query_long(c, "SELECT count(*) FROM stories"), 0);
	assert_int_equal(pp_t_query_long(c, "SELECT count(*) FROM projects"), 0);
	PQfinish(c);
	free(dir);
}

/*
 * An unchanged file is hashed, not parsed: a second import reports none of
 * its warnings again and writes (almost) no WAL; a changed or new file whose
 * id an unchanged file holds is still a duplicate, the first by path winning.
 */
static void unchanged_files_are_not_parsed_again(void **state)
{
	char *dir = pp_t_tempdir(), *lsn, *v;
	pp_t_result r;
	PGconn *c;
	char path[1024];

	(void)state;
	pp_t_new_migrated_db();
	write_story(dir, "a.md", "K-1", "draft", "", "");
	pp_t_write(dir, "no-id.md", "---\ntitle: Named by its file\nstatus: draft\n---\nbody\n");
	pp_t_expect(0, "2 created", "no-id.md:1:1: warning: no usable id", "import", dir,
		    "--project", "LAZY", NULL);

	c = pp_t_connect();
	lsn = pp_t_query(c, "SELECT pg_current_wal_lsn()::text");
	r = import(dir, "LAZY", NULL);
	assert_int_equal(r.status, 0);
	pp_t_assert_contains(r.out, "nothing changed since the last import");
	if (strstr(r.err, "no usable id") != NULL)
		fail_msg("an unchanged file was parsed again:\n%s", r.err);
	pp_t_result_free(&r);
	snprintf(path, sizeof(path), "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '%s') < 1048576",
		 lsn);
	v = pp_t_query(c, path);
	assert_string_equal(v, "t");
	free(v);
	free(lsn);

	/* New z.md takes a.md's id: a.md, unchanged and first by path, keeps it. */
	write_story(dir, "z.md", "K-1", "draft", "", "");
	pp_t_expect(1, NULL, "z.md:2:5: error: id \"K-1\" is also used by a.md (\"K-1\")", "import",
		    dir, "--project", "LAZY", NULL);
	assert_int_equal(pp_t_query_long(c, "SELECT count(*) FROM stories WHERE key = 'K-1' AND "
					    "source_path = 'a.md'"),
			 1);

	/* New 0.md, first by path: it wins, and the unchanged a.md is the duplicate. */
	snprintf(path, sizeof(path), "%s/z.md", dir);
	assert_int_equal(unlink(path), 0);
	write_story(dir, "0.md", "k-1", "draft", "", "");
	pp_t_expect(1, NULL, "a.md:2:5: error: id \"K-1\" is also used by 0.md (\"k-1\")", "import",
		    dir, "--project", "LAZY", NULL);
	assert_int_equal(pp_t_query_long(c, "SELECT count(*) FROM stories WHERE key = 'k-1' AND "
					    "source_path = '0.md'"),
			 1);
	PQfinish(c);
	free(dir);
}

/* Every line of an import's standard error names a file: no server text of its own. */
static void assert_lines_name_files(const char *err)
{
	const char *line = err;

	while (line && *line) {
		const char *nl = strchr(line, '\n');
		size_t n = nl ? (size_t)(nl - line) : strlen(line);
		if (n > 0 && (strncmp(line, ".:", 2) == 0 || strncmp(line, "DETAIL", 6) == 0 ||
			      strncmp(line, "HINT", 4) == 0 || memchr(line, ':', n) == NULL))
			fail_msg("a line without its file: %.*s\nin:\n%s", (int)n, line, err);
		line = nl ? nl + 1 : NULL;
	}
}

static long edges(PGconn *c)
{
	return pp_t_query_long(c, "SELECT count(*) FROM story_dependencies");
}

/*
 * A two-file and a three-file cycle: one error per edge, at its line, naming
 * the cycle and every edge of it; counted, exit 1, the other edges written;
 * reported again by an unchanged re-import; gone when the files are fixed.
 */
static void cycles_are_errors_at_their_lines(void **state)
{
	char *dir = pp_t_tempdir();
	pp_t_result r;
	PGconn *c;

	(void)state;
	pp_t_new_migrated_db();
	write_story(dir, "a.md", "A-1", "draft", "B-2", "");
	write_story(dir, "b.md", "B-2", "draft", "A-1", "");
	write_story(dir, "c.md", "C-1", "draft", "D-1", "");
	write_story(dir, "d.md", "D-1", "draft", "E-1", "");
	write_story(dir, "e.md", "E-1", "draft", "C-1", "");
	write_story(dir, "f.md", "F-1", "draft", "A-1, C-1", "");

	r = import(dir, "CYC", NULL);
	assert_int_equal(r.status, 1);
	pp_t_assert_contains(r.err, "a.md:7:16: error: dependency on CYC:B-2 closes a cycle: "
				    "A-1 -> B-2 -> A-1 (a.md:7:16, b.md:7:16)");
	pp_t_assert_contains(r.err, "b.md:7:16: error: dependency on CYC:A-1 closes a cycle: "
				    "A-1 -> B-2 -> A-1 (a.md:7:16, b.md:7:16)");
	pp_t_assert_contains(r.err, "c.md:7:16: error: dependency on CYC:D-1 closes a cycle: "
				    "C-1 -> D-1 -> E-1 -> C-1 (c.md:7:16, d.md:7:16, e.md:7:16)");
	pp_t_assert_contains_all(r.err, "d.md:7:16: error: dependency on CYC:E-1 closes a cycle",
				 "e.md:7:16: error: dependency on CYC:C-1 closes a cycle");
	assert_lines_name_files(r.err);
	pp_t_assert_contains_all(r.out, "6 created", "5 errors");
	pp_t_result_free(&r);
	c = pp_t_connect();
	assert_int_equal(edges(c), 2); /* F-1's two */
	PQfinish(c);

	/* Unchanged: reported again, counted again, nothing written. */
	r = import(dir, "CYC", "--json");
	assert_int_equal(r.status, 1);
	pp_t_assert_contains(r.out, "\"errors\": 5");
	/* Errors on edges: every file is imported, none rejected. */
	pp_t_assert_contains_all(r.out, "\"rejected\": 0", "\"unchanged\": 6",
				 "A-1 -> B-2 -> A-1 (a.md:7:16, b.md:7:16)");
	pp_t_result_free(&r);

	/* b.md fixed: A-1 -> B-2 goes in; the three-file cycle is still reported. */
	write_story(dir, "b.md", "B-2", "draft", "", "");
	r = import(dir, "CYC", NULL);
	assert_int_equal(r.status, 1);
	pp_t_assert_contains(r.out, "3 errors");
	assert_null(strstr(r.err, "a.md"));
	assert_null(strstr(r.err, "b.md"));
	pp_t_result_free(&r);
	c = pp_t_connect();
	assert_int_equal(edges(c), 3);
	assert_int_equal(pp_t_query_long(c,
					 "SELECT count(*) FROM story_dependencies d JOIN stories "
					 "s ON s.id = d.story_id WHERE s.key = 'A-1'"),
			 1);
	PQfinish(c);

	/* e.md fixed too: every edge is in, no error. */
	write_story(dir, "e.md", "E-1", "draft", "", "");
	r = import(dir, "CYC", NULL);
	assert_int_equal(r.status, 0);
	assert_null(strstr(r.err, "error"));
	pp_t_result_free(&r);
	c = pp_t_connect();
	assert_int_equal(edges(c), 5);
	assert_int_equal(pp_t_query_long(c, "SELECT count(*) FROM story_dependency_refs"), 0);
	PQfinish(c);
	free(dir);
}

/*
 * A cycle closed by an older reference: X-1 waits for Y:Y-1, which arrives
 * depending on X:X-1. Both edges are errors (the reference's named by its
 * project and file), neither is written, and both are reported again by an
 * unchanged import of either project.
 */
/*
 * Keys are unique ignoring case, so a dependency written in another case
 * than the key's file finds its story: in the same import, and later, when
 * the story it names arrives in another project.
 */
static void dependencies_match_keys_ignoring_case(void **state)
{
	char *x = pp_t_tempdir(), *y = pp_t_tempdir();
	PGconn *c;

	(void)state;
	pp_t_new_migrated_db();
	write_story(x, "a.md", "adh-001", "draft", "", "");
	write_story(x, "b.md", "ADH-002", "draft", "ADH-001, \"Y:Y-1\"", "");
	pp_t_expect(0, "X: 2 created", "b.md:7:25: warning: dependency Y:Y-1 does not exist (yet)",
		    "import", x, "--project", "X", NULL);
	write_story(y, "y.md", "y-1", "draft", "", "");
	pp_t_expect(0, "Y: 1 created", NULL, "import", y, "--project", "Y", NULL);
	c = pp_t_connect();
	assert_int_equal(edges(c), 2);
	assert_int_equal(
		pp_t_query_long(c, "SELECT count(*) FROM story_dependencies d"
				   " JOIN stories s ON s.id = d.story_id"
				   " JOIN stories t ON t.id = d.depends_on_id"
				   " WHERE s.key = 'ADH-002' AND t.key IN ('adh-001', 'y-1')"),
		2);
	assert_int_equal(pp_t_query_long(c, "SELECT count(*) FROM story_dependency_refs"), 0);
	PQfinish(c);
	free(x);
	free(y);
}

/* The entries of dir whose name starts with prefix. */
static int entries(const char *dir, const char *prefix)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		n += strncmp(e->d_name, prefix, strlen(prefix)) == 0;
	closedir(d);
	return n;
}

/*
 * The dependencies wait in a temporary file in TMPDIR while the stories are
 * sent (docs/import.md, "Memory"): the edges all arrive, and the file is
 * gone (unlinked as soon as it is made), also when the import fails.
 */
static void dependencies_spool_in_tmpdir(void **state)
{
	char *x = pp_t_tempdir(), *t = pp_t_tempdir();
	PGconn *c;

	(void)state;
	pp_t_new_migrated_db();
	write_story(x, "a.md", "SP-1", "draft", "", "");
	write_story(x, "b.md", "SP-2", "draft", "SP-1", "");
	write_story(x, "c.md", "SP-3", "draft", "SP-1, SP-2", "");
	pp_t_expect_env("TMPDIR", t, 0, "SP: 3 created", NULL, "import", x, "--project", "SP",
			NULL);
	assert_int_equal(entries(t, "planpipe-import-deps"), 0);
	c = pp_t_connect();
	assert_int_equal(edges(c), 3);
	PQfinish(c);
	/* A cycle fails the import (exit 1) after the spool was used: still nothing left. */
	write_story(x, "a.md", "SP-1", "draft", "SP-3", "");
	pp_t_expect_env("TMPDIR", t, 1, NULL, "closes a cycle", "import", x, "--project", "SP",
			NULL);
	assert_int_equal(entries(t, "planpipe-import-deps"), 0);
	free(x);
	free(t);
}

static void cycle_through_an_older_reference(void **state)
{
	char *x = pp_t_tempdir(), *y = pp_t_tempdir();
	pp_t_result r;
	PGconn *c;

	(void)state;
	pp_t_new_migrated_db();
	write_story(x, "x.md", "X-1", "draft", "\"Y:Y-1\"", "");
	write_story(y, "y.md", "Y-1", "draft", "\"X:X-1\"", "");
	pp_t_expect(0, NULL, "x.md:7:16: warning: dependency Y:Y-1 does not exist (yet)", "import",
		    x, "--project", "X", NULL);

	r = import(y, "Y", NULL);
	assert_int_equal(r.status, 1);
	pp_t_assert_contains(r.err, "y.md:7:16: error: dependency on X:X-1 closes a cycle: "
				    "Y-1 -> X:X-1 -> Y-1 (X:x.md, y.md:7:16)");
	pp_t_assert_contains(r.err, "X:x.md: error: dependency on Y:Y-1 closes a cycle");
	pp_t_assert_contains(r.out, "2 errors");
	assert_lines_name_files(r.err);
	pp_t_result_free(&r);

	r = import(x, "X", NULL);
	assert_int_equal(r.status, 1);
	pp_t_assert_contains(r.err, "x.md:7:16: error: dependency on Y:Y-1 closes a cycle: "
				    "Y:Y-1 -> X-1 -> Y:Y-1 (Y:y.md, x.md:7:16)");
	pp_t_assert_contains(r.out, "2 errors");
	pp_t_result_free(&r);
	c = pp_t_connect();
	assert_int_equal(edges(c), 0);
	PQfinish(c);

	/* y.md drops its dependency: the older reference becomes an edge. */
	write_story(y, "y.md", "Y-1", "draft", "", "");
	pp_t_expect(0, NULL, NULL, "import", y, "--project", "Y", NULL);
	c = pp_t_connect();
	assert_int_equal(edges(c), 1);
	assert_int_equal(pp_t_query_long(c, "SELECT count(*) FROM story_dependency_refs"), 0);
	PQfinish(c);
	free(x);
	free(y);
}

static void sh(const char *cmd)
{
	int rc = system(cmd);

	if (rc != 0)
		fail_msg("command failed (%d): %s", rc, cmd);
}

/* A planning repository with two projects as git submodules. */
static void repo_of_submodules(void **state)
{
	char *top = pp_t_tempdir(), cmd[4096], dir[1024];
	pp_t_result r;
	PGconn *c;

	(void)state;
	pp_t_new_migrated_db();
	snprintf(dir, sizeof(dir), "%s/api-server", top);
	mkdir(dir, 0755);
	write_story(dir, "API-1.md", "API-1", "draft", "\"WEB:WEB-1\"", "");
	snprintf(dir, sizeof(dir), "%s/web", top);
	mkdir(dir, 0755);
	write_story(dir, "WEB-1.md", "WEB-1", "done", "", "");
	snprintf(
		cmd, sizeof(cmd),
		"set -e; cd %s; export GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@e GIT_COMMITTER_NAME=t "
		"GIT_COMMITTER_EMAIL=t@e; for p in api-server web; do git -C $p init -q -b main; "
		"git -C $p add .; git -C $p commit -qm init; done; git init -q -b main planning; "
		"cd planning; for p in api-server web; do git -c protocol.file.allow=always "
		"submodule --quiet add ../$p $p; done; git config -f .gitmodules "
		"submodule.web.planpipe-key WEB; git config -f .gitmodules submodule.web.branch main; "
		"git add .; git commit -qm projects",
		top);
	sh(cmd);
	snprintf(dir, sizeof(dir), "%s/planning", top);
	r = pp_t_run("import-repo", dir, NULL);
	if (r.status != 0)
		fail_msg("import-repo exited %d:\n%s%s", r.status, r.out, r.err);
	pp_t_assert_contains_all(r.out, "API_SERVER: 1 created", "WEB: 1 created");
	pp_t_result_free(&r);

	c = pp_t_connect();
	assert_int_equal(pp_t_query_long(c,
					 "SELECT count(*) FROM projects WHERE key IN "
					 "('API_SERVER', 'WEB') AND git_submodule_path IS NOT NULL "
					 "AND git_remote_url LIKE '%/%' AND "
					 "git_last_synced_commit ~ '^[0-9a-f]{40}$'"),
			 2);
	assert_int_equal(pp_t_query_long(c, "SELECT count(*) FROM projects WHERE key = 'WEB' AND "
					    "git_default_branch = 'main'"),
			 1);
	/* The cross-project dependency, imported before its target, was resolved after. */
	assert_int_equal(pp_t_query_long(c, "SELECT count(*) FROM story_dependencies"), 1);
	/* The source blob id is git's own. */
	{
		char oid[64] = "", sql[256];
		FILE *p;
		snprintf(cmd, sizeof(cmd), "git -C %s/web hash-object WEB-1.md", top);
		p = popen(cmd, "r");
		assert_non_null(p);
		assert_non_null(fgets(oid, sizeof(oid), p));
		pclose(p);
		oid[strcspn(oid, "\n")] = '\0';
		snprintf(
			sql, sizeof(sql),
			"SELECT count(*) FROM stories WHERE key = 'WEB-1' AND source_blob_id = '%s'",
			oid);
		assert_int_equal(pp_t_query_long(c, sql), 1);
	}
	PQfinish(c);

	r = pp_t_run("import-repo", dir, NULL);
	assert_int_equal(r.status, 0);
	pp_t_assert_contains_all(r.out, "API_SERVER: nothing changed", "WEB: nothing changed");
	pp_t_result_free(&r);
	free(top);
}

/* The entry of submodule name in import-repo's --json array, or NULL. */
static json_t *entry_of(json_t *all, const char *name)
{
	size_t i;
	json_t *e;

	json_array_foreach(all, i, e)
	{
		const char *sub = json_string_value(json_object_get(e, "submodule"));
		if (sub && strcmp(sub, name) == 0)
			return e;
	}
	return NULL;
}

/* Fails unless submodule name's --json entry has an error holding part. */
static void entry_error_has(json_t *all, const char *name, const char *part)
{
	json_t *e = entry_of(all, name);
	const char *error = json_string_value(json_object_get(e, "error"));

	if (e == NULL)
		fail_msg("no --json entry for the submodule %s", name);
	if (error == NULL || strstr(error, part) == NULL)
		fail_msg("the submodule %s: error \"%s\", expected \"%s\" in it", name,
			 error ? error : "(none)", part);
}

/*
 * Review 10, finding 17: every submodule has an entry in import-repo's
 * --json, the refused ones with why; a path with '..' or an absolute one is
 * said to be that (not "through a symbolic link", not "not checked out");
 * a key that is none is named before the database sees it; a submodule
 * the import itself refuses (a link out) is named, and in --json too.
 */
static void repo_refusals_in_json(void **state)
{
	char *top = pp_t_tempdir(), cmd[4096], dir[1024];
	json_error_t jerr;
	pp_t_result r;
	json_t *all;

	(void)state;
	pp_t_new_migrated_db();
	snprintf(dir, sizeof(dir), "%s/web", top);
	mkdir(dir, 0755);
	write_story(dir, "WEB-1.md", "WEB-1", "done", "", "");
	snprintf(cmd, sizeof(cmd),
		 "set -e; cd %s; export GIT_CONFIG_GLOBAL=/dev/null GIT_AUTHOR_NAME=t "
		 "GIT_AUTHOR_EMAIL=t@e GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@e; git -C web "
		 "init -q -b main; git -C web add .; git -C web commit -qm init; git init -q repo; "
		 "git init -q -b main mono; cd mono; git -c protocol.file.allow=always submodule "
		 "--quiet add ../web web; f='git config -f .gitmodules'; "
		 "$f submodule.evil.path ../repo; $f submodule.evil.url ../repo; "
		 "$f submodule.evil2.path /etc; $f submodule.evil2.url /etc; "
		 "$f submodule.ev3.path web; $f submodule.ev3.url ../web; "
		 "$f submodule.ev3.planpipe-key lower; ln -s ../repo link; "
		 "$f submodule.link.path link; $f submodule.link.url ../repo; git add .gitmodules; "
		 "git commit -qm projects",
		 top);
	sh(cmd);
	snprintf(dir, sizeof(dir), "%s/mono", top);
	r = pp_t_run("import-repo", dir, "--json", NULL);
	assert_int_equal(r.status, 2);
	pp_t_assert_contains_all(
		r.err, "the submodule evil (project EVIL): path ../repo has '..'",
		"the submodule evil2 (project EVIL2): path /etc is an absolute path",
		"the submodule ev3 (project lower): a project key is 1 to 20");
	/* A link out is the import's refusal, for its submodule. */
	pp_t_assert_contains(r.err, "the submodule link (project LINK): ");
	if (strstr(r.err, "/../repo leads out") || strstr(r.err, "Failing row") ||
	    strstr(r.err, "update --init /etc"))
		fail_msg("import-repo's errors mis-describe a refusal:\n%s", r.err);
	all = json_loads(r.out, 0, &jerr);
	if (all == NULL)
		fail_msg("--json is not JSON (%s):\n%s", jerr.text, r.out);
	assert_int_equal(json_array_size(all), 5);
	assert_string_equal(json_string_value(json_object_get(entry_of(all, "web"), "project")),
			    "WEB");
	assert_null(json_object_get(entry_of(all, "web"), "error"));
	entry_error_has(all, "evil", "has '..'");
	entry_error_has(all, "evil2", "is an absolute path");
	entry_error_has(all, "ev3", "a project key is 1 to 20 of A-Z, 0-9 and _");
	entry_error_has(all, "link", "through a symbolic link");
	json_decref(all);
	pp_t_result_free(&r);
	free(top);
}

/* A commit of everything in dir, by who at when (UTC): pinned, without the user's git config. */
static void git_commit(const char *dir, const char *who, const char *when)
{
	char cmd[2048];

	snprintf(cmd, sizeof(cmd),
		 "cd '%s' && export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1 "
		 "GIT_AUTHOR_NAME=%s GIT_AUTHOR_EMAIL=%s@example.org GIT_COMMITTER_NAME=%s "
		 "GIT_COMMITTER_EMAIL=%s@example.org GIT_AUTHOR_DATE='%s +0000' "
		 "GIT_COMMITTER_DATE='%s +0000' && { [ -d .git ] || git init -q -b main .; } && "
		 "git add -A && git commit -qm '%s'",
		 dir, who, who, who, who, when, when, when);
	sh(cmd);
}

static void small_story(const char *dir, const char *file, const char *key, const char *status)
{
	char text[512];

	snprintf(text, sizeof(text), "---\nid: %s\ntitle: Story %s\nstatus: %s\n---\n\nBody.\n",
		 key, key, status);
	pp_t_write(dir, file, text);
}

/* A story's whole history, oldest first: "from>to@MM-DD source; ...", "" when none. */
static void history_is(PGconn *c, const char *key, const char *want)
{
	char sql[1024];

	snprintf(sql, sizeof(sql),
		 "SELECT coalesce(string_agg(coalesce(h.from_status, '-') || '>' || h.to_status "
		 "|| '@' || to_char(h.changed_at AT TIME ZONE 'UTC', 'MM-DD') || ' ' || h.source, "
		 "'; ' ORDER BY h.changed_at, h.id), '') FROM stories s LEFT JOIN status_history h "
		 "ON h.story_id = s.id WHERE s.key = '%s'",
		 key);
	pp_t_query_is(c, sql, want);
}

/*
 * A story renumbered in its file (id: ADH-014 -> ADH-040, same path): the
 * file's history goes to ADH-040 only, ADH-014 keeps its own, is named as
 * no longer in any file, and --prune archives it (review 10, finding 2).
 */
static void renumbered_story_leaves_its_file(void **state)
{
	char *dir = pp_t_tempdir(), cmd[1024];
	pp_t_result r;
	PGconn *c;

	(void)state;
	pp_t_new_migrated_db();
	snprintf(cmd, sizeof(cmd), "mkdir -p '%s/stories/core'", dir);
	sh(cmd);
	small_story(dir, "stories/core/ADH-014.md", "ADH-014", "In Progress");
	small_story(dir, "stories/core/ADH-015.md", "ADH-015", "draft");
	git_commit(dir, "Ana", "2025-08-01T10:00:00");
	pp_t_expect(0, "2 created", NULL, "import", dir, "--project", "ADH", NULL);

	/* Renumbered, without --prune: said, and ADH-014 is left as it is. */
	small_story(dir, "stories/core/ADH-014.md", "ADH-040", "review");
	git_commit(dir, "Ben", "2025-08-05T10:00:00");
	r = import(dir, "ADH", NULL);
	assert_int_equal(r.status, 0);
	c = pp_t_connect();
	history_is(c, "ADH-014", "->In Progress@08-01 git");
	history_is(c, "ADH-040", "->review@08-05 git");
	pp_t_assert_contains_all(r.out, "1 created, 0 updated, 1 unchanged, 0 archived",
				 "1 history row from git");
	pp_t_assert_contains(r.err, "stories/core/ADH-014.md: warning: the file now holds ADH-040, "
				    "not ADH-014: ADH-014 is no longer in any file (--prune "
				    "archives it)\n");
	pp_t_result_free(&r);
	pp_t_query_is(c,
		      "SELECT string_agg(key || ' ' || status || ' ' || source_path || ' ' || "
		      "(archived_at IS NULL), ', ' ORDER BY key) FROM stories",
		      "ADH-014 In Progress stories/core/ADH-014.md true, "
		      "ADH-015 draft stories/core/ADH-015.md true, "
		      "ADH-040 review stories/core/ADH-014.md true");

	/* Worked on, with --prune: ADH-014 is archived and gets nothing. */
	pp_t_write(dir, "stories/core/ADH-014.md",
		   "---\nid: ADH-040\ntitle: Story ADH-040\nstatus: done\npriority: ad-hoc\n---\n");
	git_commit(dir, "Cy", "2025-08-09T10:00:00");
	r = import(dir, "ADH", "--prune");
	assert_int_equal(r.status, 0);
	pp_t_assert_contains_all(r.out, "0 created, 1 updated, 1 unchanged, 1 archived",
				 "2 history rows from git");
	pp_t_assert_contains(r.err, "stories/core/ADH-014.md: warning: the file now holds ADH-040, "
				    "not ADH-014: ADH-014 is no longer in any file (archived)\n");
	pp_t_result_free(&r);
	history_is(c, "ADH-014", "->In Progress@08-01 git");
	history_is(c, "ADH-040", "->review@08-05 git; review>done@08-09 git");

	/* Renumbered and pruned in one import; nothing else is archived. */
	small_story(dir, "stories/core/ADH-015.md", "ADH-050", "ready");
	git_commit(dir, "Di", "2025-08-12T10:00:00");
	r = import(dir, "ADH", "--prune");
	assert_int_equal(r.status, 0);
	pp_t_assert_contains(r.out, "1 created, 0 updated, 1 unchanged, 1 archived");
	pp_t_assert_contains(r.err, "stories/core/ADH-015.md: warning: the file now holds ADH-050, "
				    "not ADH-015: ADH-015 is no longer in any file (archived)\n");
	assert_null(strstr(r.err, "ADH-014 is no longer"));
	pp_t_result_free(&r);
	history_is(c, "ADH-015", "->draft@08-01 git");
	history_is(c, "ADH-050", "->ready@08-12 git");
	history_is(c, "ADH-014", "->In Progress@08-01 git");
	history_is(c, "ADH-040", "->review@08-05 git; review>done@08-09 git");
	pp_t_query_is(
		c,
		"SELECT string_agg(key || ' ' || status || ' ' || (archived_at IS NULL), ', ' "
		"ORDER BY key) FROM stories",
		"ADH-014 In Progress false, ADH-015 draft false, ADH-040 done true, "
		"ADH-050 ready true");
	/* Reports: ADH-040 completed once; the archived ADH-014 never was. */
	assert_int_equal(pp_t_query_long(c, "SELECT count(*) FROM status_history h JOIN stories s "
					    "ON s.id = h.story_id WHERE h.to_status = 'done'"),
			 1);
	PQfinish(c);
	/* Unchanged files are not read again: ADH-040's priority warning was said once. */
	r = import(dir, "ADH", "--prune");
	assert_int_equal(r.status, 0);
	pp_t_assert_contains(r.out, "nothing changed since the last import");
	assert_string_equal(r.err, "");
	pp_t_result_free(&r);
	free(dir);
}

/*
 * Two more stories claim a file's path, one set by hand (as the API can),
 * one archived: the file's git history goes to the story the file holds,
 * once, and to neither of them.
 */
static void history_goes_to_the_file_story_only(void **state)
{
	char *dir = pp_t_tempdir();
	pp_t_result r;
	PGconn *c;

	(void)state;
	pp_t_new_migrated_db();
	small_story(dir, "S-1.md", "S-1", "draft");
	git_commit(dir, "Ana", "2025-08-01T10:00:00");
	pp_t_expect(0, "1 created", NULL, "import", dir, "--project", "SP", NULL);
	c = pp_t_connect();
	free(pp_t_query(c, "INSERT INTO stories (project_id, key, title, source_path) SELECT id, "
			   "'S-9', 'claims a path', 'S-1.md' FROM projects WHERE key = 'SP'"));
	free(pp_t_query(c, "INSERT INTO stories (project_id, key, title, source_path, archived_at) "
			   "SELECT id, 'S-8', 'archived there', 'S-1.md', now() FROM projects "
			   "WHERE key = 'SP'"));
	small_story(dir, "S-1.md", "S-1", "in-progress");
	git_commit(dir, "Ben", "2025-08-05T10:00:00");
	small_story(dir, "S-1.md", "S-1", "done");
	git_commit(dir, "Cy", "2025-08-09T10:00:00");
	r = import(dir, "SP", NULL);
	assert_int_equal(r.status, 0);
	pp_t_assert_contains_all(r.out, "0 created, 1 updated", "3 history rows from git");
	pp_t_assert_contains(r.err, "S-1.md: warning: the file now holds S-1, not S-9: S-9 is no "
				    "longer in any file (--prune archives it)\n");
	assert_null(strstr(r.err, "S-8"));
	pp_t_result_free(&r);
	history_is(c, "S-1",
		   "->draft@08-01 git; draft>in-progress@08-05 git; "
		   "in-progress>done@08-09 git");
	assert_int_equal(pp_t_query_long(c, "SELECT count(*) FROM status_history h JOIN stories s "
					    "ON s.id = h.story_id WHERE s.key IN ('S-8', 'S-9') "
					    "AND h.source <> 'sql'"),
			 0);
	pp_t_query_is(c, "SELECT string_agg(key || ' ' || status, ', ' ORDER BY key) FROM stories",
		      "S-1 done, S-8 draft, S-9 draft");
	/* A later --prune archives the story given the path, and only it. */
	pp_t_expect(0, "0 created, 0 updated, 1 unchanged, 1 archived", NULL, "import", dir,
		    "--project", "SP", "--prune", NULL);
	pp_t_query_is(c,
		      "SELECT string_agg(key || ' ' || (archived_at IS NULL), ', ' ORDER BY key) "
		      "FROM stories",
		      "S-1 true, S-8 false, S-9 false");
	PQfinish(c);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(two_projects_round_trip),
		cmocka_unit_test(bad_files_are_reported_and_skipped),
		cmocka_unit_test(dry_run_writes_nothing_and_json),
		cmocka_unit_test(unchanged_files_are_not_parsed_again),
		cmocka_unit_test(repo_of_submodules),
		cmocka_unit_test(repo_refusals_in_json),
		cmocka_unit_test(cycles_are_errors_at_their_lines),
		cmocka_unit_test(dependencies_match_keys_ignoring_case),
		cmocka_unit_test(cycle_through_an_older_reference),
		cmocka_unit_test(dependencies_spool_in_tmpdir),
		cmocka_unit_test(renumbered_story_leaves_its_file),
		cmocka_unit_test(history_goes_to_the_file_story_only),
	};

	return cmocka_run_group_tests_name("import", tests, NULL, NULL);
}
