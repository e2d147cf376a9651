/* backlog_index.c: see backlog_index.h. */
#include "import/backlog_index.h"

#include <ctype.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/buf.h"
#include "core/file.h"

static const char *const levels[] = {"critical", "high", "medium", "low"};

typedef struct ctx {
	const char *name;
	pp_backlog_index *idx;
	size_t cap_entries, cap_problems;
	pp_err *err;
	int oom;
} ctx;

/* Records a problem "name: where: message" about entry (or -1). */
static void problem(ctx *c, long entry, const char *fmt, ...) PP_PRINTF(3, 4);
static void problem(ctx *c, long entry, const char *fmt, ...)
{
	pp_backlog_index *idx = c->idx;
	pp_backlog_problem *p;
	va_list ap;
	pp_buf b;
	int ok;

	if (idx->n_problems == c->cap_problems) {
		size_t cap = c->cap_problems ? c->cap_problems * 2 : 8;

		p = realloc(idx->problems, cap * sizeof(*p));
		if (p == NULL) {
			c->oom = 1;
			return;
		}
		idx->problems = p;
		c->cap_problems = cap;
	}
	pp_buf_init(&b, 4096);
	va_start(ap, fmt);
	ok = pp_buf_printf(&b, "%s: ", c->name) == PP_OK && pp_buf_vprintf(&b, fmt, ap) == PP_OK;
	va_end(ap);
	p = &idx->problems[idx->n_problems];
	p->entry = entry;
	p->msg = ok ? pp_buf_take(&b) : NULL;
	pp_buf_free(&b);
	if (p->msg == NULL)
		c->oom = 1;
	else
		idx->n_problems++;
}

static const char *type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "an object";
	case JSON_ARRAY:
		return "an array";
	case JSON_STRING:
		return "a string";
	case JSON_INTEGER:
	case JSON_REAL:
		return "a number";
	case JSON_TRUE:
		return "true";
	case JSON_FALSE:
		return "false";
	default:
		return "null";
	}
}

static int blank(const char *s)
{
	while (*s != '\0' && isspace((unsigned char)*s))
		s++;
	return *s == '\0';
}

static char *dup_text(ctx *c, const char *s)
{
	char *d = strdup(s);

	if (d == NULL)
		c->oom = 1;
	return d;
}

/*
 * An optional text field: absent, null or blank -> NULL. A number is taken
 * as its text only where numbers_ok (estimate, format_version).
 */
static char *text(ctx *c, const json_t *obj, const char *where, long entry, const char *key,
		  int numbers_ok)
{
	const json_t *v = json_object_get(obj, key);
	char num[64];

	if (v == NULL || json_is_null(v))
		return NULL;
	if (json_is_string(v))
		return blank(json_string_value(v)) ? NULL : dup_text(c, json_string_value(v));
	if (numbers_ok && json_is_integer(v)) {
		snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		return dup_text(c, num);
	}
	if (numbers_ok && json_is_real(v)) {
		snprintf(num, sizeof(num), "%.15g", json_real_value(v));
		return dup_text(c, num);
	}
	problem(c, entry, "%s.%s: expected a string%s, got %s", where, key,
		numbers_ok ? " or a number" : "", type_name(v));
	return NULL;
}

/* "dependencies" or "labels": a list of strings; wrong items are left out. */
static char **list(ctx *c, const json_t *obj, const char *where, long entry, const char *key,
		   size_t *n)
{
	const json_t *v = json_object_get(obj, key), *item;
	char **out;
	size_t i;

	*n = 0;
	if (v == NULL || json_is_null(v))
		return NULL;
	if (!json_is_array(v)) {
		problem(c, entry, "%s.%s: expected a list of strings, got %s", where, key,
			type_name(v));
		return NULL;
	}
	out = calloc(json_array_size(v) + 1, sizeof(*out));
	if (out == NULL) {
		c->oom = 1;
		return NULL;
	}
	json_array_foreach(v, i, item)
	{
		if (!json_is_string(item))
			problem(c, entry, "%s.%s[%zu]: expected a string, got %s", where, key, i,
				type_name(item));
		else if (!blank(json_string_value(item)))
			out[(*n)++] = dup_text(c, json_string_value(item));
	}
	return out;
}

