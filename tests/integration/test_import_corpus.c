/*
 * test_import_corpus.c: `planpipe import` on a planning tree written the
 * way real teams write theirs (docs/import.md): titles only in the heading,
 * keys in any case with slugs, the team's status words, priorities as words
 * and ranks, field aliases, templates, a backlog index that disagrees with
 * its files, a duplicate key, and a git history of three commits whose
 * status changes become history rows at the commits' times and authors.
 * Against a real PostgreSQL server and real git; every date is pinned.
 */
#include "harness.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <signal.h>
#include <unistd.h>

static char *tree;

/* Runs a shell command in the tree (git with pinned names and dates); fails the test on error. */
static void sh(const char *fmt, const char *arg)
{
	char cmd[4096], inner[3072];

	snprintf(inner, sizeof(inner), fmt, arg ? arg : "");
	snprintf(cmd, sizeof(cmd),
		 "cd '%s' && export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1 && %s", tree,
		 inner);
	if (system(cmd) != 0)
		fail_msg("failed: %s", inner);
}

/* A commit by who, at when (UTC), of everything in the tree. */
static void commit(const char *who, const char *when, const char *msg)
{
	char cmd[1024];

	snprintf(cmd, sizeof(cmd),
		 "git add -A && GIT_AUTHOR_NAME='%s' GIT_AUTHOR_EMAIL='%s@example.org' "
		 "GIT_COMMITTER_NAME='%s' GIT_COMMITTER_EMAIL='%s@example.org' "
		 "GIT_AUTHOR_DATE='%s +0000' GIT_COMMITTER_DATE='%s +0000' git commit -qm '%s'",
		 who, who, who, who, when, when, msg);
	sh("%s", cmd);
}

static void history_story(const char *status)
{
	char text[512];

	snprintf(text, sizeof(text),
		 "---\nid: HIST-1\ntitle: A story with a past\nstatus: %s\n---\n\nBody.\n", status);
	pp_t_write(tree, "backlog/hist.md", text);
}

static int setup(void **state)
{

	(void)state;
	pp_t_new_migrated_db();
	tree = pp_t_tempdir();
	sh("mkdir -p backlog/core templates && git init -q -b main .", NULL);

	/* A title only in the heading, a rank, tags. */
	pp_t_write(tree, "backlog/core/llm-003.md",
		   "---\nid: LLM-003\nstatus: backlog\npriority: 7\ntags: [nlp, data]\n---\n\n"
		   "# LLM-003: Entity resolution\n\nMatch the same company across sources.\n");
	/* Lower case, a team word, a named priority, aliases. */
	pp_t_write(tree, "backlog/adh-001.md",
		   "---\nid: adh-001\ntitle: Ad-hoc reporting\nstatus: in-progress\n"
		   "priority: urgent\neffort: 3sp\nassignee: ana\ndepends_on: [LLM-003]\n---\n");
	/* No dash, a done word, p1, story_points. */
	pp_t_write(tree, "backlog/scheduling.md",
		   "---\nid: SCHEDULING_AUTOMATION\ntitle: Scheduling automation\n"
		   "status: completed\npriority: p1\nstory_points: 5\n---\n");
	/* A slug, blocked, a priority planpipe cannot use, labels beside tags. */
	pp_t_write(tree, "backlog/llm-007.md",
		   "---\nid: LLM-007-sales-pitch-personalization\ntitle: Sales pitch\n"
		   "status: blocked\npriority: ad-hoc\nlabels: [sales]\ntags: [llm, sales]\n---\n");
	/* No id at all: the file name. */
	pp_t_write(tree, "backlog/no-id-story.md",
		   "---\ntitle: Named by its file\nstatus: todo\n---\n");
	/* Templates, skipped with why. */
	pp_t_write(tree, "templates/story.md",
		   "---\nid: XXX-000\ntitle: Title\nstatus: backlog\n---\n");
	pp_t_write(tree, "backlog/_template.md", "---\nid: ADH-###\ntitle: Title\n---\n");
	/* The same key in two cases: the second file names the first. */
	pp_t_write(tree, "backlog/dup-a.md", "---\nid: DUP-1\ntitle: First\n---\n");
	pp_t_write(tree, "backlog/dup-b.md", "---\nid: dup-1\ntitle: Second\n---\n");
	/* A word nothing knows. */
	pp_t_write(tree, "backlog/fridge.md",
		   "---\nid: FR-1\ntitle: Cold\nstatus: in the fridge\n---\n");
	/* The team's index: it says LLM-003 is active with rank 2; MISSING-9 has no file. */
	pp_t_write(
		tree, "backlog/PRIORITIZATION.json",
		"{\"metadata\": {\"format_version\": \"2.0\", \"last_updated\": \"2025-09-03\"},\n"
		" \"backlog\": [\n"
		"  {\"id\": \"LLM-003\", \"status\": \"active\", \"priority\": 2,\n"
		"   \"file_path\": \"backlog/core/llm-003.md\"},\n"
		"  {\"id\": \"MISSING-9\", \"status\": \"backlog\", \"priority\": 9,\n"
		"   \"file_path\": \"backlog/missing.md\"}]}\n");
	history_story("draft");
	commit("Ana", "2025-08-28T10:00:00", "stories");
	history_story("in-progress");
	commit("Ben", "2025-09-01T09:00:00", "started");
	history_story("completed");
	commit("Cy", "2025-09-03T17:30:00", "done");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(tree);
	return 0;
}

