/*
 * story.c: one story file into a pp_story (see story.h and docs/import.md):
 * the known fields of the front matter and their aliases, what to do with a
 * value that cannot be used (a warning, and the raw value into metadata), the
 * key and title fallbacks, the checklist in the body, and the entry points.
 * The values' rules are story_fields.c's, the file's bytes and positions
 * story_text.c's, the YAML story_yaml.c's (story_int.h says what they share).
 */
#include "import/story.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "import/story_int.h"

#define REAL_DIGITS 15  /* JSON reals: 0.1 prints as 0.1, not 0.10000000000000001 */
#define TEXT_MAX    100 /* epic, owner, author */
#define EST_MAX     32  /* characters of an estimate as written */

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

/* Other names teams use for a field (docs/import.md, "Field mapping"). */
static const struct {
	const char *name;
	int field;
} aliases[] = {
	{"tags", F_LABELS},     {"effort", F_ESTIMATE}, {"story_points", F_ESTIMATE},
	{"points", F_ESTIMATE}, {"depends_on", F_DEPS}, {"blocked_by", F_DEPS},
	{"assignee", F_OWNER},
};

/* One top-level entry of the front matter. */
typedef struct fld {
	node *key, *val;
	int f;        /* F_* (F_OTHER: not a known field) */
	int alias;    /* 1 when key is an alias of field f */
	json_t *meta; /* what a known field leaves in metadata: its unusable value(s) */
} fld;

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

/* The field's name as written ("tags"), quoted for a message. */
static const char *name_of(const fld *fd)
{
	return fd->key->text;
}

/* Whether a value says nothing: null, blank, an empty list or mapping. */
static int is_absent(node *v)
{
	node *d = story_deref(v);
	const char *t = d->text;
	size_t l = d->len;

	if (d->kind != N_SCALAR)
		return d->first == NULL;
	trim(&t, &l);
	return story_is_null(d) || l == 0;
}

static pp_rc vkeep(ctx *c, node *at, json_t *j, json_t **slot, int item, const char *fmt,
		   va_list ap)
{
	char msg[1024];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (j == NULL)
		return story_nomem(c);
	if (item) {
		if (*slot == NULL && (*slot = json_array()) == NULL) {
			json_decref(j);
			return story_nomem(c);
		}
		if (json_array_append_new(*slot, j) != 0)
			return story_nomem(c);
	} else {
		json_decref(*slot);
		*slot = j;
	}
	return story_warn_at(c, at ? story_at(c, at) : STORY_LC(1, 1), "%s (kept in metadata)",
			     msg);
}

/* A field's value that cannot be used: a warning at at, the whole value into metadata. */
static pp_rc keep(ctx *c, fld *fd, const char *fmt, ...) PP_PRINTF(3, 4);
static pp_rc keep(ctx *c, fld *fd, const char *fmt, ...)
{
	json_t *j;
	va_list ap;
	pp_rc rc = story_to_json(c, fd->val, 1, &j);

	if (rc != PP_OK)
		return rc;
	va_start(ap, fmt);
	rc = vkeep(c, fd->val, j, &fd->meta, 0, fmt, ap);
	va_end(ap);
	return rc;
}

/* An item of a list field that cannot be used: a warning, the item (j, owned) into metadata. */
static pp_rc keep_item(ctx *c, fld *fd, node *at, json_t *j, const char *fmt, ...) PP_PRINTF(5, 6);
static pp_rc keep_item(ctx *c, fld *fd, node *at, json_t *j, const char *fmt, ...)
{
	va_list ap;
	pp_rc rc;

	va_start(ap, fmt);
	rc = vkeep(c, at, j, &fd->meta, 1, fmt, ap);
	va_end(ap);
	return rc;
}

/*
 * The text of a single-valued field; *text NULL when it is null or blank, or
 * when it is a list or mapping (a warning, kept in metadata).
 */
static pp_rc field_text(ctx *c, fld *fd, const char **text, size_t *len)
{
	node *d = story_deref(fd->val);

	*text = NULL;
	if (d->kind != N_SCALAR)
		return keep(c, fd, "%s must be a single value, not a list or mapping", name_of(fd));
	if (is_absent(d))
		return PP_OK;
	*text = d->text;
	*len = d->len;
	return PP_OK;
}

