/*
 * backup_roles.c: a tokenizer for the part of SQL that globals.sql may use,
 * and the parser of its role statements (see backup_roles.h).
 *
 * The tokenizer follows PostgreSQL's scanner (scan.l) where it matters for
 * finding where a token ends: -- and nested slash-star comments, 'strings'
 * with '' inside (standard_conforming_strings on), "identifiers" with ""
 * inside, $tag$dollar quotes$tag$, and words. What globals.sql never needs
 * (escape strings, bit strings, Unicode escapes, parameters, backslashes) is
 * refused where it starts, so nothing is ever guessed.
 */
#include "db/backup_roles.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef enum {
	T_EOF,
	T_WORD,   /* unquoted: folded to lower case */
	T_IDENT,  /* "quoted" */
	T_STRING, /* 'text' */
	T_DOLLAR, /* $tag$text$tag$: never accepted, but read to its end */
	T_NUMBER,
	T_SEMI,
	T_PUNCT, /* one character: , ( ) - = ... */
} tok_kind;

typedef struct tok {
	tok_kind kind;
	int line, col;
	char *text; /* owned: the word, identifier or string, unquoted */
	char punct;
} tok;

typedef struct lexer {
	const char *s;
	size_t len, pos;
	int line, col;
	const char *name;
	pp_err *err;
	tok t; /* the current token */
} lexer;

