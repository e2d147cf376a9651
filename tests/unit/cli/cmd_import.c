/*
 * tests/unit/cli/cmd_import.c: src/cli/cmd_import.c's pure parts
 * (cmd_import_int.h): the problems as FILE:LINE:COLUMN lines, the one-line
 * summary (plurals, counts left out when 0, dry run, "nothing changed"), the
 * --json summary with the keys docs/import.md shows, the exit status, the
 * project keys and submodule paths refused before the import runs.
 * (The import itself: tests/integration/test_import.c and test_cli.c.)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "unit.h"

#include "capture.h"
#include "cli/cli.h"
#include "cli/cmd_import_int.h"

/* A result with created, updated and unchanged stories, nothing else. */
static pp_import_result counts(size_t created, size_t updated, size_t unchanged)
{
	pp_import_result r;

	memset(&r, 0, sizeof(r));
	r.created = created;
	r.updated = updated;
	r.unchanged = unchanged;
	r.files = created + updated + unchanged;
	return r;
}

/* Fails unless import_print_summary (or _problems when problems) writes want. */
static void expect_text(const pp_import_result *r, int dry_run, int problems, const char *want)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	assert_non_null(f);
	if (problems)
		import_print_problems(f, "", r);
	else
		import_print_summary(f, "API", r, dry_run);
	assert_int_equal(fclose(f), 0);
	if (strcmp(text, want) != 0)
		fail_msg("output:\n%s\nwant:\n%s", text, want);
	free(text);
}

static void summary_names_each_count(void **state)
{
	pp_import_result r = counts(3, 1, 496);

	(void)state;
	expect_text(&r, 0, 0, "API: 3 created, 1 updated, 496 unchanged, 0 archived, 0 errors\n");
	r.failed = 1;
	r.archived = 2;
	expect_text(&r, 0, 0, "API: 3 created, 1 updated, 496 unchanged, 2 archived, 1 error\n");
	r.failed = 2;
	r.warned = 4;
	r.skipped = 1;
	r.history_rows = 1;
	r.unresolved = 1;
	expect_text(&r, 0, 0,
		    "API: 3 created, 1 updated, 496 unchanged, 2 archived, 2 errors, 4 with "
		    "warnings, 1 skipped, 1 history row from git, 1 unresolved dependency\n");
	r.history_rows = 12;
	r.unresolved = 3;
	memcpy(r.commit, "1a2b3c4d5e6f7a8b9c0d1a2b3c4d5e6f7a8b9c0d", 41);
	expect_text(&r, 0, 0,
		    "API: 3 created, 1 updated, 496 unchanged, 2 archived, 2 errors, 4 with "
		    "warnings, 1 skipped, 12 history rows from git, 3 unresolved dependencies "
		    "(commit 1a2b3c4d5e6f)\n");
}

/* Nothing written and no error: said so, unless it was a dry run (which writes nothing anyway). */
static void summary_says_when_nothing_changed(void **state)
{
	pp_import_result r = counts(0, 0, 7);

	(void)state;
	expect_text(&r, 0, 0,
		    "API: 0 created, 0 updated, 7 unchanged, 0 archived, 0 errors\n"
		    "API: nothing changed since the last import\n");
	expect_text(&r, 1, 0,
		    "dry run, nothing written: API: 0 created, 0 updated, 7 unchanged, 0 archived, "
		    "0 errors\n");
	/* An error is not "nothing changed": the files with errors were not imported. */
	r.failed = 1;
	expect_text(&r, 0, 0, "API: 0 created, 0 updated, 7 unchanged, 0 archived, 1 error\n");
	/* Archiving alone is a change. */
	r.failed = 0;
	r.archived = 1;
	expect_text(&r, 0, 0, "API: 0 created, 0 updated, 7 unchanged, 1 archived, 0 errors\n");
	r = counts(1, 0, 0);
	expect_text(&r, 1, 0,
		    "dry run, nothing written: API: 1 created, 0 updated, 0 unchanged, 0 archived, "
		    "0 errors\n");
}

