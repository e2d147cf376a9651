/* file.h: whole-file reads and atomic writes. */
#ifndef PP_CORE_FILE_H
#define PP_CORE_FILE_H

#include <stddef.h>

#include "core/err.h"

/*
 * Reads the whole file at path (at most max bytes) into a NUL-terminated
 * buffer *data of *len bytes, which the caller frees. Errors name the path.
 */
pp_rc pp_file_read(const char *path, size_t max, char **data, size_t *len,
		   pp_err *err) PP_WARN_UNUSED;

/*
 * Creates path with the given contents, failing (PP_ECONFLICT) if it exists.
 * Written to a temporary name and linked into place, so a crash never leaves a
 * half-written file under path.
 */
pp_rc pp_file_create(const char *path, const char *data, size_t len, pp_err *err) PP_WARN_UNUSED;

#endif
