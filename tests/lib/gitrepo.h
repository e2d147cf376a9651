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
 * The two above in cmocka's shape, as a group's or a test's set-up and
 * tear-down: the directory is $TMPDIR/pp-unit-XXXXXX.
 */
int pp_t_tmp_up(void **state);
int pp_t_tmp_down(void **state);

/* Writes dir/rel (its directories created) with text; fails the test when it cannot. */
void pp_t_file(const char *dir, const char *rel, const char *text);

/*
 * Runs a shell command (printf format) in dir, its output discarded; fails
 * the test when it fails.
 */
void pp_t_sh(const char *dir, const char *fmt, ...) PP_PRINTF(2, 3);

/*
 * Runs a shell command (printf format) in dir and puts the first line of
 * its standard output, without the newline, into out (size bytes); fails
 * the test when it prints nothing.
 */
void pp_t_sh_line(const char *dir, char *out, size_t size, const char *fmt, ...) PP_PRINTF(4, 5);

/* A fresh empty directory below pp_t_tmp; its path in out. */
void pp_t_new_dir(char *out, size_t size);

/* A fresh empty repository (branch main) below pp_t_tmp; its path in out. */
void pp_t_new_repo(char *out, size_t size);

/*
 * Writes repo/path (its directories created) as a story file: front matter
 * with id key, a title, and status (NULL: no status line), then body.
 */
void pp_t_story_file(const char *repo, const char *path, const char *key, const char *status,
		     const char *body);

#endif
