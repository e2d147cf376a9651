/*
 * story.c: one story file into a pp_story (see story.h and docs/import.md).
 *
 * The front matter goes through libfyaml's event parser into a small tree of
 * our own (arena-allocated, each node knowing its byte offset), rather than
 * through fy_document_resolve: aliases then stay shared pointers and are
 * expanded under a budget, so an alias bomb costs an error, not the memory of
 * the machine, and every message can point at a line and column of the file.
 */
#include "import/story.h"

#include <ctype.h>
#include <jansson.h>
#include <libfyaml.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"

#define FM_MAX       (1024 * 1024)     /* front matter bytes */
#define BODY_MAX     (4 * 1024 * 1024) /* stories_body_length in the schema */
#define VALUES_MAX   100000            /* YAML values, counting alias expansions */
#define EXPAND_MAX   (4 * 1024 * 1024) /* scalar bytes, counting alias expansions */
#define DEPTH_MAX    64                /* nesting, counting alias expansions */
#define KEY_MAX      64                /* stories_key_format */
#define LABELS_MAX   64                /* planpipe_labels_valid */
#define REAL_DIGITS  15                /* JSON reals: 0.1 prints as 0.1, not 0.10000000000000001 */
#define YAML_STR_TAG "tag:yaml.org,2002:str"

enum { N_SCALAR, N_SEQ, N_MAP, N_ALIAS };

typedef struct node node;
struct node {
	node *first, *last, *next; /* children; a mapping's alternate key, value */
	node *target;              /* N_ALIAS: the anchored node (always complete) */
	const char *text;          /* N_SCALAR: NUL-terminated; containers: anchor or NULL */
	size_t len;                /* of text */
	size_t off;                /* byte offset in the front matter */
	unsigned char kind;
	unsigned char is_str; /* quoted, block or tagged !!str: never a number, bool or null */
};

/* A bump allocator: the tree dies with the parse (h2o's mem pool, smaller). */
typedef struct ablock {
	struct ablock *next;
	size_t used, cap;
	max_align_t data[];
} ablock;

/* Open addressing, byte-string keys, for anchors and for a mapping's keys. */
typedef struct smap_ent {
	const char *k;
	size_t klen;
	void *v;
} smap_ent;
typedef struct smap {
	smap_ent *e;
	size_t cap, n;
} smap;

typedef struct entry {
	node *key, *val;
} entry;
typedef struct entries {
	entry *v;
	size_t n, cap;
} entries;

typedef struct ctx {
	const char *path, *data;
	size_t len, fm_off, fm_len, body_off;
	size_t *lines; /* byte offset where each line starts, lines[0] = 0 (line 1) */
	size_t n_lines;
	size_t memo_off, memo_col; /* last column computed, to keep long lines linear */
	size_t last_end;           /* where the last YAML event with a position ended */
	ablock *arena;
	smap anchors;   /* anchor name -> node */
	smap deps_seen; /* dependency text -> node */
	pp_buf text;    /* a scalar's text on its way to the arena */
	size_t values, expanded;
	node *outer_alias; /* the alias being expanded, for the budget's message */
	pp_err *err;
} ctx;

/* ---- errors and positions ------------------------------------------------ */

/*
 * Line and column (1-based; columns count code points, a UTF-8 BOM is not
 * one) of byte offset off in the file. Lines end at LF, so CRLF files count
 * as editors show them.
 */
