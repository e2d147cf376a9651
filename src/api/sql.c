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

/* The statements of one file, each from its mark to the next. */
static void load_file(const pp_embedded_file *f)
{
	const char *p = f->data, *end = f->data + f->len, *next;
	size_t len;

	while ((p = strstr(p, MARK)) != NULL && p < end) {
		if (p != f->data && p[-1] != '\n') {
			p += sizeof(MARK) - 1;
			continue;
		}
		if (n_stmts == MAX_STMTS)
			abort();
		p += sizeof(MARK) - 1;
		len = strcspn(p, " \r\n");
		if (len == 0 || len >= sizeof(stmts[0].name))
			abort();
		stmts[n_stmts].file = f->name;
		memcpy(stmts[n_stmts].name, p, len);
		stmts[n_stmts].name[len] = '\0';
		next = strstr(p, "\n" MARK);
		if (next != NULL && next >= end)
			next = NULL;
		stmts[n_stmts].text = trimmed(p + len, next ? next + 1 : end);
		n_stmts++;
		p = next ? next + 1 : end;
	}
}

static void load(void)
{
	size_t i;

	for (i = 0; i < pp_embedded_api_sql_count; i++)
		load_file(&pp_embedded_api_sql[i]);
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
