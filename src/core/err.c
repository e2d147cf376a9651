/* err.c: error results and details (see err.h). */
#include "core/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void pp_err_clear(pp_err *err)
{
	if (err == NULL)
		return;
	memset(err, 0, sizeof(*err));
}

pp_rc pp_err_set(pp_err *err, pp_rc rc, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return rc;
	pp_err_clear(err);
	err->rc = rc;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return rc;
}

static void vprefix(pp_err *err, const char *fmt, va_list ap)
{
	char prefix[sizeof(err->file) + 64];
	size_t plen, mlen;

	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	plen = strlen(prefix);
	mlen = strlen(err->msg);
	if (plen + mlen >= sizeof(err->msg))
		mlen = sizeof(err->msg) - 1 - plen;
	memmove(err->msg + plen, err->msg, mlen);
	memcpy(err->msg, prefix, plen);
	err->msg[plen + mlen] = '\0';
}

void pp_err_prefix(pp_err *err, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return;
	va_start(ap, fmt);
	vprefix(err, fmt, ap);
	va_end(ap);
}

void pp_err_at(pp_err *err, const char *file, int line)
{
	if (err == NULL || file == NULL)
		return;
	snprintf(err->file, sizeof(err->file), "%s", file);
	err->line = line;
	if (line > 0)
		pp_err_prefix(err, "%s:%d: ", err->file, line);
	else
		pp_err_prefix(err, "%s: ", err->file);
}

void pp_err_append(pp_err *err, const char *fmt, ...)
{
	va_list ap;
	size_t len;

	if (err == NULL)
		return;
	len = strlen(err->msg);
	if (len + 2 >= sizeof(err->msg))
		return;
	if (len > 0)
		err->msg[len++] = '\n';
	va_start(ap, fmt);
	vsnprintf(err->msg + len, sizeof(err->msg) - len, fmt, ap);
	va_end(ap);
}
