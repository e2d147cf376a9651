/* proc.h: running a helper program (git) without a shell and reading its output. */
#ifndef PP_CORE_PROC_H
#define PP_CORE_PROC_H

#include <stddef.h>

#include "core/err.h"

/*
 * Runs argv[0] (looked up in PATH) with argv, standard input from /dev/null,
 * standard error discarded, and reads at most max bytes of its standard
 * output into *out (NUL-terminated, *len bytes before that NUL, which the
 * output itself may contain; the caller frees it). *status is its exit
 * status (128+signal when killed). Blocks until it exits. PP_EIO when it
 * could not be started.
 */
pp_rc pp_proc_capture(const char *const *argv, size_t max, char **out, size_t *len, int *status,
		      pp_err *err) PP_WARN_UNUSED;

#endif
