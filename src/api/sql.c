/* sql.c: the API's named statements, from the embedded src/api/sql/ files (see sql.h). */
#include "api/sql.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/migration.h"

extern const pp_embedded_file pp_embedded_api_sql[];
extern const size_t pp_embedded_api_sql_count;

#define MAX_STMTS 256
#define MARK      "-- name: "
#define FRAG_MARK "-- fragment: "

typedef struct stmt {
	const char *file;
	char name[64];
	char *text;
} stmt;

static stmt stmts[MAX_STMTS];
static size_t n_stmts;
static pthread_once_t once = PTHREAD_ONCE_INIT;

/* A copy of [from, to) without trailing blanks and semicolon. */
static char *trimmed(const char *from, const char *to)
{
	char *s;

	while (to > from && strchr(" \t\r\n;", to[-1]))
		to--;
	s = malloc((size_t)(to - from) + 1);
	if (s == NULL)
		abort();
	memcpy(s, from, (size_t)(to - from));
	s[to - from] = '\0';
	return s;
}

/* A fragment: text that statements of its file name as {{NAME}} (sql.h). */
typedef struct frag {
	const char *file;
	char name[64];
	char *text;
} frag;

static frag frags[MAX_STMTS];
static size_t n_frags;

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

/* The blocks of one file, each from its mark to the next. */
static void load_file(const pp_embedded_file *f)
{
	const char *end = f->data + f->len, *p = next_mark(f->data, f->data, end), *next;
	char *name;
	size_t len;
	int is_frag;

	while (p < end) {
		is_frag = strncmp(p, FRAG_MARK, sizeof(FRAG_MARK) - 1) == 0;
		p += is_frag ? sizeof(FRAG_MARK) - 1 : sizeof(MARK) - 1;
		len = strcspn(p, " \r\n");
		if (len == 0 || len >= sizeof(stmts[0].name) ||
		    (is_frag ? n_frags : n_stmts) == MAX_STMTS)
			abort();
		next = next_mark(p, f->data, end);
		if (is_frag) {
			frags[n_frags].file = f->name;
			name = frags[n_frags].name;
			frags[n_frags++].text = trimmed(skip_comments(p + len, next), next);
		} else {
			stmts[n_stmts].file = f->name;
			name = stmts[n_stmts].name;
			stmts[n_stmts++].text = trimmed(p + len, next);
		}
		memcpy(name, p, len);
		name[len] = '\0';
		p = next;
	}
}

/* The fragment {{name}} of file, name being [name, name + len). */
static const char *fragment(const char *file, const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < n_frags; i++)
		if (strcmp(frags[i].file, file) == 0 && strlen(frags[i].name) == len &&
		    strncmp(frags[i].name, name, len) == 0)
			return frags[i].text;
	fprintf(stderr, "planpipe: no fragment %.*s in src/api/sql/%s\n", (int)len, name, file);
	abort();
}

/* s's text with each {{NAME}} replaced by the fragment (one level: fragments hold none). */
static void expand(stmt *s)
{
	const char *p, *open, *close, *text;
	char *out;
	size_t size = strlen(s->text) + 1, used = 0, len;

	for (p = s->text; (open = strstr(p, "{{")) != NULL; p = close + 2) {
		close = strstr(open, "}}");
		if (close == NULL)
			abort();
		size += strlen(fragment(s->file, open + 2, (size_t)(close - open - 2)));
	}
	out = malloc(size);
	if (out == NULL)
		abort();
	for (p = s->text; (open = strstr(p, "{{")) != NULL; p = close + 2) {
		close = strstr(open, "}}");
		text = fragment(s->file, open + 2, (size_t)(close - open - 2));
		memcpy(out + used, p, (size_t)(open - p));
		used += (size_t)(open - p);
		len = strlen(text);
		memcpy(out + used, text, len);
		used += len;
	}
	memcpy(out + used, p, strlen(p) + 1);
	free(s->text);
	s->text = out;
}

static void load(void)
{
	size_t i;

	for (i = 0; i < pp_embedded_api_sql_count; i++)
		load_file(&pp_embedded_api_sql[i]);
	for (i = 0; i < n_stmts; i++)
		expand(&stmts[i]);
}

const char *pp_api_sql_fragment(const char *file, const char *name)
{
	pthread_once(&once, load);
	return fragment(file, name, strlen(name));
}

const char *pp_api_sql_at(size_t i, const char **file, const char **name)
{
	pthread_once(&once, load);
	if (i >= n_stmts)
		return NULL;
	*file = stmts[i].file;
	*name = stmts[i].name;
	return stmts[i].text;
}

const char *pp_api_sql(const char *file, const char *name)
{
	size_t i;

	pthread_once(&once, load);
	for (i = 0; i < n_stmts; i++)
		if (strcmp(stmts[i].file, file) == 0 && strcmp(stmts[i].name, name) == 0)
			return stmts[i].text;
	fprintf(stderr, "planpipe: no statement %s in src/api/sql/%s\n", name, file);
	abort();
}
