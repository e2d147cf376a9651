-- Which files an import reads in full (src/import/import_changed.c): every
-- file's path and blob id compared with the project's stories in one query.

-- name: changed
-- The files that changed since the last import (or are new, archived, or
-- carry the backlog index's status or priority: the upsert decides those),
-- and, not changed, those with references still unresolved. The key is
-- compared when the file was parsed before (a backlog index); otherwise a
-- file with the same path and blob id holds the same key. A story that has
-- the path but not the blob id while an active one has both is not the
-- file's (the one its file held before a renumbering, for one: import.sql's
-- displaced): it does not make the file changed.
SELECT v.path, v.from_index OR s.id IS NULL OR s.source_blob_id IS DISTINCT FROM v.blob
   OR s.archived_at IS NOT NULL OR lower(s.key) <> lower(v.key)
 FROM pp_import_seen v
 LEFT JOIN stories s ON s.project_id = $1 AND s.source_path IS NOT NULL
  AND s.source_path = v.path
  AND (s.source_blob_id = v.blob OR NOT EXISTS (SELECT FROM stories f
        WHERE f.project_id = $1 AND f.source_path = v.path AND f.source_blob_id = v.blob
          AND f.archived_at IS NULL))
WHERE v.blob IS NOT NULL AND (v.from_index OR s.id IS NULL
   OR s.source_blob_id IS DISTINCT FROM v.blob OR s.archived_at IS NOT NULL
   OR lower(s.key) <> lower(v.key)
   OR EXISTS (SELECT FROM story_dependency_refs r WHERE r.story_id = s.id))

-- name: key_owners
-- The files of the tree, not parsed, whose story's key (ignoring case) a
-- parsed file uses at another path: they are parsed too, so that the
-- duplicate is reported as when every file is read (the first by path wins).
SELECT DISTINCT v.path FROM pp_import_keys k
 JOIN stories s ON s.project_id = $1 AND lower(s.key) = lower(k.key)
  AND s.source_path IS DISTINCT FROM k.path
 JOIN pp_import_seen v ON v.path = s.source_path

-- name: copy_keys
-- The parsed files' ids, streamed: (path, key).
COPY pp_import_keys FROM STDIN