static void pos_of(ctx *c, size_t off, int *line, int *col)
{
	size_t lo = 0, hi = c->n_lines, i, start, n = 0;

	if (off > c->len)
		off = c->len;
	if (c->lines == NULL || off >= c->body_off) { /* rare: errors in the body */
		for (start = 0, i = 0; i < off; i++)
			if (c->data[i] == '\n')
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

static pp_rc vfail_lc(ctx *c, int line, int col, const char *fmt, va_list ap)
{
	char msg[PP_ERR_MSG_MAX];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	pp_err_set(c->err, PP_EINVAL, "%s:%d:%d: %s", c->path, line, col, msg);
	if (c->err != NULL) {
		snprintf(c->err->file, sizeof(c->err->file), "%s", c->path);
		c->err->line = line;
	}
	return PP_EINVAL;
}

static pp_rc fail_lc(ctx *c, int line, int col, const char *fmt, ...) PP_PRINTF(4, 5);
static pp_rc fail_lc(ctx *c, int line, int col, const char *fmt, ...)
{
	va_list ap;
	pp_rc rc;

	va_start(ap, fmt);
	rc = vfail_lc(c, line, col, fmt, ap);
	va_end(ap);
	return rc;
}

/* An error at a node of the front matter (NULL: its start). */
static pp_rc fail(ctx *c, const node *n, const char *fmt, ...) PP_PRINTF(3, 4);
static pp_rc fail(ctx *c, const node *n, const char *fmt, ...)
{
	va_list ap;
	int line, col;
	pp_rc rc;

	pos_of(c, c->fm_off + (n ? n->off : 0), &line, &col);
	va_start(ap, fmt);
	rc = vfail_lc(c, line, col, fmt, ap);
	va_end(ap);
	return rc;
}

static pp_rc nomem(ctx *c)
{
	pp_err_set(c->err, PP_ENOMEM, "out of memory");
	pp_err_at(c->err, c->path, 0);
	return PP_ENOMEM;
}

static pp_story_pos node_pos(ctx *c, const node *n)
{
	pp_story_pos p;

	pos_of(c, c->fm_off + n->off, &p.line, &p.column);
	return p;
}

/* A value for a message: quoted, at most 40 characters, control characters as '?'. */
static const char *q(char out[128], const char *s, size_t len)
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
static size_t utf8_check(const char *s, size_t len)
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

static size_t utf8_chars(const char *s, size_t len)
{
	size_t i, n = 0;

	for (i = 0; i < len; i++)
		n += ((unsigned char)s[i] & 0xC0) != 0x80;
	return n;
}

static int is_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n';
}

/* Whether s[0..len) is `mark` followed only by blanks and a CR (a delimiter line). */
static int is_delim(const char *s, size_t len, const char *mark)
{
	if (len < 3 || memcmp(s, mark, 3) != 0)
		return 0;
	for (s += 3, len -= 3; len > 0 && (*s == ' ' || *s == '\t'); s++, len--)
		;
	return len == 0 || (len == 1 && *s == '\r');
}

/* Finds the front matter and the body; sets c->fm_off, fm_len, body_off. */
static pp_rc split(ctx *c)
{
	const char *d = c->data, *nl;
	size_t start = 0, i;

	if (c->len >= 3 && memcmp(d, "\xEF\xBB\xBF", 3) == 0)
		start = 3;
	nl = memchr(d + start, '\n', c->len - start);
	i = nl ? (size_t)(nl - d) : c->len;
	if (!is_delim(d + start, i - start, "---"))
		return fail_lc(c, 1, 1, "no front matter: a story file starts with a line '---'");
	c->fm_off = nl ? i + 1 : c->len;
	for (i = c->fm_off; i < c->len;) {
		size_t end;
		nl = memchr(d + i, '\n', c->len - i);
		end = nl ? (size_t)(nl - d) : c->len;
		if (is_delim(d + i, end - i, "---") || is_delim(d + i, end - i, "...")) {
			c->fm_len = i - c->fm_off;
			c->body_off = nl ? end + 1 : c->len;
			if (c->fm_len > FM_MAX)
				return fail_lc(c, 2, 1, "the front matter is larger than %d bytes",
					       FM_MAX);
			return PP_OK;
		}
		i = end + 1;
	}
	return fail_lc(c, 1, 1, "the front matter is not closed: no line '---' after the first");
}

static pp_rc check_bytes(ctx *c)
{
	size_t bad = utf8_check(c->data, c->len);
	int line, col;

	if (bad == c->len)
		return PP_OK;
	pos_of(c, bad, &line, &col);
	if (c->data[bad] == '\0')
		return fail_lc(c, line, col, "NUL byte: a story file is text");
	return fail_lc(c, line, col, "invalid UTF-8 (byte 0x%02X): a story file must be UTF-8",
		       (unsigned char)c->data[bad]);
}

static pp_rc index_lines(ctx *c)
{
	size_t i, cap = 64;

	c->lines = malloc(cap * sizeof(*c->lines));
	if (c->lines == NULL)
		return nomem(c);
	c->lines[c->n_lines++] = 0;
	for (i = 0; i < c->body_off; i++) {
		if (c->data[i] != '\n')
			continue;
		if (c->n_lines == cap) {
			size_t *p = realloc(c->lines, 2 * cap * sizeof(*c->lines));
			if (p == NULL)
				return nomem(c);
			c->lines = p;
			cap *= 2;
		}
		c->lines[c->n_lines++] = i + 1;
	}
	return PP_OK;
}

/* ---- arena and map ------------------------------------------------------- */

static void *aalloc(ctx *c, size_t size)
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

static void arena_free(ctx *c)
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
static void *smap_get(const smap *m, const char *k, size_t klen)
{
	return m->cap ? m->e[slot(m, k, klen)].v : NULL;
}

/* Stores v (not NULL) under k, which must outlive m. PP_ENOMEM only. */
static pp_rc smap_put(smap *m, const char *k, size_t klen, void *v)
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

static void smap_free(smap *m)
{
	free(m->e);
	memset(m, 0, sizeof(*m));
}

/* ---- YAML events into the tree ------------------------------------------- */

/*
 * Where an event starts. An empty value has no mark: it is placed at the first
 * non-blank after the previous event, the ':' of "key:" or the '-' of an item.
 */
static size_t mark_off(ctx *c, struct fy_event *e)
{
	const struct fy_mark *m = fy_event_start_mark(e), *end = fy_event_end_mark(e);
	const char *fm = c->data + c->fm_off;
	size_t off;

	if (m != NULL && m->input_pos <= c->fm_len) {
		off = m->input_pos;
	} else {
		for (off = c->last_end; off < c->fm_len && is_space(fm[off]); off++)
			;
	}
	if (end != NULL && end->input_pos <= c->fm_len && end->input_pos >= off)
		c->last_end = end->input_pos;
	return off;
}

static pp_rc yaml_error(ctx *c, struct fy_diag *diag)
{
	struct fy_diag_error *de;
	void *it = NULL;

	while ((de = fy_diag_errors_iterate(diag, &it)) != NULL) {
		const struct fy_mark *m = de->fyt ? fy_token_start_mark(de->fyt) : NULL;
		if (de->type < FYET_ERROR)
			continue;
		if (m != NULL && m->input_pos <= c->fm_len) {
			node at = {.off = m->input_pos};
			return fail(c, &at, "invalid YAML: %s", de->msg);
		}
		/* 1-based, in the front matter, whose line 1 is the file's line 2 */
		if (de->line > 0 && de->column > 0)
			return fail_lc(c, de->line + 1, de->column, "invalid YAML: %s", de->msg);
		return fail(c, NULL, "invalid YAML: %s", de->msg);
	}
	return fail(c, NULL, "invalid YAML in the front matter");
}

/*
 * Folds the line breaks at *sp (YAML 1.2, 6.5): white space before them,
 * down to b->len == keep, goes, as does the indentation after them; one break
 * becomes a space (none after an escaped break), n breaks n - 1 newlines.
 */
static pp_rc fold(ctx *c, const char **sp, const char *end, size_t keep, int escaped)
{
	pp_buf *b = &c->text;
	const char *s = *sp;
	size_t breaks = 0;

	while (b->len > keep && (b->data[b->len - 1] == ' ' || b->data[b->len - 1] == '\t'))
		b->len--;
	for (; s < end && is_space(*s); s++)
		if (*s == '\n' || (*s == '\r' && (s + 1 == end || s[1] != '\n')))
			breaks++;
	*sp = s;
	if (breaks == 1 && !escaped && pp_buf_add(b, " ", 1) != PP_OK)
		return nomem(c);
	for (; breaks > 1; breaks--)
		if (pp_buf_add(b, "\n", 1) != PP_OK)
			return nomem(c);
	return pp_buf_add(b, "", 0) != PP_OK ? nomem(c) : PP_OK; /* NUL after a trim */
}

/* Appends code point cp as UTF-8; a surrogate or one past U+10FFFF as an invalid byte. */
static pp_rc add_utf8(ctx *c, unsigned long cp)
{
	unsigned char u[4] = {0xFF};
	size_t n = 1, i;

	if (cp < 0x80) {
		u[0] = (unsigned char)cp;
	} else if (cp <= 0x10FFFF && (cp < 0xD800 || cp > 0xDFFF)) {
		n = cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
		for (i = n - 1; i > 0; i--, cp >>= 6)
			u[i] = (unsigned char)(0x80 | (cp & 0x3F));
		u[0] = (unsigned char)((0xF00 >> n) | cp); /* 110xxxxx, 1110xxxx, 11110xxx */
	}
	return pp_buf_add(&c->text, u, n) != PP_OK ? nomem(c) : PP_OK;
}

/*
 * The value of a double-quoted scalar, decoded here from the source (s is
 * just after the opening quote): libfyaml 0.7.12 drops escaped white space
 * next to a line break ("a\ " + break). YAML 1.2, 7.3.1.
 */
static pp_rc dq_text(ctx *c, const char *s, const char *end)
{
	static const char named[] = "N_LP";
	static const unsigned long named_cp[] = {0x85, 0xA0, 0x2028, 0x2029};
	static const char simple[] = "0\0a\ab\bt\tn\nv\vf\fr\re\033 \040\"\"//\\\\\t\t";
	pp_buf *b = &c->text;
	size_t keep = 0, run, i, digits;
	unsigned long cp;
	pp_rc rc = PP_OK;

	pp_buf_reset(b);
	while (rc == PP_OK && s < end && *s != '"') {
		if (*s == '\n' || *s == '\r') {
			rc = fold(c, &s, end, keep, 0);
			continue;
		}
		if (*s != '\\' || s + 1 == end) {
			for (run = 1; s + run < end && !strchr("\\\"\n\r", s[run]); run++)
				;
			rc = pp_buf_add(b, s, run) != PP_OK ? nomem(c) : PP_OK;
			s += run;
			continue;
		}
		s++; /* the escape */
		if (*s == '\n' || *s == '\r') {
			rc = fold(c, &s, end, b->len, 1);
			keep = b->len;
			continue;
		}
		for (i = 0; i < sizeof(simple) - 1; i += 2)
			if (simple[i] == *s)
				break;
		digits = *s == 'x' ? 2 : *s == 'u' ? 4 : *s == 'U' ? 8 : 0;
		if (i < sizeof(simple) - 1) {
			rc = pp_buf_add(b, &simple[i + 1], 1) != PP_OK ? nomem(c) : PP_OK;
		} else if (digits > 0 && (size_t)(end - s) > digits) {
			for (cp = 0, i = 1; i <= digits && isxdigit((unsigned char)s[i]); i++)
				cp = cp * 16 + (unsigned long)(s[i] <= '9'   ? s[i] - '0'
							       : s[i] <= 'F' ? s[i] - 'A' + 10
									     : s[i] - 'a' + 10);
			rc = add_utf8(c, i > digits ? cp : 0x110000);
			s += digits;
		} else {
			const char *p = *s ? strchr(named, *s) : NULL;
			/* 0x110000: an escape libfyaml should not have let through: bad UTF-8 */
			rc = add_utf8(c, p ? named_cp[p - named] : 0x110000);
		}
		s++;
		keep = b->len;
	}
	return rc;
}

/*
 * The value of a single-quoted scalar, decoded here from the source (s is
 * just after the opening quote): libfyaml 0.7.12 mangles runs of '' escapes
 * (11 in a row give 21 quotes) and leaks on them (found by fuzzing).
 * YAML 1.2, 7.3.2: '' is a quote; a line break folds to a space, or n breaks
 * in a row to n - 1 newlines; white space around a break goes.
 */
static pp_rc sq_text(ctx *c, const char *s, const char *end)
{
	pp_buf *b = &c->text;
	size_t run;

	pp_buf_reset(b);
	while (s < end && !(s[0] == '\'' && (s + 1 == end || s[1] != '\''))) {
		if (s[0] == '\'') { /* '' */
			if (pp_buf_add(b, "'", 1) != PP_OK)
				return nomem(c);
			s += 2;
			continue;
		}
		if (s[0] == '\n' || s[0] == '\r') {
			if (fold(c, &s, end, 0, 0) != PP_OK)
				return PP_ENOMEM;
			continue;
		}
		for (run = 0; s + run < end && s[run] != '\'' && s[run] != '\n' && s[run] != '\r';
		     run++)
			;
		if (pp_buf_add(b, s, run) != PP_OK)
			return nomem(c);
		s += run;
	}
	return pp_buf_add(b, "", 0) != PP_OK ? nomem(c) : PP_OK; /* NUL after a trim */
}

/* Any other token's text, through the chunk iterator (fy_token_get_text() leaks). */
static pp_rc token_text(ctx *c, struct fy_token *t)
{
	struct fy_token_iter *it = fy_token_iter_create(t);
	const struct fy_iter_chunk *ic = NULL;
	int ierr = 0;
	pp_rc rc = PP_OK;

	if (it == NULL)
		return nomem(c);
	pp_buf_reset(&c->text);
	while (rc == PP_OK && (ic = fy_token_iter_chunk_next(it, ic, &ierr)) != NULL)
		rc = pp_buf_add(&c->text, ic->str, ic->len);
	fy_token_iter_destroy(it);
	/* the text is at most 1.5 times its source (\L, \P): only memory fails */
	return rc != PP_OK || ierr != 0 ? nomem(c) : PP_OK;
}

/* Moves c->text into the arena. */
static pp_rc keep_text(ctx *c, const node *n, const char **out, size_t *len)
{
	const char *t = pp_buf_str(&c->text);
	char *p;

	/* Escapes ("\0", "\uD800") can produce what the file itself could not hold. */
	if (utf8_check(t, c->text.len) != c->text.len)
		return fail(c, n, "an escape sequence gives a NUL character or invalid UTF-8");
	p = aalloc(c, c->text.len + 1);
	if (p == NULL)
		return nomem(c);
	memcpy(p, t, c->text.len + 1);
	*out = p;
	*len = c->text.len;
	return PP_OK;
}

static int is_str_tag(struct fy_token *tag)
{
	size_t len = 0;
	const char *t = tag ? fy_token_get_text(tag, &len) : NULL;

	return t != NULL && ((len == 1 && t[0] == '!') ||
			     (len == strlen(YAML_STR_TAG) && memcmp(t, YAML_STR_TAG, len) == 0));
}

/* A node for a scalar, alias, or the start of a collection; *out NULL for other events. */
static pp_rc event_node(ctx *c, struct fy_event *e, node **out)
{
	struct fy_token *anchor = NULL;
	enum fy_scalar_style style = FYSS_ANY;
	const char *tx, *fm = c->data + c->fm_off;
	size_t len;
	node *n;
	pp_rc rc;
	char b[128];

	*out = NULL;
	if (e->type != FYET_SCALAR && e->type != FYET_ALIAS && e->type != FYET_MAPPING_START &&
	    e->type != FYET_SEQUENCE_START)
		return PP_OK;
	n = aalloc(c, sizeof(*n));
	if (n == NULL)
		return nomem(c);
	memset(n, 0, sizeof(*n));
	n->off = mark_off(c, e);
	if (e->type == FYET_SCALAR)
		style = fy_token_scalar_style(e->scalar.value);
	/* libfyaml marks a quoted scalar after its quote, an alias after its '*' */
	if (n->off > 0 && ((e->type == FYET_ALIAS && fm[n->off - 1] == '*') ||
			   (style == FYSS_SINGLE_QUOTED && fm[n->off - 1] == '\'') ||
			   (style == FYSS_DOUBLE_QUOTED && fm[n->off - 1] == '"')))
		n->off--;
	if (++c->values > VALUES_MAX)
		return fail(c, n, "the front matter holds more than %d values", VALUES_MAX);
	switch (e->type) {
	case FYET_SCALAR:
		n->kind = N_SCALAR;
		if (style == FYSS_SINGLE_QUOTED && fm[n->off] == '\'')
			rc = sq_text(c, fm + n->off + 1, fm + c->fm_len);
		else if (style == FYSS_DOUBLE_QUOTED && fm[n->off] == '"')
			rc = dq_text(c, fm + n->off + 1, fm + c->fm_len);
		else
			rc = token_text(c, e->scalar.value);
		if (rc == PP_OK)
			rc = keep_text(c, n, &n->text, &n->len);
		if (rc != PP_OK)
			return rc;
		n->is_str = style != FYSS_PLAIN || is_str_tag(e->scalar.tag);
		anchor = e->scalar.anchor;
		break;
	case FYET_ALIAS:
		n->kind = N_ALIAS;
		tx = fy_token_get_text(e->alias.anchor, &len);
		if (tx == NULL)
			return nomem(c);
		n->target = smap_get(&c->anchors, tx, len);
		if (n->target == NULL)
			return fail(c, n,
				    "alias %s: no anchor of that name before it (or the alias is "
				    "inside the list or mapping it names)",
				    q(b, tx, len));
		break;
	case FYET_MAPPING_START:
		n->kind = N_MAP;
		anchor = e->mapping_start.anchor;
		break;
	default:
		n->kind = N_SEQ;
		anchor = e->sequence_start.anchor;
		break;
	}
	if (anchor != NULL) { /* a collection's is registered once complete: no cycles */
		rc = token_text(c, anchor);
		if (rc == PP_OK)
			rc = keep_text(c, n, &tx, &len);
		if (rc != PP_OK)
			return rc;
		if (n->kind == N_SCALAR && smap_put(&c->anchors, tx, len, n) != PP_OK)
			return nomem(c);
		if (n->kind != N_SCALAR) {
			n->text = tx;
			n->len = len;
		}
	}
	*out = n;
	return PP_OK;
}

static void add_child(node *parent, node *child)
{
	if (parent->last != NULL)
		parent->last->next = child;
	else
		parent->first = child;
	parent->last = child;
}

/* Runs libfyaml's event parser over the front matter; *root NULL when it is empty. */
static pp_rc build_tree(ctx *c, node **root)
{
	struct fy_diag_cfg dcfg;
	struct fy_parse_cfg pcfg;
	struct fy_diag *diag = NULL;
	struct fy_parser *p = NULL;
	struct fy_event *e;
	node *stack[DEPTH_MAX + 2], *n;
	int depth = 0, docs = 0;
	pp_rc rc = PP_OK;

	*root = NULL;
	fy_diag_cfg_default(&dcfg);
	dcfg.fp = NULL; /* collected, never printed */
	dcfg.level = FYET_ERROR;
	diag = fy_diag_create(&dcfg);
	if (diag == NULL)
		return nomem(c);
	fy_diag_set_collect_errors(diag, true);
	memset(&pcfg, 0, sizeof(pcfg));
	pcfg.flags = FYPCF_QUIET | FYPCF_DEFAULT_VERSION_1_2 | FYPCF_JSON_NONE;
	pcfg.diag = diag;
	p = fy_parser_create(&pcfg);
	if (p == NULL || fy_parser_set_string(p, c->data + c->fm_off, c->fm_len) != 0) {
		rc = nomem(c);
		goto out;
	}
	while (rc == PP_OK && (e = fy_parser_parse(p)) != NULL) {
		if (e->type == FYET_DOCUMENT_START && ++docs > 1) {
			node at = {.off = mark_off(c, e)};
			rc = fail(c, &at, "a second YAML document: the front matter holds one");
		} else if (e->type == FYET_MAPPING_END || e->type == FYET_SEQUENCE_END) {
			n = stack[--depth];
			if (n->text != NULL && smap_put(&c->anchors, n->text, n->len, n) != PP_OK)
				rc = nomem(c);
		} else {
			rc = event_node(c, e, &n);
			if (rc == PP_OK && n != NULL) {
				if (depth > 0)
					add_child(stack[depth - 1], n);
				else
					*root = n;
				if (n->kind == N_MAP || n->kind == N_SEQ) {
					if (depth == DEPTH_MAX)
						rc = fail(c, n, "nested deeper than %d levels",
							  DEPTH_MAX);
					else
						stack[depth++] = n;
				}
			}
		}
		fy_parser_event_free(p, e);
	}
	if (rc == PP_OK && fy_parser_get_stream_error(p))
		rc = yaml_error(c, diag);
out:
	fy_parser_destroy(p);
	fy_diag_destroy(diag);
	return rc;
}

/* ---- scalars, mappings with merge keys, JSON ----------------------------- */

static int is_null(const node *n)
{
	static const char *const v[] = {"", "~", "null", "Null", "NULL"};
	size_t i;

	if (n->kind != N_SCALAR || n->is_str)
		return 0;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		if (strcmp(n->text, v[i]) == 0)
			return 1;
	return 0;
}

static node *deref(node *n)
{
	return n->kind == N_ALIAS ? n->target : n;
}

/*
 * A plain scalar that the YAML 1.2 core schema reads as a number, in JSON's
 * spelling (into out, 80 bytes): "+.5" -> "0.5", "1." -> "1.0". Integers with
 * a leading zero (zip codes, "007") stay strings: YAML 1.1 read them as octal.
 */
static int number_text(const char *s, size_t len, char *out)
{
	size_t i = 0, o = 0, d0, dn, f0 = 0, fn = 0;

	if (len == 0 || len > 64)
		return 0;
	if (s[i] == '+' || s[i] == '-')
		if (s[i++] == '-')
			out[o++] = '-';
	for (d0 = i; i < len && s[i] >= '0' && s[i] <= '9'; i++)
		;
	dn = i - d0;
	if (i < len && s[i] == '.')
		for (f0 = ++i; i < len && s[i] >= '0' && s[i] <= '9'; i++)
			fn++;
	if ((dn == 0 && fn == 0) || (dn > 1 && s[d0] == '0'))
		return 0;
	memcpy(out + o, dn ? s + d0 : "0", dn ? dn : 1);
	o += dn ? dn : 1;
	if (f0 != 0) {
		out[o++] = '.';
		memcpy(out + o, fn ? s + f0 : "0", fn ? fn : 1);
		o += fn ? fn : 1;
	}
	if (i < len && (s[i] == 'e' || s[i] == 'E')) {
		size_t e0 = i++;
		if (i < len && (s[i] == '+' || s[i] == '-'))
			i++;
		if (i == len)
			return 0;
		while (i < len && s[i] >= '0' && s[i] <= '9')
			i++;
		if (!(s[i - 1] >= '0' && s[i - 1] <= '9'))
			return 0;
		memcpy(out + o, s + e0, i - e0);
		o += i - e0;
	}
	out[o] = '\0';
	return i == len;
}

/* 0x1F and 0o17 (at most 60 bits); -1 when s is not one. */
static json_int_t radix_int(const char *s, size_t len)
{
	json_int_t v = 0;
	int base, d;
	size_t i;

	if (len < 3 || len > 17 || s[0] != '0' || (s[1] != 'x' && s[1] != 'o'))
		return -1;
	base = s[1] == 'x' ? 16 : 8;
	for (i = 2; i < len; i++) {
		char ch = s[i];
		d = ch >= '0' && ch <= '9'   ? ch - '0'
		    : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10
		    : ch >= 'A' && ch <= 'F' ? ch - 'A' + 10
					     : 99;
		if (d >= base)
			return -1;
		v = v * base + d;
	}
	return v;
}

static json_t *scalar_json(const node *n)
{
	char num[80];
	json_int_t r;
	json_t *v;

	if (!n->is_str) {
		if (is_null(n))
			return json_null();
		if (!strcmp(n->text, "true") || !strcmp(n->text, "True") ||
		    !strcmp(n->text, "TRUE"))
			return json_true();
		if (!strcmp(n->text, "false") || !strcmp(n->text, "False") ||
		    !strcmp(n->text, "FALSE"))
			return json_false();
		if ((r = radix_int(n->text, n->len)) >= 0)
			return json_integer(r);
		/* jansson reads the number: locale-proof, and it says when one overflows */
		if (number_text(n->text, n->len, num) &&
		    (v = json_loads(num, JSON_DECODE_ANY, NULL)) != NULL)
			return v;
	}
	return json_stringn(n->text, n->len);
}

static int is_merge_key(const node *k)
{
	return k->kind == N_SCALAR && !k->is_str && strcmp(k->text, "<<") == 0;
}

/* Counts one value (and its bytes) of an expansion against the budget. */
static pp_rc charge(ctx *c, const node *n, size_t bytes)
{
	c->values++;
	c->expanded += bytes;
	if (c->values > VALUES_MAX || c->expanded > EXPAND_MAX)
		return fail(c, c->outer_alias ? c->outer_alias : n,
			    "aliases expand the front matter to more than %d values or %d bytes",
			    VALUES_MAX, EXPAND_MAX);
	return PP_OK;
}

static pp_rc entries_add(ctx *c, entries *es, node *k, node *v)
{
	if (es->n == es->cap) {
		size_t cap = es->cap ? 2 * es->cap : 16;
		entry *p = realloc(es->v, cap * sizeof(*p));
		if (p == NULL)
			return nomem(c);
		es->v = p;
		es->cap = cap;
	}
	es->v[es->n++] = (entry){k, v};
	return PP_OK;
}

static pp_rc map_entries(ctx *c, node *map, int depth, entries *es);

/* Adds the entries of merge source src (a mapping) whose keys are not in keys yet. */
static pp_rc merge_from(ctx *c, node *src, int depth, smap *keys, entries *es)
{
	node *outer = c->outer_alias, *k;
	entries sub = {0};
	size_t i;
	pp_rc rc;

	if (src->kind == N_ALIAS && outer == NULL)
		c->outer_alias = src;
	rc = charge(c, src, 0);
	if (rc == PP_OK && deref(src)->kind != N_MAP)
		rc = fail(c, src, "'<<' (merge) takes a mapping or a list of mappings");
	if (rc == PP_OK)
		rc = map_entries(c, deref(src), depth + 1, &sub);
	for (i = 0; rc == PP_OK && i < sub.n; i++) {
		k = sub.v[i].key;
		rc = charge(c, k, 0);
		if (rc != PP_OK || smap_get(keys, k->text, k->len) != NULL)
			continue;
		rc = smap_put(keys, k->text, k->len, k) ? nomem(c) : PP_OK;
		if (rc == PP_OK)
			rc = entries_add(c, es, k, sub.v[i].val);
	}
	free(sub.v);
	c->outer_alias = outer;
	return rc;
}

/*
 * The key/value pairs of a mapping as YAML means them: keys must be scalars
 * and unique; a '<<' key merges in mappings (YAML 1.1 merge keys), whose
 * keys never override the mapping's own. The caller frees es->v.
 */
static pp_rc map_entries(ctx *c, node *map, int depth, entries *es)
{
	smap keys = {0};
	node *k, *v, *merge = NULL;
	char b[128];
	pp_rc rc = PP_OK;

	if (depth > DEPTH_MAX)
		return fail(c, c->outer_alias ? c->outer_alias : map,
			    "nested deeper than %d levels (counting aliases)", DEPTH_MAX);
	for (k = map->first; rc == PP_OK && k != NULL; k = v->next) {
		node *kd = deref(k), *first;
		v = k->next; /* the event parser always pairs them */
		if (v == NULL)
			break;
		if (kd->kind != N_SCALAR) {
			rc = fail(c, k, "a key must be a single value, not a list or mapping");
			break;
		}
		first = smap_get(&keys, kd->text, kd->len);
		if (first != NULL) {
			pp_story_pos p = node_pos(c, first);
			rc = fail(c, k, "duplicate key %s (first at line %d)",
				  q(b, kd->text, kd->len), p.line);
		} else if (smap_put(&keys, kd->text, kd->len, kd) != PP_OK) {
			rc = nomem(c);
		} else if (is_merge_key(kd)) {
			merge = v;
		} else {
			rc = entries_add(c, es, kd, v);
		}
	}
	if (rc == PP_OK && merge != NULL) {
		node *m = deref(merge), *item;
		if (m->kind == N_SEQ) /* earlier mappings win */
			for (item = m->first; rc == PP_OK && item != NULL; item = item->next)
				rc = merge_from(c, item, depth, &keys, es);
		else
			rc = merge_from(c, merge, depth, &keys, es);
	}
	smap_free(&keys);
	return rc;
}

static pp_rc to_json(ctx *c, node *n, int depth, json_t **out)
{
	node *outer = c->outer_alias;
	json_t *j = NULL, *v;
	pp_rc rc;

	*out = NULL;
	if (n->kind == N_ALIAS && c->outer_alias == NULL)
		c->outer_alias = n;
	n = deref(n);
	rc = charge(c, n, n->kind == N_SCALAR ? n->len : 0);
	if (rc == PP_OK && depth > DEPTH_MAX)
		rc = fail(c, c->outer_alias ? c->outer_alias : n,
			  "nested deeper than %d levels (counting aliases)", DEPTH_MAX);
	if (rc != PP_OK)
		goto out;
	if (n->kind == N_SCALAR) {
		j = scalar_json(n);
	} else if (n->kind == N_SEQ) {
		node *item;
		j = json_array();
		for (item = n->first; j != NULL && rc == PP_OK && item != NULL; item = item->next) {
			rc = to_json(c, item, depth + 1, &v);
			if (rc == PP_OK && json_array_append_new(j, v) != 0)
				rc = nomem(c);
		}
	} else {
		entries es = {0};
		size_t i;
		j = json_object();
		rc = j ? map_entries(c, n, depth, &es) : PP_OK;
		for (i = 0; j != NULL && rc == PP_OK && i < es.n; i++) {
			rc = to_json(c, es.v[i].val, depth + 1, &v);
			if (rc == PP_OK &&
			    json_object_setn_new(j, es.v[i].key->text, es.v[i].key->len, v) != 0)
				rc = nomem(c);
		}
		free(es.v);
	}
	if (rc == PP_OK && j == NULL)
		rc = nomem(c);
out:
	c->outer_alias = outer;
	if (rc != PP_OK)
		json_decref(j);
	else
		*out = j;
	return rc;
}

/* ---- the known fields ---------------------------------------------------- */

enum {
	F_ID,
	F_TITLE,
	F_STATUS,
	F_PRIORITY,
	F_ESTIMATE,
	F_EPIC,
	F_OWNER,
	F_AUTHOR,
	F_BRANCH,
	F_CREATED,
	F_UPDATED,
	F_LABELS,
	F_DEPS,
	F_OTHER
};
static const char *const field_names[F_OTHER] = {
	"id",     "title",       "status",  "priority",     "estimate", "epic",         "owner",
	"author", "branch_name", "created", "last_updated", "labels",   "dependencies",
};

static int is_blank(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n' || ch == '\f' || ch == '\v';
}

static void trim(const char **s, size_t *len)
{
	while (*len > 0 && is_blank(**s))
		(*s)++, (*len)--;
	while (*len > 0 && is_blank((*s)[*len - 1]))
		(*len)--;
}

static pp_rc dupn(ctx *c, const char *s, size_t len, char **out)
{
	*out = malloc(len + 1);
	if (*out == NULL)
		return nomem(c);
	memcpy(*out, s, len);
	(*out)[len] = '\0';
	return PP_OK;
}

/* The text of a single-valued field; *text NULL when it is null or blank. */
static pp_rc field_text(ctx *c, int f, node *v, const char **text, size_t *len)
{
	node *d = deref(v);
	const char *t;
	size_t l;

	*text = NULL;
	if (d->kind != N_SCALAR)
		return fail(c, v, "%s must be a single value, not a list or mapping",
			    field_names[f]);
	t = d->text;
	l = d->len;
	trim(&t, &l);
	if (is_null(d) || l == 0)
		return PP_OK;
	*text = d->text;
	*len = d->len;
	return PP_OK;
}

/* ^[A-Z][A-Z0-9_]*(-[A-Z0-9_]+)+$, at most 64: stories_key_format. */
static int is_story_key(const char *s, size_t len)
{
	size_t i, dashes = 0;

	if (len == 0 || len > KEY_MAX || s[0] < 'A' || s[0] > 'Z' || s[len - 1] == '-')
		return 0;
	for (i = 1; i < len; i++) {
		if (s[i] == '-' && s[i - 1] != '-')
			dashes++;
		else if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') ||
			   s[i] == '_'))
			return 0;
	}
	return dashes > 0;
}

