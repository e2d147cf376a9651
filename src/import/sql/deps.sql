-- The dependencies of an import (src/import/import_deps.c): the changed
-- stories' edges replaced with what their files say, older references
-- resolved, every edge that would close a cycle reported and not written.

-- name: deps_clear
-- The dependencies of changed stories, as their files now say.
DELETE FROM story_dependencies d USING pp_import_changed c
WHERE d.story_id = c.id AND d.kind = 'blocks';
DELETE FROM story_dependency_refs r USING pp_import_changed c WHERE r.story_id = c.id

-- name: deps_resolve
-- $1: the project's key, for dependencies written without one.
INSERT INTO pp_import_res (story_id, project_key, story_key, path, line, col, target, ref)
SELECT c.id, coalesce(d.project_key, $1), d.story_key, d.path, d.line, d.col, t.id, false
  FROM pp_import_deps d JOIN pp_import_changed c ON c.path = d.path
  LEFT JOIN projects p ON p.key = coalesce(d.project_key, $1)
  LEFT JOIN stories t ON t.project_id = p.id AND lower(t.key) = lower(d.story_key)
 ORDER BY d.path, d.line, d.col

-- name: refs_candidates
-- Older references, from or to this project's stories ($2), whose story
-- exists now: they become edges unless they close a cycle. One from a file
-- of this import is placed at its line; one from another project's story is
-- named PROJECT:path.
INSERT INTO pp_import_res (story_id, project_key, story_key, path, line, col, target, ref)
SELECT r.story_id, r.project_key, r.story_key,
  CASE WHEN s.project_id = $2 THEN coalesce(s.source_path, s.key)
       ELSE sp.key || ':' || coalesce(s.source_path, s.key) END, d.line, d.col, t.id, true
  FROM story_dependency_refs r
  JOIN projects p ON p.key = r.project_key
  JOIN stories t ON t.project_id = p.id AND lower(t.key) = lower(r.story_key)
  JOIN stories s ON s.id = r.story_id JOIN projects sp ON sp.id = s.project_id
  LEFT JOIN LATERAL (SELECT x.line, x.col FROM pp_import_deps x
                      WHERE s.project_id = $2 AND x.path = s.source_path
                        AND coalesce(x.project_key, $1) = r.project_key
                        AND x.story_key = r.story_key ORDER BY x.line, x.col LIMIT 1) d
    ON true
 WHERE t.project_id = $2 OR s.project_id = $2
 ORDER BY 4, 5, 6

-- name: cycles
-- Every group of stories the edges would tie into a cycle
-- (planpipe_dependency_cycles, 0016; the changed stories' old edges are
-- gone already): each edge of a group gets the group's number and one
-- cycle through it, as keys (PROJECT:KEY outside project $1). The function
-- also records the other edges as checked for the rest of the transaction
-- (0027), so the table's trigger does not search them again when
-- write_edges writes them.
WITH e AS (SELECT j, story_id, target, row_number() OVER (ORDER BY j)::int AS pos
            FROM pp_import_res WHERE target IS NOT NULL),
a AS (SELECT array_agg(story_id ORDER BY pos) AS f, array_agg(target ORDER BY pos) AS t
        FROM e),
c AS (SELECT row_number() OVER (ORDER BY c.edges[1]) AS g, c.path, c.edges
        FROM a CROSS JOIN LATERAL planpipe_dependency_cycles(a.f, a.t) c
       WHERE a.f IS NOT NULL)
UPDATE pp_import_res r SET cyc = c.g,
 chain = (SELECT string_agg(coalesce(CASE WHEN s.project_id = $1 THEN s.key
                                     ELSE p.key || ':' || s.key END, '(hidden)'),
                            ' -> ' ORDER BY u.i)
            FROM unnest(c.path) WITH ORDINALITY AS u(id, i)
            LEFT JOIN stories s ON s.id = u.id LEFT JOIN projects p ON p.id = s.project_id)
 FROM e, c WHERE r.j = e.j AND e.pos = ANY (c.edges)

-- name: cycle_edges
SELECT r.path, r.line, r.col, r.project_key || ':' || r.story_key, r.chain,
 (SELECT string_agg(x.path || coalesce(':' || x.line || ':' || x.col, ''), ', '
                    ORDER BY x.path, x.line, x.col)
    FROM pp_import_res x WHERE x.cyc = r.cyc)
 FROM pp_import_res r WHERE r.cyc IS NOT NULL ORDER BY r.path, r.line, r.col

-- name: edges_checked
-- Every other edge: the checked ones, and the older references they replace.
SELECT story_id, target FROM pp_import_res WHERE target IS NOT NULL AND cyc IS NULL

-- name: edges_insert
INSERT INTO story_dependencies (story_id, depends_on_id)
SELECT * FROM unnest($1::bigint[], $2::bigint[]) ON CONFLICT DO NOTHING

-- name: refs_resolved
DELETE FROM story_dependency_refs d USING pp_import_res r
WHERE r.ref AND r.target IS NOT NULL AND r.cyc IS NULL AND d.story_id = r.story_id
  AND d.project_key = r.project_key AND d.story_key = r.story_key

-- name: deps_unresolved
-- Kept, not dropped: a story that does not exist yet may arrive with a
-- later import; an edge that closes a cycle is tried again by every import
-- (and so reported again) until a file changes.
WITH u AS (INSERT INTO story_dependency_refs (story_id, project_key, story_key)
 SELECT story_id, project_key, story_key FROM pp_import_res
  WHERE NOT ref AND (target IS NULL OR cyc IS NOT NULL)
 ON CONFLICT DO NOTHING RETURNING 1)
SELECT path, line, col, project_key || ':' || story_key FROM pp_import_res
WHERE NOT ref AND target IS NULL ORDER BY path, line, col
