/*
 * import.h: story files into the database, idempotently.
 *
 * Reads every markdown file with front matter below a directory, parses it
 * (story.h), then in one transaction: COPY into a temporary table, one
 * set-based upsert keyed by (project, story key) that skips files whose git
 * blob id did not change, dependencies resolved across projects (or kept as
 * unresolved references until their story arrives), and optionally archives
 * stories whose files are gone. A file with an error is reported and skipped;
 * nothing of it is written, and the rest is imported.
 */
#ifndef PP_IMPORT_IMPORT_H
#define PP_IMPORT_IMPORT_H

#include <signal.h>
#include <stddef.h>
#include <libpq-fe.h>

#include "core/err.h"

typedef struct pp_import_opts {
	const char *path;    /* directory to read */
	const char *project; /* project key, e.g. "PLAN"; created when missing */
	const char *backlog; /* backlog for new stories; NULL: the project's first, or "Backlog" */
	int dry_run;         /* do everything, then roll back */
	int prune;           /* archive stories no file holds (gone, or its id changed) */
	/* project fields for a new or updated project (import-repo); NULL: leave as is */
	const char *git_remote_url, *git_submodule_path, *git_branch;
	/* Files to leave out, gitignore-style patterns relative to path (--exclude),
	 * beside the tree's own .planpipeignore. */
	const char *const *exclude;
	size_t n_exclude;
	/* The backlog index; NULL: path/backlog/PRIORITIZATION.json if there is one. */
	const char *index_file;
	int no_history; /* do not read the git history */
	/* path must resolve inside this directory (import-repo: the repository). */
	const char *within;
	/* When it points at a non-zero value (a signal handler's flag), the import
	 * stops between files and before COMMIT, and rolls back; NULL: never. */
	const volatile sig_atomic_t *stop;
	void (*on_progress)(void *ctx, size_t done, size_t total); /* may be NULL */
	void *ctx;
} pp_import_opts;

typedef struct pp_import_problem {
	char *file;    /* relative to the imported directory */
	int line, col; /* 0 when unknown */
	char *msg;
	int is_error; /* 0: a warning, such as an unresolved dependency */
} pp_import_problem;

typedef struct pp_import_result {
	size_t files;   /* markdown files meant as stories (front matter, or unreadable ones) */
	size_t ignored; /* markdown files without front matter (README.md ...), and excluded ones */
	size_t skipped; /* templates, named in problems as warnings */
	size_t warned;  /* imported files that carry warnings */
	size_t created, updated, unchanged, archived;
	size_t failed;       /* errors reported: rejected files, cycle edges, an unusable index */
	size_t rejected;     /* files not imported because of an error (counted in failed too) */
	size_t history_rows; /* status_history rows written from git */
	size_t unresolved;   /* dependencies whose story does not exist yet */
	int project_created;
	char commit[41];             /* HEAD of the git checkout, "" when not one */
	pp_import_problem *problems; /* by file, then line */
	size_t n_problems;
} pp_import_result;

/*
 * Imports o->path into o->project over conn (which must not be inside a
 * transaction). Blocks. Returns PP_OK when the import ran, even if some files
 * failed (res->failed, res->problems say which); an error that stops the whole
 * import (database unreachable, the directory unreadable) rolls everything
 * back and is returned with err set. The caller frees *res with
 * pp_import_result_free in every case.
 */
pp_rc pp_import_run(PGconn *conn, const pp_import_opts *o, pp_import_result *res,
		    pp_err *err) PP_WARN_UNUSED;

void pp_import_result_free(pp_import_result *res);

/* One submodule of a planning repository, from its .gitmodules. */
typedef struct pp_submodule {
	char *name, *path, *url, *branch; /* branch NULL when not set */
	char *project_key;                /* "planpipe-key" if set, else derived from name */
} pp_submodule;

/*
 * Reads repo/.gitmodules (through `git config -f`, which owns the format).
 * *subs (n entries) is freed by the caller with pp_submodules_free.
 */
pp_rc pp_import_read_submodules(const char *repo, pp_submodule **subs, size_t *n,
				pp_err *err) PP_WARN_UNUSED;

void pp_submodules_free(pp_submodule *subs, size_t n);

#endif
