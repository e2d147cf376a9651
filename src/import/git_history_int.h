/*
 * git_history_int.h: what git_history.c hands to git_history_walk.c, and
 * the walk's parts that tests/unit/import/git_history_walk.c reaches. Not
 * for other modules (they use git_history.h).
 */
#ifndef PP_IMPORT_GIT_HISTORY_INT_H
#define PP_IMPORT_GIT_HISTORY_INT_H

#include "import/git_history.h"

/*
 * Walks h->root's history over h->prefix, from h->since (or the start) to
 * h->head (set, not ""), into h->commits, h->files and the counters. Blocks
 * while git runs. On error h may hold part of the result: the caller frees
 * it with pp_git_history_free either way.
 */
pp_rc git_history_run(pp_git_history *h, pp_err *err);

/*
 * git_history_run with git log's output read from log_fd instead of a git
 * log it starts, for tests: the stream run_walk asks git log for (--raw -z
 * --no-abbrev, each commit "\1" ID "\0" COMMITTER_TIME "\0" AUTHOR_TIME
 * "\0" NAME "\0" EMAIL "\0" then its raw lines ":OLD_MODE NEW_MODE
 * OLD_ID NEW_ID STATUS" "\0" PATH "\0", a second path after a rename's or
 * a copy's), oldest first. Blobs are read by `git cat-file --batch` in
 * h->root; h->prefix filters as in a walk. log_fd is read to its end, not
 * closed. Blocks; the caller frees h with pp_git_history_free either way.
 */
pp_rc git_history_read_log(pp_git_history *h, int log_fd, pp_err *err);

/*
 * Whether the importer would read path (from the repository's root) at
 * mode (git's octal mode): a regular file (0100644 or 0100755) below
 * prefix ("" or "dir/"), named *.md with something before the ".md", no
 * component below prefix starting with '.'.
 */
int git_history_tracked(const char *prefix, const char *path, unsigned mode);

#endif
