/*
 * story.c: one story file into a pp_story (see story.h and docs/import.md):
 * the known fields of the front matter, the checklist in the body, and the
 * entry points. The file's bytes and positions are story_text.c's, the YAML
 * story_yaml.c's (story_int.h says what they share).
 */
#include "import/story.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "import/story_int.h"

#define REAL_DIGITS 15 /* JSON reals: 0.1 prints as 0.1, not 0.10000000000000001 */

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
		return story_nomem(c);
	memcpy(*out, s, len);
	(*out)[len] = '\0';
	return PP_OK;
}

/* The text of a single-valued field; *text NULL when it is null or blank. */
static pp_rc field_text(ctx *c, int f, node *v, const char **text, size_t *len)
{
	node *d = story_deref(v);
	const char *t;
	size_t l;

	*text = NULL;
	if (d->kind != N_SCALAR)
		return story_fail(c, v, "%s must be a single value, not a list or mapping",
				  field_names[f]);
	t = d->text;
	l = d->len;
	trim(&t, &l);
	if (story_is_null(d) || l == 0)
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

	if (story_utf8_chars(s, len) > 255)
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
	node *d = story_deref(v), *it;
	pp_rc rc = PP_OK;

	if (d->kind == N_MAP)
		return story_fail(c, v, "%s must be a list, not a mapping", field_names[f]);
	if (d->kind == N_SCALAR) {
		const char *p = d->text, *end = d->text + d->len;
		if (story_is_null(d))
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
		node *id = story_deref(it);
		const char *t = id->text;
		size_t l = id->len;
		if (id->kind != N_SCALAR)
			return story_fail(
				c, it,
				"an item of %s must be a single value, not a list or mapping",
				field_names[f]);
		trim(&t, &l);
		if (story_is_null(id) || l == 0)
			return story_fail(c, it, "an empty item in %s", field_names[f]);
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
			return story_fail(c, at,
					  "label %s: no spaces, commas or control characters",
					  story_quote(b, t, len));
	if (story_utf8_chars(t, len) > 64)
		return story_fail(c, at, "label %s is longer than 64 characters",
				  story_quote(b, t, len));
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
		return story_fail(c, at, "more than %d labels", LABELS_MAX);
	}
	v = realloc(s->labels, (s->n_labels + 1) * sizeof(*v));
	if (v == NULL) {
		free(l);
		return story_nomem(c);
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
		return story_fail(c, at,
				  "dependency %s is not KEY or PROJECT:KEY (such as INF-012 or "
				  "OTHER:API-003)",
				  story_quote(b, t, len));
	if (story_smap_get(&c->deps_seen, t, len) != NULL) /* a repeat says nothing new */
		return PP_OK;
	if (story_smap_put(&c->deps_seen, t, len, at) != PP_OK)
		return story_nomem(c);
	d = realloc(s->deps, (s->n_deps + 1) * sizeof(*d));
	if (d == NULL)
		return story_nomem(c);
	s->deps = d;
	d += s->n_deps;
	memset(d, 0, sizeof(*d));
	s->n_deps++;
	d->pos = story_node_pos(c, at);
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
	if (max_chars > 0 && story_utf8_chars(t, len) > max_chars)
		return story_fail(c, v, "%s is longer than %zu characters", field_names[f],
				  max_chars);
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
		s->title_pos = story_node_pos(c, v);
		return set_text(c, f, v, &s->title, 500);
	case F_STATUS:
		s->status_pos = story_node_pos(c, v);
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
		s->key_pos = story_node_pos(c, v);
		if (!is_story_key(t, len))
			return story_fail(
				c, v,
				"id %s is not a story key: upper-case letters, digits and '_' "
				"in parts joined by '-', starting with a letter, at most %d "
				"characters (such as INF-013)",
				story_quote(b, t, len), KEY_MAX);
		return dupn(c, t, len, &s->key);
	case F_PRIORITY:
		s->priority_pos = story_node_pos(c, v);
		for (i = 0; i < 4; i++)
			if (strlen(prios[i]) == len && strncasecmp(t, prios[i], len) == 0)
				return dupn(c, prios[i], len, &s->priority);
		return story_fail(c, v, "priority %s is not one of critical, high, medium, low",
				  story_quote(b, t, len));
	case F_ESTIMATE:
		s->estimate_pos = story_node_pos(c, v);
		if (story_utf8_chars(t, len) > 32)
			return story_fail(c, v, "estimate is longer than 32 characters");
		ok = estimate_points(t, len, &s->estimate_points);
		if (ok < 0)
			return story_fail(c, v, "estimate %s: at most 999999.99 points",
					  story_quote(b, t, len));
		s->has_points = ok;
		if (!ok)
			s->estimate_points = 0;
		return dupn(c, t, len, &s->estimate_raw);
	case F_BRANCH:
		why = branch_problem(t, len);
		if (why != NULL)
			return story_fail(c, v, "branch_name %s is not a git branch name: it %s",
					  story_quote(b, t, len), why);
		return dupn(c, t, len, &s->branch_name);
	default: /* F_CREATED, F_UPDATED */
		ok = check_date(t, len);
		if (ok == 0)
			return story_fail(c, v,
					  "%s %s is not a date: expected YYYY-MM-DD or an ISO 8601 "
					  "timestamp such as 2025-08-28T14:30:00Z",
					  field_names[f], story_quote(b, t, len));
		if (ok < 0)
			return story_fail(c, v, "%s %s: no such date or time", field_names[f],
					  story_quote(b, t, len));
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

	if (root == NULL || story_is_null(root))
		return story_fail_lc(c, 1, 1, "missing id: the front matter is empty");
	if (root->kind != N_MAP)
		return story_fail(
			c, root, "the front matter must be a mapping of 'key: value' lines, not %s",
			root->kind == N_SEQ ? "a list" : "a single value");
	c->values = 0; /* from here on: the values of the expansion */
	meta = json_object();
	if (meta == NULL)
		return story_nomem(c);
	rc = story_map_entries(c, root, 0, &es);
	for (i = 0; rc == PP_OK && i < es.n; i++) {
		int f = field_of(es.v[i].key);
		if (f != F_OTHER) {
			seen[f] = es.v[i].val;
			rc = read_field(c, s, f, es.v[i].val);
			continue;
		}
		rc = story_to_json(c, es.v[i].val, 1, &v);
		if (rc == PP_OK &&
		    json_object_setn_new(meta, es.v[i].key->text, es.v[i].key->len, v) != 0)
			rc = story_nomem(c);
	}
	if (rc == PP_OK && s->key == NULL)
		rc = seen[F_ID] ? story_fail(c, seen[F_ID], "id is empty")
				: story_fail_lc(c, 1, 1,
						"missing id: the front matter needs 'id: KEY'");
	if (rc == PP_OK && s->title == NULL)
		rc = seen[F_TITLE]
			     ? story_fail(c, seen[F_TITLE], "title is empty")
			     : story_fail_lc(c, 1, 1,
					     "missing title: the front matter needs 'title: ...'");
	for (i = 0; rc == PP_OK && i < s->n_deps; i++)
		if (s->deps[i].project == NULL && strcmp(s->deps[i].key, s->key) == 0)
			rc = story_fail_lc(c, s->deps[i].pos.line, s->deps[i].pos.column,
					   "%s depends on itself", s->key);
	if (rc == PP_OK) {
		s->metadata_json = json_dumps(meta, JSON_COMPACT | JSON_PRESERVE_ORDER |
							    JSON_REAL_PRECISION(REAL_DIGITS));
		if (s->metadata_json == NULL)
			rc = story_nomem(c);
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
	rc = story_load(&c);
	if (rc == PP_OK)
		rc = story_build_tree(&c, &root);
	if (rc == PP_OK)
		rc = read_fields(&c, root, out);
	if (rc == PP_OK)
		rc = dupn(&c, c.data + c.body_off, c.len - c.body_off, &out->body);
	if (rc == PP_OK)
		count_checklist(out->body, c.len - c.body_off, &out->checklist_total,
				&out->checklist_done);
	story_smap_free(&c.anchors);
	story_smap_free(&c.deps_seen);
	pp_buf_free(&c.text);
	story_arena_free(&c);
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