/* ^[A-Z][A-Z0-9_]{0,19}$: projects_key_format. */
static int is_project_key(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || len > 20 || s[0] < 'A' || s[0] > 'Z')
		return 0;
	for (i = 1; i < len; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return 0;
	return 1;
}

/*
 * The story points in an estimate: a number (no sign, no exponent), then
 * optionally "sp", "pt", "pts", "point(s)" or "story point(s)", any case.
 * 1 with *points set, 0 for no number ("XL"), -1 when too large for the column.
 */
static int estimate_points(const char *s, size_t len, double *points)
{
	static const char *const units[] = {"",      "sp",     "pt",          "pts",
					    "point", "points", "story point", "story points"};
	double v = 0, scale = 1;
	size_t i = 0, digits = 0, u;

	trim(&s, &len);
	for (; i < len && s[i] >= '0' && s[i] <= '9'; i++, digits++)
		if ((v = v * 10 + (s[i] - '0')) > 1e9)
			v = 1e9; /* stays "too large" without overflowing */
	if (i < len && s[i] == '.')
		for (i++; i < len && s[i] >= '0' && s[i] <= '9'; i++, digits++)
			v += (s[i] - '0') * (scale /= 10);
	if (digits == 0)
		return 0;
	while (i < len && is_blank(s[i]))
		i++;
	for (u = 0; u < sizeof(units) / sizeof(units[0]); u++)
		if (strlen(units[u]) == len - i && strncasecmp(s + i, units[u], len - i) == 0)
			break;
	if (u == sizeof(units) / sizeof(units[0]))
		return 0;
	*points = v;
	return v < 999999.995 ? 1 : -1; /* numeric(8, 2) */
}

