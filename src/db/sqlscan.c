/* sqlscan.c: statement splitting (see sqlscan.h). */
#include "db/sqlscan.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct scanner {
	const char *s;
	size_t len, i;
	int line;
} scanner;

static int ident_start(unsigned char c)
{
	return isalpha(c) || c == '_' || c >= 0x80;
}

static int ident_char(unsigned char c)
{
	return isalnum(c) || c == '_' || c == '$' || c >= 0x80;
}

static void advance(scanner *sc, size_t n)
{
	while (n-- > 0 && sc->i < sc->len) {
		if (sc->s[sc->i] == '\n')
			sc->line++;
		sc->i++;
	}
}

/* At "--" or "/ *": skips the comment. 0 on success, -1 if unterminated. */
static int skip_comment(scanner *sc)
{
	int depth = 0;

	if (sc->s[sc->i] == '-') {
		while (sc->i < sc->len && sc->s[sc->i] != '\n')
			advance(sc, 1);
		return 0;
	}
	/* Block comments nest in PostgreSQL. */
	while (sc->i < sc->len) {
		if (sc->i + 1 < sc->len && sc->s[sc->i] == '/' && sc->s[sc->i + 1] == '*') {
			depth++;
			advance(sc, 2);
		} else if (sc->i + 1 < sc->len && sc->s[sc->i] == '*' && sc->s[sc->i + 1] == '/') {
			advance(sc, 2);
			if (--depth == 0)
				return 0;
		} else {
			advance(sc, 1);
		}
	}
	return -1;
}

/* At a quote char q: skips the quoted text; backslash escapes when escapes. */
static int skip_quoted(scanner *sc, char q, int escapes)
{
	advance(sc, 1);
	while (sc->i < sc->len) {
		char c = sc->s[sc->i];
		if (escapes && c == '\\') {
			advance(sc, 2);
		} else if (c == q) {
			if (sc->i + 1 < sc->len && sc->s[sc->i + 1] == q) {
				advance(sc, 2);
			} else {
				advance(sc, 1);
				return 0;
			}
		} else {
			advance(sc, 1);
		}
	}
	return -1;
}

/* Length of a dollar-quote tag ("$$", "$body$") at sc->i, or 0 if there is none. */
static size_t dollar_tag(const scanner *sc)
{
	size_t j = sc->i + 1;

	if (j < sc->len && sc->s[j] == '$')
		return 2;
	if (j >= sc->len || !ident_start((unsigned char)sc->s[j]))
		return 0;
	while (j < sc->len && (isalnum((unsigned char)sc->s[j]) || sc->s[j] == '_' ||
			       (unsigned char)sc->s[j] >= 0x80))
		j++;
	return j < sc->len && sc->s[j] == '$' ? j - sc->i + 1 : 0;
}

static int skip_dollar(scanner *sc, size_t taglen)
{
	const char *tag = sc->s + sc->i;

	advance(sc, taglen);
	while (sc->i < sc->len) {
		if (sc->s[sc->i] == '$' && sc->len - sc->i >= taglen &&
		    memcmp(sc->s + sc->i, tag, taglen) == 0) {
			advance(sc, taglen);
			return 0;
		}
		advance(sc, 1);
	}
	return -1;
}

/* What psql tracks of a statement's leading words (see psqlscan.l). */
typedef struct stmt_state {
	int paren_depth;
	int begin_depth;
	int ident_count;
	char idents[4];   /* first letters of create/or/replace/function/procedure */
	char word[2][24]; /* the first two words, lower case, for no_tx_reason */
	int concurrently;
} stmt_state;

static int word_is(const char *w, size_t n, const char *kw)
{
	return strlen(kw) == n && strncasecmp(w, kw, n) == 0;
}

static void on_identifier(stmt_state *st, const char *w, size_t n)
{
	int i = st->ident_count;

	if (i < 2) {
		size_t k;
		for (k = 0; k < n && k + 1 < sizeof(st->word[0]); k++)
			st->word[i][k] = (char)tolower((unsigned char)w[k]);
		st->word[i][k] = '\0';
	}
	if (word_is(w, n, "concurrently"))
		st->concurrently = 1;
	if (i < 4 &&
	    (word_is(w, n, "create") || word_is(w, n, "function") || word_is(w, n, "procedure") ||
	     word_is(w, n, "or") || word_is(w, n, "replace")))
		st->idents[i] = (char)tolower((unsigned char)w[0]);
	st->ident_count++;
	/* Inside CREATE [OR REPLACE] FUNCTION|PROCEDURE, BEGIN ... END may hold ';'. */
	if (st->idents[0] == 'c' &&
	    (st->idents[1] == 'f' || st->idents[1] == 'p' ||
	     (st->idents[1] == 'o' && st->idents[2] == 'r' &&
	      (st->idents[3] == 'f' || st->idents[3] == 'p'))) &&
	    st->paren_depth == 0) {
		if (word_is(w, n, "begin"))
			st->begin_depth++;
		else if (word_is(w, n, "case") && st->begin_depth >= 1)
			st->begin_depth++;
		else if (word_is(w, n, "end") && st->begin_depth > 0)
			st->begin_depth--;
	}
}

