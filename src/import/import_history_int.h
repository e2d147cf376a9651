/*
 * import_history_int.h: the part of import_history.c that needs no
 * database, the COPY rows of the status changes git knows, apart so that
 * tests/unit/import/import_history.c can reach it. Not for other modules:
 * names carry the import_history_ prefix, never pp_.
 */
#ifndef PP_IMPORT_IMPORT_HISTORY_INT_H
#define PP_IMPORT_IMPORT_HISTORY_INT_H

#include "import/import_int.h"

/*
 * Appends to out the COPY rows of pp_import_git: for every file of b that
 * is ok, each status change h knows of it, in order, as "path\tN\tcommit\t
 * time\tauthor <email>\tstatus\n" (N: the change's index in the file's
 * changes). A change to no status (the field removed) is left out; so, with
 * a warning in res naming the commit, is a word that words (pp_import_
 * word_key's rows) does not resolve. Returns PP_OK, or out's PP_ENOMEM/
 * PP_ETOOBIG.
 */
pp_rc import_history_git_rows(const pp_import_batch *b, const pp_git_history *h, PGresult *words,
			      pp_buf *out, pp_import_result *res) PP_WARN_UNUSED;

#endif