static int read_digits(const char *s, size_t len, size_t *i, size_t min, size_t max, int *v)
{
	size_t n = 0;

	for (*v = 0; *i < len && n < max && s[*i] >= '0' && s[*i] <= '9'; (*i)++, n++)
		*v = *v * 10 + (s[*i] - '0');
	return n >= min;
}

/*
 * YYYY-MM-DD, or that with a time (YAML's and ISO 8601's spellings):
 * 2025-08-28T14:30:00Z, 2025-08-28 14:30, 2001-12-14 21:59:43.10 -5.
 * 1 when valid, 0 when not such a text, -1 when the day or time does not exist.
 */
static int check_date(const char *s, size_t len)
{
	static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int y, mo, d, h = 0, mi = 0, sec = 0, tzh = 0, tzm = 0, frac, leap;
	size_t i = 0;

	if (!read_digits(s, len, &i, 4, 4, &y) || i >= len || s[i++] != '-' ||
	    !read_digits(s, len, &i, 2, 2, &mo) || i >= len || s[i++] != '-' ||
	    !read_digits(s, len, &i, 2, 2, &d))
		return 0;
	if (i < len) {
		if (s[i] == 'T' || s[i] == 't')
			i++;
		else if (s[i] == ' ' || s[i] == '\t')
			while (i < len && (s[i] == ' ' || s[i] == '\t'))
				i++;
		else
			return 0;
		if (!read_digits(s, len, &i, 1, 2, &h) || i >= len || s[i++] != ':' ||
		    !read_digits(s, len, &i, 2, 2, &mi))
			return 0;
		if (i < len && s[i] == ':') {
			i++;
			if (!read_digits(s, len, &i, 2, 2, &sec))
				return 0;
			if (i < len && s[i] == '.') {
				i++;
				if (!read_digits(s, len, &i, 1, 9, &frac))
					return 0;
				while (i < len && s[i] >= '0' && s[i] <= '9')
					i++;
			}
		}
		while (i < len && (s[i] == ' ' || s[i] == '\t'))
			i++;
		if (i < len && (s[i] == 'Z' || s[i] == 'z')) {
			i++;
		} else if (i < len && (s[i] == '+' || s[i] == '-')) {
			i++;
			if (!read_digits(s, len, &i, 1, 2, &tzh))
				return 0;
			if (i < len && s[i] == ':')
				i++;
			if (i < len && !read_digits(s, len, &i, 2, 2, &tzm))
				return 0;
			if (s[i - 1] == ':')
				return 0;
		}
	}
	if (i != len)
		return 0;
	leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] + (mo == 2 && leap))
		return -1;
	return h <= 23 && mi <= 59 && sec <= 59 && tzh <= 15 && tzm <= 59 ? 1 : -1;
}

