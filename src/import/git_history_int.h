/*
 * git_history_int.h: what git_history.c hands to git_history_walk.c. Not
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

#endif
