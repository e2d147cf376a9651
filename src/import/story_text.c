/*
 * story_text.c: the story file as bytes (UTF-8, lines, positions, the split
 * into front matter and body), the messages that point into it, and the
 * arena and map the rest of the parse allocates from. See story_int.h.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "import/story_int.h"

/* ---- errors and positions ------------------------------------------------ */

/* Whether d[i] ends a line: LF, or a CR not followed by LF (CRLF ends at its LF). */
static int ends_line(const char *d, size_t len, size_t i)
{
	return d[i] == '\n' || (d[i] == '\r' && (i + 1 == len || d[i + 1] != '\n'));
}

/*
 * Line and column (1-based; columns count code points, a UTF-8 BOM is not
 * one) of byte offset off in the file. Lines end at LF, CRLF or a lone CR,
 * so files count as editors show them.
 */
static void pos_of(ctx *c, size_t off, int *line, int *col)
{
	size_t lo = 0, hi = c->n_lines, i, start, n = 0;

	if (off > c->len)
		off = c->len;
	if (c->lines == NULL || off >= c->body_off) { /* rare: errors in the body */
		for (start = 0, i = 0; i < off; i++)
			if (ends_line(c->data, c->len, i))
				start = i + 1, lo++;
	} else {
		while (hi - lo > 1) { /* the last line starting at or before off */
			size_t mid = lo + (hi - lo) / 2;
			if (c->lines[mid] <= off)
				lo = mid;
			else
				hi = mid;
		}
		start = c->lines[lo];
	}
	if (start == 0 && c->len >= 3 && memcmp(c->data, "\xEF\xBB\xBF", 3) == 0)
		start = off < 3 ? off : 3;
	i = start;
	if (c->memo_off > start && c->memo_off <= off) {
		i = c->memo_off;
		n = c->memo_col;
	}
	for (; i < off; i++)
		n += ((unsigned char)c->data[i] & 0xC0) != 0x80;
	c->memo_off = off;
	c->memo_col = n;
	*line = (int)lo + 1;
	*col = (int)n + 1;
}

pp_story_pos story_off_pos(ctx *c, size_t off)
{
	pp_story_pos p;

	pos_of(c, off, &p.line, &p.column);
	return p;
}

pp_rc story_fail_at(ctx *c, pp_story_pos at, const char *fmt, ...)
{
	char msg[PP_ERR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	pp_err_set(c->err, PP_EINVAL, "%s:%d:%d: %s", c->path, at.line, at.column, msg);
	if (c->err != NULL) {
		snprintf(c->err->file, sizeof(c->err->file), "%s", c->path);
		c->err->line = at.line;
	}
	return PP_EINVAL;
}

pp_rc story_warn_at(ctx *c, pp_story_pos at, const char *fmt, ...)
{
	pp_story *s = c->story;
	pp_story_warning *w;
	char msg[PP_ERR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	w = realloc(s->warnings, (s->n_warnings + 1) * sizeof(*w));
	if (w == NULL)
		return story_nomem(c);
	s->warnings = w;
	w += s->n_warnings;
	w->line = at.line;
	w->column = at.column;
	w->msg = strdup(msg);
	if (w->msg == NULL)
		return story_nomem(c);
	s->n_warnings++;
	return PP_OK;
}

pp_story_pos story_at(ctx *c, const node *n)
{
	return story_off_pos(c, c->fm_off + (n ? n->off : 0));
}

pp_rc story_nomem(ctx *c)
{
	pp_err_set(c->err, PP_ENOMEM, "out of memory");
	pp_err_at(c->err, c->path, 0);
	return PP_ENOMEM;
}

/* A value for a message: quoted, at most 40 characters, control characters as '?'. */
const char *story_quote(char out[128], const char *s, size_t len)
{
	size_t i = 0, o = 0, chars = 0;

	out[o++] = '"';
	while (i < len && chars < 40) {
		size_t clen = 1;
		while (i + clen < len && ((unsigned char)s[i + clen] & 0xC0) == 0x80 && clen < 4)
			clen++;
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7F) {
			out[o++] = '?';
		} else {
			memcpy(out + o, s + i, clen);
			o += clen;
		}
		i += clen;
		chars++;
	}
	if (i < len) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o++] = '"';
	out[o] = '\0';
	return out;
}