/* Why a branch name breaks stories_branch_name_format (git's rules), or NULL. */
static const char *branch_problem(const char *s, size_t len)
{
	size_t i;

	if (utf8_chars(s, len) > 255)
		return "is longer than 255 characters";
	if (s[0] == '-' || s[0] == '/' || s[0] == '.')
		return "starts with '-', '/' or '.'";
	if (s[len - 1] == '/' || s[len - 1] == '.' ||
	    (len >= 5 && !memcmp(s + len - 5, ".lock", 5)))
		return "ends with '/', '.' or '.lock'";
	for (i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (ch <= ' ' || ch == 0x7F || strchr("~^:?*[\\", ch) != NULL)
			return "holds a space, a control character or one of ~^:?*[\\";
		if (i + 1 < len &&
		    ((ch == '.' && s[i + 1] == '.') || (ch == '@' && s[i + 1] == '{') ||
		     (ch == '/' && s[i + 1] == '/')))
			return "holds '..', '@{' or '//'";
	}
	return NULL;
}

typedef pp_rc (*item_fn)(ctx *c, pp_story *s, node *at, const char *text, size_t len);

/* Calls fn for each item of a list field: a YAML list, or one text of comma-separated items. */
static pp_rc each_item(ctx *c, pp_story *s, int f, node *v, item_fn fn)
{
	node *d = deref(v), *it;
	pp_rc rc = PP_OK;

	if (d->kind == N_MAP)
		return fail(c, v, "%s must be a list, not a mapping", field_names[f]);
	if (d->kind == N_SCALAR) {
		const char *p = d->text, *end = d->text + d->len;
		if (is_null(d))
			return PP_OK;
		while (rc == PP_OK && p < end) {
			const char *comma = memchr(p, ',', (size_t)(end - p)), *t = p;
			size_t l = (size_t)((comma ? comma : end) - p);
			trim(&t, &l);
			if (l > 0)
				rc = fn(c, s, v, t, l);
			p = comma ? comma + 1 : end;
		}
		return rc;
	}
	for (it = d->first; rc == PP_OK && it != NULL; it = it->next) {
		node *id = deref(it);
		const char *t = id->text;
		size_t l = id->len;
		if (id->kind != N_SCALAR)
			return fail(c, it,
				    "an item of %s must be a single value, not a list or mapping",
				    field_names[f]);
		trim(&t, &l);
		if (is_null(id) || l == 0)
			return fail(c, it, "an empty item in %s", field_names[f]);
		rc = fn(c, s, it, t, l);
	}
	return rc;
}

