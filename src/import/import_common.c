/*
 * import_common.c: the bookkeeping every part of the importer shares: the
 * problems it reports, and COPY's text format.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "db/conn.h"
#include "import/import_int.h"

pp_rc pp_import_problem_add(pp_import_result *res, const char *file, int line, int col,
			    int is_error, const char *fmt, ...)
{
	pp_import_problem *p;
	va_list ap;
	pp_buf msg;
	pp_rc rc;

	p = realloc(res->problems, (res->n_problems + 1) * sizeof(*p));
	if (p == NULL)
		return PP_ENOMEM;
	res->problems = p;
	p = &res->problems[res->n_problems];
	pp_buf_init(&msg, 64 * 1024);
	va_start(ap, fmt);
	rc = pp_buf_vprintf(&msg, fmt, ap);
	va_end(ap);
	if (rc != PP_OK) {
		pp_buf_free(&msg);
		return PP_ENOMEM;
	}
	p->file = strdup(file);
	p->msg = pp_buf_take(&msg);
	p->line = line;
	p->col = col;
	p->is_error = is_error;
	if (p->file == NULL || p->msg == NULL) {
		free(p->file);
		free(p->msg);
		return PP_ENOMEM;
	}
	res->n_problems++;
	return PP_OK;
}

/* COPY's text format: backslash, tab, newline and carriage return are escaped. */
pp_rc pp_import_copy_field(pp_buf *b, const char *s)
{
	pp_rc rc = PP_OK;

	if (s == NULL)
		return pp_buf_adds(b, "\\N");
	for (; *s && rc == PP_OK; s++) {
		switch (*s) {
		case '\\':
			rc = pp_buf_adds(b, "\\\\");
			break;
		case '\t':
			rc = pp_buf_adds(b, "\\t");
			break;
		case '\n':
			rc = pp_buf_adds(b, "\\n");
			break;
		case '\r':
			rc = pp_buf_adds(b, "\\r");
			break;
		default:
			rc = pp_buf_add(b, s, 1);
		}
	}
	return rc;
}

pp_rc pp_import_copy_in(PGconn *conn, const char *sql, const pp_buf *rows, pp_err *err)
{
	pp_import_copy c;
	pp_rc rc = pp_import_copy_begin(&c, conn, sql, err);

	if (rc != PP_OK)
		return rc;
	if (PQputCopyData(conn, pp_buf_str(rows), (int)rows->len) != 1)
		rc = pp_db_err(err, conn, NULL, sql);
	return pp_import_copy_end(&c, rc, err);
}

pp_rc pp_import_note_word(pp_import_batch *b, const char *word)
{
	if (word == NULL)
		return PP_OK;
	if (b->words == NULL && (b->words = json_object()) == NULL)
		return PP_ENOMEM;
	if (json_object_get(b->words, word) != NULL)
		return PP_OK;
	/* The words are the parser's, valid UTF-8: jansson need not check them again. */
	return json_object_set_new_nocheck(b->words, word, json_true()) == 0 ? PP_OK : PP_ENOMEM;
}

void pp_import_batch_free(pp_import_batch *b)
{
	size_t i;

	for (i = 0; i < b->n; i++) {
		if (b->items[i].story)
			pp_story_free(b->items[i].story);
		free(b->items[i].story);
	}
	for (i = 0; b->index_words && i < b->n; i++) {
		free(b->index_words[i].file_status);
		free(b->index_words[i].warning);
	}
	free(b->index_words);
	b->index_words = NULL;
	free(b->items);
	pp_arena_free(&b->strs);
	json_decref(b->words);
	b->items = NULL;
	b->n = 0;
	b->words = NULL;
}

pp_rc pp_import_copy_begin(pp_import_copy *c, PGconn *conn, const char *sql, pp_err *err)
{
	PGresult *r = PQexec(conn, sql);
	pp_rc rc = PP_OK;

	c->conn = conn;
	c->sql = sql;
	/* A chunk, and room for the one row that passes it. */
	pp_buf_init(&c->rows, PP_IMPORT_COPY_CHUNK * 4 + ((size_t)16 << 20));
	if (PQresultStatus(r) != PGRES_COPY_IN)
		rc = pp_db_err(err, conn, r, sql);
	PQclear(r);
	return rc;
}

pp_rc pp_import_copy_flush(pp_import_copy *c, pp_err *err)
{
	if (c->rows.len < PP_IMPORT_COPY_CHUNK)
		return PP_OK;
	if (PQputCopyData(c->conn, pp_buf_str(&c->rows), (int)c->rows.len) != 1)
		return pp_db_err(err, c->conn, NULL, c->sql);
	pp_buf_reset(&c->rows);
	return PP_OK;
}

pp_rc pp_import_copy_end(pp_import_copy *c, pp_rc rc, pp_err *err)
{
	PGresult *r;

	if (rc == PP_OK && c->rows.len > 0 &&
	    PQputCopyData(c->conn, pp_buf_str(&c->rows), (int)c->rows.len) != 1)
		rc = pp_db_err(err, c->conn, NULL, c->sql);
	if (PQputCopyEnd(c->conn, rc == PP_OK ? NULL : "import stopped") != 1 && rc == PP_OK)
		rc = pp_db_err(err, c->conn, NULL, c->sql);
	while ((r = PQgetResult(c->conn)) != NULL) {
		if (rc == PP_OK && PQresultStatus(r) != PGRES_COMMAND_OK)
			rc = pp_db_err(err, c->conn, r, c->sql);
		PQclear(r);
	}
	pp_buf_free(&c->rows);
	return rc;
}

pp_rc pp_import_one_value(PGconn *conn, const char *sql, int n, const char *const *p, char *out,
			  size_t size, pp_err *err)
{
	PGresult *r;
	pp_rc rc = pp_db_execp(conn, sql, n, p, &r, err);

	out[0] = '\0';
	if (rc != PP_OK)
		return rc;
	if (PQntuples(r) > 0)
		snprintf(out, size, "%s", PQgetvalue(r, 0, 0));
	PQclear(r);
	return PP_OK;
}