static pp_t_result import(const char *more)
{
	return pp_t_run("import", tree, "--project", "TEAM", more, NULL);
}

static void dry_run_says_what_would_happen(void **state)
{
	json_error_t jerr;
	pp_t_result r;
	json_t *j;
	PGconn *c;

	(void)state;
	r = import("--dry-run");
	assert_int_equal(r.status, 1);
	pp_t_assert_contains(r.out, "dry run, nothing written");
	pp_t_result_free(&r);
	r = pp_t_run("import", tree, "--project", "TEAM", "--dry-run", "--json", NULL);
	j = json_loads(r.out, 0, &jerr);
	assert_non_null(j);
	assert_int_equal(json_integer_value(json_object_get(j, "created")), 7);
	assert_int_equal(json_integer_value(json_object_get(j, "skipped")), 2);
	assert_int_equal(json_integer_value(json_object_get(j, "rejected")), 2);
	assert_true(json_integer_value(json_object_get(j, "warned")) >= 3);
	assert_true(json_array_size(json_object_get(j, "problems")) >= 8);
	json_decref(j);
	pp_t_result_free(&r);
	c = pp_t_connect();
	assert_int_equal(pp_t_query_long(c, "SELECT count(*) FROM stories"), 0);
	assert_int_equal(pp_t_query_long(c, "SELECT count(*) FROM statuses WHERE key = 'backlog'"),
			 0);
	PQfinish(c);
}