/* A text field of at most max characters (0: any). */
static pp_rc set_text(ctx *c, fld *fd, char **out, size_t max, int trimmed)
{
	const char *t;
	size_t len;
	char b[128];
	pp_rc rc = field_text(c, fd, &t, &len);

	if (rc != PP_OK || t == NULL)
		return rc;
	if (trimmed)
		trim(&t, &len);
	if (max > 0 && story_utf8_chars(t, len) > max)
		return keep(c, fd, "%s %s is longer than %zu characters", name_of(fd),
			    story_quote(b, t, len), max);
	return dupn(c, t, len, out);
}

/* ---- list fields: labels and dependencies -------------------------------- */

typedef pp_rc (*item_fn)(ctx *c, pp_story *s, fld *fd, node *at, const char *text, size_t len);

/* Calls fn for each item of a list field: a YAML list, or one text of comma-separated items. */
static pp_rc each_item(ctx *c, pp_story *s, fld *fd, item_fn fn)
{
	node *d = story_deref(fd->val), *it;
	json_t *j;
	pp_rc rc = PP_OK;

	if (d->kind == N_MAP)
		return keep(c, fd, "%s must be a list, not a mapping", name_of(fd));
	if (d->kind == N_SCALAR) {
		const char *p = d->text, *end = d->text + d->len;
		if (story_is_null(d))
			return PP_OK;
		while (rc == PP_OK && p < end) {
			const char *comma = memchr(p, ',', (size_t)(end - p)), *t = p;
			size_t l = (size_t)((comma ? comma : end) - p);
			trim(&t, &l);
			if (l > 0)
				rc = fn(c, s, fd, fd->val, t, l);
			p = comma ? comma + 1 : end;
		}
		return rc;
	}
	for (it = d->first; rc == PP_OK && it != NULL; it = it->next) {
		node *id = story_deref(it);
		const char *t = id->text;
		size_t l = id->len;
		if (id->kind != N_SCALAR) {
			rc = story_to_json(c, it, 2, &j);
			if (rc == PP_OK)
				rc = keep_item(
					c, fd, it, j,
					"an item of %s must be a single value, not a list or mapping",
					name_of(fd));
			continue;
		}
		trim(&t, &l);
		if (story_is_null(id) || l == 0)
			rc = story_warn_at(c, story_at(c, it), "an empty item in %s is skipped",
					   name_of(fd));
		else
			rc = fn(c, s, fd, it, t, l);
	}
	return rc;
}