static pp_import_problem problems[] = {
	{"API-1.md", 6, 15, "unknown status \"Doing\"", 1},
	{"API-2.md", 3, 0, "front matter is not closed", 1},
	{"backlog/PRIORITIZATION.json", 0, 0, "not JSON", 1},
	{"API-7.md", 6, 15, "dependency WEB:WEB-9 does not exist (yet): kept as unresolved", 0},
};

/* FILE:LINE:COLUMN as compilers write it, the unknown parts left out. */
static void problems_as_file_line_column(void **state)
{
	pp_import_result r = counts(0, 0, 0);

	(void)state;
	expect_text(&r, 0, 1, "");
	r.problems = problems;
	r.n_problems = UNIT_NELEM(problems);
	expect_text(&r, 0, 1,
		    "API-1.md:6:15: error: unknown status \"Doing\"\n"
		    "API-2.md:3: error: front matter is not closed\n"
		    "backlog/PRIORITIZATION.json: error: not JSON\n"
		    "API-7.md:6:15: warning: dependency WEB:WEB-9 does not exist (yet): kept as "
		    "unresolved\n");
}

/* The keys of docs/import.md's example, each with r's value; null for what is unknown. */
static void json_summary_has_every_documented_key(void **state)
{
	static const char *const keys[] = {"project",  "dry_run",  "project_created",
					   "files",    "ignored",  "skipped",
					   "warned",   "rejected", "history_rows",
					   "created",  "updated",  "unchanged",
					   "archived", "errors",   "unresolved_dependencies",
					   "commit",   "problems"};
	pp_import_result r = counts(3, 1, 496);
	json_t *j, *p;
	char *text;
	size_t i;

	(void)state;
	r.ignored = 1;
	r.skipped = 2;
	r.warned = 4;
	r.rejected = 5;
	r.failed = 6;
	r.history_rows = 7;
	r.unresolved = 8;
	r.archived = 9;
	r.project_created = 1;
	r.problems = problems;
	r.n_problems = UNIT_NELEM(problems);
	j = import_result_json("API", &r, 1);
	assert_non_null(j);
	for (i = 0; i < UNIT_NELEM(keys); i++)
		if (json_object_get(j, keys[i]) == NULL)
			fail_msg("--json has no \"%s\"", keys[i]);
	assert_int_equal(json_object_size(j), UNIT_NELEM(keys));
	text = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
	assert_string_equal(
		text,
		"{\"project\":\"API\",\"dry_run\":true,\"project_created\":true,\"files\":500,"
		"\"ignored\":1,\"skipped\":2,\"warned\":4,\"rejected\":5,\"history_rows\":7,"
		"\"created\":3,\"updated\":1,\"unchanged\":496,\"archived\":9,\"errors\":6,"
		"\"unresolved_dependencies\":8,\"commit\":null,\"problems\":["
		"{\"file\":\"API-1.md\",\"line\":6,\"column\":15,\"severity\":\"error\","
		"\"message\":\"unknown status \\\"Doing\\\"\"},"
		"{\"file\":\"API-2.md\",\"line\":3,\"column\":null,\"severity\":\"error\","
		"\"message\":\"front matter is not closed\"},"
		"{\"file\":\"backlog/PRIORITIZATION.json\",\"line\":null,\"column\":null,"
		"\"severity\":\"error\",\"message\":\"not JSON\"},"
		"{\"file\":\"API-7.md\",\"line\":6,\"column\":15,\"severity\":\"warning\","
		"\"message\":\"dependency WEB:WEB-9 does not exist (yet): kept as "
		"unresolved\"}]}");
	free(text);
	json_decref(j);

	/* A git checkout: its whole commit id; no problems: an empty array, not null. */
	r = counts(0, 0, 0);
	memcpy(r.commit, "1a2b3c4d5e6f7a8b9c0d1a2b3c4d5e6f7a8b9c0d", 41);
	j = import_result_json("WEB", &r, 0);
	assert_string_equal(json_string_value(json_object_get(j, "commit")),
			    "1a2b3c4d5e6f7a8b9c0d1a2b3c4d5e6f7a8b9c0d");
	assert_true(json_is_false(json_object_get(j, "dry_run")));
	assert_true(json_is_false(json_object_get(j, "project_created")));
	p = json_object_get(j, "problems");
	assert_true(json_is_array(p));
	assert_int_equal(json_array_size(p), 0);
	json_decref(j);
}

