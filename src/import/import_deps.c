/*
 * import_deps.c: the importer's dependencies (see import.h): the changed
 * stories' edges as their files now say, older references that resolve now,
 * and the cycles either would close, checked before anything is written.
 */
#include <stdlib.h>

#include "db/conn.h"
#include "import/import_int.h"

/* The dependencies of changed stories, as their files now say. */
static const char sql_deps_clear[] =
	"DELETE FROM story_dependencies d USING pp_import_changed c"
	" WHERE d.story_id = c.id AND d.kind = 'blocks';"
	"DELETE FROM story_dependency_refs r USING pp_import_changed c WHERE r.story_id = c.id";

/* $1: the project's key, for dependencies written without one. */
static const char sql_deps_resolve[] =
	"INSERT INTO pp_import_res (story_id, project_key, story_key, path, line, col, target, ref)"
	" SELECT c.id, coalesce(d.project_key, $1), d.story_key, d.path, d.line, d.col, t.id, false"
	"   FROM pp_import_deps d JOIN pp_import_changed c ON c.path = d.path"
	"   LEFT JOIN projects p ON p.key = coalesce(d.project_key, $1)"
	"   LEFT JOIN stories t ON t.project_id = p.id AND t.key = d.story_key"
	"  ORDER BY d.path, d.line, d.col";

/*
 * Older references, from or to this project's stories ($2), whose story
 * exists now: they become edges unless they close a cycle. One from a file
 * of this import is placed at its line; one from another project's story is
 * named PROJECT:path.
 */
static const char sql_refs_candidates[] =
	"INSERT INTO pp_import_res (story_id, project_key, story_key, path, line, col, target, ref)"
	" SELECT r.story_id, r.project_key, r.story_key,"
	"   CASE WHEN s.project_id = $2 THEN coalesce(s.source_path, s.key)"
	"        ELSE sp.key || ':' || coalesce(s.source_path, s.key) END, d.line, d.col, t.id, true"
	"   FROM story_dependency_refs r"
	"   JOIN projects p ON p.key = r.project_key"
	"   JOIN stories t ON t.project_id = p.id AND t.key = r.story_key"
	"   JOIN stories s ON s.id = r.story_id JOIN projects sp ON sp.id = s.project_id"
	"   LEFT JOIN LATERAL (SELECT x.line, x.col FROM pp_import_deps x"
	"                       WHERE s.project_id = $2 AND x.path = s.source_path"
	"                         AND coalesce(x.project_key, $1) = r.project_key"
	"                         AND x.story_key = r.story_key ORDER BY x.line, x.col LIMIT 1) d"
	"     ON true"
	"  WHERE t.project_id = $2 OR s.project_id = $2"
	"  ORDER BY 4, 5, 6";

/*
 * Every group of stories the edges would tie into a cycle
 * (planpipe_dependency_cycles, 0016; the changed stories' old edges are
 * gone already): each edge of a group gets the group's number and one
 * cycle through it, as keys (PROJECT:KEY outside project $1).
 */
static const char sql_cycles[] =
	"WITH e AS (SELECT j, story_id, target, row_number() OVER (ORDER BY j)::int AS pos"
	"             FROM pp_import_res WHERE target IS NOT NULL),"
	" a AS (SELECT array_agg(story_id ORDER BY pos) AS f, array_agg(target ORDER BY pos) AS t"
	"         FROM e),"
	" c AS (SELECT row_number() OVER (ORDER BY c.edges[1]) AS g, c.path, c.edges"
	"         FROM a CROSS JOIN LATERAL planpipe_dependency_cycles(a.f, a.t) c"
	"        WHERE a.f IS NOT NULL)"
	"UPDATE pp_import_res r SET cyc = c.g,"
	"  chain = (SELECT string_agg(coalesce(CASE WHEN s.project_id = $1 THEN s.key"
	"                                      ELSE p.key || ':' || s.key END, '(hidden)'),"
	"                             ' -> ' ORDER BY u.i)"
	"             FROM unnest(c.path) WITH ORDINALITY AS u(id, i)"
	"             LEFT JOIN stories s ON s.id = u.id LEFT JOIN projects p ON p.id = s.project_id)"
	"  FROM e, c WHERE r.j = e.j AND e.pos = ANY (c.edges)";

static const char sql_cycle_edges[] =
	"SELECT r.path, r.line, r.col, r.project_key || ':' || r.story_key, r.chain,"
	"  (SELECT string_agg(x.path || coalesce(':' || x.line || ':' || x.col, ''), ', '"
	"                     ORDER BY x.path, x.line, x.col)"
	"     FROM pp_import_res x WHERE x.cyc = r.cyc)"
	"  FROM pp_import_res r WHERE r.cyc IS NOT NULL ORDER BY r.path, r.line, r.col";

/* Every other edge, in one statement: its cycle check finds nothing. */
static const char sql_edges_insert[] =
	"INSERT INTO story_dependencies (story_id, depends_on_id)"
	" SELECT story_id, target FROM pp_import_res WHERE target IS NOT NULL AND cyc IS NULL"
	" ON CONFLICT DO NOTHING;"
	"DELETE FROM story_dependency_refs d USING pp_import_res r"
	" WHERE r.ref AND r.target IS NOT NULL AND r.cyc IS NULL AND d.story_id = r.story_id"
	"   AND d.project_key = r.project_key AND d.story_key = r.story_key";

/*
 * Kept, not dropped: a story that does not exist yet may arrive with a
 * later import; an edge that closes a cycle is tried again by every import
 * (and so reported again) until a file changes.
 */
static const char sql_deps_unresolved[] =
	"WITH u AS (INSERT INTO story_dependency_refs (story_id, project_key, story_key)"
	"  SELECT story_id, project_key, story_key FROM pp_import_res"
	"   WHERE NOT ref AND (target IS NULL OR cyc IS NOT NULL)"
	"  ON CONFLICT DO NOTHING RETURNING 1)"
	"SELECT path, line, col, project_key || ':' || story_key FROM pp_import_res"
	" WHERE NOT ref AND target IS NULL ORDER BY path, line, col";

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
	pp_rc rc = pp_db_exec(conn, sql_cycle_edges, &r, err);

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

pp_rc pp_import_link(PGconn *conn, const char *project_id, const char *project_key,
		     pp_import_result *res, pp_err *err)
{
	const char *p[2] = {project_key, project_id};
	PGresult *r = NULL;
	int i;
	pp_rc rc = pp_db_exec(conn, sql_deps_clear, NULL, err);

	if (rc == PP_OK)
		rc = pp_db_execp(conn, sql_deps_resolve, 1, p, NULL, err);
	if (rc == PP_OK)
		rc = pp_db_execp(conn, sql_refs_candidates, 2, p, NULL, err);
	if (rc == PP_OK)
		rc = pp_db_execp(conn, sql_cycles, 1, &project_id, NULL, err);
	if (rc == PP_OK)
		rc = report_cycles(conn, res, err);
	if (rc == PP_OK)
		rc = pp_db_exec(conn, sql_edges_insert, NULL, err);
	if (rc == PP_OK)
		rc = pp_db_exec(conn, sql_deps_unresolved, &r, err);
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
