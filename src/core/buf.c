/* buf.c: growable capped buffer (see buf.h). */
#include "core/buf.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void pp_buf_init(pp_buf *b, size_t max)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->max = max;
}

static pp_rc grow(pp_buf *b, size_t need)
{
	size_t cap;
	char *p;

	assert(b->data == NULL ? b->len == 0 && b->cap == 0 : b->len < b->cap);
	if (need > b->max || need + 1 < need)
		return PP_ETOOBIG;
	if (need + 1 <= b->cap)
		return PP_OK;
	cap = b->cap ? b->cap : 64;
	while (cap < need + 1)
		cap *= 2;
	if (cap > b->max + 1)
		cap = b->max + 1;
	p = realloc(b->data, cap);
	if (p == NULL)
		return PP_ENOMEM;
	b->data = p;
	b->cap = cap;
	return PP_OK;
}

pp_rc pp_buf_add(pp_buf *b, const void *data, size_t len)
{
	pp_rc rc = grow(b, b->len + len);

	if (rc != PP_OK)
		return rc;
	if (len > 0)
		memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
	assert(b->len < b->cap && b->len <= b->max);
	return PP_OK;
}

pp_rc pp_buf_adds(pp_buf *b, const char *s)
{
	return pp_buf_add(b, s, strlen(s));
}

pp_rc pp_buf_vprintf(pp_buf *b, const char *fmt, va_list ap)
{
	va_list ap2;
	int n;
	pp_rc rc;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return PP_EINVAL;
	rc = grow(b, b->len + (size_t)n);
	if (rc != PP_OK)
		return rc;
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return PP_OK;
}

pp_rc pp_buf_printf(pp_buf *b, const char *fmt, ...)
{
	va_list ap;
	pp_rc rc;

	va_start(ap, fmt);
	rc = pp_buf_vprintf(b, fmt, ap);
	va_end(ap);
	return rc;
}

const char *pp_buf_str(const pp_buf *b)
{
	return b->data ? b->data : "";
}

char *pp_buf_take(pp_buf *b)
{
	char *p = b->data;

	if (p == NULL)
		p = calloc(1, 1);
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	return p;
}

void pp_buf_reset(pp_buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

void pp_buf_free(pp_buf *b)
{
	if (b == NULL)
		return;
	free(b->data);
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
}