static pp_rc fail_at(lexer *lx, int line, int col, const char *fmt, ...) PP_PRINTF(4, 5);
static pp_rc fail_at(lexer *lx, int line, int col, const char *fmt, ...)
{
	char what[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	pp_err_set(lx->err, PP_EINVAL, "%s:%d:%d: %s", lx->name, line, col, what);
	if (lx->err) {
		snprintf(lx->err->file, sizeof(lx->err->file), "%s", lx->name);
		lx->err->line = line;
	}
	return PP_EINVAL;
}

static int peekc(const lexer *lx, size_t ahead)
{
	return lx->pos + ahead < lx->len ? (unsigned char)lx->s[lx->pos + ahead] : -1;
}

static void advance(lexer *lx)
{
	if (lx->s[lx->pos] == '\n') {
		lx->line++;
		lx->col = 1;
	} else if (((unsigned char)lx->s[lx->pos] & 0xC0) != 0x80) {
		lx->col++; /* columns in characters, as the server counts them */
	}
	lx->pos++;
}

static int is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static int ident_start(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
}

static int ident_cont(int c)
{
	return ident_start(c) || (c >= '0' && c <= '9') || c == '$';
}

/* Skips blanks and comments; PP_EINVAL on an unterminated comment. */
static pp_rc skip_blank(lexer *lx)
{
	for (;;) {
		int c = peekc(lx, 0);

		if (is_space(c)) {
			advance(lx);
		} else if (c == '-' && peekc(lx, 1) == '-') {
			while (peekc(lx, 0) != -1 && peekc(lx, 0) != '\n')
				advance(lx);
		} else if (c == '/' && peekc(lx, 1) == '*') {
			int line = lx->line, col = lx->col, depth = 0;
			do {
				if (peekc(lx, 0) == -1)
					return fail_at(lx, line, col, "unterminated /* comment");
				if (peekc(lx, 0) == '/' && peekc(lx, 1) == '*') {
					depth++;
					advance(lx);
				} else if (peekc(lx, 0) == '*' && peekc(lx, 1) == '/') {
					depth--;
					advance(lx);
				}
				advance(lx);
			} while (depth > 0);
		} else {
			return PP_OK;
		}
	}
}

/* Reads a quoted token (q: ' or "), doubling as the escape, into lx->t.text. */
static pp_rc read_quoted(lexer *lx, char q)
{
	int line = lx->line, col = lx->col;
	size_t n = 0;
	char *out = malloc(lx->len - lx->pos + 1);

	if (out == NULL)
		return pp_err_set(lx->err, PP_ENOMEM, "out of memory");
	advance(lx);
	for (;;) {
		int c = peekc(lx, 0);
		if (c == -1) {
			free(out);
			return fail_at(lx, line, col, "unterminated %s",
				       q == '\'' ? "string" : "quoted identifier");
		}
		if (c == q && peekc(lx, 1) == q) {
			advance(lx);
		} else if (c == q) {
			advance(lx);
			break;
		}
		out[n++] = (char)c;
		advance(lx);
	}
	out[n] = '\0';
	lx->t.text = out;
	if (q == '"' && n == 0)
		return fail_at(lx, line, col, "zero-length quoted identifier");
	return PP_OK;
}

/* $tag$ ... $tag$: read to its end, so that what it hides is seen as one token. */
static pp_rc read_dollar(lexer *lx, size_t taglen)
{
	int line = lx->line, col = lx->col;
	const char *tag = lx->s + lx->pos;
	size_t i;

	for (i = 0; i < taglen; i++)
		advance(lx);
	for (;;) {
		if (lx->pos + taglen > lx->len)
			return fail_at(lx, line, col, "unterminated dollar-quoted string");
		if (memcmp(lx->s + lx->pos, tag, taglen) == 0)
			break;
		advance(lx);
	}
	for (i = 0; i < taglen; i++)
		advance(lx);
	lx->t.kind = T_DOLLAR;
	return PP_OK;
}

/* The length of a dollar-quote tag starting at pos ($$ or $name$), 0 if none. */
static size_t dollar_tag(const lexer *lx)
{
	size_t n = 1;

	if (peekc(lx, 1) == '$')
		return 2;
	if (!ident_start(peekc(lx, 1)))
		return 0;
	while (peekc(lx, n) != -1 && ident_cont(peekc(lx, n)) && peekc(lx, n) != '$')
		n++;
	return peekc(lx, n) == '$' ? n + 1 : 0;
}

/* Reads the next token into lx->t. */
static pp_rc next(lexer *lx)
{
	int c;
	size_t start, n;
	pp_rc rc;

	free(lx->t.text);
	memset(&lx->t, 0, sizeof(lx->t));
	rc = skip_blank(lx);
	if (rc != PP_OK)
		return rc;
	lx->t.line = lx->line;
	lx->t.col = lx->col;
	c = peekc(lx, 0);
	if (c == -1) {
		lx->t.kind = T_EOF;
		return PP_OK;
	}
	if (c == '\0')
		return fail_at(lx, lx->line, lx->col, "a NUL byte");
	if (c == '\\')
		return fail_at(lx, lx->line, lx->col,
			       "a backslash (psql meta-commands are not accepted)");
	if (c == '\'') {
		lx->t.kind = T_STRING;
		return read_quoted(lx, '\'');
	}
	if (c == '"') {
		lx->t.kind = T_IDENT;
		return read_quoted(lx, '"');
	}
	if (c == '$') {
		n = dollar_tag(lx);
		if (n == 0)
			return fail_at(lx, lx->line, lx->col, "a parameter ($n)");
		return read_dollar(lx, n);
	}
	if (ident_start(c)) {
		int next_c;

		start = lx->pos;
		while (peekc(lx, 0) != -1 && ident_cont(peekc(lx, 0)))
			advance(lx);
		n = lx->pos - start;
		next_c = peekc(lx, 0);
		/* E'..', B'..', X'..', N'..', U&'..': forms a role statement never needs. */
		if (next_c == '\'' || (next_c == '&' && n == 1 && (c == 'u' || c == 'U')))
			return fail_at(lx, lx->t.line, lx->t.col,
				       "a special string constant (%.*s'...'): only plain "
				       "'strings' are accepted",
				       (int)n, lx->s + start);
		lx->t.kind = T_WORD;
		lx->t.text = strndup(lx->s + start, n);
		if (lx->t.text == NULL)
			return pp_err_set(lx->err, PP_ENOMEM, "out of memory");
		for (char *p = lx->t.text; *p; p++)
			if (*p >= 'A' && *p <= 'Z')
				*p = (char)(*p - 'A' + 'a');
		return PP_OK;
	}
	if (c >= '0' && c <= '9') {
		start = lx->pos;
		while (peekc(lx, 0) != -1 && (ident_cont(peekc(lx, 0)) || peekc(lx, 0) == '.'))
			advance(lx);
		lx->t.kind = T_NUMBER;
		lx->t.text = strndup(lx->s + start, lx->pos - start);
		return lx->t.text ? PP_OK : pp_err_set(lx->err, PP_ENOMEM, "out of memory");
	}
	lx->t.kind = c == ';' ? T_SEMI : T_PUNCT;
	lx->t.punct = (char)c;
	advance(lx);
	return PP_OK;
}

/* What the current token is, for messages. */
static const char *describe(const tok *t, char *buf, size_t size)
{
	switch (t->kind) {
	case T_EOF:
		return "the end of the file";
	case T_WORD:
		snprintf(buf, size, "%s", t->text);
		for (char *p = buf; *p; p++)
			if (*p >= 'a' && *p <= 'z')
				*p = (char)(*p - 'a' + 'A');
		return buf;
	case T_IDENT:
		snprintf(buf, size, "\"%.60s\"", t->text);
		return buf;
	case T_STRING:
		return "a string";
	case T_DOLLAR:
		return "a dollar-quoted string";
	case T_NUMBER:
		snprintf(buf, size, "%.30s", t->text);
		return buf;
	case T_SEMI:
		return "';'";
	case T_PUNCT:
		snprintf(buf, size, "'%c'", t->punct);
		return buf;
	}
	return "?";
}

static pp_rc unexpected(lexer *lx, const char *wanted)
{
	char buf[128];

	return fail_at(lx, lx->t.line, lx->t.col, "%s where %s was expected: refused",
		       describe(&lx->t, buf, sizeof(buf)), wanted);
}

static int is_word(const lexer *lx, const char *w)
{
	return lx->t.kind == T_WORD && strcmp(lx->t.text, w) == 0;
}

/* The current token must be the word w; then reads the next. */
static pp_rc expect_word(lexer *lx, const char *w)
{
	char want[64];

	if (!is_word(lx, w)) {
		snprintf(want, sizeof(want), "%s", w);
		for (char *p = want; *p; p++)
			if (*p >= 'a' && *p <= 'z')
				*p = (char)(*p - 'a' + 'A');
		return unexpected(lx, want);
	}
	return next(lx);
}

/* A role name (a word or a quoted identifier) into out; then reads the next token. */
static pp_rc role_name(lexer *lx, char *out, size_t size)
{
	int line = lx->t.line, col = lx->t.col;

	if (lx->t.kind != T_WORD && lx->t.kind != T_IDENT)
		return unexpected(lx, "a role name");
	if (strlen(lx->t.text) >= size)
		return fail_at(lx, line, col, "role name longer than %zu bytes", size - 1);
	if (strncmp(lx->t.text, "pg_", 3) == 0)
		return fail_at(lx, line, col, "role %s: names starting with pg_ are reserved",
			       lx->t.text);
	snprintf(out, size, "%s", lx->t.text);
	return next(lx);
}

static pp_rc set_attr(lexer *lx, pp_role_attr *attr, pp_role_attr v)
{
	*attr = v;
	return next(lx);
}

/* A string constant into *out (replacing what was there); then reads the next token. */
static pp_rc take_string(lexer *lx, char **out, const char *what)
{
	if (lx->t.kind != T_STRING)
		return unexpected(lx, what);
	free(*out);
	*out = lx->t.text;
	lx->t.text = NULL;
	return next(lx);
}

/* CONNECTION LIMIT [-]n */
static pp_rc conn_limit(lexer *lx, pp_role_stmt *st)
{
	int neg = 0;
	char *end;
	pp_rc rc = next(lx);

	if (rc == PP_OK)
		rc = expect_word(lx, "limit");
	if (rc != PP_OK)
		return rc;
	if (lx->t.kind == T_PUNCT && lx->t.punct == '-') {
		neg = 1;
		if ((rc = next(lx)) != PP_OK)
			return rc;
	}
	if (lx->t.kind != T_NUMBER)
		return unexpected(lx, "a connection limit");
	st->conn_limit = strtol(lx->t.text, &end, 10);
	if (*end != '\0' || st->conn_limit > 1000000 || (neg && st->conn_limit != 1))
		return fail_at(lx, lx->t.line, lx->t.col, "connection limit %s%s is not accepted",
			       neg ? "-" : "", lx->t.text);
	if (neg)
		st->conn_limit = -1;
	st->has_conn_limit = 1;
	return next(lx);
}

static pp_rc password(lexer *lx, pp_role_stmt *st)
{
	pp_rc rc = next(lx);

	if (rc != PP_OK)
		return rc;
	st->has_password = 1;
	if (is_word(lx, "null")) {
		free(st->password);
		st->password = NULL;
		return next(lx);
	}
	return take_string(lx, &st->password, "a password string or NULL");
}

/* One role option of CREATE ROLE / ALTER ROLE. */
static pp_rc option(lexer *lx, pp_role_stmt *st)
{
	static const char *const refused[] = {"superuser", "createrole", "replication", "bypassrls",
					      NULL};
	static const char *const harmless[] = {"nosuperuser", "nocreaterole", "noreplication",
					       "nobypassrls", NULL};
	char buf[128];
	size_t i;

	if (lx->t.kind == T_WORD) {
		for (i = 0; refused[i]; i++)
			if (strcmp(lx->t.text, refused[i]) == 0)
				return fail_at(lx, lx->t.line, lx->t.col,
					       "role %s: the %s attribute is refused (a backup "
					       "never grants it)",
					       st->role, describe(&lx->t, buf, sizeof(buf)));
		for (i = 0; harmless[i]; i++)
			if (strcmp(lx->t.text, harmless[i]) == 0)
				return next(lx);
	}
	if (is_word(lx, "login"))
		return set_attr(lx, &st->login, PP_ATTR_YES);
	if (is_word(lx, "nologin"))
		return set_attr(lx, &st->login, PP_ATTR_NO);
	if (is_word(lx, "inherit"))
		return set_attr(lx, &st->inherit, PP_ATTR_YES);
	if (is_word(lx, "noinherit"))
		return set_attr(lx, &st->inherit, PP_ATTR_NO);
	if (is_word(lx, "createdb"))
		return set_attr(lx, &st->createdb, PP_ATTR_YES);
	if (is_word(lx, "nocreatedb"))
		return set_attr(lx, &st->createdb, PP_ATTR_NO);
	if (is_word(lx, "connection"))
		return conn_limit(lx, st);
	if (is_word(lx, "encrypted")) {
		pp_rc rc = next(lx);
		if (rc != PP_OK)
			return rc;
		if (!is_word(lx, "password"))
			return unexpected(lx, "PASSWORD");
	}
	if (is_word(lx, "password"))
		return password(lx, st);
	if (is_word(lx, "valid")) {
		pp_rc rc = next(lx);
		if (rc == PP_OK)
			rc = expect_word(lx, "until");
		return rc == PP_OK ? take_string(lx, &st->valid_until, "a VALID UNTIL string") : rc;
	}
	return unexpected(lx, "a role option (LOGIN, INHERIT, CREATEDB, CONNECTION LIMIT, "
			      "PASSWORD, VALID UNTIL or their NO forms)");
}

/* The CREATE ROLE of role before the statement being parsed (the last one), or NULL. */
static const pp_role_stmt *find_created(const pp_role_script *s, const char *role)
{
	size_t i;

	for (i = 0; i + 1 < s->count; i++)
		if (s->stmts[i].kind == PP_ROLE_CREATE && strcmp(s->stmts[i].role, role) == 0)
			return &s->stmts[i];
	return NULL;
}

/* CREATE ROLE / ALTER ROLE, after the command's words. */
static pp_rc role_stmt(lexer *lx, const pp_role_script *s, pp_role_stmt *st)
{
	int line = lx->t.line, col = lx->t.col;
	pp_rc rc = role_name(lx, st->role, sizeof(st->role));
	size_t options = 0;

	if (rc != PP_OK)
		return rc;
	if (st->kind == PP_ROLE_CREATE && find_created(s, st->role))
		return fail_at(lx, line, col, "role %s is created twice", st->role);
	if (st->kind == PP_ROLE_ALTER && !find_created(s, st->role))
		return fail_at(lx, line, col,
			       "ALTER ROLE %s: only a role created earlier in the file may be "
			       "altered",
			       st->role);
	if (is_word(lx, "with") && (rc = next(lx)) != PP_OK)
		return rc;
	while (rc == PP_OK && lx->t.kind != T_SEMI && lx->t.kind != T_EOF) {
		rc = option(lx, st);
		options++;
	}
	if (rc == PP_OK && st->kind == PP_ROLE_ALTER && options == 0)
		return unexpected(lx, "a role option");
	return rc;
}

/* GRANT role TO member [WITH ADMIN OPTION] */
static pp_rc grant_stmt(lexer *lx, const pp_role_script *s, pp_role_stmt *st)
{
	int line = lx->t.line, col = lx->t.col;
	pp_rc rc = role_name(lx, st->granted, sizeof(st->granted));

	if (rc == PP_OK)
		rc = expect_word(lx, "to");
	if (rc == PP_OK)
		rc = role_name(lx, st->role, sizeof(st->role));
	if (rc != PP_OK)
		return rc;
	if (is_word(lx, "with")) {
		rc = next(lx);
		if (rc == PP_OK)
			rc = expect_word(lx, "admin");
		if (rc == PP_OK)
			rc = expect_word(lx, "option");
		if (rc != PP_OK)
			return rc;
		st->admin_option = 1;
	}
	if (!find_created(s, st->granted) || !find_created(s, st->role))
		return fail_at(lx, line, col,
			       "GRANT %s TO %s: only memberships between roles created earlier "
			       "in the file are accepted",
			       st->granted, st->role);
	return PP_OK;
}

static pp_rc statement(lexer *lx, pp_role_script *s, pp_role_stmt *st)
{
	char buf[128];
	pp_rc rc;

	st->line = lx->t.line;
	st->col = lx->t.col;
	st->login = st->inherit = st->createdb = PP_ATTR_UNSET;
	if (is_word(lx, "create") || is_word(lx, "alter")) {
		st->kind = is_word(lx, "create") ? PP_ROLE_CREATE : PP_ROLE_ALTER;
		rc = next(lx);
		if (rc != PP_OK)
			return rc;
		if (!is_word(lx, "role"))
			return fail_at(lx, st->line, st->col,
				       "%s %s is not accepted: only CREATE ROLE, ALTER ROLE and "
				       "GRANT role TO role",
				       st->kind == PP_ROLE_CREATE ? "CREATE" : "ALTER",
				       describe(&lx->t, buf, sizeof(buf)));
		rc = next(lx);
		if (rc == PP_OK)
			rc = role_stmt(lx, s, st);
	} else if (is_word(lx, "grant")) {
		st->kind = PP_ROLE_GRANT;
		rc = next(lx);
		if (rc == PP_OK)
			rc = grant_stmt(lx, s, st);
	} else {
		return fail_at(lx, st->line, st->col,
			       "%s is not accepted: only CREATE ROLE, ALTER ROLE and GRANT role "
			       "TO role",
			       describe(&lx->t, buf, sizeof(buf)));
	}
	if (rc == PP_OK && lx->t.kind != T_SEMI && lx->t.kind != T_EOF)
		return unexpected(lx, "';'");
	return rc;
}

static void stmt_free(pp_role_stmt *st)
{
	if (st->password)
		memset(st->password, 0, strlen(st->password));
	free(st->password);
	free(st->valid_until);
}

pp_rc pp_role_script_parse(const char *sql, size_t len, const char *name, pp_role_script *out,
			   pp_err *err)
{
	lexer lx;
	size_t cap = 0;
	pp_rc rc;

	memset(out, 0, sizeof(*out));
	memset(&lx, 0, sizeof(lx));
	lx.s = sql;
	lx.len = len;
	lx.line = lx.col = 1;
	lx.name = name;
	lx.err = err;
	rc = next(&lx);
	while (rc == PP_OK && lx.t.kind != T_EOF) {
		if (lx.t.kind == T_SEMI) {
			rc = next(&lx);
			continue;
		}
		if (out->count == cap) {
			pp_role_stmt *bigger =
				realloc(out->stmts, (cap = cap ? cap * 2 : 16) * sizeof(*bigger));
			if (bigger == NULL) {
				rc = pp_err_set(err, PP_ENOMEM, "out of memory");
				break;
			}
			out->stmts = bigger;
		}
		memset(&out->stmts[out->count], 0, sizeof(out->stmts[0]));
		/* Counted before parsing, so that what it allocated is freed on failure. */
		rc = statement(&lx, out, &out->stmts[out->count++]);
	}
	free(lx.t.text);
	return rc;
}

void pp_role_script_free(pp_role_script *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < s->count; i++)
		stmt_free(&s->stmts[i]);
	free(s->stmts);
	s->stmts = NULL;
	s->count = 0;
}