static void messy_tree_imports(void **state)
{
	pp_t_result r;
	PGconn *c;

	(void)state;
	r = import(NULL);
	assert_int_equal(r.status, 1);
	/* What could not be used is said, with where. */
	pp_t_assert_contains(r.err,
			     "backlog/fridge.md:4:9: error: unknown status \"in the fridge\"");
	pp_t_assert_contains(r.err, "workflow add TEAM \"in the fridge\" --category");
	pp_t_assert_contains(r.err, "backlog/dup-b.md:2:5: error: id \"dup-1\" is also used by "
				    "backlog/dup-a.md (\"DUP-1\")");
	pp_t_assert_contains_all(r.err, "templates/story.md:1:1: warning: skipped, ",
				 "backlog/_template.md:1:1: warning: skipped, ",
				 "backlog/llm-007.md:5:11: warning: ");
	pp_t_assert_contains(r.err, "backlog/core/llm-003.md:3:9: warning: status: the index says "
				    "\"active\", the file says \"backlog\"; the index wins");
	pp_t_assert_contains(r.err, "backlog[1] MISSING-9: no story file has this id");
	pp_t_assert_contains_all(r.out, "7 created", "2 errors", "2 skipped");
	/* Each story's first commit, and HIST-1's two changes after it. */
	pp_t_assert_contains(r.out, "8 history rows from git");
	pp_t_result_free(&r);

	c = pp_t_connect();
	pp_t_query_is(c,
		      "SELECT title || '|' || status || '|' || priority_rank || '|' "
		      "|| array_to_string(labels, ',') FROM stories WHERE key = 'LLM-003'",
		      "Entity resolution|active|2|nlp,data");
	pp_t_query_is(c,
		      "SELECT status || '|' || priority || '|' || estimate_points || '|' || owner "
		      "FROM stories WHERE key = 'adh-001'",
		      "in-progress|critical|3.00|ana");
	pp_t_query_is(c,
		      "SELECT status || '|' || planpipe_status_category(status) || '|' || "
		      "priority FROM stories WHERE key = 'SCHEDULING_AUTOMATION'",
		      "completed|done|high");
	pp_t_query_is(c,
		      "SELECT s.status || '|' || st.blocked || '|' || "
		      "(s.metadata->>'priority') || '|' || array_to_string(s.labels, ',') "
		      "FROM stories s JOIN statuses st ON st.key = s.status "
		      "WHERE s.key = 'LLM-007-sales-pitch-personalization'",
		      "blocked|true|ad-hoc|sales,llm");
	assert_int_equal(pp_t_query_long(c, "SELECT count(*) FROM stories WHERE key = "
					    "'no-id-story' AND title = 'Named by its file'"),
			 1);
	/* The dependency written with an alias, across key spellings. */
	assert_int_equal(pp_t_query_long(c, "SELECT count(*) FROM story_dependencies d "
					    "JOIN stories a ON a.id = d.story_id JOIN stories b "
					    "ON b.id = d.depends_on_id WHERE a.key = 'adh-001' "
					    "AND b.key = 'LLM-003'"),
			 1);
	/* The words joined TEAM's workflow, as written. */
	assert_int_equal(pp_t_query_long(c,
					 "SELECT count(*) FROM project_statuses ps JOIN projects "
					 "p ON p.id = ps.project_id WHERE p.key = 'TEAM' AND "
					 "ps.status IN ('backlog', 'in-progress', 'completed', "
					 "'blocked', 'todo', 'active')"),
			 6);
	PQfinish(c);
}

static void history_comes_from_git(void **state)
{
	PGconn *c = pp_t_connect();
	char *v;

	(void)state;
	v = pp_t_query(c,
		       "SELECT string_agg(coalesce(h.from_status, '-') || '>' || h.to_status "
		       "|| '@' || to_char(h.changed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') "
		       "|| ' ' || h.actor || ' ' || h.source || ' ' || length(h.commit_id), "
		       "'; ' ORDER BY h.changed_at) FROM status_history h JOIN stories s "
		       "ON s.id = h.story_id WHERE s.key = 'HIST-1'");
	assert_string_equal(v, "->draft@2025-08-28 10:00 Ana <Ana@example.org> git 40; "
			       "draft>in-progress@2025-09-01 09:00 Ben <Ben@example.org> git 40; "
			       "in-progress>completed@2025-09-03 17:30 Cy <Cy@example.org> git 40");
	free(v);
	pp_t_query_is(c,
		      "SELECT to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') || "
		      "'|' || to_char(started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') || "
		      "'|' || to_char(completed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') "
		      "FROM stories WHERE key = 'HIST-1'",
		      "2025-08-28 10:00|2025-09-01 09:00|2025-09-03 17:30");
	/* Reports see the past: it was completed in the week of 2025-09-01. */
	v = pp_t_query(c, "SELECT planpipe_report_throughput(ARRAY['TEAM'], '2025-08-25', "
			  "'2025-09-07')::text");
	pp_t_assert_contains(v, "2025-09-01");
	free(v);
	PQfinish(c);
}

static void reimport_adds_only_new_commits(void **state)
{
	pp_t_result r;
	PGconn *c;

	(void)state;
	c = pp_t_connect();
	r = import(NULL);
	assert_int_equal(r.status, 1);
	pp_t_assert_contains(r.out, "0 created, 0 updated, 7 unchanged");
	pp_t_result_free(&r);
	assert_int_equal(
		pp_t_query_long(c, "SELECT count(*) FROM status_history WHERE source = 'git'"), 8);
	history_story("accepted");
	commit("Di", "2025-09-10T08:00:00", "accepted");
	r = import(NULL);
	assert_int_equal(r.status, 1);
	pp_t_assert_contains(r.out, "1 updated");
	pp_t_result_free(&r);
	assert_int_equal(pp_t_query_long(c, "SELECT count(*) FROM status_history h JOIN stories s "
					    "ON s.id = h.story_id WHERE s.key = 'HIST-1'"),
			 4);
	assert_int_equal(
		pp_t_query_long(c, "SELECT count(*) FROM status_history h JOIN stories s "
				   "ON s.id = h.story_id WHERE s.key = 'HIST-1' AND "
				   "h.source = 'git' AND h.actor LIKE 'Di %' AND "
				   "h.from_status = 'completed' AND h.to_status = 'accepted'"),
		1);
	PQfinish(c);
}

