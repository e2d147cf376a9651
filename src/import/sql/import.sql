-- The importer's transaction (src/import/import_db.c): its temporary tables,
-- the project and backlog, the status words, the upsert of the changed
-- stories, the prune and the counts.

-- name: begin
-- The whole import is one transaction: nothing is half-written.
BEGIN

-- name: quiet
-- Only warnings and worse reach the importer's notice receiver: the notices
-- of CREATE ... IF NOT EXISTS and the like are noise.
SET LOCAL client_min_messages = warning

-- name: commit
COMMIT

-- name: rollback
-- A failed import, or --dry-run.
ROLLBACK

-- name: savepoint
-- Around the upsert (guarded in import_db.c): a batch the database refuses
-- is rolled back to here and tried file by file.
SAVEPOINT pp_import

-- name: release
RELEASE SAVEPOINT pp_import

-- name: rollback_to
ROLLBACK TO SAVEPOINT pp_import

-- name: setup
-- The settings and temporary tables of one import, all dropped at its end.
SELECT set_config('planpipe.source', 'import', true);
CREATE TEMP TABLE pp_import (path text PRIMARY KEY, blob text NOT NULL,
 doc jsonb NOT NULL) WITH (toast_tuple_target = 8160) ON COMMIT DROP;
CREATE TEMP TABLE pp_import_seen (path text PRIMARY KEY, blob text, key text,
 from_index boolean) ON COMMIT DROP;
CREATE TEMP TABLE pp_import_deps (path text NOT NULL, project_key text,
 story_key text NOT NULL, line int, col int) ON COMMIT DROP;
CREATE TEMP TABLE pp_import_changed (id bigint PRIMARY KEY, path text NOT NULL,
 inserted boolean NOT NULL) ON COMMIT DROP;
CREATE TEMP TABLE pp_import_res (j serial, story_id bigint NOT NULL,
 project_key text NOT NULL, story_key text NOT NULL, path text NOT NULL, line int, col int,
 target bigint, ref boolean NOT NULL, cyc int, chain text) ON COMMIT DROP;
CREATE TEMP TABLE pp_import_keys (path text NOT NULL, key text NOT NULL) ON COMMIT DROP;
CREATE TEMP TABLE pp_import_words_in (word text NOT NULL) ON COMMIT DROP;
CREATE TEMP TABLE pp_import_words (word text PRIMARY KEY, key text) ON COMMIT DROP;
CREATE TEMP TABLE pp_import_lifecycle (story_id bigint PRIMARY KEY) ON COMMIT DROP;
CREATE TEMP TABLE pp_import_git (path text NOT NULL, seq int NOT NULL, commit_id text NOT NULL,
 changed_at timestamptz NOT NULL, actor text, word text NOT NULL) ON COMMIT DROP

-- name: project_create
INSERT INTO projects (key, name) VALUES ($1, $1) ON CONFLICT (key) DO NOTHING RETURNING id

-- name: project_lock
-- Imports of one project take turns. A transaction-level advisory lock
-- rather than a row lock: an unchanged import must not write even a lock
-- into the project's row.
SELECT p.id, pg_advisory_xact_lock(1886154352, 100 + (p.id % 1000000000)::int)
 FROM projects p WHERE p.key = $1

-- name: project_git
-- Only fields given are set; the skip_noop trigger makes an unchanged update write nothing.
UPDATE projects SET git_remote_url = coalesce($2, git_remote_url),
 git_submodule_path = coalesce($3, git_submodule_path),
 git_default_branch = coalesce($4, git_default_branch)
WHERE id = $1 AND (git_remote_url IS DISTINCT FROM coalesce($2, git_remote_url)
 OR git_submodule_path IS DISTINCT FROM coalesce($3, git_submodule_path)
 OR git_default_branch IS DISTINCT FROM coalesce($4, git_default_branch))

-- name: backlog_find
SELECT id FROM backlogs WHERE project_id = $1 AND archived_at IS NULL
  AND ($2::text IS NULL OR name = $2) ORDER BY position, id LIMIT 1

-- name: backlog_create
INSERT INTO backlogs (project_id, name) VALUES ($1, coalesce($2, 'Backlog')) RETURNING id

-- name: words_distinct
-- Every status word of the batch (files, index, git history) as the project's status key.
INSERT INTO pp_import_words (word) SELECT DISTINCT word FROM pp_import_words_in

-- name: words_resolve
UPDATE pp_import_words SET key = planpipe_resolve_status($1, word) RETURNING word, key

-- name: workflow
SELECT string_agg(status, ', ' ORDER BY position, status) FROM project_statuses
WHERE project_id = $1