static pp_rc add_label(ctx *c, pp_story *s, node *at, const char *t, size_t len)
{
	char b[128], *l, **v;
	size_t i;

	for (i = 0; i < len; i++)
		if ((unsigned char)t[i] < 0x20 || t[i] == ' ' || t[i] == ',' || t[i] == 0x7F ||
		    ((unsigned char)t[i] == 0xC2 && i + 1 < len && (unsigned char)t[i + 1] < 0xA0))
			return fail(c, at, "label %s: no spaces, commas or control characters",
				    q(b, t, len));
	if (utf8_chars(t, len) > 64)
		return fail(c, at, "label %s is longer than 64 characters", q(b, t, len));
	if (dupn(c, t, len, &l) != PP_OK)
		return PP_ENOMEM;
	for (i = 0; i < len; i++) /* the database lower-cases the rest */
		if (l[i] >= 'A' && l[i] <= 'Z')
			l[i] = (char)(l[i] - 'A' + 'a');
	for (i = 0; i < s->n_labels; i++) {
		if (strcmp(s->labels[i], l) == 0) {
			free(l);
			return PP_OK;
		}
	}
	if (s->n_labels == LABELS_MAX) {
		free(l);
		return fail(c, at, "more than %d labels", LABELS_MAX);
	}
	v = realloc(s->labels, (s->n_labels + 1) * sizeof(*v));
	if (v == NULL) {
		free(l);
		return nomem(c);
	}
	s->labels = v;
	s->labels[s->n_labels++] = l;
	return PP_OK;
}

