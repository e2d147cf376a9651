/* sql.c: named statements from embedded .sql files, fragments expanded (see sql.h). */
#include "db/sql.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"

extern const pp_embedded_file pp_embedded_db_sql[];
extern const size_t pp_embedded_db_sql_count;

pp_sql_set pp_db_sql_set = PP_SQL_SET("src/db/sql", pp_embedded_db_sql);

#define MARK      "-- name: "
#define FRAG_MARK "-- fragment: "
#define MAX_TEXT  (1024 * 1024) /* an expanded block: far beyond any statement */

/* A block: a statement, or a fragment that blocks of its file name as {{NAME}}. */
typedef struct block {
	const char *file;
	char name[64];
	char *text; /* as written, comments of a fragment's head dropped */
	char *full; /* expanded */
} block;

typedef struct blocks {
	block *v;
	size_t n, cap;
} blocks;

typedef struct pp_sql_loaded {
	blocks stmts, frags;
} loaded;

/* Serializes building; reading a built set takes no lock. */
static pthread_mutex_t build_lock = PTHREAD_MUTEX_INITIALIZER;

static void *must(void *p)
{
	if (p == NULL)
		abort();
	return p;
}

static void die(const pp_sql_set *set, const char *file, const char *fmt, ...) PP_PRINTF(3, 4)
	__attribute__((noreturn));

/* The files are the build's own: a fault is the program's, and the tests load every set. */
static void die(const pp_sql_set *set, const char *file, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "planpipe: %s/%s: ", set->dir, file);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

/* A copy of [from, to) without trailing blanks and semicolon. */
static char *trimmed(const char *from, const char *to)
{
	char *s;

	while (to > from && strchr(" \t\r\n;", to[-1]))
		to--;
	s = must(malloc((size_t)(to - from) + 1));
	memcpy(s, from, (size_t)(to - from));
	s[to - from] = '\0';
	return s;
}

/* The start of the next line of [p, end) that begins with "-- name: " or "-- fragment: ". */
static const char *next_mark(const char *p, const char *start, const char *end)
{
	for (; p < end; p++)
		if ((p == start || p[-1] == '\n') &&
		    (strncmp(p, MARK, sizeof(MARK) - 1) == 0 ||
		     strncmp(p, FRAG_MARK, sizeof(FRAG_MARK) - 1) == 0))
			return p;
	return end;
}

/* [p, end) without its leading comment lines: a fragment lands inside a line. */
static const char *skip_comments(const char *p, const char *end)
{
	while (p < end && (*p == '\n' || *p == '\r' || *p == ' ' || strncmp(p, "--", 2) == 0)) {
		if (*p == '-')
			while (p < end && *p != '\n')
				p++;
		else
			p++;
	}
	return p;
}

/* The block name ([name, name + len)) of file in v, or NULL. */
static block *find(blocks *v, const char *file, const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < v->n; i++)
		if (strcmp(v->v[i].file, file) == 0 && strlen(v->v[i].name) == len &&
		    strncmp(v->v[i].name, name, len) == 0)
			return &v->v[i];
	return NULL;
}

static void load_file(const pp_sql_set *set, loaded *l, const pp_embedded_file *f)
{
	const char *end = f->data + f->len, *p = next_mark(f->data, f->data, end), *next;
	blocks *v;
	block *b;
	size_t len;
	int is_frag;

	while (p < end) {
		is_frag = strncmp(p, FRAG_MARK, sizeof(FRAG_MARK) - 1) == 0;
		p += is_frag ? sizeof(FRAG_MARK) - 1 : sizeof(MARK) - 1;
		len = strcspn(p, " \r\n");
		if (len == 0 || len >= sizeof(b->name))
			die(set, f->name, "a block's name is empty or too long");
		v = is_frag ? &l->frags : &l->stmts;
		if (find(v, f->name, p, len) != NULL)
			die(set, f->name, "two blocks are named %.*s", (int)len, p);
		if (v->n == v->cap) {
			v->cap = v->cap ? 2 * v->cap : 32;
			v->v = must(realloc(v->v, v->cap * sizeof(*v->v)));
		}
		b = &v->v[v->n++];
		next = next_mark(p, f->data, end);
		b->file = f->name;
		memcpy(b->name, p, len);
		b->name[len] = '\0';
		b->text = trimmed(is_frag ? skip_comments(p + len, next) : p + len, next);
		b->full = NULL;
		p = next;
	}
}

