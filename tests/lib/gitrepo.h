/*
 * gitrepo.h: a unit test program's temporary directory, and throwaway git
 * repositories in it, with git cut off from the user's and the system's
 * configuration and every date pinned by the caller, so that nothing
 * depends on the machine or today's date. Every helper fails the running
 * cmocka test on error.
 */
#ifndef PP_TESTS_GITREPO_H
#define PP_TESTS_GITREPO_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "core/err.h"
#include "import/git_history.h"

/* The directory pp_t_tmp_setup made ("" before). */
extern char pp_t_tmp[256];

/*
 * A cmocka group setup: creates $TMPDIR/pp-TAG-XXXXXX (TMPDIR unset: /tmp)
 * into pp_t_tmp and points HOME, GIT_CONFIG_GLOBAL, GIT_CONFIG_NOSYSTEM and
 * GIT_CEILING_DIRECTORIES there or nowhere, TZ at UTC. Returns 0, or -1
 * when the directory cannot be made.
 */
int pp_t_tmp_setup(const char *tag);

/* The group teardown: removes pp_t_tmp and everything in it. 0 or -1. */
int pp_t_tmp_teardown(void);

/*
 * The two as a cmocka group's setup and teardown, the tag the test
 * program's file name.
 */
int pp_t_tmp_group_setup(void **state);
int pp_t_tmp_group_teardown(void **state);

/*
 * Runs a shell command (printf format) in dir, its output discarded; fails
 * the test when it fails.
 */
void pp_t_sh(const char *dir, const char *fmt, ...) PP_PRINTF(2, 3);

/*
 * Runs a shell command (printf format) in dir and puts the first line of
 * its standard output, without the newline, into out (size bytes); fails
 * the test when it prints nothing or fails.
 */
void pp_t_sh_line(const char *dir, char *out, size_t size, const char *fmt, ...) PP_PRINTF(4, 5);

/* A fresh empty directory below pp_t_tmp; its path in out. */
void pp_t_new_dir(char *out, size_t size);

/* A fresh empty repository (branch main) below pp_t_tmp; its path in out. */
void pp_t_new_repo(char *out, size_t size);

/* Writes dir/rel (its directories created) with text. */
void pp_t_put(const char *dir, const char *rel, const char *text);

/*
 * Writes repo/path (its directories created) as a story file: front matter
 * with id key, a title, and status (NULL: no status line), then body.
 */
void pp_t_story_file(const char *repo, const char *path, const char *key, const char *status,
		     const char *body);

/* The history of the file at path in h, which must have one. */
const pp_git_file *pp_t_git_file(const pp_git_history *h, const char *path);

/*
 * f's status change i, which must exist, from status from to status to
 * (NULL: none); returned, for its commit's fields.
 */
const pp_git_status_change *pp_t_git_change(const pp_git_file *f, size_t i, const char *from,
					    const char *to);

#endif