static pp_rc add_dep(ctx *c, pp_story *s, node *at, const char *t, size_t len)
{
	const char *colon = memchr(t, ':', len);
	size_t plen = colon ? (size_t)(colon - t) : 0, klen = colon ? len - plen - 1 : len;
	const char *key = colon ? colon + 1 : t;
	pp_story_dep *d;
	char b[128];

	if ((colon && !is_project_key(t, plen)) || !is_story_key(key, klen))
		return fail(c, at,
			    "dependency %s is not KEY or PROJECT:KEY (such as INF-012 or "
			    "OTHER:API-003)",
			    q(b, t, len));
	if (smap_get(&c->deps_seen, t, len) != NULL) /* a repeat says nothing new */
		return PP_OK;
	if (smap_put(&c->deps_seen, t, len, at) != PP_OK)
		return nomem(c);
	d = realloc(s->deps, (s->n_deps + 1) * sizeof(*d));
	if (d == NULL)
		return nomem(c);
	s->deps = d;
	d += s->n_deps;
	memset(d, 0, sizeof(*d));
	s->n_deps++;
	d->pos = node_pos(c, at);
	if ((colon && dupn(c, t, plen, &d->project) != PP_OK) ||
	    dupn(c, key, klen, &d->key) != PP_OK)
		return PP_ENOMEM;
	return PP_OK;
}

static pp_rc set_text(ctx *c, int f, node *v, char **out, size_t max_chars)
{
	const char *t;
	size_t len;
	pp_rc rc = field_text(c, f, v, &t, &len);

	if (rc != PP_OK || t == NULL)
		return rc;
	if (max_chars > 0 && utf8_chars(t, len) > max_chars)
		return fail(c, v, "%s is longer than %zu characters", field_names[f], max_chars);
	return dupn(c, t, len, out);
}

static pp_rc read_field(ctx *c, pp_story *s, int f, node *v)
{
	static const char *const prios[] = {"critical", "high", "medium", "low"};
	const char *t = NULL, *why;
	size_t len = 0, i;
	char b[128];
	pp_rc rc;
	int ok;

	switch (f) {
	case F_LABELS:
		return each_item(c, s, f, v, add_label);
	case F_DEPS:
		return each_item(c, s, f, v, add_dep);
	case F_TITLE:
		s->title_pos = node_pos(c, v);
		return set_text(c, f, v, &s->title, 500);
	case F_STATUS:
		s->status_pos = node_pos(c, v);
		return set_text(c, f, v, &s->status, 0);
	case F_EPIC:
		return set_text(c, f, v, &s->epic, 100);
	case F_OWNER:
		return set_text(c, f, v, &s->owner, 100);
	case F_AUTHOR:
		return set_text(c, f, v, &s->author, 100);
	default:
		break;
	}
	rc = field_text(c, f, v, &t, &len);
	if (rc != PP_OK || t == NULL)
		return rc;
	switch (f) {
	case F_ID:
		s->key_pos = node_pos(c, v);
		if (!is_story_key(t, len))
			return fail(c, v,
				    "id %s is not a story key: upper-case letters, digits and '_' "
				    "in parts joined by '-', starting with a letter, at most %d "
				    "characters (such as INF-013)",
				    q(b, t, len), KEY_MAX);
		return dupn(c, t, len, &s->key);
	case F_PRIORITY:
		s->priority_pos = node_pos(c, v);
		for (i = 0; i < 4; i++)
			if (strlen(prios[i]) == len && strncasecmp(t, prios[i], len) == 0)
				return dupn(c, prios[i], len, &s->priority);
		return fail(c, v, "priority %s is not one of critical, high, medium, low",
			    q(b, t, len));
	case F_ESTIMATE:
		s->estimate_pos = node_pos(c, v);
		if (utf8_chars(t, len) > 32)
			return fail(c, v, "estimate is longer than 32 characters");
		ok = estimate_points(t, len, &s->estimate_points);
		if (ok < 0)
			return fail(c, v, "estimate %s: at most 999999.99 points", q(b, t, len));
		s->has_points = ok;
		if (!ok)
			s->estimate_points = 0;
		return dupn(c, t, len, &s->estimate_raw);
	case F_BRANCH:
		why = branch_problem(t, len);
		if (why != NULL)
			return fail(c, v, "branch_name %s is not a git branch name: it %s",
				    q(b, t, len), why);
		return dupn(c, t, len, &s->branch_name);
	default: /* F_CREATED, F_UPDATED */
		ok = check_date(t, len);
		if (ok == 0)
			return fail(c, v,
				    "%s %s is not a date: expected YYYY-MM-DD or an ISO 8601 "
				    "timestamp such as 2025-08-28T14:30:00Z",
				    field_names[f], q(b, t, len));
		if (ok < 0)
			return fail(c, v, "%s %s: no such date or time", field_names[f],
				    q(b, t, len));
		return dupn(c, t, len, f == F_CREATED ? &s->created : &s->last_updated);
	}
}

