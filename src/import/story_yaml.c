/*
 * story_yaml.c: a story's front matter as YAML (see story_int.h).
 *
 * The front matter goes through libfyaml's event parser into a small tree of
 * our own (arena-allocated, each node knowing its byte offset), rather than
 * through fy_document_resolve: aliases then stay shared pointers and are
 * expanded under a budget, so an alias bomb costs an error, not the memory of
 * the machine, and every message can point at a line and column of the file.
 */
#include <ctype.h>
#include <jansson.h>
#include <libfyaml.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "import/story_int.h"

#define YAML_STR_TAG "tag:yaml.org,2002:str"

/* ---- YAML events into the tree ------------------------------------------- */

static int is_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n';
}

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

/* The offset (in the front matter) of the line after the one at off; fm_len at the end. */
static size_t next_line(ctx *c, size_t off)
{
	const char *fm = c->data + c->fm_off;

	while (off < c->fm_len && fm[off] != '\n' && fm[off] != '\r')
		off++;
	if (off < c->fm_len && fm[off] == '\r' && off + 1 < c->fm_len && fm[off + 1] == '\n')
		off++;
	return off < c->fm_len ? off + 1 : off;
}

/*
 * A tab indenting the line at off or the next one (a tab among its leading
 * blanks, then something other than a comment), as its offset; else
 * SIZE_MAX. libfyaml reports such a tab as YAML would read it, often a line
 * early ("invalid multiline plain key"), without a word about the tab.
 */
static size_t indenting_tab(ctx *c, size_t off)
{
	const char *fm = c->data + c->fm_off;
	size_t i, tab;
	int n;

	for (n = 0; n < 2 && off < c->fm_len; n++, off = next_line(c, off)) {
		tab = SIZE_MAX;
		for (i = off; i < c->fm_len && (fm[i] == ' ' || fm[i] == '\t'); i++)
			if (fm[i] == '\t' && tab == SIZE_MAX)
				tab = i;
		if (tab != SIZE_MAX && i < c->fm_len && fm[i] != '\n' && fm[i] != '\r' &&
		    fm[i] != '#')
			return tab;
	}
	return SIZE_MAX;
}

/* The start of the line at off (an offset in the front matter). */
static size_t line_start(ctx *c, size_t off)
{
	const char *fm = c->data + c->fm_off;

	while (off > 0 && fm[off - 1] != '\n' && fm[off - 1] != '\r')
		off--;
	return off;
}

/* libfyaml's error; one at (or a line before) a line indented with a tab names the tab. */
static pp_rc yaml_fail(ctx *c, size_t line_off, pp_story_pos at, const char *msg)
{
	size_t tab = indenting_tab(c, line_off);
	node t = {.off = tab};

	if (tab != SIZE_MAX)
		return story_fail_at(c, story_at(c, &t),
				     "invalid YAML: tab character may not be used as indentation");
	return story_fail_at(c, at, "invalid YAML: %s", msg);
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
			return yaml_fail(c, line_start(c, m->input_pos), story_at(c, &at), de->msg);
		}
		/* 1-based, in the front matter, whose line 1 is the file's line fm.line */
		if (de->line > 0 && de->column > 0) {
			pp_story_pos fm = story_off_pos(c, c->fm_off);
			size_t off = 0;
			for (int l = 1; l < de->line && off < c->fm_len; l++)
				off = next_line(c, off);
			return yaml_fail(c, off, STORY_LC(de->line + fm.line - 1, de->column),
					 de->msg);
		}
		return story_fail_at(c, story_at(c, NULL), "invalid YAML: %s", de->msg);
	}
	return story_fail_at(c, story_at(c, NULL), "invalid YAML in the front matter");
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
		return story_nomem(c);
	for (; breaks > 1; breaks--)
		if (pp_buf_add(b, "\n", 1) != PP_OK)
			return story_nomem(c);
	return pp_buf_add(b, "", 0) != PP_OK ? story_nomem(c) : PP_OK; /* NUL after a trim */
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
	return pp_buf_add(&c->text, u, n) != PP_OK ? story_nomem(c) : PP_OK;
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
			rc = pp_buf_add(b, s, run) != PP_OK ? story_nomem(c) : PP_OK;
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
			rc = pp_buf_add(b, &simple[i + 1], 1) != PP_OK ? story_nomem(c) : PP_OK;
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
				return story_nomem(c);
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
			return story_nomem(c);
		s += run;
	}
	return pp_buf_add(b, "", 0) != PP_OK ? story_nomem(c) : PP_OK; /* NUL after a trim */
}

