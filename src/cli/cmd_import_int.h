/*
 * cmd_import_int.h: how `planpipe import` and `planpipe import-repo`
 * (cmd_import.c) show an import's result and choose the exit status, apart
 * so that tests/unit/cli/cmd_import.c can reach them. Not for other modules:
 * names carry the import_ prefix, never pp_. None of them blocks (beyond
 * writing to out) or touches the database.
 */
#ifndef PP_CLI_CMD_IMPORT_INT_H
#define PP_CLI_CMD_IMPORT_INT_H

#include <jansson.h>
#include <stdio.h>

#include "core/err.h"
#include "import/import.h"

/* Exit status of an import cancelled by SIGINT or SIGTERM (128 + SIGINT, as a shell says). */
#define IMPORT_EXIT_INTERRUPTED 130

/*
 * Writes r's problems to out, one a line, each after prefix: "FILE:LINE:COL:
 * error|warning: MSG", leaving out COL, then LINE, when unknown (0).
 */
void import_print_problems(FILE *out, const char *prefix, const pp_import_result *r);

/*
 * The --json summary of r, the import of project (docs/import.md): every
 * count, "commit" (null outside git) and "problems" (line and column null
 * when unknown). The caller owns the reference (json_decref).
 */
json_t *import_result_json(const char *project, const pp_import_result *r, int dry_run);

/*
 * Writes the one-line summary of r to out ("PROJECT: N created, ...",
 * counts that are 0 left out but the first five), then, for a real import
 * that wrote nothing and had no error, "PROJECT: nothing changed since the
 * last import".
 */
void import_print_summary(FILE *out, const char *project, const pp_import_result *r, int dry_run);

/*
 * Why import-repo refuses a submodule's path from .gitmodules, or NULL when
 * it does not: an absolute path, or one with a ".." component (either leads
 * out of the repository). A symbolic link out is the import's own check.
 * The text is static.
 */
const char *import_submodule_path_refused(const char *path);

/*
 * The exit status of one import that returned rc with r: PP_OK is 0, or 1
 * when some files had errors; anything else 2 (PP_EXIT_ERROR), or
 * IMPORT_EXIT_INTERRUPTED when cancelled says it was cancelled.
 */
int import_exit_code(pp_rc rc, const pp_import_result *r, int cancelled);

#endif
