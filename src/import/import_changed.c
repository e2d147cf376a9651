/*
 * import_changed.c: which files an import reads in full (see import_int.h).
 *
 * Every file's path and git blob id are compared with the project's stories
 * in one query; only the files that changed (or are new, archived, or hold
 * references still unresolved) are parsed, sent and written. An unchanged
 * tree costs reading and hashing its files, one COPY and one query: no
 * story is parsed, no row is written.
 */
#include <stdlib.h>
#include <string.h>

#include "db/conn.h"
#include "import/import_changed_int.h"
#include "import/import_int.h"
#include "import/sql.h"

/* This file's statements: src/import/sql/changed.sql. */
#define SQL(name) pp_import_sql("changed.sql", (name))

static int item_by_path(const void *key, const void *elem)
{
	return strcmp(key, ((const pp_import_item *)elem)->path);
}

/*
 * Marks the files to send (changed) and those whose dependencies are needed
 * (deps: the changed ones, and those with references still unresolved,
 * whose lines name them).
 */
static pp_rc mark_changed(PGconn *conn, const char *project_id, pp_import_batch *b, pp_err *err)
{
	PGresult *r;
	pp_import_item *it;
	pp_rc rc = PP_OK;

	/* A row at a time: a first import of a million files gets a million rows. */
	if (!PQsendQueryParams(conn, SQL("changed"), 1, NULL, &project_id, NULL, NULL, 0) ||
	    !PQsetSingleRowMode(conn))
		return pp_db_err(err, conn, NULL, SQL("changed"));
	while ((r = PQgetResult(conn)) != NULL) {
		ExecStatusType st = PQresultStatus(r);
		if (rc == PP_OK && st != PGRES_SINGLE_TUPLE && st != PGRES_TUPLES_OK)
			rc = pp_db_err(err, conn, r, SQL("changed"));
		if (rc == PP_OK && st == PGRES_SINGLE_TUPLE) {
			it = bsearch(PQgetvalue(r, 0, 0), b->items, b->n, sizeof(*b->items),
				     item_by_path);
			if (it != NULL && it->ok) {
				it->deps = 1;
				it->send |= PQgetvalue(r, 0, 1)[0] == 't';
			}
		}
		PQclear(r);
	}
	return rc;
}

/* Parses the files marked to parse (send or deps) or named by r's first column. */
pp_rc import_changed_parse_marked(const pp_import_opts *o, pp_import_batch *b, PGresult *r,
				  pp_import_result *res, pp_err *err)
{
	pp_import_item *it;
	size_t i, n = r ? (size_t)PQntuples(r) : b->n;
	pp_rc rc = PP_OK;

	for (i = 0; rc == PP_OK && i < n; i++) {
		if (o->stop && *o->stop)
			return pp_err_set(err, PP_EINVAL, "interrupted");
		it = r ? bsearch(PQgetvalue(r, (int)i, 0), b->items, b->n, sizeof(*b->items),
				 item_by_path)
		       : &b->items[i];
		if (it == NULL || !it->ok || it->parsed || (r == NULL && !it->send && !it->deps))
			continue;
		rc = pp_import_parse_item(o->path, b, it, res, err);
	}
	return rc;
}

/* The parsed files' keys into pp_import_keys, streamed. */
static pp_rc send_keys(PGconn *conn, const pp_import_batch *b, size_t *n, pp_err *err)
{
	pp_import_copy c;
	size_t i;
	pp_rc rc;

	*n = 0;
	for (i = 0; i < b->n && !(b->items[i].ok && b->items[i].parsed); i++)
		;
	if (i == b->n)
		return PP_OK;
	if ((rc = pp_import_copy_begin(&c, conn, SQL("copy_keys"), err)) != PP_OK)
		return rc;
	for (; rc == PP_OK && i < b->n; i++) {
		const pp_import_item *it = &b->items[i];
		if (!it->ok || !it->parsed)
			continue;
		rc = pp_import_copy_field(&c.rows, it->path);
		if (rc == PP_OK)
			rc = pp_buf_adds(&c.rows, "\t");
		if (rc == PP_OK)
			rc = pp_import_copy_field(&c.rows, it->key);
		if (rc == PP_OK)
			rc = pp_buf_adds(&c.rows, "\n");
		if (rc != PP_OK)
			rc = pp_err_set(err, rc, "out of memory listing the keys");
		else
			rc = pp_import_copy_flush(&c, err);
		(*n)++;
	}
	return pp_import_copy_end(&c, rc, err);
}

pp_rc pp_import_parse_changed(PGconn *conn, const pp_import_opts *o, const char *project_id,
			      pp_import_batch *b, pp_import_result *res, pp_err *err)
{
	PGresult *r = NULL;
	size_t n_keys;
	pp_rc rc = mark_changed(conn, project_id, b, err);

	if (rc != PP_OK || !b->lazy)
		return rc;
	rc = import_changed_parse_marked(o, b, NULL, res, err);
	if (rc == PP_OK)
		rc = send_keys(conn, b, &n_keys, err);
	if (rc == PP_OK && n_keys > 0)
		rc = pp_db_execp(conn, SQL("key_owners"), 1, &project_id, &r, err);
	if (rc == PP_OK && r != NULL)
		rc = import_changed_parse_marked(o, b, r, res, err);
	PQclear(r);
	if (rc == PP_OK && (rc = pp_import_reject_duplicates(b, res)) != PP_OK)
		pp_err_set(err, rc, "out of memory");
	return rc;
}