/* "priority": a rank (11, "11") or a level word ("high", any case). */
static void priority(ctx *c, const json_t *obj, const char *where, pp_backlog_entry *e)
{
	const json_t *v = json_object_get(obj, "priority");
	const char *s;
	char *end;

	if (v == NULL || json_is_null(v))
		return;
	if (json_is_integer(v)) {
		e->has_rank = 1;
		e->rank = json_integer_value(v);
		return;
	}
	if (json_is_real(v) && json_real_value(v) == (double)(long long)json_real_value(v)) {
		e->has_rank = 1;
		e->rank = (long long)json_real_value(v);
		return;
	}
	if (json_is_string(v)) {
		s = json_string_value(v);
		if (blank(s))
			return;
		for (size_t i = 0; i < sizeof(levels) / sizeof(levels[0]); i++)
			if (strcasecmp(s, levels[i]) == 0) {
				e->priority = dup_text(c, levels[i]);
				return;
			}
		e->rank = strtoll(s, &end, 10);
		if (end != s && *end == '\0' && isdigit((unsigned char)*s)) {
			e->has_rank = 1;
			return;
		}
		e->rank = 0;
	}
	problem(c, (long)e->index,
		"%s.priority: expected a rank number or one of critical, high, medium, low, got "
		"%s%s%.40s%s",
		where, type_name(v), json_is_string(v) ? " \"" : "",
		json_is_string(v) ? json_string_value(v) : "", json_is_string(v) ? "\"" : "");
}

static void entry_free(pp_backlog_entry *e)
{
	char **texts[] = {&e->id,       &e->title, &e->file_path, &e->status,  &e->priority,
			  &e->estimate, &e->epic,  &e->owner,     &e->created, &e->last_updated};

	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
		free(*texts[i]);
	for (size_t i = 0; i < e->n_dependencies; i++)
		free(e->dependencies[i]);
	free(e->dependencies);
	for (size_t i = 0; i < e->n_labels; i++)
		free(e->labels[i]);
	free(e->labels);
	memset(e, 0, sizeof(*e));
}

/* Reads backlog[i] into a new entry; an entry without a usable id is skipped. */
static void read_entry(ctx *c, size_t i, const json_t *obj)
{
	pp_backlog_index *idx = c->idx;
	const json_t *id = json_object_get(obj, "id");
	char where[48];
	pp_backlog_entry *e;

	snprintf(where, sizeof(where), "backlog[%zu]", i);
	if (!json_is_object(obj)) {
		problem(c, (long)i, "%s: expected an object, got %s", where, type_name(obj));
		return;
	}
	if (id == NULL || !json_is_string(id) || blank(json_string_value(id))) {
		if (id == NULL)
			problem(c, (long)i, "%s.id: missing: every entry needs an id", where);
		else if (json_is_string(id))
			problem(c, (long)i, "%s.id: is blank", where);
		else
			problem(c, (long)i, "%s.id: expected a string, got %s", where,
				type_name(id));
		return;
	}
	if (idx->n_entries == c->cap_entries) {
		size_t cap = c->cap_entries ? c->cap_entries * 2 : 64;

		e = realloc(idx->entries, cap * sizeof(*e));
		if (e == NULL) {
			c->oom = 1;
			return;
		}
		idx->entries = e;
		c->cap_entries = cap;
	}
	e = &idx->entries[idx->n_entries++];
	memset(e, 0, sizeof(*e));
	e->index = i;
	e->id = dup_text(c, json_string_value(id));
	e->title = text(c, obj, where, (long)i, "title", 0);
	e->file_path = text(c, obj, where, (long)i, "file_path", 0);
	e->status = text(c, obj, where, (long)i, "status", 0);
	priority(c, obj, where, e);
	e->estimate = text(c, obj, where, (long)i, "estimate", 1);
	e->epic = text(c, obj, where, (long)i, "epic", 0);
	e->dependencies = list(c, obj, where, (long)i, "dependencies", &e->n_dependencies);
	e->labels = list(c, obj, where, (long)i, "labels", &e->n_labels);
	e->owner = text(c, obj, where, (long)i, "owner", 0);
	e->created = text(c, obj, where, (long)i, "created", 0);
	e->last_updated = text(c, obj, where, (long)i, "last_updated", 0);
}