-- name: upsert
-- The set-based upsert. A story whose file (path and git blob id) is the
-- same as last time is not touched at all; one that comes back after --prune
-- archived it is restored. $3 limits it to one file (the per-file fallback).
-- $1 the project, $2 its backlog, $3 one file's path (NULL: every file).
WITH src AS (
  SELECT i.path, i.blob, d.* FROM pp_import i CROSS JOIN LATERAL jsonb_to_record(i.doc) AS
    d(key text, title text, status text, priority text, priority_rank int,
      estimate_points numeric, estimate_raw text, epic text, owner text, author text,
      branch_name text, created timestamptz, git_created timestamptz,
      last_updated timestamptz, labels text[], metadata jsonb, body text,
      checklist_total int, checklist_done int, from_index boolean)
  WHERE $3::text IS NULL OR i.path = $3
-- A new story goes at the end of the backlog, in path order: given here, the
-- stories_20_write trigger does not look for the backlog's end once a row.
), ranked AS (
  SELECT src.*, (SELECT coalesce(max(rank), 0) FROM stories WHERE backlog_id = $2)
    + row_number() OVER (ORDER BY path) AS rank FROM src
), up AS (
  INSERT INTO stories AS s (project_id, backlog_id, key, title, status, priority,
    priority_rank, estimate_points, estimate_raw, epic, owner, author, branch_name,
    labels, metadata, body, checklist_total, checklist_done, source_path,
    source_blob_id, created_at, last_updated, rank)
  SELECT $1, $2, key, title, coalesce(status, 'draft'), coalesce(priority, 'medium'),
    priority_rank, estimate_points, estimate_raw, epic, owner, author, branch_name,
    labels, metadata, body, checklist_total, checklist_done, path, blob,
    coalesce(git_created, created, now()), last_updated, rank
  FROM ranked ORDER BY path
  ON CONFLICT (lower(key), project_id) DO UPDATE SET key = excluded.key,
    title = excluded.title, status = excluded.status, priority = excluded.priority,
    priority_rank = excluded.priority_rank, last_updated = excluded.last_updated,
    estimate_points = excluded.estimate_points, estimate_raw = excluded.estimate_raw,
    epic = excluded.epic, owner = excluded.owner, author = excluded.author,
    branch_name = excluded.branch_name, labels = excluded.labels,
    metadata = excluded.metadata, body = excluded.body,
    checklist_total = excluded.checklist_total, checklist_done = excluded.checklist_done,
    source_path = excluded.source_path, source_blob_id = excluded.source_blob_id,
    archived_at = NULL
  WHERE s.source_blob_id IS DISTINCT FROM excluded.source_blob_id
     OR s.source_path IS DISTINCT FROM excluded.source_path OR s.archived_at IS NOT NULL
     OR ((SELECT x.from_index FROM src x WHERE x.path = excluded.source_path)
         AND (s.status, s.priority, s.priority_rank)
             IS DISTINCT FROM (excluded.status, excluded.priority, excluded.priority_rank))
  RETURNING s.id, s.source_path, s.xmax = 0
) INSERT INTO pp_import_changed SELECT * FROM up

-- name: counter_raise
-- An imported key <prefix>-<n> raises the project's key counter to n
-- (planpipe_stories_key, 0004), one row update per story, all on the same
-- row. Raised once to the batch's highest number first, each of those
-- finds nothing to do.
UPDATE story_key_counters c SET last_number = m.n
 FROM (SELECT max(planpipe_story_key_number(p.story_key_prefix, i.doc->>'key')) AS n
         FROM pp_import i, projects p WHERE p.id = $1) m
WHERE c.project_id = $1 AND c.last_number < m.n

-- name: displaced
-- The active stories whose file the import wrote another story from (the
-- file's id changed in place, or the story was given the path by hand):
-- they are in no file now (prune archives them), and get none of the
-- file's history (history.sql). (path, the file's key, the other's key).
SELECT c.path, s.key, o.key FROM pp_import_changed c
  JOIN stories s ON s.id = c.id
  JOIN stories o ON o.project_id = $1 AND o.source_path = c.path AND o.archived_at IS NULL
   AND o.source_blob_id IS DISTINCT FROM s.source_blob_id
 ORDER BY c.path, o.key

-- name: prune
-- The project's stories from a file that are in no file: the file is gone,
-- or it holds another story now (the active one with the file's blob id,
-- as displaced says); a file that failed keeps its story as it was.
UPDATE stories s SET archived_at = now()
WHERE s.project_id = $1 AND s.archived_at IS NULL AND s.source_path IS NOT NULL
  AND (NOT EXISTS (SELECT 1 FROM pp_import_seen v WHERE v.path = s.source_path)
    OR EXISTS (SELECT FROM pp_import_seen v JOIN stories f ON f.project_id = $1
                 AND f.source_path = v.path AND f.source_blob_id = v.blob
                 AND f.archived_at IS NULL
                WHERE v.path = s.source_path AND s.source_blob_id IS DISTINCT FROM v.blob))

-- name: counts
SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted)
 FROM pp_import_changed

-- name: commit_sync
UPDATE projects SET git_last_synced_commit = $2, git_last_synced_at = now()
WHERE id = $1 AND git_last_synced_commit IS DISTINCT FROM $2

-- name: copy_seen
-- Every file of the tree, streamed: (path, blob, key when parsed,
-- from_index); a file that failed has no blob.
COPY pp_import_seen FROM STDIN

-- name: copy_rows
-- The changed stories, streamed: (path, blob, the story as a JSON document,
-- which upsert reads with jsonb_to_record).
COPY pp_import FROM STDIN

-- name: copy_deps
-- The dependencies of the files whose edges are written:
-- (path, project_key, story_key, line, col).
COPY pp_import_deps FROM STDIN

-- name: copy_words
-- Every status word of the batch, repeated words included (words_distinct
-- keeps each once).
COPY pp_import_words_in FROM STDIN

-- name: history_external
-- While the stories of an import with git history are written, their status
-- changes come from git (import_history.c), not from the history trigger.
SELECT set_config('planpipe.history', 'external', true)

-- name: history_end
SELECT set_config('planpipe.history', '', true)