static const char *no_tx_reason(const stmt_state *st)
{
	const char *a = st->word[0], *b = st->word[1];

	/* REFRESH MATERIALIZED VIEW CONCURRENTLY is the one that may run in a transaction. */
	if (st->concurrently && strcmp(a, "refresh") != 0)
		return "CONCURRENTLY cannot run inside a transaction block";
	if (strcmp(a, "vacuum") == 0)
		return "VACUUM cannot run inside a transaction block";
	if ((strcmp(a, "create") == 0 || strcmp(a, "drop") == 0) &&
	    (strcmp(b, "database") == 0 || strcmp(b, "tablespace") == 0))
		return "CREATE/DROP DATABASE and TABLESPACE cannot run inside a transaction block";
	if (strcmp(a, "alter") == 0 && strcmp(b, "system") == 0)
		return "ALTER SYSTEM cannot run inside a transaction block";
	return NULL;
}

static pp_rc add_stmt(pp_sql_script *out, size_t start, size_t end, int line, const stmt_state *st)
{
	pp_sql_stmt *p;

	p = realloc(out->stmts, (out->count + 1) * sizeof(*p));
	if (p == NULL)
		return PP_ENOMEM;
	out->stmts = p;
	p[out->count].offset = start;
	p[out->count].len = end - start;
	p[out->count].line = line;
	p[out->count].no_tx_reason = no_tx_reason(st);
	out->count++;
	return PP_OK;
}

pp_rc pp_sql_split(const char *sql, size_t len, pp_sql_script *out, pp_err *err)
{
	scanner sc = {sql, len, 0, 1};
	stmt_state st;
	size_t start = 0;
	int start_line = 0, in_stmt = 0;

	out->stmts = NULL;
	out->count = 0;
	memset(&st, 0, sizeof(st));
	while (sc.i < sc.len) {
		unsigned char c = (unsigned char)sql[sc.i];
		unsigned char next = sc.i + 1 < sc.len ? (unsigned char)sql[sc.i + 1] : 0;
		int line = sc.line, bad = 0;
		const char *what = NULL;

		if (isspace(c)) {
			advance(&sc, 1);
			continue;
		}
		if ((c == '-' && next == '-') || (c == '/' && next == '*')) {
			what = "comment";
			bad = skip_comment(&sc);
			goto check;
		}
		if (!in_stmt && c != ';') {
			in_stmt = 1;
			start = sc.i;
			start_line = sc.line;
		}
		if (c == ';' && st.paren_depth == 0 && st.begin_depth == 0) {
			if (in_stmt && add_stmt(out, start, sc.i, start_line, &st) != PP_OK)
				return pp_err_set(err, PP_ENOMEM, "out of memory");
			in_stmt = 0;
			memset(&st, 0, sizeof(st));
			advance(&sc, 1);
		} else if (c == '\'') {
			/* E'...' takes backslash escapes; the E must start a word. */
			int esc = sc.i > 0 && (sql[sc.i - 1] == 'E' || sql[sc.i - 1] == 'e') &&
				  (sc.i < 2 || !ident_char((unsigned char)sql[sc.i - 2]));
			what = "quoted string";
			bad = skip_quoted(&sc, '\'', esc);
		} else if (c == '"') {
			what = "quoted identifier";
			bad = skip_quoted(&sc, '"', 0);
		} else if (c == '$' && dollar_tag(&sc) > 0) {
			what = "dollar-quoted string";
			bad = skip_dollar(&sc, dollar_tag(&sc));
		} else if (ident_start(c)) {
			size_t b = sc.i;
			while (sc.i < sc.len && ident_char((unsigned char)sql[sc.i]))
				advance(&sc, 1);
			/* E'..', B'..', X'..', U&'..' prefixes: let the quote be scanned next. */
			on_identifier(&st, sql + b, sc.i - b);
		} else {
			if (c == '(')
				st.paren_depth++;
			else if (c == ')' && st.paren_depth > 0)
				st.paren_depth--;
			advance(&sc, 1);
		}
	check:
		if (bad) {
			pp_err_set(err, PP_EINVAL, "unterminated %s", what);
			err->line = line;
			return PP_EINVAL;
		}
	}
	if (in_stmt && add_stmt(out, start, sc.i, start_line, &st) != PP_OK)
		return pp_err_set(err, PP_ENOMEM, "out of memory");
	return PP_OK;
}

void pp_sql_script_free(pp_sql_script *s)
{
	if (s == NULL)
		return;
	free(s->stmts);
	s->stmts = NULL;
	s->count = 0;
}

int pp_sql_line_of(const char *sql, const pp_sql_stmt *st, long pos)
{
	int line = st->line;
	long chars = 0;
	size_t i;

	if (pos <= 0)
		return st->line;
	for (i = st->offset; i < st->offset + st->len; i++) {
		unsigned char c = (unsigned char)sql[i];
		/* Count characters, not bytes: UTF-8 continuation bytes are 10xxxxxx. */
		if ((c & 0xC0) != 0x80 && ++chars == pos)
			return line;
		if (c == '\n')
			line++;
	}
	return st->line;
}
