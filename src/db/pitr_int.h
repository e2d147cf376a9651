/*
 * pitr_int.h: what pitr.c does without a database, shared with its unit
 * test (tests/unit/db/pitr.c). Not for other modules: they use pitr.h.
 */
#ifndef PP_DB_PITR_INT_H
#define PP_DB_PITR_INT_H

#include "core/buf.h"
#include "db/pitr.h"

/*
 * Appends to cmd the command line the server runs for o: PLANPIPE_PITR_PROGRAM
 * (unset or empty: planpipe-pitr) with "--copy backup --type TYPE" (NULL
 * type: full), or "--copy restore --time|--lsn 'TARGET'" and " --no-switch".
 * target must be normalised already (pp_pitr_run does it in the server): it
 * is put between single quotes as it is. PP_OK, or the buffer's error.
 */
pp_rc pitr_build_command(const pp_pitr_opts *o, const char *target, pp_buf *cmd) PP_WARN_UNUSED;

#endif