/* 0 imported, 1 some files had errors, 2 failure, 130 cancelled (the usage says so). */
static void exit_status_of_one_import(void **state)
{
	pp_import_result r = counts(3, 0, 0);

	(void)state;
	assert_int_equal(import_exit_code(PP_OK, &r, 0), PP_EXIT_OK);
	/* A signal that came too late to stop a successful import does not make it fail. */
	assert_int_equal(import_exit_code(PP_OK, &r, 1), PP_EXIT_OK);
	r.failed = 1;
	assert_int_equal(import_exit_code(PP_OK, &r, 0), 1);
	r.failed = 40;
	assert_int_equal(import_exit_code(PP_OK, &r, 0), 1);
	assert_int_equal(import_exit_code(PP_EDB, &r, 0), PP_EXIT_ERROR);
	assert_int_equal(import_exit_code(PP_EIO, &r, 0), PP_EXIT_ERROR);
	assert_int_equal(import_exit_code(PP_EDB, &r, 1), 130);
	r.failed = 0;
	assert_int_equal(import_exit_code(PP_ECONNECT, &r, 0), PP_EXIT_ERROR);
}

/* A submodule path out of the repository is refused as what it is (review 10, finding 17). */
static void submodule_paths_out_are_refused(void **state)
{
	static const struct {
		const char *path, *why;
	} cases[] = {
		{"web", NULL},
		{"projects/web", NULL},
		{"..web", NULL},
		{"web..", NULL},
		{"./web", NULL},
		{"../repo", "has '..'"},
		{"..", "has '..'"},
		{"web/../../x", "has '..'"},
		{"web/..", "has '..'"},
		{"/etc", "is an absolute path"},
		{"//etc", "is an absolute path"},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *why = import_submodule_path_refused(cases[i].path);
		if (cases[i].why == NULL)
			unit_true(cases[i].path, why == NULL);
		else
			unit_str_has(cases[i].path, why, cases[i].why);
	}
}

/* Both subcommands print their usage before anything else, within 80 columns. */
static int run_import(int argc, char **argv, void *cfg)
{
	return strcmp(argv[0], "import") == 0 ? pp_cli_import(argc, argv, cfg)
					      : pp_cli_import_repo(argc, argv, cfg);
}

static void help_fits_80_columns(void **state)
{
	const char *import[] = {"import", "--help", NULL};
	const char *repo[] = {"import-repo", "--help", NULL};
	pp_config cfg;

	(void)state;
	memset(&cfg, 0, sizeof(cfg));
	pp_t_expect_help(run_import, import, &cfg, PP_EXIT_OK, "usage: planpipe import PATH");
	pp_t_expect_help(run_import, repo, &cfg, PP_EXIT_OK, "usage: planpipe import-repo");
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(summary_names_each_count),
	cmocka_unit_test(summary_says_when_nothing_changed),
	cmocka_unit_test(problems_as_file_line_column),
	cmocka_unit_test(json_summary_has_every_documented_key),
	cmocka_unit_test(exit_status_of_one_import),
	cmocka_unit_test(submodule_paths_out_are_refused),
	cmocka_unit_test(help_fits_80_columns),
};

UNIT_MAIN("cmd_import", tests)