/* Any other token's text, through the chunk iterator (fy_token_get_text() leaks). */
static pp_rc token_text(ctx *c, struct fy_token *t)
{
	struct fy_token_iter *it = fy_token_iter_create(t);
	const struct fy_iter_chunk *ic = NULL;
	int ierr = 0;
	pp_rc rc = PP_OK;

	if (it == NULL)
		return story_nomem(c);
	pp_buf_reset(&c->text);
	while (rc == PP_OK && (ic = fy_token_iter_chunk_next(it, ic, &ierr)) != NULL)
		rc = pp_buf_add(&c->text, ic->str, ic->len);
	fy_token_iter_destroy(it);
	/* the text is at most 1.5 times its source (\L, \P): only memory fails */
	return rc != PP_OK || ierr != 0 ? story_nomem(c) : PP_OK;
}

/* Moves c->text into the arena. */
static pp_rc keep_text(ctx *c, const node *n, const char **out, size_t *len)
{
	const char *t = pp_buf_str(&c->text);
	char *p;

	/* Escapes ("\0", "\uD800") can produce what the file itself could not hold. */
	if (story_utf8_check(t, c->text.len) != c->text.len)
		return story_fail_at(c, story_at(c, n),
				     "an escape sequence gives a NUL character or invalid UTF-8");
	p = story_alloc(c, c->text.len + 1);
	if (p == NULL)
		return story_nomem(c);
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
	const char *tx = NULL, *fm = c->data + c->fm_off;
	size_t len = 0;
	node *n;
	pp_rc rc;
	char b[128];

	*out = NULL;
	if (e->type != FYET_SCALAR && e->type != FYET_ALIAS && e->type != FYET_MAPPING_START &&
	    e->type != FYET_SEQUENCE_START)
		return PP_OK;
	n = story_alloc(c, sizeof(*n));
	if (n == NULL)
		return story_nomem(c);
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
		return story_fail_at(c, story_at(c, n),
				     "the front matter holds more than %d values", VALUES_MAX);
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
			return story_nomem(c);
		n->target = story_smap_get(&c->anchors, tx, len);
		if (n->target == NULL)
			return story_fail_at(
				c, story_at(c, n),
				"alias %s: no anchor of that name before it (or the alias is "
				"inside the list or mapping it names)",
				story_quote(b, tx, len));
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
		if (n->kind == N_SCALAR && story_smap_put(&c->anchors, tx, len, n) != PP_OK)
			return story_nomem(c);
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
pp_rc story_build_tree(ctx *c, node **root)
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
		return story_nomem(c);
	fy_diag_set_collect_errors(diag, true);
	memset(&pcfg, 0, sizeof(pcfg));
	pcfg.flags = FYPCF_QUIET | FYPCF_DEFAULT_VERSION_1_2 |
		     (c->kind == PP_STORY_JSON ? FYPCF_JSON_FORCE : FYPCF_JSON_NONE);
	pcfg.diag = diag;
	p = fy_parser_create(&pcfg);
	if (p == NULL || fy_parser_set_string(p, c->data + c->fm_off, c->fm_len) != 0) {
		rc = story_nomem(c);
		goto out;
	}
	while (rc == PP_OK && (e = fy_parser_parse(p)) != NULL) {
		if (e->type == FYET_DOCUMENT_START && ++docs > 1) {
			node at = {.off = mark_off(c, e)};
			rc = story_fail_at(c, story_at(c, &at),
					   "a second YAML document: the front matter holds one");
		} else if (e->type == FYET_MAPPING_END || e->type == FYET_SEQUENCE_END) {
			n = stack[--depth];
			if (n->text != NULL &&
			    story_smap_put(&c->anchors, n->text, n->len, n) != PP_OK)
				rc = story_nomem(c);
		} else {
			rc = event_node(c, e, &n);
			if (rc == PP_OK && n != NULL) {
				if (depth > 0)
					add_child(stack[depth - 1], n);
				else
					*root = n;
				if (n->kind == N_MAP || n->kind == N_SEQ) {
					if (depth == DEPTH_MAX)
						rc = story_fail_at(c, story_at(c, n),
								   "nested deeper than %d levels",
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

int story_is_null(const node *n)
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

node *story_deref(node *n)
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
		if (story_is_null(n))
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
		return story_fail_at(
			c, story_at(c, c->outer_alias ? c->outer_alias : n),
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
			return story_nomem(c);
		es->v = p;
		es->cap = cap;
	}
	es->v[es->n++] = (entry){k, v};
	return PP_OK;
}

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
	if (rc == PP_OK && story_deref(src)->kind != N_MAP)
		rc = story_fail_at(c, story_at(c, src),
				   "'<<' (merge) takes a mapping or a list of mappings");
	if (rc == PP_OK)
		rc = story_map_entries(c, story_deref(src), depth + 1, &sub);
	for (i = 0; rc == PP_OK && i < sub.n; i++) {
		k = sub.v[i].key;
		rc = charge(c, k, 0);
		if (rc != PP_OK || story_smap_get(keys, k->text, k->len) != NULL)
			continue;
		rc = story_smap_put(keys, k->text, k->len, k) ? story_nomem(c) : PP_OK;
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
pp_rc story_map_entries(ctx *c, node *map, int depth, entries *es)
{
	smap keys = {0};
	node *k, *v, *merge = NULL;
	char b[128];
	pp_rc rc = PP_OK;

	if (depth > DEPTH_MAX)
		return story_fail_at(c, story_at(c, c->outer_alias ? c->outer_alias : map),
				     "nested deeper than %d levels (counting aliases)", DEPTH_MAX);
	for (k = map->first; rc == PP_OK && k != NULL; k = v->next) {
		node *kd = story_deref(k), *first;
		v = k->next; /* the event parser always pairs them */
		if (v == NULL)
			break;
		if (kd->kind != N_SCALAR) {
			rc = story_fail_at(c, story_at(c, k),
					   "a key must be a single value, not a list or mapping");
			break;
		}
		first = story_smap_get(&keys, kd->text, kd->len);
		if (first != NULL) {
			pp_story_pos p = story_at(c, first);
			rc = story_fail_at(c, story_at(c, k), "duplicate key %s (first at line %d)",
					   story_quote(b, kd->text, kd->len), p.line);
		} else if (story_smap_put(&keys, kd->text, kd->len, kd) != PP_OK) {
			rc = story_nomem(c);
		} else if (is_merge_key(kd)) {
			merge = v;
		} else {
			rc = entries_add(c, es, kd, v);
		}
	}
	if (rc == PP_OK && merge != NULL) {
		node *m = story_deref(merge), *item;
		if (m->kind == N_SEQ) /* earlier mappings win */
			for (item = m->first; rc == PP_OK && item != NULL; item = item->next)
				rc = merge_from(c, item, depth, &keys, es);
		else
			rc = merge_from(c, merge, depth, &keys, es);
	}
	story_smap_free(&keys);
	return rc;
}

pp_rc story_to_json(ctx *c, node *n, int depth, json_t **out)
{
	node *outer = c->outer_alias;
	json_t *j = NULL, *v;
	pp_rc rc;

	*out = NULL;
	if (n->kind == N_ALIAS && c->outer_alias == NULL)
		c->outer_alias = n;
	n = story_deref(n);
	rc = charge(c, n, n->kind == N_SCALAR ? n->len : 0);
	if (rc == PP_OK && depth > DEPTH_MAX)
		rc = story_fail_at(c, story_at(c, c->outer_alias ? c->outer_alias : n),
				   "nested deeper than %d levels (counting aliases)", DEPTH_MAX);
	if (rc != PP_OK)
		goto out;
	if (n->kind == N_SCALAR) {
		j = scalar_json(n);
	} else if (n->kind == N_SEQ) {
		node *item;
		j = json_array();
		for (item = n->first; j != NULL && rc == PP_OK && item != NULL; item = item->next) {
			rc = story_to_json(c, item, depth + 1, &v);
			if (rc == PP_OK && json_array_append_new(j, v) != 0)
				rc = story_nomem(c);
		}
	} else {
		entries es = {0};
		size_t i;
		j = json_object();
		rc = j ? story_map_entries(c, n, depth, &es) : PP_OK;
		for (i = 0; j != NULL && rc == PP_OK && i < es.n; i++) {
			rc = story_to_json(c, es.v[i].val, depth + 1, &v);
			if (rc == PP_OK &&
			    json_object_setn_new(j, es.v[i].key->text, es.v[i].key->len, v) != 0)
				rc = story_nomem(c);
		}
		free(es.v);
	}
	if (rc == PP_OK && j == NULL)
		rc = story_nomem(c);
out:
	c->outer_alias = outer;
	if (rc != PP_OK)
		json_decref(j);
	else
		*out = j;
	return rc;
}