/* ---- bytes: UTF-8, delimiters, lines ------------------------------------- */

/* The length of the valid UTF-8 sequence at s[0..len), 0 when invalid or NUL. */
static size_t utf8_len(const unsigned char *s, size_t len)
{
	size_t n, i;
	unsigned cp;

	if (s[0] == 0)
		return 0;
	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xC2 && s[0] <= 0xDF)
		n = 2, cp = s[0] & 0x1F;
	else if (s[0] >= 0xE0 && s[0] <= 0xEF)
		n = 3, cp = s[0] & 0x0F;
	else if (s[0] >= 0xF0 && s[0] <= 0xF4)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (n > len)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3F);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
	    (cp >= 0xD800 && cp <= 0xDFFF))
		return 0; /* overlong, out of range, surrogate */
	return n;
}

/* The offset of the first invalid UTF-8 byte or NUL in s[0..len), or len. */
size_t story_utf8_check(const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, n;

	while (i < len) {
		if (u[i] >= 0x01 && u[i] < 0x80) {
			i++;
			continue;
		}
		n = utf8_len(u + i, len - i);
		if (n == 0)
			return i;
		i += n;
	}
	return len;
}

size_t story_utf8_chars(const char *s, size_t len)
{
	size_t i, n = 0;

	for (i = 0; i < len; i++)
		n += ((unsigned char)s[i] & 0xC0) != 0x80;
	return n;
}

/* YAML front matter: from the line after the opening "---" to a "---" or "..." line. */
static pp_rc split_yaml(ctx *c, size_t start)
{
	const char *d = c->data;
	size_t i, end, next;

	story_line_end(d, c->len, start, &c->fm_off);
	for (i = c->fm_off; i < c->len; i = next) {
		end = story_line_end(d, c->len, i, &next);
		if (story_is_mark_line(d, i, end, "---") || story_is_mark_line(d, i, end, "...")) {
			c->fm_len = i - c->fm_off;
			c->body_off = next;
			if (c->fm_len > FM_MAX)
				return story_fail_at(c, STORY_LC(2, 1),
						     "the front matter is larger than %d bytes",
						     FM_MAX);
			return PP_OK;
		}
	}
	return story_fail_at(c, STORY_LC(1, 1),
			     "the front matter is not closed: no line '---' after the first");
}

/*
 * JSON front matter (Hugo's): the object that starts the file, read by
 * jansson to find where it ends (and to reject what is not JSON); the body
 * starts on the next line, or right after the '}' when text follows it there.
 */
static pp_rc split_json(ctx *c, size_t start)
{
	json_error_t jerr;
	json_t *j;
	size_t end, next, i, lim = c->len - start;

	if (lim > FM_MAX + 1)
		lim = FM_MAX + 1;
	j = json_loadb(c->data + start, lim,
		       JSON_DISABLE_EOF_CHECK | JSON_REJECT_DUPLICATES | JSON_DECODE_INT_AS_REAL,
		       &jerr);
	if (j == NULL) {
		pp_story_pos p;
		if (lim > FM_MAX)
			return story_fail_at(c, STORY_LC(1, 1),
					     "the front matter is larger than %d bytes", FM_MAX);
		p = story_off_pos(c, start + (jerr.position > 0 ? (size_t)jerr.position : 0));
		return story_fail_at(c, p, "invalid JSON front matter: %s", jerr.text);
	}
	json_decref(j);
	c->fm_off = start;
	c->fm_len = (size_t)jerr.position;
	end = story_line_end(c->data, c->len, start + c->fm_len, &next);
	for (i = start + c->fm_len; i < end && (c->data[i] == ' ' || c->data[i] == '\t'); i++)
		;
	c->body_off = i == end ? next : start + c->fm_len;
	return PP_OK;
}

static pp_rc check_bytes(ctx *c)
{
	size_t bad = story_utf8_check(c->data, c->len);
	int line, col;

	if (bad == c->len)
		return PP_OK;
	pos_of(c, bad, &line, &col);
	if (c->data[bad] == '\0')
		return story_fail_at(c, STORY_LC(line, col), "NUL byte: a story file is text");
	return story_fail_at(c, STORY_LC(line, col),
			     "invalid UTF-8 (byte 0x%02X): a story file must be UTF-8",
			     (unsigned char)c->data[bad]);
}

