/*
 * import_deps.c: the importer's dependencies (see import.h): the changed
 * stories' edges as their files now say, older references that resolve now,
 * and the cycles either would close, checked before anything is written.
 */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "db/conn.h"
#include "import/import_deps_int.h"
#include "import/import_int.h"
#include "import/sql.h"

/* This file's statements: src/import/sql/deps.sql. */
#define SQL(name) pp_import_sql("deps.sql", (name))

/* An integer column's value, 0 when NULL: the server only sends digits for one. */
static int int_at(const PGresult *r, int row, int col)
{
	return (int)strtol(PQgetvalue(r, row, col), NULL, 10);
}

/* One error per edge of each cycle, at the edge, naming the cycle and all its edges. */
static pp_rc report_cycles(PGconn *conn, pp_import_result *res, pp_err *err)
{
	PGresult *r = NULL;
	int i;
	pp_rc rc = pp_db_exec(conn, SQL("cycle_edges"), &r, err);

	for (i = 0; rc == PP_OK && i < PQntuples(r); i++) {
		res->failed++;
		rc = pp_import_problem_add(
			res, PQgetvalue(r, i, 0), int_at(r, i, 1), int_at(r, i, 2), 1,
			"dependency on %s closes a cycle: %s (%s); it is not recorded "
			"until one of these dependencies is removed",
			PQgetvalue(r, i, 3), PQgetvalue(r, i, 4), PQgetvalue(r, i, 5));
	}
	PQclear(r);
	return rc;
}

typedef import_deps_edge edge;

static int by_id(const void *x, const void *y)
{
	int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
	return (a > b) - (a < b);
}

static int by_layer(const void *x, const void *y)
{
	const edge *a = x, *b = y;
	return (a->layer > b->layer) - (a->layer < b->layer);
}

static uint32_t node_of(const int64_t *ids, size_t n, int64_t id)
{
	const int64_t *p = bsearch(&id, ids, n, sizeof(*ids), by_id);
	assert(p != NULL);
	return (uint32_t)(p - ids);
}

/* Layers by Kahn's algorithm from the sinks (see import_deps_int.h). */
int import_deps_layer_edges(edge *e, size_t n_e)
{
	int64_t *ids = malloc(2 * n_e * sizeof(*ids));
	uint32_t *out_deg = NULL, *in_off = NULL, *in_e = NULL, *level = NULL, *queue = NULL;
	size_t n = 0, i, k, head = 0, tail = 0, done = 0;
	int ok = -1;

	if (ids == NULL)
		goto out;
	for (i = 0; i < n_e; i++) {
		ids[2 * i] = e[i].from;
		ids[2 * i + 1] = e[i].to;
	}
	qsort(ids, 2 * n_e, sizeof(*ids), by_id);
	for (i = 0; i < 2 * n_e; i++)
		if (n == 0 || ids[n - 1] != ids[i])
			ids[n++] = ids[i];
	out_deg = calloc(n, sizeof(*out_deg));
	in_off = calloc(n + 1, sizeof(*in_off));
	in_e = malloc(n_e * sizeof(*in_e) + 1);
	level = calloc(n, sizeof(*level));
	queue = malloc(n * sizeof(*queue) + 1);
	if (!out_deg || !in_off || !in_e || !level || !queue)
		goto out;
	for (i = 0; i < n_e; i++) {
		e[i].a = node_of(ids, n, e[i].from);
		e[i].b = node_of(ids, n, e[i].to);
		out_deg[e[i].a]++;
		in_off[e[i].b + 1]++;
	}
	for (k = 0; k < n; k++)
		in_off[k + 1] += in_off[k];
	memcpy(level, in_off, n * sizeof(*level)); /* level: each slot's next free place, for now */
	for (i = 0; i < n_e; i++)
		in_e[level[e[i].b]++] = (uint32_t)i;
	memset(level, 0, n * sizeof(*level));
	for (k = 0; k < n; k++)
		if (out_deg[k] == 0)
			queue[tail++] = (uint32_t)k;
	while (head < tail) {
		uint32_t v = queue[head++];
		for (k = in_off[v]; k < in_off[v + 1]; k++) {
			uint32_t u = e[in_e[k]].a;
			if (level[u] < level[v] + 1)
				level[u] = level[v] + 1;
			if (--out_deg[u] == 0)
				queue[tail++] = u;
		}
		done++;
	}
	for (i = 0; i < n_e; i++)
		e[i].layer = level[e[i].a];
	ok = done == n;
out:
	free(ids);
	free(out_deg);
	free(in_off);
	free(in_e);
	free(level);
	free(queue);
	return ok;
}

size_t import_deps_statement_end(const edge *e, size_t n, size_t start)
{
	size_t i = start, end;

	while (i < n) {
		for (end = i; end < n && e[end].layer == e[i].layer; end++)
			;
		if (i > start && end - start > IMPORT_DEPS_LAYER_MERGE)
			return i;
		i = end;
	}
	return n;
}

