/*
 * import_changed_int.h: the part of import_changed.c that needs no
 * database, which files are parsed, apart so that
 * tests/unit/import/import_changed.c can reach it. Not for other modules:
 * names carry the import_changed_ prefix, never pp_.
 */
#ifndef PP_IMPORT_IMPORT_CHANGED_INT_H
#define PP_IMPORT_IMPORT_CHANGED_INT_H

#include "import/import_int.h"

/*
 * Parses (pp_import_parse_item, from o->path) the files of b that are ok
 * and not parsed yet: with r NULL those marked send or deps, else those
 * whose path is a value of r's first column (paths b does not hold are
 * passed over). PP_EINVAL "interrupted" once *o->stop is set; else
 * PP_ENOMEM only (err set).
 */
pp_rc import_changed_parse_marked(const pp_import_opts *o, pp_import_batch *b, PGresult *r,
				  pp_import_result *res, pp_err *err) PP_WARN_UNUSED;

#endif
