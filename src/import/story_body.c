/*
 * story_body.c: what the parser reads in a story's markdown body: the
 * task-list items (the checklist counts) and the first "# " heading (the title
 * when the front matter has none). Lines end at LF, CRLF or CR; fenced code
 * blocks are examples, not content. See story_int.h and docs/import.md.
 */
#include <string.h>
#include <strings.h>

#include "import/story_int.h"

static int is_blank(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n' || ch == '\f' || ch == '\v';
}

/*
 * Whether the line p[j..end) (j after its indentation) is code: a fence
 * (``` or ~~~, three or more) or inside one, closed by a fence of the same
 * character at least as long. Updates the fence state.
 */
static int in_code(const char *p, size_t j, size_t end, char *fence_ch, size_t *fence)
{
	size_t run = 0, k;

	while (j + run < end && (p[j + run] == '`' || p[j + run] == '~') && p[j + run] == p[j])
		run++;
	if (*fence_ch != 0) {
		for (k = j + run; k < end && is_blank(p[k]); k++)
			;
		if (run > 0 && p[j] == *fence_ch && run >= *fence && k == end)
			*fence_ch = 0;
		return 1;
	}
	if (run >= 3) {
		*fence_ch = p[j];
		*fence = run;
		return 1;
	}
	return 0;
}

/* A walk over the body's lines outside fenced code: {p, len} and zeros. */
typedef struct prose_lines {
	const char *p;
	size_t len, next, fence;
	char fence_ch;
} prose_lines;

/*
 * The next line that is not code: *start where it starts, *text after its
 * indentation (spaces and tabs), *end where it ends (before LF, CRLF or CR).
 * 0 when the body has no more.
 */
static int next_prose_line(prose_lines *w, size_t *start, size_t *text, size_t *end)
{
	size_t i, j, e;

	while (w->next < w->len) {
		i = w->next;
		e = story_line_end(w->p, w->len, i, &w->next);
		for (j = i; j < e && (w->p[j] == ' ' || w->p[j] == '\t'); j++)
			;
		if (in_code(w->p, j, e, &w->fence_ch, &w->fence))
			continue;
		*start = i;
		*text = j;
		*end = e;
		return 1;
	}
	return 0;
}

/*
 * Counts task-list items ("- [ ] x", "* [x] x", "1. [X] x", at any indentation)
 * outside fenced code blocks, where they are examples, not tasks.
 */
void story_count_checklist(const char *p, size_t len, int *total, int *done)
{
	prose_lines w = {p, len, 0, 0, 0};
	size_t i, end, j, k;

	while (next_prose_line(&w, &i, &j, &end)) {
		k = j;
		if (k < end && (p[k] == '-' || p[k] == '*' || p[k] == '+')) {
			k++;
		} else { /* an ordered item: up to 9 digits, then '.' or ')' */
			while (k < end && k - j < 9 && p[k] >= '0' && p[k] <= '9')
				k++;
			k = k > j && k < end && (p[k] == '.' || p[k] == ')') ? k + 1 : j;
		}
		if (k == j || k == end || (p[k] != ' ' && p[k] != '\t'))
			continue;
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

static int key_char(char ch)
{
	return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
	       ch == '-' || ch == '_' || ch == '.';
}

/*
 * Whether tok reads as a story key at the start of a heading: the story's
 * key, the start of it ("LLM-007" of "LLM-007-sales-pitch"), or letters, a
 * '-' or '_' and digits ("LLM-003"), any case.
 */
static int heading_key(const char *tok, size_t n, const char *key)
{
	size_t klen = strlen(key), i = 1;

	if (n <= klen && strncasecmp(tok, key, n) == 0 &&
	    (n == klen || key[n] == '-' || key[n] == '_' || key[n] == '.'))
		return 1;
	if (n == 0 || !((tok[0] | 0x20) >= 'a' && (tok[0] | 0x20) <= 'z'))
		return 0;
	while (i < n && ((tok[i] | 0x20) >= 'a' && (tok[i] | 0x20) <= 'z'))
		i++;
	return i + 1 < n && (tok[i] == '-' || tok[i] == '_') && tok[i + 1] >= '0' &&
	       tok[i + 1] <= '9';
}

/* The heading text t[0..len) without a leading "KEY:", "KEY -", "KEY —" or "KEY –". */
void story_strip_key(const char *key, const char **t, size_t *len)
{
	const char *s = *t;
	size_t n = 0, i, sep;

	while (n < *len && key_char(s[n]))
		n++;
	while (n > 0 && (s[n - 1] == '-' || s[n - 1] == '.' || s[n - 1] == '_'))
		n--;
	if (!heading_key(s, n, key))
		return;
	for (i = n; i < *len && is_blank(s[i]); i++)
		;
	if (i < *len && (s[i] == ':' || s[i] == '-' || s[i] == '|'))
		sep = 1;
	else if (*len - i >= 3 && (!memcmp(s + i, "\xE2\x80\x94", 3) ||
				   !memcmp(s + i, "\xE2\x80\x93", 3))) /* em, en dash */
		sep = 3;
	else
		return;
	for (i += sep; i < *len && is_blank(s[i]); i++)
		;
	if (i < *len) {
		*t = s + i;
		*len -= i;
	}
}

/*
 * The first level-1 ATX heading ("# Title", at most 3 spaces in, outside code
 * blocks) of the body, closing '#'s removed: *t NULL when there is none.
 */
void story_first_heading(const char *p, size_t len, const char **t, size_t *tlen)
{
	prose_lines w = {p, len, 0, 0, 0};
	size_t i, end, j, e;

	*t = NULL;
	while (next_prose_line(&w, &i, &j, &end)) {
		if (j - i > 3 || memchr(p + i, '\t', j - i) != NULL || j + 1 >= end ||
		    p[j] != '#' || (p[j + 1] != ' ' && p[j + 1] != '\t'))
			continue;
		for (e = end; e > j + 1 && is_blank(p[e - 1]); e--)
			;
		while (e > j + 1 && p[e - 1] == '#') /* a closing sequence, after a blank */
			e--;
		if (e < end && p[e] == '#' && !is_blank(p[e - 1]))
			for (; e < end && !is_blank(p[e]); e++)
				;
		for (j++; j < e && is_blank(p[j]); j++)
			;
		while (e > j && is_blank(p[e - 1]))
			e--;
		if (e > j) {
			*t = p + j;
			*tlen = e - j;
			return;
		}
	}
}