/*
 * Appends text to out with each {{NAME}} replaced by fragment NAME of
 * file, expanded in turn. chain[0..depth) are the block being expanded and
 * the fragments around text: meeting one of them again is a cycle, and a
 * fragment at depth is nested depth deep.
 */
static void expand(const pp_sql_set *set, loaded *l, const char *file, const char *text,
		   const char **chain, size_t depth, pp_buf *out)
{
	const char *p, *open, *close;
	char path[(PP_SQL_MAX_DEPTH + 2) * 68]; /* names are under 64 bytes */
	block *frag;
	size_t i, len, used;

	for (p = text; (open = strstr(p, "{{")) != NULL; p = close + 2) {
		close = strstr(open + 2, "}}");
		if (close == NULL)
			die(set, file, "unclosed {{ in %.40s", open);
		len = (size_t)(close - open - 2);
		frag = find(&l->frags, file, open + 2, len);
		if (frag == NULL)
			die(set, file, "no fragment %.*s", (int)len, open + 2);
		used = 0;
		for (i = 0; i < depth; i++)
			used += (size_t)snprintf(path + used, sizeof(path) - used, "%s -> ",
						 chain[i]);
		snprintf(path + used, sizeof(path) - used, "%s", frag->name);
		for (i = 0; i < depth; i++)
			if (chain[i] == frag->name)
				die(set, file, "fragments form a cycle: %s", path);
		if (depth > PP_SQL_MAX_DEPTH)
			die(set, file, "fragments nest deeper than %d: %s", PP_SQL_MAX_DEPTH, path);
		if (pp_buf_add(out, p, (size_t)(open - p)) != PP_OK)
			die(set, file, "%s expands past %d bytes", chain[0], MAX_TEXT);
		chain[depth] = frag->name;
		expand(set, l, file, frag->text, chain, depth + 1, out);
	}
	if (pp_buf_adds(out, p) != PP_OK)
		die(set, file, "%s expands past %d bytes", chain[0], MAX_TEXT);
}

static char *expanded(const pp_sql_set *set, loaded *l, const block *b)
{
	const char *chain[PP_SQL_MAX_DEPTH + 1];
	pp_buf out;

	pp_buf_init(&out, MAX_TEXT);
	chain[0] = b->name;
	expand(set, l, b->file, b->text, chain, 1, &out);
	return must(pp_buf_take(&out));
}

static loaded *build(const pp_sql_set *set)
{
	loaded *l = must(calloc(1, sizeof(*l)));
	size_t i;

	for (i = 0; i < *set->count; i++)
		load_file(set, l, &set->files[i]);
	for (i = 0; i < l->frags.n; i++)
		l->frags.v[i].full = expanded(set, l, &l->frags.v[i]);
	for (i = 0; i < l->stmts.n; i++)
		l->stmts.v[i].full = expanded(set, l, &l->stmts.v[i]);
	return l;
}

static loaded *get(pp_sql_set *set)
{
	loaded *l = atomic_load_explicit(&set->loaded, memory_order_acquire);

	if (l != NULL)
		return l;
	pthread_mutex_lock(&build_lock);
	l = atomic_load_explicit(&set->loaded, memory_order_relaxed);
	if (l == NULL) {
		l = build(set);
		atomic_store_explicit(&set->loaded, l, memory_order_release);
	}
	pthread_mutex_unlock(&build_lock);
	return l;
}

const char *pp_sql(pp_sql_set *set, const char *file, const char *name)
{
	block *b = find(&get(set)->stmts, file, name, strlen(name));

	if (b == NULL)
		die(set, file, "no statement %s", name);
	return b->full;
}

const char *pp_sql_fragment(pp_sql_set *set, const char *file, const char *name)
{
	block *b = find(&get(set)->frags, file, name, strlen(name));

	if (b == NULL)
		die(set, file, "no fragment %s", name);
	return b->full;
}

const char *pp_sql_at(pp_sql_set *set, size_t i, const char **file, const char **name)
{
	loaded *l = get(set);

	if (i >= l->stmts.n)
		return NULL;
	*file = l->stmts.v[i].file;
	*name = l->stmts.v[i].name;
	return l->stmts.v[i].full;
}

const char *pp_db_sql(const char *file, const char *name)
{
	return pp_sql(&pp_db_sql_set, file, name);
}
