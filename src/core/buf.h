/*
 * buf.h: a growable byte buffer with a size cap, always NUL-terminated
 * (after pp_buf_init), in place of strcat/sprintf (curl's dynbuf).
 */
#ifndef PP_CORE_BUF_H
#define PP_CORE_BUF_H

#include <stdarg.h>
#include <stddef.h>

#include "core/err.h"

typedef struct pp_buf {
	char *data; /* NUL-terminated; NULL until the first append */
	size_t len; /* bytes used, not counting the NUL */
	size_t cap; /* bytes allocated */
	size_t max; /* the most len may grow to */
} pp_buf;

/* Prepares an empty buffer that may grow to max bytes. Allocates nothing. */
void pp_buf_init(pp_buf *b, size_t max);

/*
 * Appends len bytes. PP_ETOOBIG when b would grow past its max, PP_ENOMEM
 * when out of memory: either way b is unchanged. (Also for the appenders below.)
 */
pp_rc pp_buf_add(pp_buf *b, const void *data, size_t len) PP_WARN_UNUSED;

/* Appends a NUL-terminated string. */
pp_rc pp_buf_adds(pp_buf *b, const char *s) PP_WARN_UNUSED;

/* Appends formatted text (printf format). */
pp_rc pp_buf_printf(pp_buf *b, const char *fmt, ...) PP_PRINTF(2, 3) PP_WARN_UNUSED;
pp_rc pp_buf_vprintf(pp_buf *b, const char *fmt, va_list ap) PP_WARN_UNUSED;

/* The contents as a string: "" when empty, never NULL. Owned by b. */
const char *pp_buf_str(const pp_buf *b);

/* Hands the contents to the caller, who frees them with free(); b is left empty. */
char *pp_buf_take(pp_buf *b);

/* Empties b, keeping its memory. */
void pp_buf_reset(pp_buf *b);

/* Frees b's memory; b may be used again. Accepts NULL. */
void pp_buf_free(pp_buf *b);

#endif