static pp_rc insert_edges(PGconn *conn, const edge *e, size_t n, pp_err *err)
{
	pp_buf from, to;
	const char *p[2];
	size_t i;
	pp_rc rc = PP_OK;

	pp_buf_init(&from, (size_t)1 << 30);
	pp_buf_init(&to, (size_t)1 << 30);
	rc = pp_buf_adds(&from, "{");
	if (rc == PP_OK)
		rc = pp_buf_adds(&to, "{");
	for (i = 0; rc == PP_OK && i < n; i++) {
		rc = pp_buf_printf(&from, "%s%lld", i ? "," : "", (long long)e[i].from);
		if (rc == PP_OK)
			rc = pp_buf_printf(&to, "%s%lld", i ? "," : "", (long long)e[i].to);
	}
	if (rc == PP_OK)
		rc = pp_buf_adds(&from, "}");
	if (rc == PP_OK)
		rc = pp_buf_adds(&to, "}");
	if (rc != PP_OK)
		rc = pp_err_set(err, rc, "out of memory writing the dependencies");
	p[0] = pp_buf_str(&from);
	p[1] = pp_buf_str(&to);
	if (rc == PP_OK)
		rc = pp_db_execp(conn, SQL("edges_insert"), 2, p, NULL, err);
	pp_buf_free(&from);
	pp_buf_free(&to);
	return rc;
}

/*
 * Writes the checked edges layer by layer: a statement holds the edges of
 * one layer (several consecutive small ones up to IMPORT_DEPS_LAYER_MERGE edges), so
 * the table's statement-level cycle check (0016) finds the origins of a
 * statement depending on nothing written yet above them and ends at once,
 * where one statement of every edge of a first import made it compute the
 * components of the whole new graph (3.5 s for 12,000 edges, 8.5 s for
 * 15,000: worse than linear). Since 0027 the trigger skips these edges (the
 * check above recorded them); the layers still serve where it cannot (no
 * temporary table may be created).
 */
static pp_rc write_edges(PGconn *conn, pp_err *err)
{
	const char *sql = SQL("edges_checked");
	PGresult *r;
	edge *e = NULL, *grown;
	size_t n = 0, cap = 0, start, end;
	int layered;
	pp_rc rc = PP_OK;

	/* A row at a time into e: the edges of a first import may be millions. */
	if (!PQsendQuery(conn, sql) || !PQsetSingleRowMode(conn))
		return pp_db_err(err, conn, NULL, sql);
	while ((r = PQgetResult(conn)) != NULL) {
		ExecStatusType st = PQresultStatus(r);
		if (rc == PP_OK && st != PGRES_SINGLE_TUPLE && st != PGRES_TUPLES_OK)
			rc = pp_db_err(err, conn, r, sql);
		if (rc == PP_OK && st == PGRES_SINGLE_TUPLE && n == cap) {
			cap = cap ? cap * 2 : 1024;
			if (cap > UINT32_MAX || (grown = realloc(e, cap * sizeof(*e))) == NULL)
				rc = pp_err_set(err, PP_ENOMEM,
						"out of memory ordering the dependencies");
			else
				e = grown;
		}
		if (rc == PP_OK && st == PGRES_SINGLE_TUPLE) {
			e[n].from = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
			e[n].to = strtoll(PQgetvalue(r, 0, 1), NULL, 10);
			n++;
		}
		PQclear(r);
	}
	if (rc != PP_OK || n == 0)
		goto out;
	if ((layered = import_deps_layer_edges(e, n)) < 0) {
		rc = pp_err_set(err, PP_ENOMEM, "out of memory ordering the dependencies");
		goto out;
	}
	if (!layered) {
		rc = insert_edges(conn, e, n, err);
		goto out;
	}
	qsort(e, n, sizeof(*e), by_layer);
	for (start = 0; rc == PP_OK && start < n; start = end) {
		end = import_deps_statement_end(e, n, start);
		rc = insert_edges(conn, e + start, end - start, err);
	}
out:
	free(e);
	return rc;
}

pp_rc pp_import_link(PGconn *conn, const char *project_id, const char *project_key,
		     pp_import_result *res, pp_err *err)
{
	const char *p[2] = {project_key, project_id};
	PGresult *r = NULL;
	int i;
	pp_rc rc = pp_db_exec(conn, SQL("deps_clear"), NULL, err);

	if (rc == PP_OK)
		rc = pp_db_execp(conn, SQL("deps_resolve"), 1, p, NULL, err);
	if (rc == PP_OK)
		rc = pp_db_execp(conn, SQL("refs_candidates"), 2, p, NULL, err);
	if (rc == PP_OK)
		rc = pp_db_execp(conn, SQL("cycles"), 1, &project_id, NULL, err);
	if (rc == PP_OK)
		rc = report_cycles(conn, res, err);
	if (rc == PP_OK)
		rc = write_edges(conn, err);
	if (rc == PP_OK)
		rc = pp_db_exec(conn, SQL("refs_resolved"), NULL, err);
	if (rc == PP_OK)
		rc = pp_db_exec(conn, SQL("deps_unresolved"), &r, err);
	for (i = 0; rc == PP_OK && i < PQntuples(r); i++) {
		res->unresolved++;
		rc = pp_import_problem_add(res, PQgetvalue(r, i, 0), int_at(r, i, 1),
					   int_at(r, i, 2), 0,
					   "dependency %s does not exist (yet): kept as unresolved",
					   PQgetvalue(r, i, 3));
	}
	PQclear(r);
	return rc;
}