typedef struct id_pos {
	const char *id;
	size_t pos;
} id_pos;

static int by_id_then_pos(const void *a, const void *b)
{
	const id_pos *x = a, *y = b;
	int d = strcmp(x->id, y->id);

	return d != 0 ? d : (x->pos > y->pos) - (x->pos < y->pos);
}

typedef struct seq_problem {
	pp_backlog_problem p;
	size_t seq;
} seq_problem;

static int by_entry_then_seq(const void *a, const void *b)
{
	const seq_problem *x = a, *y = b;

	if (x->p.entry != y->p.entry)
		return x->p.entry < y->p.entry ? -1 : 1;
	return (x->seq > y->seq) - (x->seq < y->seq);
}

/* Puts the problems in file order (duplicates are found after the rest). */
static void sort_problems(ctx *c)
{
	pp_backlog_index *idx = c->idx;
	seq_problem *tmp = malloc((idx->n_problems + 1) * sizeof(*tmp));

	if (tmp == NULL) {
		c->oom = 1;
		return;
	}
	for (size_t i = 0; i < idx->n_problems; i++) {
		tmp[i].p = idx->problems[i];
		tmp[i].seq = i;
	}
	qsort(tmp, idx->n_problems, sizeof(*tmp), by_entry_then_seq);
	for (size_t i = 0; i < idx->n_problems; i++)
		idx->problems[i] = tmp[i].p;
	free(tmp);
}

/* Drops the entries whose id came before (one problem each) and indexes the rest by id. */
static void dedupe(ctx *c)
{
	pp_backlog_index *idx = c->idx;
	size_t n = idx->n_entries, kept = 0, k = 0;
	id_pos *sorted = malloc((n + 1) * sizeof(*sorted));
	size_t *new_pos = malloc((n + 1) * sizeof(*new_pos));

	idx->by_id = malloc((n + 1) * sizeof(*idx->by_id));
	if (sorted == NULL || new_pos == NULL || idx->by_id == NULL) {
		c->oom = 1;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		sorted[i].id = idx->entries[i].id;
		sorted[i].pos = i;
		new_pos[i] = 0;
	}
	qsort(sorted, n, sizeof(*sorted), by_id_then_pos);
	for (size_t i = 1, first = 0; i < n; i++) {
		if (strcmp(sorted[first].id, sorted[i].id) != 0) {
			first = i;
			continue;
		}
		problem(c, (long)idx->entries[sorted[i].pos].index,
			"backlog[%zu].id: duplicate id \"%.40s\" (first at backlog[%zu]); skipped",
			idx->entries[sorted[i].pos].index, sorted[i].id,
			idx->entries[sorted[first].pos].index);
		new_pos[sorted[i].pos] = SIZE_MAX;
	}
	for (size_t i = 0; i < n; i++) {
		if (new_pos[i] == SIZE_MAX) {
			entry_free(&idx->entries[i]);
			continue;
		}
		if (kept != i)
			idx->entries[kept] = idx->entries[i];
		new_pos[i] = kept++;
	}
	for (size_t i = 0; i < n; i++)
		if (new_pos[sorted[i].pos] != SIZE_MAX)
			idx->by_id[k++] = new_pos[sorted[i].pos];
	idx->n_entries = kept;
out:
	free(sorted);
	free(new_pos);
}

/* metadata: optional; its format_version and last_updated. */
static void metadata(ctx *c, const json_t *root)
{
	const json_t *m = json_object_get(root, "metadata");

	if (m == NULL || json_is_null(m))
		return;
	if (!json_is_object(m)) {
		problem(c, -1, "metadata: expected an object, got %s", type_name(m));
		return;
	}
	c->idx->format_version = text(c, m, "metadata", -1, "format_version", 1);
	c->idx->last_updated = text(c, m, "metadata", -1, "last_updated", 0);
}

