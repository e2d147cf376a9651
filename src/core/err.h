/*
 * err.h: the one result type every fallible function returns, and the
 * caller-owned error detail it fills in.
 *
 * A function returns a pp_rc and, when it is not PP_OK, has written what went
 * wrong into the pp_err the caller passed. It never prints as well.
 */
#ifndef PP_CORE_ERR_H
#define PP_CORE_ERR_H

#include <stddef.h>

#define PP_WARN_UNUSED       __attribute__((warn_unused_result))
#define PP_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))

typedef enum {
	PP_OK = 0,
	PP_ENOMEM,    /* out of memory */
	PP_EINVAL,    /* bad input: a file, a variable, an argument */
	PP_EIO,       /* a file or the system failed */
	PP_EDB,       /* the database answered with an error */
	PP_ECONNECT,  /* the database could not be reached or refused the login */
	PP_ETIMEDOUT, /* a deadline passed */
	PP_EBUSY,     /* something is held by another (a lock) */
	PP_ECONFLICT, /* the state does not allow it (drift, out of order) */
	PP_EUNAVAIL,  /* refusing to try for now (an open circuit) */
	PP_ETOOBIG,   /* over a size cap (a buffer's max): not out of memory */
} pp_rc;

#define PP_ERR_MSG_MAX 2048

typedef struct pp_err {
	pp_rc rc;
	char msg[PP_ERR_MSG_MAX]; /* one or more lines, no trailing newline */
	char sqlstate[6];         /* "" unless the database reported one */
	char file[512];           /* "" unless the error is in a file */
	int line;                 /* 0 unless known */
} pp_err;

/* Resets *err to "no error". */
void pp_err_clear(pp_err *err);

/*
 * Sets err's message (printf format) and returns rc, so that a caller can
 * write `return pp_err_set(err, PP_EINVAL, "...")`. err may be NULL.
 */
pp_rc pp_err_set(pp_err *err, pp_rc rc, const char *fmt, ...) PP_PRINTF(3, 4);

/* Prefixes err's message with "file:line: " (line omitted when 0) and records them. */
void pp_err_at(pp_err *err, const char *file, int line);

/* Prefixes err's message (printf format), keeping the rest of it. */
void pp_err_prefix(pp_err *err, const char *fmt, ...) PP_PRINTF(2, 3);

/* Appends a further line to err's message (printf format). */
void pp_err_append(pp_err *err, const char *fmt, ...) PP_PRINTF(2, 3);

#endif