/* The way the error message says: add the word, import again. */
static void workflow_command_adds_the_word(void **state)
{
	pp_t_result r;

	(void)state;
	r = pp_t_run("workflow", "TEAM", NULL);
	assert_int_equal(r.status, 0);
	pp_t_assert_contains_all(r.out, "in-progress", "completed");
	pp_t_result_free(&r);
	pp_t_expect(2, NULL, "is a new word: give its category", "workflow", "add", "TEAM",
		    "in the fridge", NULL);
	pp_t_expect(2, NULL, "is done wherever it is used", "workflow", "add", "TEAM", "completed",
		    "--category", "todo", NULL);
	pp_t_expect(0, NULL, NULL, "workflow", "add", "TEAM", "in the fridge", "--category", "todo",
		    "--name", "Icebox", NULL);
	pp_t_expect(2, NULL, "no project \"NOPE\"", "workflow", "NOPE", NULL);
	r = import(NULL);
	pp_t_assert_contains_all(r.out, "1 created", "1 error");
	pp_t_result_free(&r);
}

/* A tree of its own, for the hostile cases; the caller frees it. */
static char *other_tree(void)
{
	return pp_t_tempdir();
}

static void unreadable_files_are_named(void **state)
{
	char *dir = other_tree();
	pp_t_result r;
	char path[1100];
	FILE *f;

	(void)state;
	pp_t_write(dir, "good.md", "---\nid: OK-1\ntitle: Fine\n---\n");
	pp_t_write(dir, "toml.md", "+++\nid = \"T-1\"\ntitle = \"TOML\"\n+++\n");
	pp_t_write(dir, "dashes.md", "----\nid: D-1\ntitle: Four dashes\n----\n");
	pp_t_write(dir, "cr-only.md", "---\rid: CR-1\rtitle: Old Mac line ends\r---\rBody\r");
	/* UTF-16 with a byte order mark: "---\n" in UTF-16LE. */
	snprintf(path, sizeof(path), "%s/utf16.md", dir);
	f = fopen(path, "wb");
	assert_non_null(f);
	fwrite("\xff\xfe-\0-\0-\0\n\0", 1, 10, f);
	fclose(f);
	/* A file name that is not UTF-8. */
	pp_t_write(dir, "caf\xe9.md", "---\nid: CAFE-1\ntitle: Latin-1 name\n---\n");
	r = pp_t_run("import", dir, "--project", "HOSTILE", "--json", NULL);
	assert_int_equal(r.status, 1);
	pp_t_assert_contains_all(r.out, "\"created\": 2", "\"rejected\": 4",
				 "\"file\": \"toml.md\"", "TOML", "\"file\": \"utf16.md\"",
				 "UTF-16", "\"file\": \"dashes.md\"", "\"file\": \"caf\\\\xe9.md\"",
				 "the file name is not valid UTF-8");
	pp_t_result_free(&r);
	free(dir);
}