static pp_rc add_label(ctx *c, pp_story *s, fld *fd, node *at, const char *t, size_t len)
{
	char b[128], *l, **v;
	size_t i;

	for (i = 0; i < len; i++)
		if ((unsigned char)t[i] < 0x20 || t[i] == ' ' || t[i] == ',' || t[i] == 0x7F ||
		    ((unsigned char)t[i] == 0xC2 && i + 1 < len && (unsigned char)t[i + 1] < 0xA0))
			return keep_item(c, fd, at, json_stringn(t, len),
					 "label %s: no spaces, commas or control characters",
					 story_quote(b, t, len));
	if (story_utf8_chars(t, len) > 64)
		return keep_item(c, fd, at, json_stringn(t, len),
				 "label %s is longer than 64 characters", story_quote(b, t, len));
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
		return keep_item(c, fd, at, json_stringn(t, len), "label %s: more than %d labels",
				 story_quote(b, t, len), LABELS_MAX);
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

static pp_rc add_dep(ctx *c, pp_story *s, fld *fd, node *at, const char *t, size_t len)
{
	const char *colon = memchr(t, ':', len);
	size_t plen = colon ? (size_t)(colon - t) : 0, klen = colon ? len - plen - 1 : len;
	const char *key = colon ? colon + 1 : t;
	pp_story_dep *d;
	char b[128];

	if ((colon && !pp_project_key_valid(t, plen)) || !story_is_key(key, klen))
		return keep_item(c, fd, at, json_stringn(t, len),
				 "dependency %s is not KEY or PROJECT:KEY (such as INF-012 or "
				 "OTHER:API-003)",
				 story_quote(b, t, len));
	if (!colon && strlen(s->key) == len && memcmp(s->key, t, len) == 0)
		return keep_item(c, fd, at, json_stringn(t, len), "%s depends on itself", s->key);
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
	d->pos = story_at(c, at);
	if ((colon && dupn(c, t, plen, &d->project) != PP_OK) ||
	    dupn(c, key, klen, &d->key) != PP_OK)
		return PP_ENOMEM;
	return PP_OK;
}

/* ---- one field ------------------------------------------------------------ */

static pp_rc read_date(ctx *c, fld *fd, const char *t, size_t len, char **text, char **utc)
{
	char b[128], u[STORY_UTC_MAX];
	int ok = story_date_utc(t, len, u);

	if (ok == 0)
		return keep(c, fd,
			    "%s %s is not a date: expected YYYY-MM-DD or an ISO 8601 timestamp "
			    "such as 2025-08-28T14:30:00Z",
			    name_of(fd), story_quote(b, t, len));
	if (ok < 0)
		return keep(c, fd, "%s %s: no such date or time", name_of(fd),
			    story_quote(b, t, len));
	if (dupn(c, t, len, text) != PP_OK || dupn(c, u, strlen(u), utc) != PP_OK)
		return PP_ENOMEM;
	return PP_OK;
}

static pp_rc read_field(ctx *c, pp_story *s, fld *fd)
{
	const char *t = NULL, *why, *level;
	size_t len = 0;
	char b[128];
	pp_rc rc;
	int ok, rank;

	switch (fd->f) {
	case F_LABELS:
		return each_item(c, s, fd, add_label);
	case F_DEPS:
		return each_item(c, s, fd, add_dep);
	case F_TITLE:
		s->title_pos = story_at(c, fd->val);
		return set_text(c, fd, &s->title, TITLE_MAX, 0);
	case F_STATUS:
		s->status_pos = story_at(c, fd->val);
		return set_text(c, fd, &s->status, STATUS_MAX, 1);
	case F_EPIC:
		return set_text(c, fd, &s->epic, TEXT_MAX, 0);
	case F_OWNER:
		return set_text(c, fd, &s->owner, TEXT_MAX, 0);
	case F_AUTHOR:
		return set_text(c, fd, &s->author, TEXT_MAX, 0);
	default:
		break;
	}
	rc = field_text(c, fd, &t, &len);
	if (rc != PP_OK || t == NULL)
		return rc;
	switch (fd->f) {
	case F_ID:
		trim(&t, &len);
		if (!story_is_key(t, len))
			return keep(
				c, fd,
				"id %s is not a usable key%s: letters, digits, '-', '_' and '.', "
				"starting with a letter or digit, at most %d characters (no ':', "
				"'/' or spaces)",
				story_quote(b, t, len),
				story_is_placeholder(t, len) ? " (a template placeholder?)" : "",
				KEY_MAX);
		s->key_pos = story_at(c, fd->val);
		return dupn(c, t, len, &s->key);
	case F_PRIORITY:
		s->priority_pos = story_at(c, fd->val);
		if (!story_priority(t, len, &level, &rank))
			return keep(
				c, fd,
				"priority %s is neither a level (critical, high, medium, low; "
				"also urgent, normal, p0 to p3) nor a rank (a whole number from 1)",
				story_quote(b, t, len));
		s->priority_rank = rank;
		return level ? dupn(c, level, strlen(level), &s->priority) : PP_OK;
	case F_ESTIMATE:
		s->estimate_pos = story_at(c, fd->val);
		if (story_utf8_chars(t, len) > EST_MAX)
			return keep(c, fd, "%s %s is longer than %d characters", name_of(fd),
				    story_quote(b, t, len), EST_MAX);
		ok = story_estimate_points(t, len, &s->estimate_points);
		if (ok < 0) {
			s->estimate_points = 0;
			return keep(c, fd, "%s %s: at most %.2f points", name_of(fd),
				    story_quote(b, t, len), PP_ESTIMATE_POINTS_MAX);
		}
		s->has_points = ok;
		if (!ok)
			s->estimate_points = 0;
		return dupn(c, t, len, &s->estimate_raw);
	case F_BRANCH:
		why = story_branch_problem(t, len);
		if (why != NULL)
			return keep(c, fd, "branch_name %s is not a git branch name: it %s",
				    story_quote(b, t, len), why);
		return dupn(c, t, len, &s->branch_name);
	case F_CREATED:
		return read_date(c, fd, t, len, &s->created, &s->created_utc);
	default: /* F_UPDATED */
		return read_date(c, fd, t, len, &s->last_updated, &s->last_updated_utc);
	}
}

/*
 * Field f from its entries: the canonical name first, then its aliases in
 * file order. Labels take every source (labels, then tags); any other field
 * takes the first that says something, and a later alias is kept in
 * metadata with a warning.
 */
static pp_rc read_sources(ctx *c, pp_story *s, fld *fs, size_t n, int f)
{
	fld *used = NULL;
	size_t i;
	int pass;
	pp_rc rc = PP_OK;

	for (pass = 0; pass < 2; pass++) {
		for (i = 0; rc == PP_OK && i < n; i++) {
			if (fs[i].f != f || fs[i].alias != pass)
				continue;
			if (used != NULL && f != F_LABELS && !is_absent(fs[i].val)) {
				pp_story_pos p = story_at(c, used->key);
				rc = keep(c, &fs[i], "%s is not used: %s (line %d) gives the %s",
					  name_of(&fs[i]), name_of(used), p.line, field_names[f]);
				continue;
			}
			if (used != NULL && f != F_LABELS)
				continue;
			rc = read_field(c, s, &fs[i]);
			if (!is_absent(fs[i].val))
				used = &fs[i];
		}
	}
	return rc;
}

static int field_of(const node *k, int *alias)
{
	size_t i;
	int f;

	*alias = 0;
	for (f = 0; f < F_OTHER; f++)
		if (strlen(field_names[f]) == k->len &&
		    memcmp(field_names[f], k->text, k->len) == 0)
			return f;
	for (i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++) {
		if (strlen(aliases[i].name) == k->len &&
		    memcmp(aliases[i].name, k->text, k->len) == 0) {
			*alias = 1;
			return aliases[i].field;
		}
	}
	return F_OTHER;
}

/* No usable id: the key is the file name without its extension, when that is a key. */
static pp_rc key_from_path(ctx *c, pp_story *s)
{
	const char *name = strrchr(c->path, '/'), *dot;
	size_t len;
	char b[128];

	name = name ? name + 1 : c->path;
	dot = strrchr(name, '.');
	len = dot && dot > name ? (size_t)(dot - name) : strlen(name);
	if (!story_is_key(name, len))
		return story_fail_at(
			c, STORY_LC(1, 1),
			"missing id: no usable 'id:' in the front matter, and the file "
			"name %s is not a key either",
			story_quote(b, name, len));
	s->key_from_path = 1;
	s->key_pos = (pp_story_pos){1, 1};
	if (dupn(c, name, len, &s->key) != PP_OK)
		return PP_ENOMEM;
	return story_warn_at(c, STORY_LC(1, 1), "no usable id: the key %s comes from the file name",
			     story_quote(b, name, len));
}

/* ---- the title from the body ------------------------------------------ */

/*
 * No title at all: the error. A 'title:' that could not be used (too long,
 * a list) says why at its value, as its warning did (the error drops the
 * warnings); otherwise the file as a whole is at fault.
 */
static pp_rc no_title(ctx *c, pp_story *s)
{
	static const char kept[] = " (kept in metadata)";
	const pp_story_warning *w;
	size_t i, n;

	for (i = s->n_warnings; s->title_pos.line > 0 && i-- > 0;) {
		w = &s->warnings[i];
		if (w->line != s->title_pos.line || w->column != s->title_pos.column)
			continue;
		n = strlen(w->msg);
		if (n >= sizeof(kept) - 1 && strcmp(w->msg + n - (sizeof(kept) - 1), kept) == 0)
			n -= sizeof(kept) - 1;
		return story_fail_at(c, s->title_pos,
				     "missing title: %.*s, and no '# ' heading in the body", (int)n,
				     w->msg);
	}
	return story_fail_at(c, STORY_LC(1, 1),
			     "missing title: no usable 'title:' in the front matter and no "
			     "'# ' heading in the body");
}

/* No usable title: the body's first "# " heading, less a leading key. */
static pp_rc title_from_body(ctx *c, pp_story *s)
{
	const char *t, *body = c->data + c->body_off;
	size_t len, i, chars = 0;

	story_first_heading(body, c->len - c->body_off, &t, &len);
	if (t == NULL)
		return no_title(c, s);
	story_strip_key(s->key, &t, &len);
	s->title_from_body = 1;
	s->title_pos = story_off_pos(c, (size_t)(t - c->data));
	for (i = 0; i < len; i++) /* at most TITLE_MAX characters: cut, with a warning */
		if (((unsigned char)t[i] & 0xC0) != 0x80 && ++chars > TITLE_MAX)
			break;
	if (i < len) {
		pp_rc rc = story_warn_at(c, s->title_pos,
					 "the heading used as the title is longer than %d "
					 "characters: cut",
					 TITLE_MAX);
		if (rc != PP_OK)
			return rc;
		len = i;
	}
	return dupn(c, t, len, &s->title);
}

/* ---- the front matter as a whole ----------------------------------------- */

static pp_rc read_fields(ctx *c, node *root, pp_story *s)
{
	entries es = {0};
	fld *fs = NULL;
	json_t *meta = NULL, *v;
	size_t i;
	int f;
	pp_rc rc = PP_OK;

	if (root != NULL && !story_is_null(root) && root->kind != N_MAP)
		return story_fail_at(
			c, story_at(c, root),
			"the front matter must be a mapping of 'key: value' lines, not %s",
			root->kind == N_SEQ ? "a list" : "a single value");
	c->values = 0; /* from here on: the values of the expansion */
	meta = json_object();
	if (meta == NULL)
		return story_nomem(c);
	if (root != NULL && root->kind == N_MAP)
		rc = story_map_entries(c, root, 0, &es);
	if (rc == PP_OK && (fs = calloc(es.n ? es.n : 1, sizeof(*fs))) == NULL)
		rc = story_nomem(c);
	for (i = 0; rc == PP_OK && i < es.n; i++) {
		fs[i].key = es.v[i].key;
		fs[i].val = es.v[i].val;
		fs[i].f = field_of(es.v[i].key, &fs[i].alias);
	}
	for (f = 0; rc == PP_OK && f < F_OTHER; f++) {
		rc = read_sources(c, s, fs, es.n, f);
		if (rc == PP_OK && f == F_ID && s->key == NULL)
			rc = key_from_path(c, s);
	}
	if (rc == PP_OK && s->title == NULL)
		rc = title_from_body(c, s);
	for (i = 0; rc == PP_OK && i < es.n; i++) { /* metadata in file order */
		if (fs[i].f == F_OTHER) {
			rc = story_to_json(c, fs[i].val, 1, &v);
		} else {
			v = fs[i].meta;
			fs[i].meta = NULL;
		}
		if (rc == PP_OK && v != NULL &&
		    json_object_setn_new(meta, fs[i].key->text, fs[i].key->len, v) != 0)
			rc = story_nomem(c);
	}
	if (rc == PP_OK) {
		s->metadata_json = json_dumps(meta, JSON_COMPACT | JSON_PRESERVE_ORDER |
							    JSON_REAL_PRECISION(REAL_DIGITS));
		if (s->metadata_json == NULL)
			rc = story_nomem(c);
	}
	for (i = 0; fs != NULL && i < es.n; i++)
		json_decref(fs[i].meta);
	free(fs);
	free(es.v);
	json_decref(meta);
	return rc;
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
	c.story = out;
	pp_buf_init(&c.text, 2 * FM_MAX);
	rc = story_load(&c);
	if (rc == PP_OK)
		rc = story_build_tree(&c, &root);
	if (rc == PP_OK)
		rc = read_fields(&c, root, out);
	if (rc == PP_OK)
		rc = dupn(&c, c.data + c.body_off, c.len - c.body_off, &out->body);
	if (rc == PP_OK)
		story_count_checklist(out->body, c.len - c.body_off, &out->checklist_total,
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
	free(s->created_utc);
	free(s->last_updated);
	free(s->last_updated_utc);
	for (i = 0; i < s->n_labels; i++)
		free(s->labels[i]);
	free(s->labels);
	for (i = 0; i < s->n_deps; i++) {
		free(s->deps[i].project);
		free(s->deps[i].key);
	}
	free(s->deps);
	for (i = 0; i < s->n_warnings; i++)
		free(s->warnings[i].msg);
	free(s->warnings);
	free(s->metadata_json);
	free(s->body);
	memset(s, 0, sizeof(*s));
}
