-- 0020: the importer's comparison of a tree with the project's stories
-- (docs/import.md, "One transaction, set-based"; docs/performance.md,
-- "Import"). Every import looks up each file's story by (project_id,
-- source_path) and compares its git blob id, key and archived_at; without
-- an index that is a scan of the whole stories heap (bodies, the search
-- vector: about 4.7 KB a story, 3.6 s at 100,000 stories on the shared
-- machine). Covering those columns, it is an index-only scan of about
-- 100 bytes a story once the table is vacuumed. The history from git and
-- --prune join on the same pair. Partial (stories from files only), so that
-- the reports, which do not ask for a path, keep stories_project_id_status_idx.
CREATE INDEX stories_project_id_source_path_idx ON stories (project_id, source_path)
    INCLUDE (source_blob_id, archived_at, key, id) WHERE source_path IS NOT NULL;