static void symlinks_and_deep_trees(void **state)
{
	char *dir = other_tree(), *outside = other_tree();
	char cmd[4096];
	pp_t_result r;

	(void)state;
	pp_t_write(outside, "secret.md", "---\nid: SECRET-1\ntitle: Not in the tree\n---\n");
	pp_t_write(dir, "good.md", "---\nid: OK-1\ntitle: Fine\n---\n");
	snprintf(cmd, sizeof(cmd),
		 "ln -s '%s' '%s/escape' && ln -s '%s/secret.md' '%s/leak.md' && "
		 "ln -s good.md '%s/inside.md'",
		 outside, dir, outside, dir, dir);
	assert_int_equal(system(cmd), 0);
	r = pp_t_run("import", dir, "--project", "LINKS", NULL);
	assert_int_equal(r.status, 1);
	pp_t_assert_contains(r.err, "escape: error: a symbolic link that leaves the imported tree");
	pp_t_assert_contains(r.err,
			     "leak.md: error: a symbolic link that leaves the imported tree");
	pp_t_assert_contains(r.err, "inside.md: warning: a symbolic link: not followed");
	pp_t_assert_contains(r.out, "1 created");
	pp_t_result_free(&r);
	{
		PGconn *c = pp_t_connect();
		assert_int_equal(
			pp_t_query_long(c, "SELECT count(*) FROM stories WHERE key = 'SECRET-1'"),
			0);
		PQfinish(c);
	}
	/* 1,000 directories deep: an error naming the depth, not a crash. */
	snprintf(cmd, sizeof(cmd),
		 "cd '%s' && for i in $(seq 1000); do mkdir d && cd d || exit 1; done", dir);
	assert_int_equal(system(cmd), 0);
	pp_t_expect(2, NULL, "more than 64 directories deep", "import", dir, "--project", "LINKS",
		    NULL);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s' '%s'", dir, outside);
	assert_int_equal(system(cmd), 0);
	free(dir);
	free(outside);
}

static void excludes_and_zones(void **state)
{
	char *dir = other_tree();
	char sub[1100];
	pp_t_result r;
	PGconn *c;

	(void)state;
	snprintf(sub, sizeof(sub), "%s/drafts", dir);
	assert_int_equal(mkdir(sub, 0755), 0);
	pp_t_write(dir, "keep.md",
		   "---\nid: K-1\ntitle: Kept\ncreated: 2025-08-28\n"
		   "last_updated: 2025-08-29 14:30\n---\n");
	pp_t_write(dir, "skip.old.md", "---\nid: K-2\ntitle: Old\n---\n");
	pp_t_write(dir, "drafts/d.md", "---\nid: K-3\ntitle: Draft\n---\n");
	pp_t_write(dir, "drafts/back.md", "---\nid: K-4\ntitle: Brought back\n---\n");
	pp_t_write(dir, ".planpipeignore", "# not stories\n*.old.md\ndrafts/*\n!drafts/back.md\n");
	/* Dates without a zone are UTC, whatever the session's time zone. */
	setenv("PGTZ", "Asia/Tokyo", 1);
	r = pp_t_run("import", dir, "--project", "EXCL", "--exclude", "nothing-*", NULL);
	unsetenv("PGTZ");
	assert_int_equal(r.status, 0);
	pp_t_assert_contains(r.out, "2 created");
	pp_t_result_free(&r);
	c = pp_t_connect();
	assert_int_equal(
		pp_t_query_long(c, "SELECT count(*) FROM stories WHERE key IN ('K-1', 'K-4')"), 2);
	assert_int_equal(pp_t_query_long(c, "SELECT count(*) FROM stories WHERE "
					    "created_at = '2025-08-28 00:00:00+00' AND "
					    "last_updated = '2025-08-29 14:30:00+00'"),
			 1);
	PQfinish(c);
	free(dir);
}

/*
 * The index gives a word the project cannot use (review 10, finding 6): the
 * error is the index's, at its entry; the stories keep their files' status
 * (one has none, one says ready); a known word still wins, with its warning;
 * the index's shape problems name the index once.
 */