static pp_rc index_lines(ctx *c)
{
	size_t i, cap = 64;

	c->lines = malloc(cap * sizeof(*c->lines));
	if (c->lines == NULL)
		return story_nomem(c);
	c->lines[c->n_lines++] = 0;
	for (i = 0; i < c->body_off; i++) {
		if (!ends_line(c->data, c->len, i))
			continue;
		if (c->n_lines == cap) {
			size_t *p = realloc(c->lines, 2 * cap * sizeof(*c->lines));
			if (p == NULL)
				return story_nomem(c);
			c->lines = p;
			cap *= 2;
		}
		c->lines[c->n_lines++] = i + 1;
	}
	return PP_OK;
}

/* Checks the file and finds its parts (see story_int.h). */
pp_rc story_load(ctx *c)
{
	const char *why;
	size_t start = c->len >= 3 && memcmp(c->data, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
	pp_rc rc;

	c->kind = pp_story_sniff(c->data, c->len, &why);
	if (c->kind == PP_STORY_NOT_STORY)
		return story_fail_at(c, STORY_LC(1, 1),
				     "no front matter: a story file starts with a line '---'");
	if (why != NULL)
		return story_fail_at(c, STORY_LC(1, 1), "%s", why);
	rc = check_bytes(c);
	if (rc == PP_OK)
		rc = c->kind == PP_STORY_JSON ? split_json(c, start) : split_yaml(c, start);
	if (rc == PP_OK && c->len - c->body_off > BODY_MAX) {
		int line, col;
		pos_of(c, c->body_off, &line, &col);
		rc = story_fail_at(c, STORY_LC(line, col), "the body is larger than %d bytes",
				   BODY_MAX);
	}
	if (rc == PP_OK)
		rc = index_lines(c);
	return rc;
}

/* ---- arena and map ------------------------------------------------------- */

void *story_alloc(ctx *c, size_t size)
{
	ablock *b = c->arena;

	size = (size + sizeof(max_align_t) - 1) / sizeof(max_align_t) * sizeof(max_align_t);
	if (b == NULL || b->cap - b->used < size) {
		size_t cap = size > 65536 ? size : 65536;
		b = malloc(sizeof(*b) + cap);
		if (b == NULL)
			return NULL;
		b->used = 0;
		b->cap = cap;
		b->next = c->arena;
		c->arena = b;
	}
	b->used += size;
	return (char *)b->data + b->used - size;
}

void story_arena_free(ctx *c)
{
	while (c->arena != NULL) {
		ablock *next = c->arena->next;
		free(c->arena);
		c->arena = next;
	}
}

static size_t slot(const smap *m, const char *k, size_t klen)
{
	uint64_t h = 14695981039346656037u; /* FNV-1a */
	size_t i, n;

	for (n = 0; n < klen; n++)
		h = (h ^ (unsigned char)k[n]) * 1099511628211u;
	for (i = h & (m->cap - 1); m->e[i].k != NULL; i = (i + 1) & (m->cap - 1))
		if (m->e[i].klen == klen && memcmp(m->e[i].k, k, klen) == 0)
			break;
	return i;
}

/* The value stored under k, or NULL. */
void *story_smap_get(const smap *m, const char *k, size_t klen)
{
	return m->cap ? m->e[slot(m, k, klen)].v : NULL;
}

/* Stores v (not NULL) under k, which must outlive m. PP_ENOMEM only. */
pp_rc story_smap_put(smap *m, const char *k, size_t klen, void *v)
{
	size_t i;

	if (2 * (m->n + 1) > m->cap) {
		smap old = *m, grown = {calloc(m->cap ? 2 * m->cap : 16, sizeof(smap_ent)),
					m->cap ? 2 * m->cap : 16, m->n};
		if (grown.e == NULL)
			return PP_ENOMEM;
		for (i = 0; i < old.cap; i++)
			if (old.e[i].k != NULL)
				grown.e[slot(&grown, old.e[i].k, old.e[i].klen)] = old.e[i];
		free(old.e);
		*m = grown;
	}
	i = slot(m, k, klen);
	if (m->e[i].k == NULL)
		m->n++;
	m->e[i] = (smap_ent){k, klen, v};
	return PP_OK;
}

void story_smap_free(smap *m)
{
	free(m->e);
	memset(m, 0, sizeof(*m));
}