pp_rc pp_backlog_index_parse(const char *name, const char *data, size_t len, pp_backlog_index *idx,
			     pp_err *err)
{
	ctx c = {name, idx, 0, 0, err, 0};
	json_error_t jerr;
	const json_t *list, *item;
	json_t *root;
	size_t i;

	memset(idx, 0, sizeof(*idx));
	root = json_loadb(data, len, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL) {
		pp_err_set(err, PP_EINVAL, "invalid JSON: %s", jerr.text);
		if (jerr.line > 0) {
			pp_err_prefix(err, "%s:%d:%d: ", name, jerr.line, jerr.column);
			snprintf(err->file, sizeof(err->file), "%s", name);
			err->line = jerr.line;
		} else {
			pp_err_prefix(err, "%s: ", name);
		}
		return PP_EINVAL;
	}
	if (!json_is_object(root)) {
		pp_err_set(err, PP_EINVAL,
			   "%s: expected an object {\"metadata\": ..., \"backlog\": [...]}, got %s",
			   name, type_name(root));
		json_decref(root);
		return PP_EINVAL;
	}
	list = json_object_get(root, "backlog");
	if (list == NULL || !json_is_array(list)) {
		pp_err_set(err, PP_EINVAL, "%s: backlog: %s%s", name,
			   list == NULL ? "missing: the index needs a \"backlog\" list"
					: "expected a list of entries, got ",
			   list == NULL ? "" : type_name(list));
		json_decref(root);
		return PP_EINVAL;
	}
	metadata(&c, root);
	json_array_foreach(list, i, item)
	{
		read_entry(&c, i, item);
	}
	dedupe(&c);
	sort_problems(&c);
	json_decref(root);
	if (c.oom)
		return pp_err_set(err, PP_ENOMEM, "out of memory");
	return PP_OK;
}

pp_rc pp_backlog_index_load(const char *path, pp_backlog_index *idx, pp_err *err)
{
	char *data = NULL;
	size_t len = 0;
	pp_rc rc;

	memset(idx, 0, sizeof(*idx));
	rc = pp_file_read(path, PP_BACKLOG_INDEX_MAX, &data, &len, err);
	if (rc == PP_OK)
		rc = pp_backlog_index_parse(path, data, len, idx, err);
	free(data);
	return rc;
}

const pp_backlog_entry *pp_backlog_index_find(const pp_backlog_index *idx, const char *id)
{
	size_t lo = 0, hi = idx != NULL && idx->by_id != NULL ? idx->n_entries : 0;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const pp_backlog_entry *e = &idx->entries[idx->by_id[mid]];
		int d = strcmp(id, e->id);

		if (d == 0)
			return e;
		if (d < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

void pp_backlog_index_free(pp_backlog_index *idx)
{
	if (idx == NULL)
		return;
	for (size_t i = 0; i < idx->n_entries; i++)
		entry_free(&idx->entries[i]);
	free(idx->entries);
	for (size_t i = 0; i < idx->n_problems; i++)
		free(idx->problems[i].msg);
	free(idx->problems);
	free(idx->by_id);
	free(idx->format_version);
	free(idx->last_updated);
	memset(idx, 0, sizeof(*idx));
}

static void disagree(pp_backlog_disagreement *d, const char *field, const char *index_value,
		     const char *story_value)
{
	d->field = field;
	d->index_value = index_value;
	d->story_value = story_value;
	if (story_value != NULL)
		snprintf(d->msg, sizeof(d->msg),
			 "%s: the index says \"%.40s\", the file says \"%.40s\"; the index wins",
			 field, index_value, story_value);
	else /* a priority with only a rank ("priority: 3") has no level: "none" would be false */
		snprintf(d->msg, sizeof(d->msg),
			 "%s: the index says \"%.40s\", the file %s; the index wins", field,
			 index_value,
			 strcmp(field, "priority") == 0 ? "gives no level" : "has none");
}

size_t pp_backlog_compare(const pp_backlog_entry *e, const char *story_status,
			  const char *story_priority, pp_backlog_disagreement out[2])
{
	size_t n = 0;

	if (e->status != NULL && (story_status == NULL || strcmp(e->status, story_status) != 0))
		disagree(&out[n++], "status", e->status, story_status);
	if (e->priority != NULL &&
	    (story_priority == NULL || strcasecmp(e->priority, story_priority) != 0))
		disagree(&out[n++], "priority", e->priority, story_priority);
	return n;
}