static void index_word_nothing_knows(void **state)
{
	char *dir = other_tree();
	char sub[1100];
	pp_t_result r;
	PGconn *c;

	(void)state;
	snprintf(sub, sizeof(sub), "%s/stories", dir);
	assert_int_equal(mkdir(sub, 0755), 0);
	snprintf(sub, sizeof(sub), "%s/backlog", dir);
	assert_int_equal(mkdir(sub, 0755), 0);
	pp_t_write(dir, "stories/a.md", "---\nid: IX-1\ntitle: No status\n---\n");
	pp_t_write(dir, "stories/b.md", "---\nid: IX-2\ntitle: Ready\nstatus: ready\n---\n");
	pp_t_write(dir, "stories/c.md", "---\nid: IX-3\ntitle: Known\nstatus: ready\n---\n");
	/* A rank and no status; the index gives a level and a status (review 10, finding 24). */
	pp_t_write(dir, "stories/e.md", "---\nid: IX-5\ntitle: Ranked\npriority: 3\n---\n");
	pp_t_write(dir, "backlog/PRIORITIZATION.json",
		   "{\"backlog\": [{\"id\": \"IX-1\", \"status\": \"on the moon\"},\n"
		   " {\"id\": \"IX-2\", \"status\": \"on the moon\"},\n"
		   " {\"id\": \"IX-3\", \"status\": \"done\"},\n"
		   " {\"id\": \"IX-4\", \"status\": 3},\n"
		   " {\"id\": \"IX-5\", \"status\": \"done\", \"priority\": \"critical\"}]}\n");
	r = pp_t_run("import", dir, "--project", "IDX", "--no-history", NULL);
	assert_int_equal(r.status, 1);
	pp_t_assert_contains_all(
		r.err,
		"backlog/PRIORITIZATION.json: error: backlog[0].status: unknown status \"on the "
		"moon\" for IX-1: project IDX has ",
		"stories/a.md is imported with its file's status (none)",
		"backlog/PRIORITIZATION.json: error: backlog[1].status: unknown status",
		"stories/b.md is imported with its file's status, \"ready\"",
		"stories/c.md:4:9: warning: status: the index says \"done\", the file says "
		"\"ready\"; the index wins (backlog/PRIORITIZATION.json)",
		"backlog/PRIORITIZATION.json: warning: backlog[3].status: expected a string",
		"stories/e.md:4:11: warning: priority: the index says \"critical\", the file gives "
		"no level; the index wins",
		"stories/e.md:2:5: warning: status: the index says \"done\", the file has none");
	assert_null(strstr(r.err, "stories/a.md: error"));
	assert_null(strstr(r.err, "stories/b.md:4:9: error"));
	assert_null(strstr(r.err, "the index says \"on the moon\""));
	assert_null(strstr(r.err, "warning: /"));
	pp_t_assert_contains_all(r.out, "4 created", "2 errors");
	pp_t_result_free(&r);
	/* Malformed: at jansson's line and column, the index named once. */
	pp_t_write(dir, "backlog/PRIORITIZATION.json", "{\"backlog\": [\n  {\"id\": }]}\n");
	r = pp_t_run("import", dir, "--project", "IDX", "--no-history", NULL);
	assert_int_equal(r.status, 1);
	pp_t_assert_contains(r.err, "backlog/PRIORITIZATION.json:2:10: error: the backlog index is "
				    "not used: invalid JSON: ");
	assert_null(strstr(r.err, "used: /"));
	pp_t_result_free(&r);
	/* An index that is a FIFO is not opened (it would block): an error, the files imported. */
	snprintf(sub, sizeof(sub), "%s/backlog/PRIORITIZATION.json", dir);
	assert_int_equal(unlink(sub), 0);
	assert_int_equal(mkfifo(sub, 0600), 0);
	r = pp_t_run("import", dir, "--project", "IDX", "--no-history", NULL);
	assert_int_equal(r.status, 1);
	pp_t_assert_contains(r.err, "backlog/PRIORITIZATION.json: error: the backlog index is not "
				    "used: not a regular file (a FIFO)");
	pp_t_result_free(&r);
	c = pp_t_connect();
	assert_int_equal(pp_t_query_long(c, "SELECT count(*) FROM stories s JOIN projects p ON "
					    "p.id = s.project_id WHERE p.key = 'IDX' AND "
					    "(s.key, s.status) IN (('IX-1', 'draft'), ('IX-2', "
					    "'ready'), ('IX-3', 'done'))"),
			 3);
	PQfinish(c);
	free(dir);
}

/*
 * --backlog NAME that the project does not have: created with a warning, and
 * only when stories are written (review 10, finding 24).
 */
