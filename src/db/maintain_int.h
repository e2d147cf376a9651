/*
 * maintain_int.h: what maintain.c does without a database, shared with its
 * unit test (tests/unit/db/maintain.c). Not for other modules: they use
 * maintain.h.
 */
#ifndef PP_DB_MAINTAIN_INT_H
#define PP_DB_MAINTAIN_INT_H

#include "core/err.h"

/*
 * Appends to err's message what an operator can do about it, by its
 * SQLSTATE: 42883 (the schema predates migration 15), 42501 (the login may
 * not), 55P03 (the lock timeout). Other errors are left as they are.
 */
void maintain_hint(pp_err *err);

/*
 * Joins msg's lines with " / " in place, for a log line, and returns msg.
 * msg is a pp_err message (at most PP_ERR_MSG_MAX bytes with its NUL): when
 * " / " would not fit, a line break becomes a space instead.
 */
const char *maintain_one_line(char *msg);

#endif