static int field_of(const node *k)
{
	int f;

	for (f = 0; f < F_OTHER; f++)
		if (strlen(field_names[f]) == k->len &&
		    memcmp(field_names[f], k->text, k->len) == 0)
			return f;
	return F_OTHER;
}

static pp_rc read_fields(ctx *c, node *root, pp_story *s)
{
	node *seen[F_OTHER] = {0};
	entries es = {0};
	json_t *meta = NULL, *v;
	size_t i;
	pp_rc rc = PP_OK;

	if (root == NULL || is_null(root))
		return fail_lc(c, 1, 1, "missing id: the front matter is empty");
	if (root->kind != N_MAP)
		return fail(c, root,
			    "the front matter must be a mapping of 'key: value' lines, not %s",
			    root->kind == N_SEQ ? "a list" : "a single value");
	c->values = 0; /* from here on: the values of the expansion */
	meta = json_object();
	if (meta == NULL)
		return nomem(c);
	rc = map_entries(c, root, 0, &es);
	for (i = 0; rc == PP_OK && i < es.n; i++) {
		int f = field_of(es.v[i].key);
		if (f != F_OTHER) {
			seen[f] = es.v[i].val;
			rc = read_field(c, s, f, es.v[i].val);
			continue;
		}
		rc = to_json(c, es.v[i].val, 1, &v);
		if (rc == PP_OK &&
		    json_object_setn_new(meta, es.v[i].key->text, es.v[i].key->len, v) != 0)
			rc = nomem(c);
	}
	if (rc == PP_OK && s->key == NULL)
		rc = seen[F_ID] ? fail(c, seen[F_ID], "id is empty")
				: fail_lc(c, 1, 1, "missing id: the front matter needs 'id: KEY'");
	if (rc == PP_OK && s->title == NULL)
		rc = seen[F_TITLE] ? fail(c, seen[F_TITLE], "title is empty")
				   : fail_lc(c, 1, 1,
					     "missing title: the front matter needs 'title: ...'");
	for (i = 0; rc == PP_OK && i < s->n_deps; i++)
		if (s->deps[i].project == NULL && strcmp(s->deps[i].key, s->key) == 0)
			rc = fail_lc(c, s->deps[i].pos.line, s->deps[i].pos.column,
				     "%s depends on itself", s->key);
	if (rc == PP_OK) {
		s->metadata_json = json_dumps(meta, JSON_COMPACT | JSON_PRESERVE_ORDER |
							    JSON_REAL_PRECISION(REAL_DIGITS));
		if (s->metadata_json == NULL)
			rc = nomem(c);
	}
	free(es.v);
	json_decref(meta);
	return rc;
}

/* ---- the body ------------------------------------------------------------ */

/*
 * Counts task-list items ("- [ ] x", "* [x] x", "1. [X] x", at any indentation)
 * outside fenced code blocks (``` or ~~~, closed by a fence of the same
 * character at least as long), where they are examples, not tasks.
 */
static void count_checklist(const char *p, size_t len, int *total, int *done)
{
	size_t i = 0, fence = 0;
	char fence_ch = 0;

	while (i < len) {
		const char *nl = memchr(p + i, '\n', len - i);
		size_t end = nl ? (size_t)(nl - p) : len, j = i, run = 0, k;
		while (j < end && (p[j] == ' ' || p[j] == '\t'))
			j++;
		while (j + run < end && (p[j + run] == '`' || p[j + run] == '~') &&
		       p[j + run] == p[j])
			run++;
		if (fence_ch != 0) {
			for (k = j + run; k < end && is_blank(p[k]); k++)
				;
			if (run > 0 && p[j] == fence_ch && run >= fence && k == end)
				fence_ch = 0;
		} else if (run >= 3) {
			fence_ch = p[j];
			fence = run;
		} else {
			k = j;
			if (k < end && (p[k] == '-' || p[k] == '*' || p[k] == '+')) {
				k++;
			} else { /* an ordered item: up to 9 digits, then '.' or ')' */
				while (k < end && k - j < 9 && p[k] >= '0' && p[k] <= '9')
					k++;
				k = k > j && k < end && (p[k] == '.' || p[k] == ')') ? k + 1 : j;
			}
			if (k > j && k < end && (p[k] == ' ' || p[k] == '\t')) {
				while (k < end && (p[k] == ' ' || p[k] == '\t'))
					k++;
				if (k + 2 < end && p[k] == '[' && p[k + 2] == ']' &&
				    (p[k + 1] == ' ' || p[k + 1] == 'x' || p[k + 1] == 'X') &&
				    (k + 3 == end || is_blank(p[k + 3]))) {
					(*total)++;
					*done += p[k + 1] != ' ';
				}
			}
		}
		i = end + 1;
	}
}

/* ---- entry points -------------------------------------------------------- */

pp_rc pp_story_parse(const char *path, const char *data, size_t len, pp_story *out, pp_err *err)
{
	ctx c;
	node *root = NULL;
	pp_rc rc;

	memset(out, 0, sizeof(*out));
	memset(&c, 0, sizeof(c));
	c.path = path ? path : "(story)";
	c.data = data ? data : "";
	c.len = data ? len : 0;
	c.body_off = c.len;
	c.err = err;
	pp_buf_init(&c.text, 2 * FM_MAX);
	rc = split(&c);
	if (rc == PP_OK)
		rc = check_bytes(&c);
	if (rc == PP_OK && c.len - c.body_off > BODY_MAX) {
		int line, col;
		pos_of(&c, c.body_off, &line, &col);
		rc = fail_lc(&c, line, col, "the body is larger than %d bytes", BODY_MAX);
	}
	if (rc == PP_OK)
		rc = index_lines(&c);
	if (rc == PP_OK)
		rc = build_tree(&c, &root);
	if (rc == PP_OK)
		rc = read_fields(&c, root, out);
	if (rc == PP_OK)
		rc = dupn(&c, c.data + c.body_off, c.len - c.body_off, &out->body);
	if (rc == PP_OK)
		count_checklist(out->body, c.len - c.body_off, &out->checklist_total,
				&out->checklist_done);
	smap_free(&c.anchors);
	smap_free(&c.deps_seen);
	pp_buf_free(&c.text);
	arena_free(&c);
	free(c.lines);
	if (rc != PP_OK)
		pp_story_free(out);
	return rc;
}

void pp_story_free(pp_story *s)
{
	size_t i;

	if (s == NULL)
		return;
	free(s->key);
	free(s->title);
	free(s->status);
	free(s->priority);
	free(s->estimate_raw);
	free(s->epic);
	free(s->owner);
	free(s->author);
	free(s->branch_name);
	free(s->created);
	free(s->last_updated);
	for (i = 0; i < s->n_labels; i++)
		free(s->labels[i]);
	free(s->labels);
	for (i = 0; i < s->n_deps; i++) {
		free(s->deps[i].project);
		free(s->deps[i].key);
	}
	free(s->deps);
	free(s->metadata_json);
	free(s->body);
	memset(s, 0, sizeof(*s));
}