static void backlog_option_creates_with_a_warning(void **state)
{
	char *dir = other_tree();
	pp_t_result r;
	PGconn *c;

	(void)state;
	pp_t_write(dir, "a.md", "---\nid: BO-1\ntitle: One\n---\n");
	r = pp_t_run("import", dir, "--project", "BKL", "--backlog", "Sprint 9", NULL);
	assert_int_equal(r.status, 0);
	pp_t_assert_contains(
		r.err, "--backlog: warning: the project had no backlog \"Sprint 9\": created");
	pp_t_assert_contains(r.out, "1 created");
	pp_t_result_free(&r);
	/* Nothing to write: no backlog made for the typo. */
	r = pp_t_run("import", dir, "--project", "BKL", "--backlog", "Sprnt 9", NULL);
	assert_int_equal(r.status, 0);
	assert_null(strstr(r.err, "Sprnt 9"));
	pp_t_result_free(&r);
	/* Its own name, found: no warning. */
	pp_t_write(dir, "b.md", "---\nid: BO-2\ntitle: Two\n---\n");
	r = pp_t_run("import", dir, "--project", "BKL", "--backlog", "Sprint 9", NULL);
	assert_int_equal(r.status, 0);
	assert_null(strstr(r.err, "--backlog"));
	pp_t_result_free(&r);
	c = pp_t_connect();
	assert_int_equal(pp_t_query_long(c, "SELECT count(*) FROM backlogs b JOIN projects p ON "
					    "p.id = b.project_id WHERE p.key = 'BKL'"),
			 1);
	assert_int_equal(pp_t_query_long(c, "SELECT count(*) FROM stories s JOIN backlogs b ON "
					    "b.id = s.backlog_id WHERE b.name = 'Sprint 9'"),
			 2);
	PQfinish(c);
	free(dir);
}

/* The import's statement that takes the project's lock, seen from another session. */
#define WAITER                                                                                     \
	"SELECT count(*) FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND "                 \
	"query LIKE '%pg_advisory_xact_lock(1886154352%'"

/* Ctrl-C while the import waits on the server: cancelled there, rolled back, exit 130. */
static void interrupt_cancels_the_statement(void **state)
{
	const char *args[] = {"import", tree, "--project", "TEAM", NULL};
	PGconn *holder = pp_t_connect();
	PGresult *res;
	pp_t_result r;
	pid_t pid;
	long waiting = 0;
	int i;

	(void)state;
	/* Hold the project's import lock (sql_project_lock's key) so the import waits on it. */
	res = PQexec(holder, "SELECT pg_advisory_lock(1886154352, 100 + (id % 1000000000)::int) "
			     "FROM projects WHERE key = 'TEAM'");
	assert_int_equal(PQresultStatus(res), PGRES_TUPLES_OK);
	PQclear(res);
	pid = pp_t_spawn(args, "interrupt");
	for (i = 0; i < 200 && waiting == 0; i++) {
		usleep(50 * 1000);
		waiting = pp_t_query_long(holder, WAITER " AND wait_event_type = 'Lock'");
	}
	assert_int_equal(waiting, 1);
	kill(pid, SIGINT);
	r = pp_t_wait(pid, "interrupt", 10000);
	assert_int_equal(r.status, 130);
	pp_t_assert_contains(r.err, "interrupted: the import was cancelled and rolled back");
	pp_t_result_free(&r);
	for (i = 0; i < 100; i++) {
		if (pp_t_query_long(holder,
				    "SELECT count(*) FROM pg_stat_activity WHERE "
				    "application_name = 'planpipe import' AND state = 'active'") ==
		    0)
			break;
		usleep(50 * 1000);
	}
	assert_int_equal(
		pp_t_query_long(holder,
				"SELECT count(*) FROM pg_stat_activity WHERE "
				"application_name = 'planpipe import' AND state = 'active'"),
		0);
	PQfinish(holder);
}

/* Bytes a process has read() so far (/proc/PID/io, rchar); -1 when gone. */
static long long read_bytes(pid_t pid)
{
	char path[64], line[128];
	long long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/io", (int)pid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "rchar: %lld", &v) == 1)
			break;
	fclose(f);
	return v;
}

/*
 * Ctrl-C while the import reads its files: it stops there, before any
 * statement. The project's lock is held meanwhile, so that an import that
 * read on would block on it for ever (no statement to cancel when the
 * signal came) instead of exiting 130; the process is caught reading
 * (SIGSTOP once it has read 1 MiB of the 8 MiB tree), then interrupted.
 */
static void interrupt_between_files(void **state)
{
	char *dir = pp_t_tempdir(), *text = malloc(4096), name[32];
	const char *args[] = {"import", dir, "--project", "TEAM", NULL};
	const long long tree_bytes = 4000LL * 2000;
	long long got = -1;
	PGconn *holder = pp_t_connect();
	PGresult *res;
	pp_t_result r;
	long stories;
	pid_t pid;
	int i, n;

	(void)state;
	assert_non_null(text);
	for (i = 0; i < 4000; i++) {
		n = snprintf(text, 4096, "---\nid: SLOW-%d\ntitle: Slow %d\nstatus: draft\n---\n",
			     i, i);
		memset(text + n, 'x', (size_t)(2000 - n));
		text[1999] = '\n';
		text[2000] = '\0';
		snprintf(name, sizeof(name), "slow-%04d.md", i);
		pp_t_write(dir, name, text);
	}
	stories = pp_t_query_long(holder, "SELECT count(*) FROM stories");
	res = PQexec(holder, "SELECT pg_advisory_lock(1886154352, 100 + (id % 1000000000)::int) "
			     "FROM projects WHERE key = 'TEAM'");
	assert_int_equal(PQresultStatus(res), PGRES_TUPLES_OK);
	PQclear(res);
	pid = pp_t_spawn(args, "interrupt-files");
	for (i = 0; i < 200000; i++) {
		got = read_bytes(pid);
		if (got >= (1 << 20))
			break;
		usleep(50);
	}
	kill(pid, SIGSTOP);
	got = read_bytes(pid);
	if (got < (1 << 20) || got >= tree_bytes) {
		kill(pid, SIGCONT);
		kill(pid, SIGKILL);
		r = pp_t_wait(pid, "interrupt-files", 10000);
		pp_t_result_free(&r);
		fail_msg("not caught reading the files (%lld bytes read of %lld)", got, tree_bytes);
	}
	kill(pid, SIGINT);
	kill(pid, SIGCONT);
	r = pp_t_wait(pid, "interrupt-files", 10000);
	assert_int_equal(r.status, 130);
	pp_t_assert_contains(r.err, "interrupted: the import was cancelled and rolled back");
	pp_t_result_free(&r);
	assert_int_equal(pp_t_query_long(holder, WAITER), 0);
	assert_int_equal(pp_t_query_long(holder, "SELECT count(*) FROM pg_stat_activity WHERE "
						 "application_name = 'planpipe import' AND "
						 "state <> 'idle'"),
			 0);
	assert_int_equal(pp_t_query_long(holder, "SELECT count(*) FROM stories"), stories);
	PQfinish(holder);
	free(text);
	free(dir);
}

static void submodule_not_checked_out(void **state)
{
	char *top = other_tree();
	char cmd[4096];

	(void)state;
	snprintf(
		cmd, sizeof(cmd),
		"cd '%s' && export GIT_CONFIG_GLOBAL=/dev/null GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@e "
		"GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@e && mkdir p1 && git -C p1 init -q -b main "
		"&& printf -- '---\\nid: P-1\\ntitle: t\\n---\\n' > p1/P-1.md && git -C p1 add . && "
		"git -C p1 commit -qm one && git init -q -b main plan && cd plan && "
		"git -c protocol.file.allow=always submodule --quiet add ../p1 p1 && "
		"git commit -qm sub && cd .. && git clone -q plan clone",
		top);
	assert_int_equal(system(cmd), 0);
	/* The clone's submodule directory is empty: an error for P1, never a prune. */
	snprintf(cmd, sizeof(cmd), "%s/clone", top);
	pp_t_expect(1, NULL, "the submodule p1 (project P1) is not checked out", "import-repo", cmd,
		    "--prune", NULL);
	free(top);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(dry_run_says_what_would_happen),
		cmocka_unit_test(messy_tree_imports),
		cmocka_unit_test(history_comes_from_git),
		cmocka_unit_test(reimport_adds_only_new_commits),
		cmocka_unit_test(workflow_command_adds_the_word),
		cmocka_unit_test(unreadable_files_are_named),
		cmocka_unit_test(symlinks_and_deep_trees),
		cmocka_unit_test(excludes_and_zones),
		cmocka_unit_test(index_word_nothing_knows),
		cmocka_unit_test(backlog_option_creates_with_a_warning),
		cmocka_unit_test(interrupt_cancels_the_statement),
		cmocka_unit_test(interrupt_between_files),
		cmocka_unit_test(submodule_not_checked_out),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
